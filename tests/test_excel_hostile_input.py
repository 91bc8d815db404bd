"""Hostile and careless cells in an Excel import: generated workbooks with text in number cells,
negatives, fractions, huge numbers, formulas, dates, empty cells, unicode and very long text.
No input gives a 500; every invalid cell gets a message on its own row and column; a file
with any error saves nothing, and a file without errors saves exactly what its preview
promised (docs/excel.md)."""

import datetime
import string
from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

from indicators.models import IndicatorValue
from programs.models import Program
from tests.excel_helpers import columns, confirm, download, upload, xlsx_bytes
from tests.factories import IndicatorFactory, ProgramFactory, VillageDataFactory, VillageFactory
from villages.models import VillageData

pytestmark = pytest.mark.django_db

HYPOTHESIS = settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

VALID, INVALID, EITHER = "valid", "invalid", "either"


@dataclass(frozen=True)
class Cell:
    """A value to write into a cell, and what this test expects of it, decided here and not
    by the importer: VALID (with the whole number it stands for), INVALID (must be refused
    with a message on its cell), or EITHER (the test only asks for no 500 and all or
    nothing: blanks, huge numbers the database may or may not hold, digits of other
    scripts)."""

    value: object
    expect: str
    number: int | None = None


def _indonesian(number: int) -> str:
    return f"{number:,}".replace(",", ".")


WORDS = st.text(alphabet=string.ascii_letters + "áéíóúñ ", min_size=1, max_size=20).filter(
    lambda text: text.strip()
)
whole_numbers = st.integers(min_value=0, max_value=1_000_000)
VALID_CELLS = st.one_of(
    whole_numbers.map(lambda n: Cell(n, VALID, n)),
    whole_numbers.map(lambda n: Cell(_indonesian(n), VALID, n)),
)
INVALID_CELLS = st.one_of(
    st.integers(min_value=-1_000_000, max_value=-1).map(lambda n: Cell(n, INVALID)),
    st.integers(min_value=-1_000_000, max_value=-1).map(lambda n: Cell(str(n), INVALID)),
    st.floats(min_value=0.01, max_value=1e6)
    .filter(lambda f: not f.is_integer())
    .map(lambda f: Cell(f, INVALID)),
    WORDS.map(lambda text: Cell(text, INVALID)),
    st.sampled_from(
        [
            "=A1*2",
            "=SUM(E2:E4)",
            '=HYPERLINK("http://contoh.invalid","klik")',
            "=1+1",
            "seribu",
            "8,740",
            "12,5",
            "Rp",
            "NaN",
            "inf",
            "😀",
            "八千",
            "<script>alert(1)</script>",
            "x" * 5000,
            datetime.datetime(2024, 3, 31, 10, 0),
            datetime.date(2024, 1, 1),
            True,
            False,
        ]
    ).map(lambda value: Cell(value, INVALID)),
)
EITHER_CELLS = st.sampled_from(
    [None, "", "   ", 10**12, 10**19, 10**30, 1e308, "9" * 400, "١٢٣", "１２３", 7.0, "+5"]
).map(lambda value: Cell(value, EITHER))
ANY_CELL = st.one_of(VALID_CELLS, VALID_CELLS, INVALID_CELLS, EITHER_CELLS)


@pytest.fixture
def camat(client, camat_x_user):
    client.force_login(camat_x_user)
    return client


def _import(client, kind, workbook):
    """Upload, preview and confirm; (preview report, confirmation report or None)."""
    uploaded = upload(client, kind, xlsx_bytes(workbook), "isian.xlsx")
    assert uploaded.status_code in (200, 302)
    if uploaded.status_code == 200:
        # The whole file was refused at the upload, with a message on the page.
        assert "alert" in uploaded.content.decode() or "invalid-feedback" in (
            uploaded.content.decode()
        )
        return None, None
    preview = client.get(uploaded["Location"])
    assert preview.status_code == 200
    report = preview.context["report"]
    # These files are about cells that cannot be read; a readable but unusual value (a
    # realisation far above its target) is confirmed, as its author would.
    confirmed = confirm(client, uploaded["Location"], unusual_confirmed=True)
    assert confirmed.status_code in (200, 302)
    return report, confirmed


def _errors_by_row(report) -> dict[int, set[str]]:
    errors = {}
    for error in report.errors:
        assert str(error.message).strip(), "every error says what is wrong"
        errors.setdefault(error.row, set()).add((error.column or "").split(" ")[0])
    return errors


# ---- Village data -------------------------------------------------------------------------

COUNT_HEADERS = [
    "Jumlah penduduk (jiwa)",
    "Keluarga (KK)",
    "Keluarga miskin (KK)",
    "Penduduk miskin (jiwa)",
    "Penduduk miskin ekstrem (jiwa)",
    "Balita stunting",
]
# Which header must not exceed which in a valid record (the model's constraints).
NOT_ABOVE = [(3, 0), (2, 1), (4, 3)]


def _village_state():
    return sorted(VillageData.objects.values_list("village_id", "year", "version", "population"))


@pytest.fixture
def villages(district_x, village_x):
    VillageDataFactory(village=village_x, year=2024)
    return [
        village_x,
        VillageFactory(district=district_x, code="62.13.01.2004"),
        VillageFactory(district=district_x, code="62.13.01.2005"),
    ]


