"""The Django admin as the regency's data-entry surface: Indonesian, branded, Rupiah, no
N+1 on the long lists, and bad input answered with a message instead of a half-save."""

from decimal import Decimal

import pytest
from django.urls import reverse

from bartim.models import Agency, User
from indicators.models import Indicator
from programs.models import Program
from tests.factories import (
    AgencyFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    PovertyStatisticFactory,
    ProgramFactory,
    StrategyFactory,
    VillageDataFactory,
    VillageFactory,
)
from villages.models import VillageData

pytestmark = pytest.mark.django_db

# (app_label, model_name, Indonesian verbose name as the admin titles the page)
MODELS = [
    ("bartim", "regency", "kabupaten"),
    ("bartim", "district", "kecamatan"),
    ("bartim", "village", "desa/kelurahan"),
    ("bartim", "agency", "pemilik program"),
    ("bartim", "user", "pengguna"),
    ("programs", "strategy", "strategi"),
    ("programs", "program", "program"),
    ("indicators", "indicator", "indikator"),
    ("indicators", "indicatorvalue", "nilai triwulan"),
    ("villages", "villagedata", "data desa"),
    ("villages", "povertystatistic", "angka kemiskinan BPS"),
]


@pytest.fixture
def superuser_client(client, admin_user):
    admin_user.is_superuser = True
    admin_user.save(update_fields=["is_superuser"])
    client.force_login(admin_user)
    return client


@pytest.fixture
def one_of_each(village_x):
    """A row in every list, so each list renders its computed columns."""
    program = ProgramFactory(target_villages=[village_x])
    IndicatorValueFactory(indicator=IndicatorFactory(program=program), quarter=1)
    VillageDataFactory(village=village_x)
    PovertyStatisticFactory(year=2024, poverty_line=571786)
    return program


def _admin_url(app_label, model_name, view, *args):
    return reverse(f"admin:{app_label}_{model_name}_{view}", args=args)


def _program_form(agency, strategy, **overrides):
    """The programme add form as a browser posts it, with an empty indicator inline."""
    data = {
        "agency": agency.pk,
        "strategy": strategy.pk,
        "year": 2024,
        "name": "Bedah rumah tidak layak huni",
        "description": "",
        "budget_ceiling": 100_000_000,
        "budget_realized_q1": 0,
        "budget_realized_q2": 0,
        "budget_realized_q3": 0,
        "budget_realized_q4": 0,
        "beneficiary_target": "",
        "beneficiary_unit": "kk",
        "status": "draft",
        "indicators-TOTAL_FORMS": 0,
        "indicators-INITIAL_FORMS": 0,
        "indicators-MIN_NUM_FORMS": 0,
        "indicators-MAX_NUM_FORMS": 1000,
        "funding-TOTAL_FORMS": 0,
        "funding-INITIAL_FORMS": 0,
        "funding-MIN_NUM_FORMS": 0,
        "funding-MAX_NUM_FORMS": 1000,
    }
    data.update(overrides)
    return data


def _village_data_form(village, **overrides):
    data = {
        "village": village.pk,
        "year": 2024,
        "status": "draft",
        "population": 1200,
        "households": 350,
        "poor_households": 40,
        "poor_people": 120,
        "extremely_poor_people": 15,
        "uninhabitable_houses": 0,
        "households_without_clean_water": 0,
        "households_without_latrine": 0,
        "stunted_children": 0,
        "children_out_of_school": 0,
        "unemployed": 0,
    }
    data.update(overrides)
    return data


def test_admin_is_branded_for_the_regency_and_links_back_to_the_dashboard(superuser_client):
    content = superuser_client.get(reverse("admin:index")).content.decode()

    assert "Pemerintah Kabupaten Barito Timur" in content
    assert "Entri data | Penanggulangan Kemiskinan" in content
    assert f'<a href="{reverse("reports:dashboard")}">Dasbor</a>' in content
    assert "bartim/admin.css" in content


@pytest.mark.parametrize(("app_label", "model_name", "verbose_name"), MODELS)
def test_every_list_opens_in_indonesian(
    superuser_client, one_of_each, app_label, model_name, verbose_name
):
    response = superuser_client.get(_admin_url(app_label, model_name, "changelist"))

    assert response.status_code == 200
    assert f"Pilih {verbose_name} untuk diubah" in response.content.decode()


@pytest.mark.parametrize(
    ("app_label", "model_name", "verbose_name"),
    [model for model in MODELS if model[1] != "strategy"],
)
def test_every_add_form_opens_in_indonesian(superuser_client, app_label, model_name, verbose_name):
    response = superuser_client.get(_admin_url(app_label, model_name, "add"))

    assert response.status_code == 200
    assert f"Tambahkan {verbose_name}" in response.content.decode()


