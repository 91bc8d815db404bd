"""Reporting deadlines (bartim.models.Deadline, default_due_date) and the late agencies on
the dashboard and the meeting report (programs.deadlines)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from bartim.models import Deadline, default_due_date
from bartim.services import deadline_set
from tests.factories import PlanFactory, StrategyFactory
from tests.meeting_helpers import sheet_rows, table_rows, workbook
from tests.table_helpers import html_table

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("year", "quarter", "due"),
    [
        (2025, 1, datetime.date(2025, 4, 10)),
        (2025, 2, datetime.date(2025, 7, 10)),
        (2025, 3, datetime.date(2025, 10, 10)),
        (2025, 4, datetime.date(2026, 1, 10)),
    ],
)
def test_without_a_deadline_set_a_quarter_is_due_on_the_10th_day_after_it_ends(year, quarter, due):
    assert default_due_date(year, quarter) == due
    assert Deadline.objects.due_date(year, quarter) == due


def test_an_administrator_sets_a_deadline_on_its_page(admin_client):
    response = admin_client.post(
        reverse("review:deadlines"), {"year": 2025, "quarter": 2, "due_date": "2025-07-20"}
    )

    assert response.status_code == 302
    assert Deadline.objects.due_date(2025, 2) == datetime.date(2025, 7, 20)
    page = admin_client.get(reverse("review:deadlines")).content.decode()
    assert "20 Jul 2025" in page


def test_a_wrong_date_is_refused_with_a_message(admin_client):
    response = admin_client.post(
        reverse("review:deadlines"), {"year": 2025, "quarter": 2, "due_date": "20/07/2025x"}
    )

    assert response.status_code == 200
    assert not Deadline.objects.exists()
    assert "Masukkan tanggal yang valid" in response.content.decode()


def test_an_agency_with_an_unsubmitted_quarter_report_is_late_after_the_deadline(
    client, viewer_user, agency_a, agency_b, opd_b_user, admin_user
):
    year = timezone.localdate().year
    for number in (1, 2, 3):
        StrategyFactory(number=number)
    PlanFactory(agency=agency_a, year=year, verified=True)
    agency_a_late = PlanFactory(agency=agency_a, year=year, name="Masih Draf")
    on_time = PlanFactory(agency=agency_b, year=year, verified=True)
    assert on_time.quarter_reports.get(quarter=1).status == "approved"
    assert agency_a_late.quarter_reports.count() == 0
    client.force_login(viewer_user)
    url = reverse("reports:meeting_report", args=[year])

    deadline_set(
        year=year,
        quarter=1,
        due_date=timezone.localdate() + datetime.timedelta(days=1),
        actor=admin_user,
    )
    before = table_rows(client.get(url, {"quarter": 1}), "opd-ranking-table")[1]
    deadline_set(
        year=year,
        quarter=1,
        due_date=timezone.localdate() - datetime.timedelta(days=1),
        actor=admin_user,
    )
    after = table_rows(client.get(url, {"quarter": 1}), "opd-ranking-table")[1]

    assert not any("Terlambat" in cell for row in before for cell in row)
    late = {row[1] for row in after if "Terlambat" in row[-1]}
    assert late == {agency_a.name}

    book = workbook(client.get(url, {"quarter": 1, "_export": "xlsx"}))
    ranking = {
        row["Perangkat daerah (OPD)"]: row["Terlambat"] for row in sheet_rows(book, "Peringkat OPD")
    }
    assert ranking == {agency_a.name: "ya", agency_b.name: "tidak"}
    silent = sheet_rows(book, "Belum melapor")
    assert silent
    assert {(row["Perangkat daerah (OPD)"], row["Terlambat"]) for row in silent} <= {
        (agency_a.name, "ya"),
        (agency_b.name, "tidak"),
    }
    assert (agency_a.name, "ya") in {(r["Perangkat daerah (OPD)"], r["Terlambat"]) for r in silent}


def test_the_opd_table_marks_the_late_agency_and_its_export_keeps_the_number(
    client, viewer_user, agency_a, agency_b, admin_user
):
    year = timezone.localdate().year
    PlanFactory(agency=agency_a, year=year, name="Masih Draf")
    PlanFactory(agency=agency_b, year=year, verified=True)
    client.force_login(viewer_user)
    url = reverse("programs:agency_list")
    deadline_set(
        year=year,
        quarter=2,
        due_date=timezone.localdate() + datetime.timedelta(days=3),
        actor=admin_user,
    )
    before = client.get(url, {"year": year, "quarter": 2}).content.decode()
    deadline_set(
        year=year,
        quarter=2,
        due_date=timezone.localdate() - datetime.timedelta(days=3),
        actor=admin_user,
    )

    headers, rows = html_table(client.get(url, {"year": year, "quarter": 2}))
    export = client.get(url, {"year": year, "quarter": 2, "_export": "csv"})
    export = b"".join(export.streaming_content).decode("utf-8-sig")

    assert "late-badge" not in before
    completeness = headers.index("Kelengkapan laporan (%)")
    name = headers.index("Perangkat daerah (OPD)")
    late = {row[name] for row in rows if "Terlambat" in row[completeness]}
    assert late == {agency_a.name}
    assert "Terlambat" not in export
