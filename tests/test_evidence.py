"""Evidence files (bukti dukung) of a quarter's report and of an indicator's value: what is
accepted and what is refused with nothing stored, photos without their location, who reads,
adds and removes them, and where they are counted (review queue, /opd/ table)."""

from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from bartim import access
from bartim.access import PeriodLockError
from bartim.models import PublishedYear, ReviewAction, ReviewStatus
from evidence.models import EvidenceFile
from evidence.services import evidence_add, evidence_remove
from indicators.models import IndicatorValue
from programs.models import QuarterReport
from review.services import period_lock, review_transition
from tests import evidence_helpers as files
from tests.factories import (
    IndicatorFactory,
    IndicatorValueFactory,
    ProgramFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def stored_files(media_root) -> list[Path]:
    return [path for path in media_root.rglob("*") if path.is_file()]


@pytest.fixture
def program(agency_a):
    return ProgramFactory(agency=agency_a, name="Bantuan Rumah Layak", year=2024)


def quarter_url(program, quarter=1):
    return reverse("programs:program_quarter", args=[program.pk, quarter])


def evidence_url(program, quarter=1):
    return reverse("evidence:quarter_evidence", args=[program.pk, quarter])


def post_files(client, program, *uploads, quarter=1, **extra):
    return client.post(
        evidence_url(program, quarter),
        {"files": list(uploads), "back": "quarter", **extra},
        follow=True,
    )


def messages_of(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


# ---- Accepted files ------------------------------------------------------------------------


def test_an_agency_attaches_two_files_on_the_quarter_page_and_downloads_them(
    client, program, opd_a_user, media_root
):
    client.force_login(opd_a_user)

    response = post_files(client, program, files.pdf(), files.png())

    assert response.redirect_chain[-1][0] == quarter_url(program)
    page = response.content.decode()
    assert "berita_acara.pdf" in page and "foto_kegiatan.png" in page
    report = QuarterReport.objects.get(program=program, quarter=1)
    assert report.evidence_files.count() == 2
    assert len(stored_files(media_root)) == 2
    record = report.evidence_files.get(original_name="berita_acara.pdf")
    assert (record.file_type, record.uploaded_by) == ("pdf", opd_a_user)

    download = client.get(record.get_absolute_url())

    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert 'filename="berita_acara.pdf"' in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == record.file.open("rb").read()


def test_a_docx_is_accepted_by_its_content(program, opd_a_user):
    (record,) = evidence_add(
        program=program, quarter=2, files=[files.upload("sk.docx", files.docx())], actor=opd_a_user
    )

    assert record.file_type == "docx"


def test_a_files_name_is_sanitised_and_shortened(program, opd_a_user):
    name = "../../" + "laporan kegiatan; rm -rf <x>" * 10 + ".png"

    (record,) = evidence_add(
        program=program, quarter=1, files=[files.upload(name, files.png().read())], actor=opd_a_user
    )

    assert record.original_name.endswith(".png")
    assert len(record.original_name) <= 120
    assert "/" not in record.original_name and " " not in record.original_name
    assert "<" not in record.original_name and ";" not in record.original_name
    # The stored name tells nothing of the original one.
    assert "laporan" not in record.file.name


def test_a_photos_gps_location_is_gone_after_upload(client, program, opd_a_user):
    original = files.jpeg_with_gps()
    assert files.gps_of(original)  # the test photo does carry a location
    client.force_login(opd_a_user)

    post_files(client, program, files.upload("lokasi.jpg", original))

    record = EvidenceFile.objects.get()
    served = b"".join(client.get(record.get_absolute_url()).streaming_content)
    assert served[:3] == b"\xff\xd8\xff"  # still a JPEG
    assert files.gps_of(served) == {}
    assert b"KameraUji" not in served


# ---- Hostile files -------------------------------------------------------------------------

HOSTILE = {
    "renamed executable": ("laporan.pdf", files.renamed_executable, "bukan berkas PDF, JPG"),
    "image over the pixel limit": ("foto.png", files.pixel_bomb, "terlalu banyak piksel"),
    "zip bomb named .xlsx": ("realisasi.xlsx", files.zip_bomb_xlsx, "bom zip"),
    "PDF with JavaScript": ("sp2d.pdf", files.pdf_with_javascript, "memuat JavaScript"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_file_is_refused_by_name_and_nothing_is_stored(
    client, program, opd_a_user, media_root, case
):
    name, make, reason = HOSTILE[case]
    client.force_login(opd_a_user)

    # Sent beside a good file: all or nothing.
    response = post_files(client, program, files.pdf("ok.pdf"), files.upload(name, make()))

    said = messages_of(response) or response.content.decode()
    page = response.content.decode()
    assert name in page and reason in page, said
    assert EvidenceFile.objects.count() == 0
    assert EvidenceFile.history.count() == 0
    assert stored_files(media_root) == []


def test_a_file_over_the_size_limit_is_refused(program, opd_a_user, media_root, settings):
    settings.EVIDENCE_MAX_UPLOAD_SIZE = 200

    with pytest.raises(Exception, match="besar_sekali.pdf"):
        evidence_add(
            program=program,
            quarter=1,
            files=[files.upload("besar_sekali.pdf", files.pdf().read())],
            actor=opd_a_user,
        )

    assert stored_files(media_root) == []


def test_a_png_named_pdf_is_refused(program, opd_a_user):
    with pytest.raises(Exception, match="ganti namanya"):
        evidence_add(
            program=program,
            quarter=1,
            files=[files.upload("scan.pdf", files.png().read())],
            actor=opd_a_user,
        )
    assert EvidenceFile.objects.count() == 0


# ---- Who adds, removes and reads -----------------------------------------------------------


@pytest.fixture
def evidence(program, opd_a_user):
    (record,) = evidence_add(program=program, quarter=1, files=[files.pdf()], actor=opd_a_user)
    return record


ROLES = ["anonymous", "inactive", "viewer", "opd_a", "opd_b", "camat_x", "admin"]


def _sign_in(request, client, role):
    if role == "inactive":
        client.force_login(UserFactory(username="nonaktif", role="viewer", is_active=False))
    elif role != "anonymous":
        client.force_login(request.getfixturevalue(f"{role}_user"))


@pytest.mark.parametrize(
    ("role", "reads", "changes"),
    [
        ("anonymous", False, False),
        ("inactive", False, False),
        ("viewer", True, False),
        ("opd_a", True, True),
        ("opd_b", True, False),
        ("camat_x", True, False),
        ("admin", True, True),
    ],
)
def test_evidence_is_served_to_whoever_reads_the_programme_and_changed_by_its_reporters(
    request, client, program, evidence, media_root, role, reads, changes
):
    _sign_in(request, client, role)

    download = client.get(evidence.get_absolute_url())
    listing = client.get(evidence_url(program))
    added = client.post(evidence_url(program), {"files": [files.png()], "back": "evidence"})
    removed = client.post(reverse("evidence:remove", args=[evidence.pk]))

    if reads:
        assert download.status_code == 200
        assert listing.status_code == 200
    else:
        assert download.status_code == 302 and download.url.startswith(reverse("login"))
        assert listing.status_code == 302
    evidence.refresh_from_db()
    assert (EvidenceFile.objects.count() == 2) is changes
    assert evidence.removed is changes
    if reads and not changes:
        assert (added.status_code, removed.status_code) == (403, 403)
    assert len(stored_files(media_root)) == (2 if changes else 1)


def test_the_upload_form_is_shown_only_to_who_may_add(client, program, evidence, viewer_user):
    client.force_login(viewer_user)

    page = client.get(evidence_url(program)).content.decode()

    assert "berita_acara.pdf" in page
    assert 'type="file"' not in page


def _submit(program, quarter, reporter):
    program.status = ReviewStatus.APPROVED
    program.save(update_fields=["status"])
    return review_transition(
        record=QuarterReport(program=program, quarter=quarter),
        action=ReviewAction.SUBMIT,
        actor=reporter,
    )


def test_an_agency_cannot_add_or_remove_once_the_quarter_is_submitted_or_verified(
    client, program, evidence, opd_a_user, admin_user, media_root
):
    IndicatorFactory(program=program)
    report = _submit(program, 1, opd_a_user)
    client.force_login(opd_a_user)

    submitted = post_files(client, program, files.png())
    assert "sudah diajukan atau diverifikasi" in messages_of(submitted)

    review_transition(record=report, action=ReviewAction.APPROVE, actor=admin_user)
    verified = post_files(client, program, files.png())
    assert "sudah diajukan atau diverifikasi" in messages_of(verified)
    with pytest.raises(PermissionDenied):
        evidence_remove(evidence=evidence, actor=opd_a_user)
    with pytest.raises(PermissionDenied):
        evidence_remove(evidence=evidence, actor=admin_user)

    assert EvidenceFile.objects.present().count() == 1
    assert len(stored_files(media_root)) == 1


def test_a_locked_quarter_takes_files_only_from_an_administrator_with_a_reason(
    client, program, opd_a_user, admin_user, media_root
):
    period_lock(year=2024, quarter=1, actor=admin_user, reason="Evaluasi TW I")

    with pytest.raises(PermissionDenied):
        evidence_add(program=program, quarter=1, files=[files.pdf()], actor=opd_a_user)
    with pytest.raises(PeriodLockError):
        evidence_add(program=program, quarter=1, files=[files.pdf()], actor=admin_user)
    assert stored_files(media_root) == []

    client.force_login(admin_user)
    page = client.get(evidence_url(program)).content.decode()
    assert 'name="reason"' in page
    post_files(client, program, files.pdf(), reason="Bukti SP2D menyusul")

    record = EvidenceFile.objects.get()
    assert record.history.first().history_change_reason == "Bukti SP2D menyusul"


def test_a_removed_file_stays_in_the_history_and_can_still_be_opened(
    client, program, evidence, opd_a_user, media_root
):
    client.force_login(opd_a_user)

    response = client.post(
        reverse("evidence:remove", args=[evidence.pk]), {"back": "quarter"}, follow=True
    )

    assert "tetap tersimpan di riwayat" in messages_of(response)
    evidence.refresh_from_db()
    assert evidence.removed and evidence.removed_by == opd_a_user
    assert EvidenceFile.objects.present().count() == 0
    assert [h.removed_at is None for h in evidence.history.order_by("history_id")] == [
        True,
        False,
    ]
    assert len(stored_files(media_root)) == 1
    assert client.get(evidence.get_absolute_url()).status_code == 200
    assert "dihapus oleh" in client.get(evidence_url(program)).content.decode()


# ---- The review queue and the /opd/ table ---------------------------------------------------


def test_the_reviewer_opens_the_evidence_from_the_queue(
    client, program, evidence, opd_a_user, admin_user
):
    IndicatorFactory(program=program)
    _submit(program, 1, opd_a_user)
    client.force_login(admin_user)

    queue = client.get(reverse("review:review_queue"))

    row = next(r for r in queue.context["rows"] if r[0].record.program_id == program.pk)[0]
    assert row.evidence_count == 1
    assert f'href="{row.evidence_url}"' in queue.content.decode()
    listing = client.get(row.evidence_url)
    assert "berita_acara.pdf" in listing.content.decode()
    assert client.get(evidence.get_absolute_url()).status_code == 200


def test_the_opd_table_counts_the_programmes_with_evidence(
    client, program, evidence, agency_a, opd_a_user, viewer_user
):
    ProgramFactory(agency=agency_a, name="Tanpa bukti", year=2024)
    client.force_login(viewer_user)

    table = client.get(
        reverse("programs:agency_list"), {"year": 2024, "quarter": 1, "columns": "all"}
    ).context["table"]

    row = next(r for r in table.rows if r.record.pk == agency_a.pk)
    assert (row.record.program_count, row.record.with_evidence_count) == (2, 1)
    evidence_remove(evidence=evidence, actor=opd_a_user)


# ---- The admin -----------------------------------------------------------------------------


def test_the_admin_adds_through_the_same_checks(admin_client, program, media_root):
    report = QuarterReport.objects.create(program=program, quarter=2)
    url = reverse("admin:evidence_evidencefile_add")

    refused = admin_client.post(
        url, {"report": report.pk, "upload": files.upload("x.pdf", files.pdf_with_javascript())}
    )
    assert refused.status_code == 200
    assert "memuat JavaScript" in str(refused.context["adminform"].form.errors)
    assert stored_files(media_root) == []

    added = admin_client.post(url, {"report": report.pk, "upload": files.pdf()})
    assert added.status_code == 302
    record = EvidenceFile.objects.get()
    assert record.report == report

    admin_client.post(
        reverse("admin:evidence_evidencefile_delete", args=[record.pk]), {"post": "yes"}
    )
    record.refresh_from_db()
    assert record.removed
    assert len(stored_files(media_root)) == 1


def test_the_admin_shows_evidence_to_staff_only(client, evidence, opd_a_user):
    client.force_login(opd_a_user)

    response = client.get(reverse("admin:evidence_evidencefile_changelist"))

    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))


def test_the_audit_trail_shows_a_file_added_and_removed(
    admin_client, program, evidence, opd_a_user
):
    evidence_remove(evidence=evidence, actor=opd_a_user)

    page = admin_client.get(reverse("review:audit"), {"kind": "evidencefile"}).content.decode()

    assert page.count("berita_acara.pdf (Bantuan Rumah Layak") == 2
    assert "waktu dihapus" in page


# ---- Evidence of an indicator's value ---------------------------------------------------------


@pytest.fixture
def value(program):
    indicator = IndicatorFactory(program=program, name="Rumah direhab")
    return IndicatorValueFactory(indicator=indicator, quarter=1)


def post_value_files(client, program, value, *uploads, **extra):
    return post_files(client, program, *uploads, indicator_value=value.pk, **extra)


def test_an_agency_attaches_a_file_to_an_indicator_value_and_the_reviewer_downloads_it(
    client, program, value, opd_a_user, admin_user, media_root
):
    client.force_login(opd_a_user)
    form = client.get(quarter_url(program)).content.decode()
    assert 'name="indicator_value"' in form and "Rumah direhab" in form

    response = post_value_files(client, program, value, files.pdf("foto_rumah.pdf"))

    record = EvidenceFile.objects.get()
    assert record.indicator_value == value
    assert record.report == QuarterReport.objects.get(program=program, quarter=1)
    assert "Indikator: Rumah direhab" in client.get(quarter_url(program)).content.decode()
    assert "foto_rumah.pdf" in response.content.decode()
    detail = client.get(reverse("programs:program_detail", args=[program.pk])).content.decode()
    assert f'href="{record.get_absolute_url()}"' in detail
    for reader in (opd_a_user, admin_user):
        client.force_login(reader)
        download = client.get(record.get_absolute_url())
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == record.file.open("rb").read()


@pytest.mark.parametrize("role", ["opd_b", "camat_x", "anonymous"])
def test_another_agency_a_camat_or_anonymous_cannot_add_to_a_value(
    request, client, program, value, media_root, role
):
    _sign_in(request, client, role)

    response = client.post(
        evidence_url(program), {"files": [files.png()], "indicator_value": value.pk}
    )

    assert response.status_code == (302 if role == "anonymous" else 403)
    assert EvidenceFile.objects.count() == 0
    assert stored_files(media_root) == []


def test_a_value_file_is_served_to_no_one_who_may_not_read_the_value(
    client, program, value, opd_a_user, admin_user
):
    (record,) = evidence_add(
        program=program, quarter=1, files=[files.pdf()], actor=opd_a_user, indicator_value=value
    )
    # Even a published year's verified quarter: the public never reads evidence.
    PublishedYear.objects.create(year=2024, published_by=admin_user)
    QuarterReport.objects.filter(pk=record.report_id).update(status=ReviewStatus.APPROVED)

    download = client.get(record.get_absolute_url())

    assert download.status_code == 302 and download.url.startswith(reverse("login"))
    assert access.readable(access.PUBLIC, IndicatorValue.objects.all()).exists()
    assert not access.readable(access.PUBLIC, EvidenceFile.objects.all()).exists()


@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_file_on_a_value_is_refused_and_nothing_is_stored(
    client, program, value, opd_a_user, media_root, case
):
    name, make, reason = HOSTILE[case]
    client.force_login(opd_a_user)

    response = post_value_files(client, program, value, files.upload(name, make()))

    page = response.content.decode()
    assert name in page and reason in page
    assert EvidenceFile.objects.count() == 0
    assert stored_files(media_root) == []


def test_a_value_of_another_programme_or_quarter_is_refused(
    client, program, value, opd_a_user, media_root
):
    other_quarter = IndicatorValueFactory(indicator=value.indicator, quarter=2)
    client.force_login(opd_a_user)

    post_value_files(client, program, other_quarter, files.pdf())
    with pytest.raises(ValidationError):
        evidence_add(
            program=program,
            quarter=1,
            files=[files.pdf()],
            actor=opd_a_user,
            indicator_value=other_quarter,
        )

    assert EvidenceFile.objects.count() == 0
    assert stored_files(media_root) == []


def test_the_queue_and_the_opd_table_count_a_values_file_and_submission_closes_it(
    client, program, value, agency_a, opd_a_user, admin_user
):
    evidence_add(
        program=program, quarter=1, files=[files.png()], actor=opd_a_user, indicator_value=value
    )
    _submit(program, 1, opd_a_user)
    with pytest.raises(PermissionDenied):
        evidence_add(
            program=program, quarter=1, files=[files.pdf()], actor=opd_a_user, indicator_value=value
        )
    client.force_login(admin_user)

    queue = client.get(reverse("review:review_queue"))

    row = next(r for r in queue.context["rows"] if r[0].record.program_id == program.pk)[0]
    assert row.evidence_count == 1
    assert "Indikator: Rumah direhab" in client.get(row.evidence_url).content.decode()
    table = client.get(
        reverse("programs:agency_list"), {"year": 2024, "quarter": 1, "columns": "all"}
    ).context["table"]
    assert next(r for r in table.rows if r.record.pk == agency_a.pk).record.with_evidence_count == 1


def test_a_locked_quarter_refuses_a_values_file_but_from_an_administrator_with_a_reason(
    program, value, opd_a_user, admin_user, media_root
):
    period_lock(year=2024, quarter=1, actor=admin_user, reason="Evaluasi TW I")

    with pytest.raises(PermissionDenied):
        evidence_add(
            program=program, quarter=1, files=[files.pdf()], actor=opd_a_user, indicator_value=value
        )
    with pytest.raises(PeriodLockError):
        evidence_add(
            program=program, quarter=1, files=[files.pdf()], actor=admin_user, indicator_value=value
        )
    assert stored_files(media_root) == []
