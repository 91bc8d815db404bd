"""The progress rules (indicators/progress.py, docs/progress.md) with exact numbers, in Python
and in SQL, and proof that both give the same answer."""

import datetime
from decimal import Decimal

import pytest

from bartim.models import Agency, Village
from helpers import dataversion
from indicators import progress
from indicators.models import Indicator
from indicators.progress import Category, Signal
from programs import periods
from programs import progress as programme_progress
from programs.models import Program, Strategy
from tests.factories import (
    AgencyFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    ProgramFactory,
    StrategyFactory,
    VillageDataFactory,
    VillageFactory,
)
from villages.figures import villages_without_data

D = Decimal
UP = Indicator.Direction.HIGHER_IS_BETTER
DOWN = Indicator.Direction.LOWER_IS_BETTER
SUM = Indicator.Aggregation.SUM
CUMULATIVE = Indicator.Aggregation.CUMULATIVE
LATEST = Indicator.Aggregation.LATEST


# --- realised, expected, baseline ---------------------------------------------------------


def test_sum_adds_up_the_quarters_reported_so_far():
    values = {1: D("20"), 2: D("30"), 3: D("15")}

    assert progress.realized_as_of(SUM, values, 2) == D("50")
    assert progress.realized_as_of(SUM, values, 4) == D("65")


def test_sum_skips_a_missing_quarter_instead_of_stopping_at_it():
    assert progress.realized_as_of(SUM, {1: D("20"), 2: None, 3: D("10")}, 3) == D("30")


def test_running_total_and_latest_value_take_the_latest_quarter_reported_so_far():
    values = {1: D("40"), 2: D("90"), 4: D("180")}

    assert progress.realized_as_of(CUMULATIVE, values, 3) == D("90")
    assert progress.realized_as_of(LATEST, values, 3) == D("90")
    assert progress.realized_as_of(CUMULATIVE, values, 4) == D("180")


def test_nothing_reported_up_to_the_quarter_is_none_not_zero():
    assert progress.realized_as_of(SUM, {2: D("5")}, 1) is None
    assert progress.realized_as_of(LATEST, {1: None}, 4) is None
    assert progress.realized_as_of(SUM, {}, 4) is None


def test_expected_is_a_share_of_the_annual_target_for_sums_and_running_totals():
    assert progress.expected_at(SUM, D("100"), 1) == D("25")
    assert progress.expected_at(CUMULATIVE, D("10"), 3) == D("7.5")
    assert progress.expected_at(LATEST, D("80"), 1) == D("80")


def test_a_quarter_target_is_the_value_expected_by_then_for_every_aggregation():
    assert progress.expected_at(SUM, D("100"), 2, quarter_target=D("40")) == D("40")
    assert progress.expected_at(LATEST, D("15"), 2, quarter_target=D("18")) == D("18")
    assert progress.expected_at(SUM, D("100"), 2, quarter_target=D("0")) == D("0")


def test_baseline_of_a_sum_is_prorated_and_of_a_latest_value_is_kept():
    assert progress.baseline_at(SUM, D("200"), 1) == D("50")
    assert progress.baseline_at(LATEST, D("20"), 1) == D("20")
    assert progress.baseline_at(SUM, None, 1) is None


# --- achievement --------------------------------------------------------------------------


def test_higher_is_better_is_realised_over_expected():
    assert progress.achievement(UP, D("50"), D("50")) == D("100.00")
    assert progress.achievement(UP, D("70"), D("80")) == D("87.50")
    assert progress.achievement(UP, D("2"), D("3")) == D("66.67")


def test_over_achievement_is_not_capped():
    assert progress.achievement(UP, D("130"), D("100")) == D("130.00")


def test_lower_is_better_is_measured_from_the_baseline():
    # Stunting from 20% to a target of 15%: 18% has closed 2 of the 5 points.
    assert progress.achievement(DOWN, D("18"), D("15"), D("20")) == D("40.00")
    assert progress.achievement(DOWN, D("15"), D("15"), D("20")) == D("100.00")
    assert progress.achievement(DOWN, D("22"), D("15"), D("20")) == D("-40.00")


def test_missing_realisation_is_no_data():
    assert progress.achievement(UP, None, D("10")) is None
    assert progress.category_of(None, reported=False) == Category.NO_DATA


def test_zero_or_missing_expected_value_and_baseline_equal_to_target_are_not_measurable():
    assert progress.achievement(UP, D("5"), D("0")) is None
    assert progress.achievement(UP, D("5"), None) is None
    assert progress.achievement(DOWN, D("18"), D("20"), D("20")) is None
    assert progress.category_of(None, reported=True) == Category.NOT_MEASURABLE


