"""The translations are complete: no English message shows untranslated in the Indonesian UI.

Messages in the code are English and Indonesian is the default language, so a message missing
from locale/id (never extracted, left empty, marked fuzzy, or not compiled into the .mo) shows
in English to an Indonesian reader. These tests fail for each of those causes, and name the
messages."""

import os
import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils.html import strip_tags

from bartim.models import User
from tests.factories import (
    IndicatorFactory,
    PlanFactory,
    ProgramFactory,
    UserFactory,
    VillageDataFactory,
)

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = ("id", "en")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")
# Folders that hold no messages of the app's own (and are large).
NOT_SOURCE = {
    ".venv",
    ".git",
    "locale",
    "staticfiles",
    "test-artifacts",
    "node_modules",
    "docs",
    "__pycache__",
}


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def live_entries(po: polib.POFile):
    return [entry for entry in po if not entry.obsolete and entry.msgid]


def translations(entry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def test_every_indonesian_message_has_a_translation_that_is_not_fuzzy():
    po = catalogue("id")
    missing = [
        entry.msgid
        for entry in live_entries(po)
        if "fuzzy" in entry.flags or not all(text.strip() for text in translations(entry))
    ]
    assert not missing, "untranslated or fuzzy in locale/id:\n" + "\n".join(missing)


def test_indonesian_translations_keep_the_placeholders_of_their_message():
    wrong = []
    for entry in live_entries(catalogue("id")):
        expected = set(PLACEHOLDER.findall(entry.msgid))
        for text in translations(entry):
            if set(PLACEHOLDER.findall(text)) != expected:
                wrong.append(f"{entry.msgid!r} -> {text!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_holds_what_the_po_file_says(language):
    """The app reads the .mo, not the .po: a translation added but not compiled stays unseen."""
    po = catalogue(language)
    mo = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
    compiled = {(entry.msgctxt, entry.msgid): translations(entry) for entry in mo if entry.msgid}
    stale = [
        entry.msgid
        for entry in live_entries(po)
        if any(translations(entry))
        and compiled.get((entry.msgctxt, entry.msgid)) != translations(entry)
    ]
    assert not stale, (
        f"locale/{language}: django.mo is older than django.po for these messages "
        "(run manage.py compilemessages):\n" + "\n".join(stale)
    )


def test_the_english_catalogue_holds_the_same_messages_as_the_indonesian_one():
    """English shows the msgids themselves, so an empty msgstr is complete; what must not
    happen is a message that only one catalogue knows (makemessages run for one language)."""
    indonesian = {(e.msgctxt, e.msgid) for e in live_entries(catalogue("id"))}
    english = {(e.msgctxt, e.msgid) for e in live_entries(catalogue("en"))}
    assert indonesian == english


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="gettext is not installed (apt-get install gettext)"
)
def test_every_message_in_the_source_is_in_both_catalogues(tmp_path):
    """Extracts the messages from a copy of the source with makemessages, as a developer
    would: a new message in the code that nobody extracted and translated fails here."""
    root = Path(settings.BASE_DIR)
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if name not in NOT_SOURCE]
        for name in files:
            if Path(name).suffix in {".py", ".html", ".txt"}:
                relative = Path(folder, name).relative_to(root)
                (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(root / relative, tmp_path / relative)
    (tmp_path / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "id", "--no-wrap"],
        cwd=tmp_path,
        # The copy has no .env; DEBUG on gives settings a development key to start with.
        env=os.environ | {"DEBUG": "1"},
        check=True,
        capture_output=True,
    )
    extracted = polib.pofile(str(tmp_path / "locale" / "id" / "LC_MESSAGES" / "django.po"))
    in_source = {(e.msgctxt, e.msgid) for e in live_entries(extracted)}
    for language in LANGUAGES:
        known = {(e.msgctxt, e.msgid) for e in live_entries(catalogue(language))}
        missing = sorted(msgid for _, msgid in in_source - known)
        assert not missing, (
            f"in the code but not in locale/{language} (run makemessages and translate):\n"
            + "\n".join(missing)
        )


def english_sentences():
    """Messages of three words or more whose Indonesian differs: any of them on an Indonesian
    page is English showing through."""
    sentences = set()
    for entry in live_entries(catalogue("id")):
        if PLACEHOLDER.search(entry.msgid) or entry.msgid_plural:
            continue
        if len(entry.msgid.split()) >= 3 and entry.msgstr.strip() != entry.msgid.strip():
            sentences.add(entry.msgid)
    return sentences


def test_indonesian_pages_show_no_english_sentence(client, admin_user, agency_a, village_x):
    program = ProgramFactory(agency=agency_a, target_villages=[village_x])
    IndicatorFactory(program=program)
    record = VillageDataFactory(village=village_x)
    UserFactory(username="camat", role=User.Role.CAMAT, district=village_x.district)
    client.force_login(admin_user)
    paths = [
        "/",
        "/programs/",
        "/indicators/",
        "/strategies/",
        "/opd/",
        "/targeting/",
        "/programs/new/",
        f"/programs/{program.pk}/",
        f"/programs/{program.pk}/edit/",
        f"/programs/{program.pk}/quarter/1/",
        f"/programs/{program.pk}/indicators/new/",
        f"/programs/{program.pk}/submit/",
        "/village-data/",
        f"/village-data/{record.pk}/",
        "/village-data/new/",
        "/review/",
        "/locks/",
        "/audit/",
        "/excel/",
    ]
    sentences = english_sentences()
    assert len(sentences) > 100  # the check below would pass vacuously with none
    found = []
    for path in paths:
        response = client.get(path, headers={"accept-language": "id"})
        assert response.status_code == 200, path
        text = " ".join(unescape(strip_tags(response.content.decode())).split())
        found += [f"{path}: {sentence}" for sentence in sentences if sentence in text]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("language", "message"), [("en", "Submitted for review."), ("id", "Diajukan untuk diperiksa.")]
)
def test_the_message_after_a_review_step_is_in_the_readers_language(
    client, opd_a_user, agency_a, language, message
):
    program = PlanFactory(agency=agency_a)
    client.force_login(opd_a_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = client.post(f"/programs/{program.pk}/submit/", {"reason": ""}, follow=True)

    assert [str(m) for m in response.context["messages"]] == [message]