@HYPOTHESIS
@given(rows=st.lists(st.lists(ANY_CELL, min_size=6, max_size=6), min_size=3, max_size=3))
def test_village_data_import_refuses_every_bad_cell_and_saves_all_or_nothing(camat, villages, rows):
    workbook = download(camat, "village-data", year=2024)
    sheet = workbook["Data desa"]
    headers = columns(sheet)
    for row_number, cells in enumerate(rows, start=2):
        for header, cell in zip(COUNT_HEADERS, cells, strict=True):
            sheet.cell(row=row_number, column=headers[header]).value = cell.value
    before = _village_state()

    report, confirmed = _import(camat, "village-data", workbook)

    if report is None:
        assert _village_state() == before
        return
    errors = _errors_by_row(report)
    for row_number, cells in enumerate(rows, start=2):
        for header, cell in zip(COUNT_HEADERS, cells, strict=True):
            if cell.expect == INVALID:
                letter = get_column_letter(headers[header])
                assert letter in errors.get(row_number, set()), (row_number, header, cell)
        numbers = [cell.number for cell in cells]
        if all(cell.expect == VALID for cell in cells) and all(
            numbers[small] <= numbers[large] for small, large in NOT_ABOVE
        ):
            assert row_number not in errors, (row_number, cells, report.errors)
    if report.errors:
        assert _village_state() == before, "a file with an error saves nothing"
        return
    if report.has_changes:
        assert confirmed.status_code == 302, "applied as previewed, not found stale"
    for row_number, cells in enumerate(rows, start=2):
        if all(cell.expect == VALID for cell in cells):
            village = villages[row_number - 2]
            saved = VillageData.objects.get(village=village, year=2024)
            assert [
                saved.population,
                saved.households,
                saved.poor_households,
                saved.poor_people,
                saved.extremely_poor_people,
                saved.stunted_children,
            ] == [cell.number for cell in cells]


# ---- A quarter's report ------------------------------------------------------------------

PAGU = 1_000_000_000


@pytest.fixture
def quarter_programme(agency_a):
    program = ProgramFactory(agency=agency_a, year=2024, name="Bedah Rumah", budget_ceiling=PAGU)
    return [
        IndicatorFactory(program=program, name="Rumah direhab", unit="unit"),
        IndicatorFactory(program=program, name="KK dibantu", unit="KK"),
    ]


def _quarter_state():
    return (
        list(Program.objects.values_list("pk", "budget_realized_q3", "version")),
        sorted(IndicatorValue.objects.values_list("indicator_id", "quarter", "realized", "target")),
    )


@HYPOTHESIS
@given(
    realized=st.lists(ANY_CELL, min_size=2, max_size=2),
    targets=st.lists(ANY_CELL, min_size=2, max_size=2),
    budget=ANY_CELL,
)
def test_quarter_import_refuses_every_bad_cell_and_saves_all_or_nothing(
    client, opd_a_user, quarter_programme, realized, targets, budget
):
    client.force_login(opd_a_user)
    workbook = download(client, "quarterly", year=2024, quarter=3)
    values, budgets = workbook["Indikator"], workbook["Anggaran"]
    value_headers, budget_headers = columns(values), columns(budgets)
    for row_number, (realized_cell, target_cell) in enumerate(
        zip(realized, targets, strict=True), start=2
    ):
        values.cell(row=row_number, column=value_headers["Realisasi"]).value = realized_cell.value
        values.cell(
            row=row_number, column=value_headers["Target s.d. triwulan ini (kumulatif)"]
        ).value = target_cell.value
    budget_column = budget_headers["Realisasi anggaran triwulan ini (Rp)"]
    budgets.cell(row=2, column=budget_column).value = budget.value
    before = _quarter_state()

    report, _confirmed = _import(client, "quarterly", workbook)

    if report is None:
        assert _quarter_state() == before
        return
    expected_errors = [
        ("Indikator", row_number, get_column_letter(value_headers[header]))
        for row_number, pair in enumerate(zip(realized, targets, strict=True), start=2)
        for header, cell in zip(
            ("Realisasi", "Target s.d. triwulan ini (kumulatif)"), pair, strict=True
        )
        # Indicator values may be negative or fractional (a rate, a decrease).
        if cell.expect == INVALID
        and not isinstance(cell.value, int | float | Decimal)
        and not str(cell.value).lstrip("-").isdigit()
        and cell.value not in ("12,5", "8,740")
    ]
    if budget.expect == INVALID:
        expected_errors.append(("Anggaran", 2, get_column_letter(budget_column)))
    found = {
        (error.sheet, error.row, (error.column or "").split(" ")[0]) for error in report.errors
    }
    for expected in expected_errors:
        assert expected in found, (expected, report.errors)
    if report.errors:
        assert _quarter_state() == before, "a file with an error saves nothing"
        return
    if budget.expect == VALID:
        assert Program.objects.get().budget_realized_q3 == budget.number
    for indicator, cell in zip(quarter_programme, realized, strict=True):
        if cell.expect == VALID:
            saved = IndicatorValue.objects.get(indicator=indicator, quarter=3)
            assert saved.realized == cell.number


def test_a_number_too_large_for_any_field_is_a_cell_error_not_a_crash():
    # Found by the property test above: 10**30 in a decimal column gave a 500.
    from django.utils import translation

    from spreadsheets.cells import CellError, parse_decimal

    with translation.override("id"), pytest.raises(CellError, match="terlalu besar"):
        parse_decimal(10**30, decimal_places=2)