def test_rounding_is_half_away_from_zero_to_two_decimals():
    assert progress.achievement(UP, D("0.01"), D("8")) == D("0.13")
    assert progress.achievement(UP, D("9.1"), D("10")) == D("91.00")


@pytest.mark.parametrize(
    ("value", "category"),
    [
        ("0", Category.VERY_LOW),
        ("-40", Category.VERY_LOW),
        ("50", Category.VERY_LOW),
        ("50.004", Category.VERY_LOW),
        ("50.01", Category.LOW),
        ("51", Category.LOW),
        ("65", Category.LOW),
        ("65.99", Category.LOW),
        ("66", Category.MEDIUM),
        ("75", Category.MEDIUM),
        ("75.99", Category.MEDIUM),
        ("76", Category.HIGH),
        ("90", Category.HIGH),
        ("90.5", Category.HIGH),
        ("90.99", Category.HIGH),
        ("90.995", Category.VERY_HIGH),
        ("91", Category.VERY_HIGH),
        ("130", Category.VERY_HIGH),
    ],
)
def test_category_bands_have_continuous_edges(value, category):
    assert progress.category_of(D(value)) == category


def test_signal_groups_the_categories():
    assert [c.signal for c in Category] == [
        Signal.ON_TRACK,
        Signal.ON_TRACK,
        Signal.NEEDS_ATTENTION,
        Signal.OFF_TRACK,
        Signal.OFF_TRACK,
        Signal.NO_DATA,
        Signal.NO_DATA,
    ]
    assert Signal.OFF_TRACK.categories == [Category.LOW, Category.VERY_LOW]
    assert Category.VERY_HIGH.colour == "success"
    assert Signal.OFF_TRACK.colour == "danger"


def test_category_labels_are_indonesian():
    assert str(Category.VERY_HIGH.label) == "sangat tinggi"
    assert str(Category.VERY_LOW.label) == "sangat rendah"
    assert str(Category.NO_DATA.label) == "tidak ada data"


def test_mean_counts_each_indicator_between_0_and_100_percent():
    assert progress.mean_achievement([D("130"), D("10")]) == D("55.00")
    assert progress.mean_achievement([D("-40"), D("80")]) == D("40.00")
    assert progress.mean_achievement([None, D("80")]) == D("80.00")
    assert progress.mean_achievement([D("50"), D("50.01")]) == D("50.01")
    assert progress.mean_achievement([None]) is None


def test_budget_realised_as_of_a_quarter_and_absorption():
    quarters = [100_000_000, 150_000_000, 0, 50_000_000]

    assert progress.budget_realized_as_of(quarters, 2) == 250_000_000
    assert progress.budget_realized_as_of(quarters, 4) == 300_000_000
    assert progress.absorption(83_250_000, 1_250_000_000) == D("6.66")
    assert progress.absorption(0, 0) is None
    assert progress.absorption(5, 0) is None


def test_completeness_is_the_share_of_programmes_that_reported():
    assert progress.completeness(2, 3) == D("66.67")
    assert progress.completeness(0, 0) is None


# --- SQL agrees with Python ---------------------------------------------------------------

# (direction, aggregation, annual target, baseline, {quarter: "realised" or
#  "quarter target/realised"}, as of quarter, realised, expected, achievement, category)
CASES = [
    (UP, SUM, "100", None, {1: "20", 2: "30"}, 2, "50", "50", "100.00", "very_high"),
    (UP, SUM, "100", None, {1: "20", 3: "10"}, 3, "30", "75", "40.00", "very_low"),
    (UP, SUM, "100", None, {2: "20"}, 1, None, "25", None, "no_data"),
    (UP, SUM, "10", None, {1: "2"}, 1, "2", "2.5", "80.00", "high"),
    (UP, CUMULATIVE, "200", None, {1: "40", 2: "90"}, 3, "90", "150", "60.00", "low"),
    (UP, LATEST, "80", None, {1: "60", 2: "70"}, 2, "70", "80", "87.50", "high"),
    (UP, SUM, "100", None, {1: "10", 2: "40/20"}, 2, "30", "40", "75.00", "medium"),
    (UP, SUM, "0", None, {1: "5"}, 1, "5", "0", None, "not_measurable"),
    (UP, SUM, "100", None, {1: "0/5"}, 1, "5", "0", None, "not_measurable"),
    (DOWN, LATEST, "15", "20", {2: "18"}, 2, "18", "15", "40.00", "very_low"),
    (DOWN, LATEST, "20", "20", {2: "18"}, 2, "18", "20", None, "not_measurable"),
    (DOWN, SUM, "100", "200", {1: "30"}, 1, "30", "25", "80.00", "high"),
    (DOWN, LATEST, "15", "20", {1: "22"}, 1, "22", "15", "-40.00", "very_low"),
    (UP, SUM, "10", None, {1: "3", 2: "3", 3: "3", 4: "4"}, 4, "13", "10", "130.00", "very_high"),
    (UP, LATEST, "10", None, {1: "9.1"}, 1, "9.1", "10", "91.00", "very_high"),
    (UP, LATEST, "3", None, {1: "2"}, 1, "2", "3", "66.67", "medium"),
    (UP, LATEST, "8", None, {1: "0.01"}, 1, "0.01", "8", "0.13", "very_low"),
    (UP, LATEST, "100", None, {1: "50.01"}, 1, "50.01", "100", "50.01", "low"),
    (UP, LATEST, "100", None, {1: "90.5"}, 1, "90.5", "100", "90.50", "high"),
]


