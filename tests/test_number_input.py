"""Numbers typed the way people write them (helpers.forms), values far off their peers saved
only once confirmed (programs.plausibility), no negative realisation or budget, stored
quantities shown and exported without empty decimals, and a village-data record's village
and year fixed once it exists."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from helpers.forms import read_typed_number
from indicators.models import IndicatorValue
from programs.forms import IndicatorForm, ProgramForm, QuarterReportForm
from programs.models import Program
from tests.excel_helpers import download, errors_of, fill, find_row, upload_and_preview, xlsx_bytes
from tests.factories import (
    IndicatorFactory,
    IndicatorValueFactory,
    ProgramFactory,
    StrategyFactory,
    VillageDataFactory,
)
from tests.table_helpers import csv_rows
from villages.forms import VillageDataForm

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "typed", "read"),
    [
        ("id", "250.000.000", "250000000"),
        ("id", "Rp 250.000.000", "250000000"),
        ("id", "Rp250.000.000", "250000000"),
        ("id", "rp 1.250.000", "1250000"),
        ("id", "4,5", "4.5"),
        ("id", "1.250,75", "1250.75"),
        # Ambiguous: Indonesian groups thousands with a dot.
        ("id", "1.250", "1250"),
        ("id", " 1 250 ", "1250"),
        ("id", "-5", "-5"),
        ("en", "250,000,000", "250000000"),
        ("en", "Rp 1,250,000", "1250000"),
        ("en", "4.5", "4.5"),
        ("en", "1,250.75", "1250.75"),
        ("en", "1.250", "1.25"),
    ],
)
def test_a_number_is_read_by_the_rules_of_the_interface_language(language, typed, read):
    with translation.override(language):
        assert read_typed_number(typed) == read


@pytest.mark.parametrize(
    ("language", "typed"),
    [
        ("id", "1.2.3,4,5"),
        ("id", "4.5"),
        ("id", "12.34.567"),
        ("id", "0.125"),
        ("id", "empat"),
        ("id", "4,"),
        ("id", "Rp"),
        ("en", "4,5"),
        ("en", "1,2,3.4.5"),
        ("en", "١٢٣"),
    ],
)
def test_what_is_not_a_number_in_the_interface_language_is_not_read(language, typed):
    with translation.override(language):
        assert read_typed_number(typed) is None


@pytest.fixture
def strategy():
    return StrategyFactory(number=2)


def program_data(strategy, agency, **overrides):
    return {
        "agency": agency.pk,
        "strategy": strategy.pk,
        "year": "2025",
        "name": "Bantuan benih ikan",
        "description": "",
        "budget_ceiling": "250.000.000",
        "beneficiary_target": "1.250",
        "beneficiary_unit": "kk",
        **overrides,
    }


@pytest.mark.parametrize(
    ("language", "ceiling", "beneficiaries"),
    [("id", "Rp 250.000.000", "1.250"), ("en", "Rp 250,000,000", "1,250")],
)
def test_programme_form_reads_grouped_rupiah_and_counts(
    admin_user, agency_a, strategy, language, ceiling, beneficiaries
):
    with translation.override(language):
        form = ProgramForm(
            program_data(
                strategy, agency_a, budget_ceiling=ceiling, beneficiary_target=beneficiaries
            ),
            user=admin_user,
        )
        assert form.is_valid(), form.errors
    assert form.cleaned_data["budget_ceiling"] == 250_000_000
    assert form.cleaned_data["beneficiary_target"] == 1250


@pytest.mark.parametrize(
    ("language", "baseline", "target"), [("id", "4,5", "1.250,75"), ("en", "4.5", "1,250.75")]
)
def test_indicator_form_reads_decimals_of_the_interface_language(language, baseline, target):
    program = ProgramFactory()
    data = {
        "name": "Benih ikan tersalurkan",
        "unit": "ton",
        "direction": "up",
        "aggregation": "sum",
        "baseline": baseline,
        "target": target,
    }
    with translation.override(language):
        form = IndicatorForm(data, program=program)
        assert form.is_valid(), form.errors
    assert (form.cleaned_data["baseline"], form.cleaned_data["target"]) == (
        Decimal("4.5"),
        Decimal("1250.75"),
    )


def quarter_form(program, indicator, **data):
    return QuarterReportForm(
        {"seen_version": program.version, **data},
        program=program,
        indicators=[indicator],
        values={},
        quarter=1,
    )


def test_quarter_form_reads_rupiah_realisation_and_target():
    indicator = IndicatorFactory(target=Decimal("2000"))
    program = indicator.program
    with translation.override("id"):
        form = quarter_form(
            program,
            indicator,
            budget_realized="Rp 1.250.000",
            **{f"realized_{indicator.pk}": "4,5", f"target_{indicator.pk}": "1.250,75"},
        )
        assert form.is_valid(), form.errors
    assert form.cleaned_data["budget_realized"] == 1_250_000
    assert form.realized() == {indicator.pk: Decimal("4.5")}
    assert form.targets() == {indicator.pk: Decimal("1250.75")}


def test_village_data_form_reads_grouped_counts(admin_user, village_x):
    data = {
        "village": village_x.pk,
        "year": "2025",
        "population": "1.250",
        "households": "400",
        "poor_households": "75",
        "poor_people": "250",
        "extremely_poor_people": "20",
        "uninhabitable_houses": "0",
        "households_without_clean_water": "0",
        "households_without_latrine": "0",
        "stunted_children": "0",
        "children_out_of_school": "0",
        "unemployed": "0",
    }
    with translation.override("id"):
        form = VillageDataForm(data, user=admin_user)
        assert form.is_valid(), form.errors
    assert form.cleaned_data["population"] == 1250


def test_number_inputs_are_text_with_a_keyboard_for_numbers_and_show_the_stored_value(
    admin_user,
):
    indicator = IndicatorFactory(baseline=Decimal("4.50"), target=Decimal("1250.75"))
    with translation.override("id"):
        html = str(IndicatorForm(instance=indicator, program=indicator.program))
        program_html = str(ProgramForm(instance=indicator.program, user=admin_user))

    assert 'type="text" name="baseline" value="4,5"' in html
    assert 'name="target" value="1.250,75"' in html
    assert 'inputmode="decimal"' in html
    assert 'name="budget_ceiling" value="100.000.000" inputmode="numeric"' in program_html
    # A year is a name, not a quantity: never grouped.
    assert 'value="2.024"' not in program_html


def test_admin_form_reads_numbers_as_the_app_forms_do(admin_client):
    indicator = IndicatorFactory(target=Decimal("2000"))

    response = admin_client.post(
        reverse("admin:indicators_indicatorvalue_add"),
        {"indicator": indicator.pk, "quarter": 2, "target": "1.250,75", "realized": "4,5"},
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    value = IndicatorValue.objects.get(indicator=indicator, quarter=2)
    assert (value.realized, value.target) == (Decimal("4.5"), Decimal("1250.75"))


@pytest.mark.parametrize("typed", ["1.2.3,4,5", "lima", "4.5"])
def test_bad_input_is_refused_with_a_message_in_indonesian_and_nothing_is_saved(
    client, opd_a_user, typed
):
    indicator = IndicatorFactory(program=ProgramFactory(agency=opd_a_user.agency))
    program = indicator.program
    client.force_login(opd_a_user)

    response = client.post(
        reverse("programs:program_quarter", args=[program.pk, 1]),
        {"seen_version": program.version, "budget_realized": "", f"realized_{indicator.pk}": typed},
    )

    assert response.status_code == 200
    assert f"&quot;{typed}&quot; bukan angka. Tulis seperti 1.250,75" in response.content.decode()
    assert not IndicatorValue.objects.exists()


def test_bad_input_is_refused_in_english_with_the_english_example(client, opd_a_user):
    program = ProgramFactory(agency=opd_a_user.agency)
    client.force_login(opd_a_user)
    client.cookies["django_language"] = "en"

    response = client.post(
        reverse("programs:program_quarter", args=[program.pk, 1]),
        {"seen_version": program.version, "budget_realized": "1.250.000"},
    )

    assert response.status_code == 200
    assert (
        "&quot;1.250.000&quot; is not a whole number. Write it like 250,000,000."
        in response.content.decode()
    )
    program.refresh_from_db()
    assert program.budget_realized_q1 == 0


# Values far off their peers ------------------------------------------------------------------


def test_a_budget_ceiling_under_a_million_is_saved_only_once_confirmed(
    client, opd_a_user, strategy
):
    client.force_login(opd_a_user)
    data = program_data(strategy, opd_a_user.agency, budget_ceiling="250")

    refused = client.post(reverse("programs:program_create"), data)

    assert refused.status_code == 200
    content = refused.content.decode()
    assert "Pagu anggaran Rp250 di bawah Rp1.000.000" in content
    assert "Ya, nilainya benar" in content
    assert not Program.objects.exists()

    confirmed = client.post(reverse("programs:program_create"), {**data, "confirm_unusual": "on"})

    assert confirmed.status_code == 302
    assert Program.objects.get().budget_ceiling == 250


def test_a_usual_budget_ceiling_asks_nothing(client, opd_a_user, strategy):
    client.force_login(opd_a_user)

    response = client.post(
        reverse("programs:program_create"), program_data(strategy, opd_a_user.agency)
    )

    assert response.status_code == 302
    assert Program.objects.get().budget_ceiling == 250_000_000


def test_a_realisation_over_five_times_its_target_is_saved_only_once_confirmed(client, opd_a_user):
    indicator = IndicatorFactory(
        program=ProgramFactory(agency=opd_a_user.agency), target=Decimal("100")
    )
    program = indicator.program
    client.force_login(opd_a_user)
    url = reverse("programs:program_quarter", args=[program.pk, 1])
    # A quarter target of its own is what the realisation is held against.
    data = {
        "seen_version": program.version,
        f"realized_{indicator.pk}": "60",
        f"target_{indicator.pk}": "10",
    }

    refused = client.post(url, data)

    assert refused.status_code == 200
    assert "lebih dari 5 kali targetnya 10" in refused.content.decode()
    assert not IndicatorValue.objects.exists()

    confirmed = client.post(url, {**data, "confirm_unusual": "on"})

    assert confirmed.status_code == 302
    assert IndicatorValue.objects.get().realized == 60


def test_a_realisation_within_five_times_the_annual_target_asks_nothing():
    indicator = IndicatorFactory(target=Decimal("100"))
    with translation.override("id"):
        form = quarter_form(indicator.program, indicator, **{f"realized_{indicator.pk}": "500"})
        assert form.is_valid(), form.errors
        too_much = quarter_form(
            indicator.program, indicator, **{f"realized_{indicator.pk}": "500,01"}
        )
        assert not too_much.is_valid()


# No negative realisation or budget -----------------------------------------------------------


def test_quarter_form_refuses_a_negative_realisation_and_budget(client, opd_a_user):
    indicator = IndicatorFactory(program=ProgramFactory(agency=opd_a_user.agency))
    program = indicator.program
    client.force_login(opd_a_user)

    response = client.post(
        reverse("programs:program_quarter", args=[program.pk, 1]),
        {
            "seen_version": program.version,
            "budget_realized": "-5",
            f"realized_{indicator.pk}": "-5",
        },
    )

    assert response.status_code == 200
    assert response.content.decode().count("Angka tidak boleh negatif.") == 2
    assert not IndicatorValue.objects.exists()


def test_programme_form_refuses_a_negative_budget_ceiling(admin_user, agency_a, strategy):
    with translation.override("id"):
        form = ProgramForm(
            program_data(strategy, agency_a, budget_ceiling="-250.000.000"), user=admin_user
        )
        assert not form.is_valid()
        assert form.errors["budget_ceiling"] == ["Angka tidak boleh negatif."]


def test_admin_refuses_a_negative_realisation(admin_client):
    indicator = IndicatorFactory()

    response = admin_client.post(
        reverse("admin:indicators_indicatorvalue_add"),
        {"indicator": indicator.pk, "quarter": 2, "target": "", "realized": "-5"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["realized"] == ["Angka tidak boleh negatif."]
    assert not IndicatorValue.objects.exists()


def test_admin_refuses_a_negative_budget(admin_client):
    program = ProgramFactory()
    response = admin_client.get(reverse("admin:programs_program_change", args=[program.pk]))
    form = response.context["adminform"].form
    assert form.fields["budget_realized_q1"].clean("0") == 0
    with translation.override("id"), pytest.raises(ValidationError) as refused:
        form.fields["budget_realized_q1"].clean("-1.000")
    assert refused.value.messages == ["Angka tidak boleh negatif."]


def test_the_model_refuses_a_negative_realisation_whoever_writes_it():
    value = IndicatorValueFactory(realized=Decimal("5"))
    value.realized = Decimal("-5")
    with translation.override("id"), pytest.raises(ValidationError) as refused:
        value.full_clean()
    assert "Realisasi tidak boleh negatif." in refused.value.messages

    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.filter(pk=value.pk).update(realized=Decimal("-5"))


@pytest.mark.parametrize(
    ("sheet_name", "header", "id_header", "record"),
    [
        ("Indikator", "Realisasi", "ID indikator", "indicator"),
        ("Anggaran", "Realisasi anggaran triwulan ini (Rp)", "ID program", "program"),
    ],
)
def test_excel_import_refuses_a_negative_realisation_and_budget(
    client, opd_a_user, sheet_name, header, id_header, record
):
    indicator = IndicatorFactory(program=ProgramFactory(agency=opd_a_user.agency, year=2024))
    client.force_login(opd_a_user)
    workbook = download(client, "quarterly", year=2024, quarter=1)
    sheet = workbook[sheet_name]
    record_id = indicator.pk if record == "indicator" else indicator.program_id
    fill(sheet, find_row(sheet, id_header, record_id), **{header: -5})

    _url, preview = upload_and_preview(client, "quarterly", xlsx_bytes(workbook))

    assert [message for *_where, message in errors_of(preview)] == ["Angka tidak boleh negatif."]
    assert not IndicatorValue.objects.exists()
    assert Program.objects.get().budget_realized_q1 == 0


# Stored quantities without empty decimals ----------------------------------------------------


@pytest.mark.parametrize(
    ("language", "value", "shown"),
    [
        ("id", Decimal("120.00"), "120"),
        ("id", Decimal("4.50"), "4,5"),
        ("id", Decimal("1250.75"), "1.250,75"),
        ("id", Decimal("0.00"), "0"),
        ("en", Decimal("1250.75"), "1,250.75"),
        ("en", Decimal("120.00"), "120"),
    ],
)
def test_a_stored_figure_shows_its_decimals_only_when_it_has_a_fraction(language, value, shown):
    template = Template("{% load bartim_format %}{{ value|number:2 }}")
    with translation.override(language):
        assert template.render(Context({"value": value})) == shown


def test_programme_page_shows_counts_as_whole_numbers(admin_client):
    indicator = IndicatorFactory(name="Siswa dibantu", unit="siswa", target=Decimal("120"))
    IndicatorValueFactory(indicator=indicator, quarter=1, realized=Decimal("45.50"))

    content = admin_client.get(
        reverse("programs:program_detail", args=[indicator.program_id])
    ).content.decode()

    assert "TW I: 45,5" in content
    assert ">120<" in content
    assert "120,00" not in content


def test_exports_write_counts_as_whole_numbers_and_fractions_as_they_are(admin_client):
    indicator = IndicatorFactory(
        name="Siswa dibantu", baseline=Decimal("4.50"), target=Decimal("120")
    )
    url = reverse("programs:indicator_list")
    params = {"year": indicator.program.year, "quarter": 1}

    csv_export = csv_rows(admin_client.get(url, {**params, "_export": "csv"}))
    workbook = load_workbook(
        io.BytesIO(admin_client.get(url, {**params, "_export": "xlsx"}).content)
    )
    sheet = workbook.active

    header = csv_export[0]
    row = next(r for r in csv_export if "Siswa dibantu" in r)
    assert row[header.index("Kondisi awal")] == "4,5"
    assert row[header.index("Target tahunan")] == "120"
    cells = {cell.value: cell for cell in sheet[1]}
    xlsx_row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "Siswa dibantu")
    baseline = xlsx_row[cells["Kondisi awal"].column - 1]
    target = xlsx_row[cells["Target tahunan"].column - 1]
    assert (baseline.value, target.value) == (4.5, 120)
    assert target.number_format == "#,##0"
    assert baseline.number_format == "#,##0.##"


# A village-data record's village and year -----------------------------------------------------


@pytest.mark.parametrize("who", ["admin_user", "camat_x_user"])
def test_the_edit_form_shows_village_and_year_read_only_to_everyone(request, who, village_x):
    record = VillageDataFactory(village=village_x, year=2024)
    form = VillageDataForm(instance=record, user=request.getfixturevalue(who))

    assert form.fields["village"].disabled
    assert form.fields["year"].disabled


def test_a_new_record_chooses_its_village_and_year(admin_user):
    form = VillageDataForm(user=admin_user)

    assert not form.fields["village"].disabled
    assert not form.fields["year"].disabled


def test_the_admin_shows_village_and_year_read_only_on_an_existing_record(
    admin_client, village_x, village_y
):
    record = VillageDataFactory(village=village_x, year=2024)
    url = reverse("admin:villages_villagedata_change", args=[record.pk])

    form = admin_client.get(url).context["adminform"].form

    assert "village" not in form.fields
    assert "year" not in form.fields
    assert (
        "village"
        in admin_client.get(reverse("admin:villages_villagedata_add"))
        .context["adminform"]
        .form.fields
    )
    record.refresh_from_db()
    assert (record.village, record.year) == (village_x, 2024)


def test_an_edit_posting_another_village_and_year_leaves_them(client, camat_x_user, village_x):
    record = VillageDataFactory(village=village_x, year=2024)
    client.force_login(camat_x_user)
    data = {
        "seen_version": record.version,
        "village": "",
        "year": "2020",
        "population": "1.000",
        "households": "300",
        "poor_households": "30",
        "poor_people": "90",
        "extremely_poor_people": "10",
        "uninhabitable_houses": "0",
        "households_without_clean_water": "0",
        "households_without_latrine": "0",
        "stunted_children": "0",
        "children_out_of_school": "0",
        "unemployed": "0",
    }

    response = client.post(reverse("villages:village_data_edit", args=[record.pk]), data)

    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.village, record.year, record.population) == (village_x, 2024, 1000)


def test_the_admin_asks_to_confirm_a_realisation_over_five_times_its_target(admin_client):
    indicator = IndicatorFactory(target=Decimal("100"))
    url = reverse("admin:indicators_indicatorvalue_add")
    data = {"indicator": indicator.pk, "quarter": 2, "target": "", "realized": "501"}

    refused = admin_client.post(url, data)

    assert refused.status_code == 200
    assert "lebih dari 5 kali targetnya 100" in refused.content.decode()
    assert not IndicatorValue.objects.exists()

    confirmed = admin_client.post(url, {**data, "confirm_unusual": "on"})

    assert confirmed.status_code == 302
    assert IndicatorValue.objects.get().realized == 501
