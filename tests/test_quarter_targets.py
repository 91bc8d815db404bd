"""Quarter targets say what they are (to date, cumulative) and follow the rules of
indicators/targets.py wherever they are entered: the quarter form, the indicator form, the
admin and the Excel import."""

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import Indicator, IndicatorValue
from indicators.targets import quarter_target_errors
from programs.models import Program
from tests.excel_helpers import (
    download,
    errors_of,
    fill,
    find_row,
    upload_and_preview,
    xlsx_bytes,
)
from tests.factories import IndicatorFactory, IndicatorValueFactory, ProgramFactory
from tests.test_concurrent_edits import _admin_form_data

pytestmark = pytest.mark.django_db

SUM = Indicator.Aggregation.SUM
CUMULATIVE = Indicator.Aggregation.CUMULATIVE
LATEST = Indicator.Aggregation.LATEST


@pytest.fixture
def opd_a(client, opd_a_user):
    client.force_login(opd_a_user)
    return client


@pytest.fixture
def aid(agency_a):
    """A sum of quarters: 100 packages a year, 30 planned by the end of Q I."""
    indicator = IndicatorFactory(
        program=ProgramFactory(agency=agency_a, budget_ceiling=1_000_000),
        name="Paket bantuan",
        unit="paket",
        aggregation=SUM,
        target=Decimal(100),
    )
    IndicatorValueFactory(indicator=indicator, quarter=1, target=Decimal(30))
    return indicator


def _quarter(client, indicator, quarter, **fields):
    version = Program.objects.get(pk=indicator.program_id).version
    data = {"budget_realized": "", "seen_version": version}
    data |= {f"{name}_{indicator.pk}": value for name, value in fields.items()}
    return client.post(
        reverse("programs:program_quarter", args=[indicator.program_id, quarter]), data
    )


# --- The rules ------------------------------------------------------------------------------


@pytest.mark.parametrize("aggregation", [SUM, CUMULATIVE])
def test_a_cumulative_target_may_not_go_down(aggregation):
    errors = quarter_target_errors(
        aggregation=aggregation, annual_target=100, targets={1: 30, 2: 20, 4: 100}
    )
    assert list(errors) == [2]


def test_a_quarter_without_a_target_is_skipped_in_the_comparison():
    errors = quarter_target_errors(
        aggregation=SUM, annual_target=100, targets={1: 30, 2: None, 3: 60}
    )
    assert errors == {}


def test_a_latest_value_may_go_down():
    assert quarter_target_errors(aggregation=LATEST, annual_target=15, targets={1: 20, 2: 18}) == {}


def test_a_sums_q4_target_is_the_annual_target_unless_a_reason_is_given():
    wrong = quarter_target_errors(aggregation=SUM, annual_target=100, targets={4: 25})
    assert list(wrong) == [4]
    assert "harus sama dengan target tahunan (100)" in wrong[4][0]
    assert (
        quarter_target_errors(
            aggregation=SUM,
            annual_target=100,
            targets={4: 90},
            q4_target_reason="Anggaran perubahan memotong 10 paket",
        )
        == {}
    )
    # A running total's Q IV target is not held to the annual target.
    assert quarter_target_errors(aggregation=CUMULATIVE, annual_target=100, targets={4: 90}) == {}


# --- The quarter form -------------------------------------------------------------------------


def test_the_quarter_form_says_the_target_is_cumulative(opd_a, aid):
    content = opd_a.get(
        reverse("programs:program_quarter", args=[aid.program_id, 2])
    ).content.decode()
    assert "Paket bantuan: Target s.d. TW II (kumulatif), opsional" in content


def test_the_quarter_form_refuses_a_target_lower_than_the_quarter_before(opd_a, aid):
    response = _quarter(opd_a, aid, 2, target="20", realized="15")

    assert response.status_code == 200
    errors = response.context["form"].errors[f"target_{aid.pk}"]
    assert "Target s.d. TW II (20) lebih kecil dari target s.d. TW I (30)" in errors[0]
    assert not IndicatorValue.objects.filter(indicator=aid, quarter=2).exists()


def test_the_quarter_form_takes_a_cumulative_target(opd_a, aid):
    response = _quarter(opd_a, aid, 2, target="55", realized="15")

    assert response.status_code == 302
    assert IndicatorValue.objects.get(indicator=aid, quarter=2).target == 55