def _indicator(direction, aggregation, target, baseline, values, program=None):
    indicator = IndicatorFactory(
        direction=direction,
        aggregation=aggregation,
        target=D(target),
        baseline=_d(baseline),
        **({"program": program} if program else {}),
    )
    for quarter, value in values.items():
        quarter_target, _, realized = (value or "").rpartition("/")
        IndicatorValueFactory(
            indicator=indicator,
            quarter=quarter,
            target=_d(quarter_target or None),
            realized=_d(realized or None),
        )
    return indicator


def _d(text):
    return None if text is None else D(text)


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case[0]}-{case[1]}-{case[8]}")
def test_python_and_sql_agree_on_indicators(case):
    *definition, quarter, realized, expected, value, category = case
    indicator = _indicator(*definition)

    python = progress.indicator_progress(indicator, quarter)
    sql = progress.indicators_with_progress(Indicator.objects.all(), quarter).get()

    assert python.realized == sql.realized_as_of == _d(realized)
    assert python.expected == sql.expected == _d(expected)
    assert python.achievement == sql.achievement == _d(value)
    assert python.category == Category(category)
    reported = sql.realized_as_of is not None
    assert progress.category_of(sql.achievement, reported=reported) == Category(category)


@pytest.mark.django_db
def test_sql_category_filter_selects_the_same_rows_as_python():
    for case in CASES:
        _indicator(*case[:5])
    indicators = progress.indicators_with_progress(Indicator.objects.all(), 4)
    python = {
        indicator.pk: progress.indicator_progress(indicator, 4).category
        for indicator in Indicator.objects.all()
    }

    for category in Category:
        selected = indicators.filter(
            progress.category_q(category, "achievement", realized="realized_as_of")
        )
        assert set(selected.values_list("pk", flat=True)) == {
            pk for pk, found in python.items() if found == category
        }, category


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["50", "50.01", "65.99", "66", "75.99", "76", "90.99", "91"])
def test_sql_category_filter_keeps_band_edges(value):
    IndicatorFactory(aggregation=LATEST, target=D("100"))
    _indicator(UP, LATEST, "100", None, {1: value})
    indicators = progress.indicators_with_progress(Indicator.objects.all(), 1)

    matches = [
        category
        for category in Category
        if indicators.filter(
            progress.category_q(category, "achievement", realized="realized_as_of"),
            realized_as_of__isnull=False,
        ).exists()
    ]

    assert matches == [progress.category_of(D(value))]


@pytest.mark.django_db
def test_programme_rollup_in_sql_matches_python(district_x):
    program = ProgramFactory(
        budget_ceiling=1_250_000_000,
        budget_realized_q1=50_000_000,
        budget_realized_q2=33_250_000,
        budget_realized_q3=400_000_000,
    )
    program.target_villages.set(VillageFactory.create_batch(3, district=district_x))
    # 130% counts as 100%, 40% as 40%, the unreported one not at all.
    _indicator(UP, SUM, "100", None, {1: "60", 2: "70"}, program)
    _indicator(DOWN, LATEST, "15", "20", {2: "18"}, program)
    _indicator(UP, SUM, "100", None, {}, program)
    empty = ProgramFactory(budget_ceiling=0)

    rows = {p.pk: p for p in programme_progress.programs_with_progress(Program.objects.all(), 2)}

    row = rows[program.pk]
    assert row.budget_realized == 83_250_000
    assert row.absorption == D("6.66")
    assert row.indicator_count == 3
    assert row.villages_reached == 3
    assert row.mean_achievement == D("70.00")
    expected_mean = progress.mean_achievement(
        progress.indicator_progress(indicator, 2).achievement
        for indicator in program.indicators.all()
    )
    assert row.mean_achievement == expected_mean
    assert rows[empty.pk].absorption is None
    assert rows[empty.pk].mean_achievement is None
    assert rows[empty.pk].indicator_count == 0