def test_the_three_strategies_can_be_reworded_but_not_added_or_deleted(superuser_client):
    strategy = StrategyFactory(number=2, name="Meningkatkan pendapatan")

    assert superuser_client.get(_admin_url("programs", "strategy", "add")).status_code == 403
    assert superuser_client.get(_admin_url("programs", "strategy", "delete", 2)).status_code == 403
    response = superuser_client.post(
        _admin_url("programs", "strategy", "change", 2),
        {"name": "Meningkatkan pendapatan masyarakat miskin", "description": "Dana desa"},
    )

    assert response.status_code == 302
    strategy.refresh_from_db()
    assert (strategy.number, strategy.name) == (2, "Meningkatkan pendapatan masyarakat miskin")


def test_programme_list_shows_rupiah_absorption_and_counts(superuser_client):
    program = ProgramFactory(
        name="Bantuan modal UMKM",
        budget_ceiling=1_250_000_000,
        budget_realized_q1=250_000_000,
        budget_realized_q2=250_000_000,
        target_villages=VillageFactory.create_batch(3),
    )
    IndicatorFactory.create_batch(2, program=program)

    content = superuser_client.get(_admin_url("programs", "program", "changelist")).content
    content = content.decode()

    assert '<td class="field-budget_ceiling_rupiah">Rp1.250.000.000</td>' in content
    assert '<td class="field-realized_rupiah">Rp500.000.000</td>' in content
    assert '<td class="field-absorption">40,00%</td>' in content
    assert '<td class="field-indicator_count">2</td>' in content
    assert '<td class="field-village_count">3</td>' in content


def test_programme_list_sorts_by_absorption(superuser_client):
    ProgramFactory(name="Setengah terserap", budget_ceiling=100, budget_realized_q1=50)
    ProgramFactory(name="Tanpa pagu", budget_ceiling=0)
    ProgramFactory(name="Hampir habis", budget_ceiling=100, budget_realized_q4=90)
    columns = (
        superuser_client.get(_admin_url("programs", "program", "changelist"))
        .context["cl"]
        .list_display
    )
    column = columns.index("absorption")

    response = superuser_client.get(
        _admin_url("programs", "program", "changelist"), {"o": f"-{column}"}
    )

    names = [program.name for program in response.context["cl"].result_list]
    assert names.index("Hampir habis") < names.index("Setengah terserap")
    assert "–" in response.content.decode()


def _programs_with_indicators_and_villages(count):
    villages = VillageFactory.create_batch(3)
    for _ in range(count):
        program = ProgramFactory(agency=AgencyFactory(), target_villages=villages)
        IndicatorFactory.create_batch(2, program=program)


@pytest.mark.parametrize("count", [5, 50])
def test_programme_list_queries_do_not_grow_with_rows(
    superuser_client, django_assert_max_num_queries, count
):
    _programs_with_indicators_and_villages(count)

    with django_assert_max_num_queries(12):
        response = superuser_client.get(_admin_url("programs", "program", "changelist"))

    assert len(response.context["cl"].result_list) == count


@pytest.mark.parametrize("count", [5, 50])
def test_village_data_list_queries_do_not_grow_with_rows(
    superuser_client, django_assert_max_num_queries, count
):
    VillageDataFactory.create_batch(count)

    with django_assert_max_num_queries(12):
        response = superuser_client.get(_admin_url("villages", "villagedata", "changelist"))

    assert len(response.context["cl"].result_list) == count


def test_village_data_list_formats_numbers_and_the_poverty_rate(superuser_client, village_x):
    VillageDataFactory(village=village_x, population=1250, poor_people=125, poor_households=40)

    content = superuser_client.get(
        _admin_url("villages", "villagedata", "changelist")
    ).content.decode()

    assert '<td class="field-district">Dusun Timur</td>' in content
    assert '<td class="field-population_display">1.250</td>' in content
    assert '<td class="field-poverty_rate_display">10,00%</td>' in content


def test_bps_series_list_formats_every_figure(superuser_client):
    PovertyStatisticFactory(
        year=2024,
        poor_people=8740,
        poverty_rate=Decimal("6.66"),
        poverty_line=571786,
        depth_index=Decimal("1.05"),
        severity_index=Decimal("0.23"),
    )

    content = superuser_client.get(
        _admin_url("villages", "povertystatistic", "changelist")
    ).content.decode()

    for cell in ["8.740", "6,66%", "Rp571.786", "1,05", "0,23"]:
        assert f">{cell}</td>" in content


