from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import PovertyStatisticFactory, VillageDataFactory, VillageFactory
from villages.models import PocketRule, VillageData
from villages.pockets import annotate_pockets

pytestmark = pytest.mark.django_db


def _flags(year=2024):
    return {
        row.village.name: row.is_pocket
        for row in annotate_pockets(VillageData.objects.filter(year=year)).select_related("village")
    }


def _village(name, population, poor_people, poor_households, year=2024):
    return VillageDataFactory(
        village=VillageFactory(name=name),
        year=year,
        population=population,
        households=max(poor_households, 300),
        poor_people=poor_people,
        poor_households=poor_households,
        extremely_poor_people=0,
    )


@pytest.fixture
def bps_2024():
    return PovertyStatisticFactory(year=2024, poverty_rate=Decimal("6.66"))


def test_the_default_rule_is_the_regency_rate_and_twenty_households():
    rule = PocketRule.current()

    assert rule.basis == PocketRule.Basis.REGENCY_RATE
    assert rule.min_poor_households == 20
    assert PocketRule.objects.count() == 1


def test_a_rate_exactly_at_the_bps_rate_is_a_pocket(bps_2024):
    _village("At", 10_000, 666, 40)
    _village("Below", 10_000, 665, 40)

    assert _flags() == {"At": True, "Below": False}


def test_one_poor_household_below_the_minimum_is_not_a_pocket(bps_2024):
    _village("Nineteen", 1_000, 150, 19)
    _village("Twenty", 1_000, 150, 20)

    assert _flags() == {"Nineteen": False, "Twenty": True}


def test_the_rate_and_threshold_are_annotated(bps_2024):
    _village("At", 10_000, 666, 40)

    row = annotate_pockets(VillageData.objects).get()

    assert row.poverty_rate_pct == pytest.approx(6.66)
    assert row.pocket_threshold == pytest.approx(6.66)
    assert row.pocket_threshold_source == "bps"


def test_a_village_without_population_is_never_a_pocket(bps_2024):
    _village("Empty", 0, 0, 0)
    PocketRule.objects.filter(pk=1).update(min_poor_households=0)

    row = annotate_pockets(VillageData.objects).get()

    assert row.poverty_rate_pct is None
    assert row.is_pocket is False


def test_without_a_bps_figure_the_rate_of_the_year_s_village_data_stands_in():
    # (666 + 150) / (10.000 + 1.000) = 7,418...%: A's 6,66% falls below it, D's 15% is above.
    _village("A", 10_000, 666, 40, year=2025)
    _village("D", 1_000, 150, 20, year=2025)
    # Another year's data and another year's BPS figure play no part.
    _village("Other year", 100, 99, 50, year=2024)
    PovertyStatisticFactory(year=2024, poverty_rate=Decimal("1.00"))

    rows = {
        row.village.name: row
        for row in annotate_pockets(VillageData.objects.filter(year=2025)).select_related("village")
    }

    assert {name: row.is_pocket for name, row in rows.items()} == {"A": False, "D": True}
    assert rows["A"].pocket_threshold == pytest.approx(816 * 100 / 11_000)
    assert rows["A"].pocket_threshold_source == "village_data"


def test_a_bps_figure_without_a_rate_also_falls_back():
    PovertyStatisticFactory(year=2025, poverty_rate=None, poor_people=9000)
    _village("A", 10_000, 666, 40, year=2025)
    _village("D", 1_000, 150, 20, year=2025)

    assert _flags(2025) == {"A": False, "D": True}


def test_a_village_at_the_fallback_rate_exactly_is_a_pocket():
    # Both villages have the same rate, 1/3, which is then also the rate of the year.
    _village("Third", 300, 100, 30, year=2025)
    _village("Also third", 3_000, 1_000, 30, year=2025)

    assert _flags(2025) == {"Third": True, "Also third": True}


def test_each_year_is_judged_against_its_own_bps_rate():
    PovertyStatisticFactory(year=2023, poverty_rate=Decimal("6.63"))
    PovertyStatisticFactory(year=2024, poverty_rate=Decimal("6.66"))
    village = VillageFactory(name="Same")
    for year in (2023, 2024):
        VillageDataFactory(
            village=village,
            year=year,
            population=10_000,
            poor_people=664,
            households=300,
            poor_households=40,
        )

    flags = dict(annotate_pockets(VillageData.objects).values_list("year", "is_pocket"))

    assert flags == {2023: True, 2024: False}


