"""The audit trail as people read it: names instead of ids, labels instead of stored values,
money and numbers formatted, each record named; filters that keep to the paging; CSV."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from bartim.models import User
from programs.services import program_update
from review.services import period_lock
from tests.factories import AgencyFactory, DistrictFactory, ProgramFactory, UserFactory
from tests.table_helpers import csv_rows

pytestmark = pytest.mark.django_db

# What a stored value or an id looks like when it leaks onto the page.
RAW = [
    re.compile(r"#\d"),
    re.compile(r"→ (draft|submitted|approved|returned|up|down|sum|cumulative|latest|kk)\b"),
    re.compile(r"\b(draft|submitted|approved|returned) →"),
    re.compile(r"→ \d{4,}"),  # a number or an amount without its grouping
    re.compile(r": \d+ →"),  # an id before a change
]


def _audit_text(client, **params):
    page = client.get(reverse("review:audit"), params).content.decode()
    table = page[page.index("<table") : page.index("</table>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table))


def test_the_demo_years_audit_trail_shows_no_raw_id_or_stored_value(
    client, reference_data, settings
):
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", stdout=io.StringIO())
    admin = User.objects.filter(role=User.Role.ADMIN).first()
    client.force_login(admin)

    first = client.get(reverse("review:audit"))
    pages = first.context["page"].paginator.num_pages
    texts = [_audit_text(client, page=number) for number in range(1, pages + 1)]

    assert pages > 1
    for text in texts:
        for pattern in RAW:
            assert not pattern.search(text), (pattern.pattern, pattern.search(text))
    everything = " ".join(texts)
    assert "Diajukan" in everything or "Disetujui" in everything
    assert re.search(r"Rp\d{1,3}(\.\d{3})+", everything)


def test_a_change_reads_as_a_sentence(client, admin_user):
    old_agency = AgencyFactory(name="Dinas Sosial")
    new_agency = AgencyFactory(name="Dinas Pendidikan")
    program = ProgramFactory(
        agency=old_agency, name="Seragam Sekolah Gratis", year=2024, budget_ceiling=50_000_000
    )
    program_update(
        program=program,
        actor=admin_user,
        seen_version=program.version,
        agency=new_agency,
        budget_ceiling=75_000_000,
    )
    client.force_login(admin_user)

    text = _audit_text(client, kind="program")

    assert "Seragam Sekolah Gratis, 2024" in text
    assert "Dinas Sosial → Dinas Pendidikan" in text
    assert "Rp50.000.000 → Rp75.000.000" in text


def test_filters_by_agency_district_kind_and_dates_and_keep_them_on_every_page(client, admin_user):
    mine, other = AgencyFactory(name="Dinas Sosial"), AgencyFactory(name="Dinas PUPR")
    for number in range(60):
        ProgramFactory(agency=mine, name=f"Program Sosial {number}", year=2024)
    ProgramFactory(agency=other, name="Jalan Desa", year=2024)
    period_lock(year=2024, quarter=2, actor=admin_user, reason="Rapat evaluasi")
    client.force_login(admin_user)

    first = client.get(reverse("review:audit"), {"agency": mine.pk, "kind": "program"})
    next_link = re.search(r'href="\?([^"]*page=2)"', first.content.decode()).group(1)
    second = client.get(reverse("review:audit") + "?" + next_link.replace("&amp;", "&"))
    district = client.get(reverse("review:audit"), {"district": DistrictFactory().pk})
    locks = _audit_text(client, kind="periodlock")
    later = client.get(reverse("review:audit"), {"date_from": "2999-01-01"})
    backwards = client.get(
        reverse("review:audit"), {"date_from": "2024-02-01", "date_to": "2024-01-01"}
    )

    assert first.context["page"].paginator.count == 60
    assert f"agency={mine.pk}" in next_link and "kind=program" in next_link
    assert second.context["page"].number == 2
    assert "Jalan Desa" not in first.content.decode() + second.content.decode()
    assert district.context["page"].paginator.count == 0
    assert "TW II 2024" in locks
    assert later.context["page"].paginator.count == 0
    assert backwards.status_code == 400
    assert "tanggal awal" in backwards.content.decode().lower()


def test_the_csv_holds_one_line_per_changed_field_with_names(client, admin_user):
    agency = AgencyFactory(name="Dinas Sosial")
    UserFactory(username="operator-dinsos", role=User.Role.OPD, agency=agency)
    ProgramFactory(agency=agency, name="=cmd()", year=2024, budget_ceiling=1_250_000)
    client.force_login(admin_user)

    response = client.get(reverse("review:audit"), {"kind": "program", "export": "csv"})
    lines = csv_rows(response)

    assert lines[0][:4] == ["Waktu", "Oleh", "Jenis data", "Data"]
    by_field = {line[5]: line for line in lines[1:]}
    assert by_field["perangkat daerah"][7] == "Dinas Sosial"
    assert by_field["pagu anggaran (Rp)"][7] == "Rp1.250.000"
    assert all(line[3] == "'=cmd(), 2024" for line in lines[1:])