def test_the_q4_target_of_a_sum_needs_the_indicators_reason_to_differ(opd_a, aid):
    refused = _quarter(opd_a, aid, 4, target="90")
    assert "harus sama dengan target tahunan (100)" in str(
        refused.context["form"].errors[f"target_{aid.pk}"]
    )
    assert not IndicatorValue.objects.filter(indicator=aid, quarter=4).exists()

    Indicator.objects.filter(pk=aid.pk).update(q4_target_reason="Pagu dipotong di APBD-P")
    assert _quarter(opd_a, aid, 4, target="90").status_code == 302
    assert IndicatorValue.objects.get(indicator=aid, quarter=4).target == 90


def test_targets_saved_as_quarter_shares_can_be_corrected_one_quarter_at_a_time(opd_a, aid):
    # Saved before the rule: each quarter's own share (30, 20, 25, 25). What is already
    # wrong does not block a correction; what a correction would break is refused.
    for quarter, share in ((2, 20), (3, 25), (4, 25)):
        IndicatorValueFactory(indicator=aid, quarter=quarter, target=Decimal(share))

    forward = _quarter(opd_a, aid, 2, target="50")
    assert "Target s.d. TW III (25) lebih kecil dari target s.d. TW II (50)" in str(
        forward.context["form"].errors
    )
    for quarter, to_date in ((4, "100"), (3, "75"), (2, "50")):
        response = _quarter(opd_a, aid, quarter, target=to_date)
        assert response.status_code == 302, response.context["form"].errors

    assert list(aid.values.values_list("target", flat=True)) == [30, 50, 75, 100]


def test_the_indicator_form_refuses_an_annual_target_its_q4_target_contradicts(opd_a, aid):
    IndicatorValueFactory(indicator=aid, quarter=4, target=Decimal(100))
    url = reverse("programs:indicator_edit", args=[aid.program_id, aid.pk])
    data = {
        "name": aid.name,
        "unit": aid.unit,
        "direction": "up",
        "aggregation": "sum",
        "baseline": "",
        "target": "120",
        "q4_target_reason": "",
        "seen_version": aid.program.version,
        "reason": "",
    }

    refused = opd_a.post(url, data)
    assert "harus sama dengan target tahunan (120)" in str(refused.context["form"].errors)
    aid.refresh_from_db()
    assert aid.target == 100

    data["q4_target_reason"] = "Target tahunan naik; TW IV mengikuti di triwulan depan"
    assert opd_a.post(url, data).status_code == 302
    aid.refresh_from_db()
    assert (aid.target, aid.q4_target_reason) == (120, data["q4_target_reason"])


# --- The admin --------------------------------------------------------------------------------


@pytest.fixture
def superuser_client(client, admin_user):
    admin_user.is_superuser = True
    admin_user.save(update_fields=["is_superuser"])
    client.force_login(admin_user)
    return client


def _indicator_page(indicator, targets: dict, **fields):
    data = {
        "program": indicator.program.pk,
        "name": indicator.name,
        "unit": indicator.unit,
        "direction": "up",
        "aggregation": indicator.aggregation,
        "baseline": "",
        "target": str(indicator.target),
        "q4_target_reason": "",
        "values-TOTAL_FORMS": 4,
        "values-INITIAL_FORMS": 0,
        "values-MIN_NUM_FORMS": 0,
        "values-MAX_NUM_FORMS": 4,
        **fields,
    }
    for index, quarter in enumerate([1, 2, 3, 4]):
        data[f"values-{index}-quarter"] = quarter
        data[f"values-{index}-target"] = targets.get(quarter, "")
        data[f"values-{index}-realized"] = ""
    return data


def _admin_change(app, model, pk):
    return reverse(f"admin:{app}_{model}_change", args=[pk])


def test_the_admin_indicator_page_refuses_targets_that_go_down(superuser_client):
    indicator = IndicatorFactory(aggregation=SUM, target=Decimal(100))
    url = _admin_change("indicators", "indicator", indicator.pk)

    response = superuser_client.post(url, _indicator_page(indicator, {1: "40", 2: "30"}))

    assert response.status_code == 200
    assert "lebih kecil dari target s.d. TW I (40)" in response.content.decode()
    assert not indicator.values.exists()


def test_the_admin_indicator_page_checks_its_annual_target_with_its_quarter_rows(
    superuser_client,
):
    indicator = IndicatorFactory(aggregation=SUM, target=Decimal(100))
    url = _admin_change("indicators", "indicator", indicator.pk)

    refused = superuser_client.post(url, _indicator_page(indicator, {4: "80"}))
    assert "harus sama dengan target tahunan (100)" in refused.content.decode()
    assert not indicator.values.exists()

    # The annual target and the Q IV row change together: no step in between is refused.
    saved = superuser_client.post(url, _indicator_page(indicator, {4: "80"}, target="80"))
    assert saved.status_code == 302
    indicator.refresh_from_db()
    assert (indicator.target, indicator.values.get().target) == (80, 80)