@pytest.mark.django_db
def test_agency_and_strategy_rollups_average_programme_means_without_multiplying_rows(
    district_x,
):
    agency = AgencyFactory()
    other = AgencyFactory()
    idle = AgencyFactory()
    strategy = StrategyFactory(number=1)
    first = ProgramFactory(
        agency=agency, strategy=strategy, budget_ceiling=1000, budget_realized_q1=100
    )
    first.target_villages.set(VillageFactory.create_batch(2, district=district_x))
    _indicator(UP, LATEST, "100", None, {1: "80"}, first)
    _indicator(UP, LATEST, "100", None, {1: "60"}, first)
    second = ProgramFactory(
        agency=agency, strategy=strategy, budget_ceiling=3000, budget_realized_q1=900
    )
    _indicator(UP, LATEST, "100", None, {2: "50"}, second)
    ProgramFactory(agency=other, strategy=strategy, budget_ceiling=500)
    ProgramFactory(agency=idle, strategy=strategy, year=2023)
    programs = Program.objects.filter(year=2024)

    agencies = {
        a.pk: a for a in programme_progress.agencies_with_progress(Agency.objects, programs, 1)
    }

    assert set(agencies) == {agency.pk, other.pk}
    row = agencies[agency.pk]
    assert row.program_count == 2
    assert row.budget_ceiling == 4000
    assert row.budget_realized == 1000
    assert row.absorption == D("25.00")
    # Programme means: (80 + 60) / 2 = 70 and none yet for the second.
    assert row.mean_achievement == D("70.00")
    assert row.reported_count == 1
    assert row.completeness == D("50.00")
    assert agencies[other.pk].mean_achievement is None
    assert agencies[other.pk].completeness == D("0.00")

    assert (row.rank, agencies[other.pk].rank) == (1, 2)

    empty_strategy = StrategyFactory(number=2)
    row, empty = programme_progress.strategies_with_progress(
        Strategy.objects.order_by("number"), programs, 2
    )
    assert empty.pk == empty_strategy.pk
    assert (empty.program_count, empty.budget_ceiling, empty.mean_achievement) == (0, 0, None)
    assert row.program_count == 3
    assert row.agency_count == 2
    assert row.budget_ceiling == 4500
    assert row.budget_realized == 1000
    # As of Q II the second programme has 50%: (70 + 50) / 2.
    assert row.mean_achievement == D("60.00")
    assert row.reported_count == 1


@pytest.mark.django_db
def test_reporting_completeness_lists_programmes_and_villages_without_a_value(district_x):
    reported = ProgramFactory()
    _indicator(UP, SUM, "100", None, {2: "5"}, reported)
    earlier_only = ProgramFactory()
    _indicator(UP, SUM, "100", None, {1: "5", 2: None}, earlier_only)
    no_indicators = ProgramFactory()

    missing = programme_progress.programs_not_reported(Program.objects.all(), 2)

    assert set(missing) == {earlier_only, no_indicators}
    assert programme_progress.program_reported(reported, 2)
    assert not programme_progress.program_reported(earlier_only, 2)

    with_data = VillageFactory(district=district_x)
    VillageDataFactory(village=with_data, year=2024)
    other_year = VillageFactory(district=district_x)
    VillageDataFactory(village=other_year, year=2023)

    assert set(villages_without_data(Village.objects.all(), 2024)) == {other_year}


# --- period defaults ----------------------------------------------------------------------


@pytest.fixture
def jakarta_new_year(monkeypatch):
    # 31 December 18:00 UTC is already 1 January in Barito Timur (WIB, UTC+7).
    moment = datetime.datetime(2024, 12, 31, 18, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(periods.timezone, "now", lambda: moment)


@pytest.mark.django_db
def test_default_year_is_the_latest_year_with_programmes(jakarta_new_year):
    assert periods.default_year() == 2025
    ProgramFactory(year=2023)
    ProgramFactory(year=2022)
    dataversion.bump()  # as the write services do

    assert periods.default_year() == 2023
    assert periods.program_years() == [2023, 2022]


def test_default_quarter_follows_the_calendar_in_wib(jakarta_new_year):
    assert periods.default_quarter(2024) == 4
    assert periods.default_quarter(2025) == 1
    assert periods.default_quarter(2026) == 1
    assert periods.quarter_of(datetime.date(2025, 8, 17)) == 3


@pytest.mark.django_db
def test_program_years_of_a_narrowed_queryset_and_of_none(agency_a, agency_b):
    # The years of any queryset of programmes (periods.program_years), none for none.
    for year in (2020, 2022, 2024):
        ProgramFactory(year=year, agency=agency_a)
    ProgramFactory(year=2023, agency=agency_b)

    assert periods.program_years() == [2024, 2023, 2022, 2020]
    assert periods.program_years(Program.objects.filter(agency=agency_b)) == [2023]
    assert periods.program_years(Program.objects.none()) == []
