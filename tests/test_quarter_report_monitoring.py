"""The quarter report as monitoring offices know it: physical progress, problems (kendala)
and follow-up (tindak lanjut), entered in the quarter form, the Excel template and the admin
under the quarter's review status and lock, and read on the programme page and in the
meeting report's section for programmes off track."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from bartim.access import PeriodLockError
from bartim.models import ReviewStatus
from programs.models import QuarterReport
from programs.services import program_report_quarter
from review.services import period_lock
from tests.excel_helpers import (
    confirm,
    download,
    errors_of,
    fill,
    find_row,
    rows,
    upload_and_preview,
    xlsx_bytes,
)
from tests.factories import IndicatorFactory, IndicatorValueFactory, ProgramFactory
from tests.meeting_helpers import sheet_rows, table_rows, workbook

PROBLEMS = "Penyedia terlambat mengirim bahan bangunan."
FOLLOW_UP = "Teguran tertulis; pengiriman dijadwalkan ulang minggu depan."
PHYSICAL = "Realisasi fisik (%)"
KENDALA = "Kendala/permasalahan"
TINDAK_LANJUT = "Tindak lanjut"
NOT_STATED = "Tidak diisi dalam laporan triwulan"


@pytest.fixture
def program(agency_a):
    program = ProgramFactory(agency=agency_a, name="Bedah Rumah", budget_ceiling=100_000_000)
    IndicatorFactory(program=program, name="Rumah direhab", target=Decimal(40))
    return program


@pytest.fixture
def opd_a(client, opd_a_user):
    client.force_login(opd_a_user)
    return client


def report(program, quarter) -> QuarterReport | None:
    return QuarterReport.objects.filter(program=program, quarter=quarter).first()


def quarter_form(**fields):
    return {"budget_realized": "", "seen_version": 0, "reason": "", "note": "", **fields}


# ---- The quarter form and the programme page --------------------------------------------


def test_opd_reports_physical_progress_problems_and_follow_up(opd_a, program):
    url = reverse("programs:program_quarter", args=[program.pk, 2])
    form = opd_a.get(url).context["form"]

    response = opd_a.post(
        url,
        quarter_form(
            seen_version=form["seen_version"].value(),
            physical_progress="62,5",
            problems=PROBLEMS,
            follow_up=FOLLOW_UP,
        ),
    )

    assert response.status_code == 302
    saved = report(program, 2)
    assert (saved.physical_progress, saved.problems, saved.follow_up) == (
        Decimal("62.50"),
        PROBLEMS,
        FOLLOW_UP,
    )
    page = opd_a.get(reverse("programs:program_detail", args=[program.pk])).content.decode()
    assert "62,50%" in page and PROBLEMS in page and FOLLOW_UP in page


def test_physical_progress_above_100_is_refused_and_nothing_saved(opd_a, program):
    url = reverse("programs:program_quarter", args=[program.pk, 1])
    form = opd_a.get(url).context["form"]

    response = opd_a.post(
        url,
        quarter_form(
            seen_version=form["seen_version"].value(), physical_progress="120", problems=PROBLEMS
        ),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["physical_progress"]
    assert report(program, 1) is None


def test_a_submitted_quarter_keeps_its_problems(program, opd_a_user):
    QuarterReport.objects.create(program=program, quarter=1, status=ReviewStatus.SUBMITTED)

    with pytest.raises(PermissionDenied):
        program_report_quarter(program=program, quarter=1, actor=opd_a_user, problems=PROBLEMS)

    assert report(program, 1).problems == ""


def test_a_locked_quarter_refuses_the_opd_and_asks_the_administrator_for_a_reason(
    program, opd_a_user, admin_user
):
    period_lock(year=2024, quarter=2, actor=admin_user, reason="Rekap TW II selesai")

    with pytest.raises(PermissionDenied):
        program_report_quarter(
            program=program, quarter=2, actor=opd_a_user, physical_progress=Decimal(50)
        )
    with pytest.raises(PeriodLockError):
        program_report_quarter(program=program, quarter=2, actor=admin_user, follow_up=FOLLOW_UP)
    assert report(program, 2) is None

    program_report_quarter(
        program=program,
        quarter=2,
        actor=admin_user,
        follow_up=FOLLOW_UP,
        reason="Koreksi hasil rapat evaluasi",
    )

    saved = report(program, 2)
    assert saved.follow_up == FOLLOW_UP
    assert saved.history.latest().history_change_reason == "Koreksi hasil rapat evaluasi"


def test_leaving_a_field_out_keeps_it(program, opd_a_user):
    program_report_quarter(
        program=program, quarter=3, actor=opd_a_user, problems=PROBLEMS, follow_up=FOLLOW_UP
    )

    program_report_quarter(program=program, quarter=3, actor=opd_a_user, note="Catatan")

    saved = report(program, 3)
    assert (saved.problems, saved.follow_up, saved.note) == (PROBLEMS, FOLLOW_UP, "Catatan")


@pytest.fixture
def superuser_client(client, admin_user):
    admin_user.is_superuser = True
    admin_user.save(update_fields=["is_superuser"])
    client.force_login(admin_user)
    return client


def _admin_data(stored, **changes):
    return {
        "physical_progress": "",
        "problems": stored.problems,
        "follow_up": stored.follow_up,
        "note": stored.note,
        "lock_reason": "",
        **changes,
    }


def test_admin_changes_a_locked_quarters_problems_only_with_a_reason(
    superuser_client, admin_user, program
):
    stored = QuarterReport.objects.create(program=program, quarter=1, problems=PROBLEMS)
    period_lock(year=2024, quarter=1, actor=admin_user)
    url = reverse("admin:programs_quarterreport_change", args=[stored.pk])

    refused = superuser_client.post(url, _admin_data(stored, problems="Diubah tanpa alasan"))
    done = superuser_client.post(
        url, _admin_data(stored, problems="Diubah", lock_reason="Hasil verifikasi lapangan")
    )

    assert refused.status_code == 200
    assert done.status_code == 302
    saved = report(program, 1)
    assert saved.problems == "Diubah"
    assert saved.history.latest().history_user == admin_user


# ---- The Excel template -------------------------------------------------------------------


def test_excel_round_trip_of_physical_progress_problems_and_follow_up(opd_a, program):
    book = download(opd_a, "quarterly", year=2024, quarter=2)
    budget = book["Anggaran"]
    row = find_row(budget, "ID program", program.pk)
    fill(budget, row, **{PHYSICAL: "45,5", KENDALA: PROBLEMS, TINDAK_LANJUT: FOLLOW_UP})

    url, preview = upload_and_preview(opd_a, "quarterly", xlsx_bytes(book), "tw2.xlsx")
    assert errors_of(preview) == []
    assert report(program, 2) is None
    response = confirm(opd_a, url)

    assert response.status_code == 302
    saved = report(program, 2)
    assert (saved.physical_progress, saved.problems, saved.follow_up) == (
        Decimal("45.50"),
        PROBLEMS,
        FOLLOW_UP,
    )
    again = rows(download(opd_a, "quarterly", year=2024, quarter=2)["Anggaran"])
    assert [(r[PHYSICAL], r[KENDALA], r[TINDAK_LANJUT]) for r in again] == [
        (45.5, PROBLEMS, FOLLOW_UP)
    ]


def test_excel_physical_progress_above_100_is_an_error_in_its_column(opd_a, program):
    book = download(opd_a, "quarterly", year=2024, quarter=1)
    budget = book["Anggaran"]
    fill(budget, find_row(budget, "ID program", program.pk), **{PHYSICAL: 130})

    _url, preview = upload_and_preview(opd_a, "quarterly", xlsx_bytes(book))

    # The column as the preview names it: its letter and its header.
    assert [(sheet, column) for sheet, _row, column, _message in errors_of(preview)] == [
        ("Anggaran", f"I ({PHYSICAL})")
    ]
    assert report(program, 1) is None


# ---- The meeting report -------------------------------------------------------------------


def _verified(agency, name, realized, **report_fields):
    """A programme whose plan and TW I report are verified; expected by TW I: 25."""
    program = ProgramFactory(verified=True, agency=agency, year=2024, name=name)
    indicator = IndicatorFactory(program=program, target=Decimal(100))
    IndicatorValueFactory(indicator=indicator, quarter=1, realized=Decimal(realized))
    QuarterReport.objects.filter(program=program, quarter=1).update(**report_fields)
    return program


def test_the_meeting_report_lists_the_problems_of_the_programmes_off_track(
    viewer_client, agency_a, agency_b
):
    _verified(
        agency_a,
        "Bedah Rumah",
        10,
        physical_progress=Decimal("30"),
        problems=PROBLEMS,
        follow_up=FOLLOW_UP,
    )
    _verified(agency_b, "Jamban Sehat", 12)
    _verified(agency_b, "Sembako", 25, problems="Kendala kecil di gudang.")
    url = reverse("reports:meeting_report", args=[2024])

    response = viewer_client.get(url, {"quarter": 1})
    export = workbook(viewer_client.get(reverse("reports:meeting_report_xlsx", args=[2024])))

    _headers, listed = table_rows(response, "problems-table")
    # Sembako is on track (100%): its problem is not the meeting's concern here.
    assert [row[0] for row in listed] == ["Bedah Rumah", "Jamban Sehat"]
    assert [row[4:6] for row in listed] == [
        [PROBLEMS, FOLLOW_UP],
        [NOT_STATED, NOT_STATED],
    ]
    assert "Kendala dan tindak lanjut program yang tertinggal, TW I" in response.content.decode()
    sheet = sheet_rows(export, "Kendala dan tindak lanjut")
    assert [(r["Program"], r["Kendala"], r["Tindak lanjut"]) for r in sheet] == [
        ("Bedah Rumah", PROBLEMS, FOLLOW_UP),
        ("Jamban Sehat", NOT_STATED, NOT_STATED),
    ]