def test_the_admin_value_page_refuses_a_target_below_the_quarter_before(superuser_client, aid):
    response = superuser_client.post(
        reverse("admin:indicators_indicatorvalue_add"),
        {"indicator": aid.pk, "quarter": 2, "target": "10", "realized": "", "lock_reason": ""},
    )

    assert response.status_code == 200
    assert "lebih kecil dari target s.d. TW I (30)" in response.content.decode()
    assert not IndicatorValue.objects.filter(indicator=aid, quarter=2).exists()


def test_the_programme_admin_refuses_an_annual_target_its_q4_target_contradicts(
    superuser_client, aid
):
    IndicatorValueFactory(indicator=aid, quarter=4, target=Decimal(100))
    url = _admin_change("programs", "program", aid.program_id)
    data = _admin_form_data(superuser_client.get(url))
    data["indicators-0-target"] = "120"

    response = superuser_client.post(url, data)

    assert response.status_code == 200
    assert "harus sama dengan target tahunan (120)" in response.content.decode()
    aid.refresh_from_db()
    assert aid.target == 100

    data["indicators-0-q4_target_reason"] = "Target naik lewat APBD-P"
    assert superuser_client.post(url, data).status_code == 302
    aid.refresh_from_db()
    assert aid.target == 120


# --- Excel --------------------------------------------------------------------------------------

QUARTER_TARGET = "Target s.d. triwulan ini (kumulatif)"


def test_the_quarterly_template_says_what_the_target_is(opd_a, aid):
    workbook = download(opd_a, "quarterly", year=2024, quarter=2)
    values = workbook["Indikator"]
    headers = [cell.value for cell in values[1]]
    assert QUARTER_TARGET in headers
    row = find_row(values, "ID indikator", aid.pk)
    aggregation = headers.index("Cara menjumlahkan triwulan") + 1
    assert values.cell(row=row, column=aggregation).value == "jumlah triwulan"
    instructions = " ".join(
        str(cell.value) for row in workbook["Petunjuk"].iter_rows() for cell in row if cell.value
    )
    assert "Target triwulan bersifat kumulatif" in instructions


def test_the_excel_import_refuses_a_target_lower_than_the_quarter_before(opd_a, aid):
    workbook = download(opd_a, "quarterly", year=2024, quarter=2)
    values = workbook["Indikator"]
    row = find_row(values, "ID indikator", aid.pk)
    fill(values, row, **{QUARTER_TARGET: 20, "Realisasi": 15})

    _url, preview = upload_and_preview(opd_a, "quarterly", xlsx_bytes(workbook))

    [(sheet, error_row, column, message)] = errors_of(preview)
    assert (sheet, error_row) == ("Indikator", row)
    assert QUARTER_TARGET in column
    assert "lebih kecil dari target s.d. TW I (30)" in message
    assert not IndicatorValue.objects.filter(indicator=aid, quarter=2).exists()


def test_the_excel_import_refuses_a_q4_target_other_than_the_annual_target(opd_a, aid):
    workbook = download(opd_a, "quarterly", year=2024, quarter=4)
    values = workbook["Indikator"]
    row = find_row(values, "ID indikator", aid.pk)
    fill(values, row, **{QUARTER_TARGET: 90, "Realisasi": 20})

    _url, preview = upload_and_preview(opd_a, "quarterly", xlsx_bytes(workbook))

    [(_sheet, _row, column, message)] = errors_of(preview)
    assert QUARTER_TARGET in column
    assert "harus sama dengan target tahunan (100)" in message


def test_the_programmes_import_checks_an_annual_target_against_the_q4_target(admin_client, aid):
    IndicatorValueFactory(indicator=aid, quarter=4, target=Decimal(100))
    workbook = download(admin_client, "programs", year=2024)
    indicators = workbook["Indikator"]
    row = find_row(indicators, "Indikator", aid.name)
    fill(indicators, row, **{"Target tahunan": 120})

    _url, preview = upload_and_preview(admin_client, "programs", xlsx_bytes(workbook))

    [(_sheet, error_row, column, message)] = errors_of(preview)
    assert (error_row, column.split(" ", 1)[1]) == (row, "(Target tahunan)")
    assert "harus sama dengan target tahunan (120)" in message

    fill(indicators, row, **{"Alasan target TW IV berbeda": "Target naik lewat APBD-P"})
    _url, preview = upload_and_preview(admin_client, "programs", xlsx_bytes(workbook))
    assert errors_of(preview) == []