def test_without_bps_figures_each_year_in_one_queryset_has_its_own_stand_in():
    # 2024: (100 + 900) / (1.000 + 1.000) = 50%; 2025: (100 + 300) / (1.000 + 1.000) = 20%.
    # One threshold for both years (35%) or one year's for the other would misjudge "High".
    for year, high_poor in ((2024, 900), (2025, 300)):
        _village("Low", 1_000, 100, 40, year=year)
        _village("High", 1_000, high_poor, 40, year=year)

    rows = {
        (row.village.name, row.year): row
        for row in annotate_pockets(VillageData.objects).select_related("village")
    }

    assert {key: row.is_pocket for key, row in rows.items()} == {
        ("Low", 2024): False,
        ("High", 2024): True,
        ("Low", 2025): False,
        ("High", 2025): True,
    }
    assert rows["Low", 2024].pocket_threshold == pytest.approx(1_000 * 100 / 2_000)
    assert rows["Low", 2025].pocket_threshold == pytest.approx(400 * 100 / 2_000)
    assert {row.pocket_threshold_source for row in rows.values()} == {"village_data"}


def test_a_year_with_a_bps_rate_and_a_year_without_in_one_queryset(bps_2024):
    # 2024 is judged against BPS's 6,66%; 2025 against its villages' (700 + 150) / 11.000.
    village = VillageFactory(name="Same")
    for year in (2024, 2025):
        VillageDataFactory(
            village=village,
            year=year,
            population=10_000,
            poor_people=700,
            households=300,
            poor_households=40,
        )
    _village("D", 1_000, 150, 20, year=2025)

    rows = {row.year: row for row in annotate_pockets(VillageData.objects.filter(village=village))}

    assert {year: row.is_pocket for year, row in rows.items()} == {2024: True, 2025: False}
    assert rows[2024].pocket_threshold_source == "bps"
    assert rows[2025].pocket_threshold_source == "village_data"
    assert rows[2025].pocket_threshold == pytest.approx(850 * 100 / 11_000)


def test_a_fixed_rate_replaces_the_bps_rate(bps_2024):
    _village("Seven", 1_000, 70, 40)
    _village("Ten", 1_000, 100, 40)
    PocketRule.objects.filter(pk=1).update(basis="fixed", fixed_rate=Decimal("10.00"))

    assert _flags() == {"Seven": False, "Ten": True}
    assert annotate_pockets(VillageData.objects).first().pocket_threshold_source == "fixed"


def test_pockets_can_be_filtered_and_sorted_in_the_database(bps_2024):
    _village("Low", 1_000, 10, 40)
    _village("High", 1_000, 300, 40)
    _village("Middle", 1_000, 100, 40)

    pockets = (
        annotate_pockets(VillageData.objects)
        .filter(is_pocket=True)
        .order_by("-poverty_rate_pct")
        .values_list("village__name", flat=True)
    )

    assert list(pockets) == ["High", "Middle"]


def test_the_admin_changing_the_rule_changes_the_flags(admin_client, bps_2024):
    _village("Thirty", 1_000, 150, 30)
    _village("Sixty", 1_000, 150, 60)
    url = reverse("admin:villages_pocketrule_change", args=[1])

    response = admin_client.post(
        url, {"basis": "regency", "fixed_rate": "", "min_poor_households": "50"}
    )

    assert response.status_code == 302
    assert _flags() == {"Thirty": False, "Sixty": True}
    assert PocketRule.current().history.count() == 1


def test_the_admin_needs_a_rate_for_a_fixed_threshold(admin_client):
    url = reverse("admin:villages_pocketrule_change", args=[1])

    response = admin_client.post(
        url, {"basis": "fixed", "fixed_rate": "", "min_poor_households": "20"}
    )

    assert response.status_code == 200
    assert "Isi persentase kemiskinan yang dipakai sebagai ambang tetap." in (
        response.content.decode()
    )
    assert PocketRule.current().basis == PocketRule.Basis.REGENCY_RATE


def test_the_rule_list_in_the_admin_opens_the_rule(admin_client):
    response = admin_client.get(reverse("admin:villages_pocketrule_changelist"))

    assert response.status_code == 302
    assert response.url == reverse("admin:villages_pocketrule_change", args=[1])


@pytest.mark.parametrize("user_fixture", ["opd_a_user", "camat_x_user"])
def test_only_administrators_may_change_the_rule(client, request, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    url = reverse("admin:villages_pocketrule_change", args=[1])

    response = client.post(url, {"basis": "fixed", "fixed_rate": "1", "min_poor_households": "0"})

    # OPD and camat accounts are not Django-admin staff: the admin sends them to its login.
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert PocketRule.current().basis == PocketRule.Basis.REGENCY_RATE
