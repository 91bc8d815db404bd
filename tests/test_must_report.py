"""Completeness against the agencies that must report: an agency an administrator marked
(Agency.must_report) shows as not reported in a year it has no programme, on the dashboard,
the meeting report and its export, and the OPD table."""

from decimal import Decimal

import pytest
from django.urls import reverse

from bartim.models import Agency
from tests.factories import (
    AgencyFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    ProgramFactory,
    StrategyFactory,
)
from tests.meeting_helpers import sheet_rows, table_rows, workbook
from tests.table_helpers import html_column, html_table

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_2024(agency_a):
    """Agency A reported Q I of its one programme; two agencies have no programme, one of
    them marked as reporting every year."""
    strategy = StrategyFactory(number=1)
    for number in (2, 3):
        StrategyFactory(number=number)
    program = ProgramFactory(agency=agency_a, strategy=strategy, year=2024)
    indicator = IndicatorFactory(program=program, target=Decimal(100))
    IndicatorValueFactory(indicator=indicator, quarter=1, realized=Decimal(25))
    AgencyFactory(name="Dinas Lingkungan Uji", must_report=True)
    AgencyFactory(name="Dinas Tak Wajib")


def test_a_marked_agency_without_programmes_has_not_reported_on_the_dashboard(
    viewer_client, year_2024
):
    response = viewer_client.get(reverse("reports:dashboard"), {"year": 2024, "quarter": 1})

    every = viewer_client.get(
        reverse("reports:dashboard"), {"year": 2024, "quarter": 1, "figures": "all"}
    )

    _headers, rows = table_rows(response, "not-reported-table")
    assert rows == [
        ["Dinas Lingkungan Uji", "0 dari 0", "0,00%", "Belum ada rencana program yang disetujui"]
    ]
    _headers, rows = table_rows(every, "not-reported-table")
    assert ["Dinas Lingkungan Uji", "0 dari 0", "0,00%", "Belum ada program yang diajukan"] in rows


def test_the_meeting_report_and_its_export_list_it(viewer_client, year_2024):
    url = reverse("reports:meeting_report", args=[2024])

    _headers, rows = table_rows(viewer_client.get(url, {"quarter": 1}), "not-reported-table")
    assert [row[0] for row in rows] == ["Dinas Lingkungan Uji"]

    book = workbook(viewer_client.get(url, {"quarter": 1, "_export": "xlsx"}))
    assert [
        (row["Perangkat daerah (OPD)"], row["Program"]) for row in sheet_rows(book, "Belum melapor")
    ] == [("Dinas Lingkungan Uji", "Belum ada rencana program yang disetujui")]


def test_the_opd_table_lists_it_with_nothing_reported(viewer_client, year_2024, agency_a):
    response = viewer_client.get(reverse("programs:agency_list"), {"year": 2024, "quarter": 1})

    headers, rows = html_table(response)
    by_name = {row[headers.index("Perangkat daerah (OPD)")]: row for row in rows}
    assert set(by_name) == {agency_a.name, "Dinas Lingkungan Uji"}
    marked = by_name["Dinas Lingkungan Uji"]
    assert marked[headers.index("Jumlah program")] == "0"
    assert marked[headers.index("Kelengkapan laporan (%)")] == "0,00%"


def test_under_a_strategy_the_opd_table_measures_only_agencies_with_its_programmes(
    viewer_client, year_2024, agency_a
):
    response = viewer_client.get(
        reverse("programs:agency_list"), {"year": 2024, "quarter": 1, "strategy": 1}
    )

    assert html_column(response, "Perangkat daerah (OPD)") == [agency_a.name]


def test_a_retired_agency_is_not_expected_to_report(viewer_client, year_2024):
    Agency.objects.filter(name="Dinas Lingkungan Uji").update(is_active=False)

    response = viewer_client.get(reverse("reports:dashboard"), {"year": 2024, "quarter": 1})

    assert "not-reported-table" not in response.content.decode()


def test_an_administrator_marks_an_agency_in_the_admin(client, admin_user, year_2024):
    admin_user.is_superuser = True
    admin_user.save(update_fields=["is_superuser"])
    client.force_login(admin_user)
    agency = Agency.objects.get(name="Dinas Tak Wajib")

    response = client.post(
        reverse("admin:bartim_agency_change", args=[agency.pk]),
        {
            "code": "",
            "name": agency.name,
            "abbreviation": "",
            "is_active": "on",
            "must_report": "on",
            "kind": "opd",
        },
    )

    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.must_report