def test_programme_above_its_pagu_is_refused_with_nothing_saved(superuser_client, agency_a):
    strategy = StrategyFactory(number=1)
    data = _program_form(
        agency_a,
        strategy,
        budget_ceiling=100_000_000,
        budget_realized_q1=60_000_000,
        budget_realized_q2=50_000_000,
        **{
            "indicators-TOTAL_FORMS": 1,
            "indicators-0-name": "Rumah direhab",
            "indicators-0-unit": "unit",
            "indicators-0-direction": "up",
            "indicators-0-aggregation": "sum",
            "indicators-0-target": "50",
        },
    )

    response = superuser_client.post(_admin_url("programs", "program", "add"), data)

    assert response.status_code == 200
    assert "Realisasi anggaran keempat triwulan melebihi pagu anggaran." in (
        response.content.decode()
    )
    assert Program.objects.count() == 0
    assert Indicator.objects.count() == 0


def test_programme_added_in_the_admin_records_who_created_it(
    superuser_client, admin_user, agency_a, village_x
):
    data = _program_form(agency_a, StrategyFactory(number=3), target_villages=[village_x.pk])

    response = superuser_client.post(_admin_url("programs", "program", "add"), data)

    assert response.status_code == 302
    program = Program.objects.get()
    assert program.created_by == admin_user
    assert list(program.target_villages.all()) == [village_x]


def test_indicator_page_offers_the_quarters_not_yet_reported(superuser_client):
    indicator = IndicatorFactory()
    IndicatorValueFactory(indicator=indicator, quarter=2, realized=Decimal("10"))

    response = superuser_client.get(_admin_url("indicators", "indicator", "change", indicator.pk))

    formset = response.context["inline_admin_formsets"][0].formset
    offered = [form.initial.get("quarter") for form in formset.extra_forms]
    assert offered == [1, 3, 4]


def test_indicator_page_saves_only_the_quarters_filled_in(superuser_client):
    indicator = IndicatorFactory(name="Keluarga menerima bantuan", target=Decimal("120"))
    data = {
        "program": indicator.program.pk,
        "name": indicator.name,
        "unit": "KK",
        "direction": "up",
        "aggregation": "sum",
        "baseline": "0",
        "target": "120",
        "values-TOTAL_FORMS": 4,
        "values-INITIAL_FORMS": 0,
        "values-MIN_NUM_FORMS": 0,
        "values-MAX_NUM_FORMS": 4,
    }
    for index, quarter in enumerate([1, 2, 3, 4]):
        data[f"values-{index}-quarter"] = quarter
        data[f"values-{index}-target"] = ""
        data[f"values-{index}-realized"] = ""
    data["values-0-realized"] = "30"
    data["values-1-realized"] = "45,5"  # typed the Indonesian way

    response = superuser_client.post(
        _admin_url("indicators", "indicator", "change", indicator.pk), data
    )

    assert response.status_code == 302
    assert list(indicator.values.values_list("quarter", "realized")) == [
        (1, Decimal("30.00")),
        (2, Decimal("45.50")),
    ]


def test_village_data_with_more_poor_than_people_is_refused(superuser_client, village_x):
    data = _village_data_form(village_x, population=100, poor_people=150, extremely_poor_people=0)

    response = superuser_client.post(_admin_url("villages", "villagedata", "add"), data)

    assert response.status_code == 200
    assert "Penduduk miskin tidak boleh lebih dari jumlah penduduk." in response.content.decode()
    assert VillageData.objects.count() == 0


def test_second_village_data_for_the_same_year_is_refused(superuser_client, village_x):
    VillageDataFactory(village=village_x, year=2024)

    response = superuser_client.post(
        _admin_url("villages", "villagedata", "add"), _village_data_form(village_x, year=2024)
    )

    assert response.status_code == 200
    assert "Desa/kelurahan ini sudah memiliki data untuk tahun ini." in response.content.decode()
    assert VillageData.objects.count() == 1


def test_deleting_an_agency_with_programmes_is_refused_without_an_error(superuser_client, agency_a):
    ProgramFactory(agency=agency_a, name="Bantuan sosial lansia")

    response = superuser_client.post(
        _admin_url("bartim", "agency", "delete", agency_a.pk), {"post": "yes"}
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "memerlukan penghapusan objek terlindungi" in content
    assert "Bantuan sosial lansia" in content
    assert Agency.objects.filter(pk=agency_a.pk).exists()


def test_deleting_agencies_with_programmes_in_bulk_is_refused_without_an_error(
    superuser_client, agency_a, agency_b
):
    ProgramFactory(agency=agency_a)

    response = superuser_client.post(
        _admin_url("bartim", "agency", "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [agency_a.pk, agency_b.pk],
            "post": "yes",
        },
    )

    assert response.status_code == 200
    assert "memerlukan penghapusan objek terlindungi" in response.content.decode()
    assert Agency.objects.count() == 2


def test_retiring_agencies_keeps_them_and_their_programmes(superuser_client, agency_a, agency_b):
    ProgramFactory(agency=agency_a)
    untouched = AgencyFactory()

    response = superuser_client.post(
        _admin_url("bartim", "agency", "changelist"),
        {"action": "retire", "_selected_action": [agency_a.pk, agency_b.pk]},
        follow=True,
    )

    assert "Perangkat daerah dinonaktifkan: 2." in response.content.decode()
    assert set(Agency.objects.filter(is_active=False)) == {agency_a, agency_b}
    assert Agency.objects.get(pk=untouched.pk).is_active
    assert agency_a.programs.count() == 1


def test_agency_list_counts_programmes(superuser_client, agency_a):
    ProgramFactory.create_batch(3, agency=agency_a)

    content = superuser_client.get(_admin_url("bartim", "agency", "changelist")).content.decode()

    assert '<td class="field-program_count">3</td>' in content


def test_district_list_counts_villages(superuser_client, district_x):
    VillageFactory.create_batch(4, district=district_x)

    content = superuser_client.get(_admin_url("bartim", "district", "changelist")).content.decode()

    assert '<td class="field-village_count">4</td>' in content


def test_village_autocomplete_finds_villages_by_name_and_code(superuser_client, village_x):
    VillageFactory(name="Jaar", code="62.13.01.2001")
    url = reverse("admin:autocomplete")
    params = {"app_label": "programs", "model_name": "program", "field_name": "target_villages"}

    by_name = superuser_client.get(url, {**params, "term": "patai"}).json()
    by_code = superuser_client.get(url, {**params, "term": "62.13.01.2003"}).json()

    assert [result["text"] for result in by_name["results"]] == ["Pulau Patai"]
    assert [result["text"] for result in by_code["results"]] == ["Pulau Patai"]


def test_user_form_shows_role_and_refuses_an_opd_account_without_agency(superuser_client):
    change_form = superuser_client.get(_admin_url("bartim", "user", "add")).content.decode()
    assert "Peran dan cakupan" in change_form

    response = superuser_client.post(
        _admin_url("bartim", "user", "add"),
        {
            "username": "operator_dinsos",
            "usable_password": "true",
            "password1": "Kata-sandi-kuat-2024",
            "password2": "Kata-sandi-kuat-2024",
            "role": "opd",
            "agency": "",
            "district": "",
        },
    )

    assert response.status_code == 200
    assert "Akun OPD memerlukan perangkat daerah" in response.content.decode()
    assert not User.objects.filter(username="operator_dinsos").exists()


def test_user_list_filters_by_role(superuser_client, opd_a_user, camat_x_user):
    response = superuser_client.get(_admin_url("bartim", "user", "changelist"), {"role": "camat"})

    assert [user.username for user in response.context["cl"].result_list] == ["camat_x"]


def test_programme_history_lists_the_change_and_who_made_it(superuser_client, admin_user, agency_a):
    strategy = StrategyFactory(number=1)
    superuser_client.post(
        _admin_url("programs", "program", "add"), _program_form(agency_a, strategy)
    )
    program = Program.objects.get()
    superuser_client.post(
        _admin_url("programs", "program", "change", program.pk),
        _program_form(
            agency_a, strategy, name="Bedah rumah", budget_realized_q1=20_000_000, seen_version=1
        ),
    )

    response = superuser_client.get(_admin_url("programs", "program", "history", program.pk))

    assert response.status_code == 200
    records = list(response.context["page_obj"].object_list)
    assert [record.history_type for record in records] == ["~", "+"]
    assert [record.history_user for record in records] == [admin_user, admin_user]
    content = response.content.decode()
    assert "Diubah oleh" in content
    assert content.count(">admin</a>") == 2


def test_approved_programme_opens_read_only_in_the_admin(client, admin_user):
    admin_user.is_superuser = True
    admin_user.save()
    program = ProgramFactory(status="approved", name="Disetujui")
    client.force_login(admin_user)

    url = reverse("admin:programs_program_change", args=[program.pk])
    page = client.get(url)
    client.post(url, {"name": "Diubah"})

    assert page.status_code == 200
    assert 'name="name"' not in page.content.decode()
    program.refresh_from_db()
    assert program.name == "Disetujui"


def test_locked_quarter_budget_asks_for_a_reason_in_the_admin(client, admin_user):
    from bartim.models import PeriodLock

    admin_user.is_superuser = True
    admin_user.save()
    program = ProgramFactory(year=2024)
    PeriodLock.objects.create(year=2024, quarter=2, locked_by=admin_user)
    client.force_login(admin_user)

    page = client.get(reverse("admin:programs_program_change", args=[program.pk]))

    content = page.content.decode()
    assert 'name="budget_realized_q2"' in content
    assert 'name="lock_reason"' in content
    assert "Alasan mengubah triwulan yang dikunci" in content
