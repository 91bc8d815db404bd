"""The dashboard and the meeting report show the demo year's numbers (load_demo's 2024):
every figure checked here is computed in the test from the stored rows, with the test's own
arithmetic for the rules of docs/progress.md and docs/poverty-pockets.md, over what the
leaders' pages count by default: approved plans, and the realisations of verified quarters."""

from collections import defaultdict
from decimal import Decimal

import pytest
from django.urls import reverse

from bartim.models import Agency, ReviewStatus
from demo.demo import demo_load
from helpers.formatting import format_number, format_percent, format_rupiah
from indicators.models import Indicator, IndicatorValue
from programs.models import Program, QuarterReport, Strategy
from programs.progress import counted_plans, strategies_with_progress
from tests.meeting_helpers import figure, percent2, sheet_rows, table_rows, workbook
from villages.models import PovertyStatistic, VillageData

YEAR = 2024
QUARTER = 4  # the demo year is in the past and reports reach Q IV: the default quarter


@pytest.fixture
def demo_year(reference_data):
    demo_load(year=YEAR)


@pytest.fixture
def viewer(client, viewer_user, demo_year):
    client.force_login(viewer_user)
    return client


def _counted():
    """The programmes the pages count by default: those whose plan is approved."""
    return Program.objects.filter(year=YEAR, status="approved")


def _ceiling_at_year_end(program):
    """As of Q IV the revised ceiling is in force wherever the budget was revised."""
    if program.budget_ceiling_revised is not None:
        return program.budget_ceiling_revised
    return program.budget_ceiling


def _verified(quarter):
    """The programmes whose report of `quarter` is verified."""
    return set(
        QuarterReport.objects.filter(quarter=quarter, status="approved").values_list(
            "program_id", flat=True
        )
    )


def _realised(program) -> int:
    """Budget realised up to QUARTER, counting only the verified quarters."""
    return sum(
        getattr(program, f"budget_realized_q{quarter}")
        for quarter in range(1, QUARTER + 1)
        if program.pk in _verified(quarter)
    )


def _achievement(indicator, values, quarter):
    reported = {
        v.quarter: v.realized for v in values if v.quarter <= quarter and v.realized is not None
    }
    if not reported:
        return None
    # A sum adds the quarters up; a running total and a latest value take the last one.
    realized = sum(reported.values()) if indicator.aggregation == "sum" else reported[max(reported)]
    quarter_target = next((v.target for v in values if v.quarter == quarter), None)
    share = Decimal(quarter) / 4
    if quarter_target is not None:
        expected = quarter_target
    elif indicator.aggregation == "latest":
        expected = indicator.target
    else:
        expected = indicator.target * share
    if indicator.direction == "up":
        return None if expected == 0 else percent2(realized * 100 / expected)
    baseline = (
        indicator.baseline if indicator.aggregation == "latest" else indicator.baseline * share
    )
    if baseline == expected:
        return None
    return percent2((baseline - realized) * 100 / (baseline - expected))


def _programme_means(quarter):
    """The mean achievement of each counted programme whose report of `quarter` is verified."""
    values = defaultdict(list)
    for value in IndicatorValue.objects.filter(indicator__program__year=YEAR):
        values[value.indicator_id].append(value)
    by_program = defaultdict(list)
    counted = _verified(quarter) & set(_counted().values_list("pk", flat=True))
    for indicator in Indicator.objects.filter(program__in=counted):
        result = _achievement(indicator, values[indicator.pk], quarter)
        if result is not None:
            by_program[indicator.program_id].append(min(max(result, Decimal(0)), Decimal(100)))
    return {pk: percent2(sum(found) / len(found)) for pk, found in by_program.items()}


def _category(value):
    if value is None:
        return "no data"
    if value >= 91:
        return "very high"
    if value >= 76:
        return "high"
    if value >= 66:
        return "medium"
    if value > 50:
        return "low"
    return "very low"


def _pockets():
    rate = PovertyStatistic.objects.get(year=YEAR).poverty_rate
    return {
        data.village.name
        # Only approved village data counts on the leaders' pages.
        for data in VillageData.objects.filter(
            year=YEAR, status=ReviewStatus.APPROVED
        ).select_related("village")
        if data.population
        and Decimal(data.poor_people) * 100 / data.population >= rate
        and data.poor_households >= 20
    }


def test_strategy_cards_show_each_strategys_programmes_and_budget(viewer):
    response = viewer.get(reverse("reports:dashboard"))

    assert response.status_code == 200
    for number in (1, 2, 3):
        programs = list(_counted().filter(strategy=number))
        ceiling = sum(_ceiling_at_year_end(p) for p in programs)
        realized = sum(_realised(p) for p in programs)
        assert figure(response, number, "programs") == str(len(programs))
        assert figure(response, number, "agencies") == str(len({p.agency_id for p in programs}))
        assert figure(response, number, "pagu") == format_rupiah(ceiling)
        assert figure(response, number, "realised") == format_rupiah(realized)
        assert figure(response, number, "absorption") == format_percent(
            percent2(Decimal(realized) * 100 / ceiling)
        )
    # Indonesian: Rp with dots between thousands, a comma before the decimals.
    assert figure(response, 1, "pagu").startswith("Rp") and "." in figure(response, 1, "pagu")
    assert "," in figure(response, 1, "absorption")


def test_strategy_cards_show_the_mean_of_programme_means_and_its_category(viewer):
    means = _programme_means(QUARTER)

    response = viewer.get(reverse("reports:dashboard"))

    for number in (1, 2, 3):
        found = [means[p.pk] for p in _counted().filter(strategy=number) if p.pk in means]
        mean = percent2(sum(found) / len(found))
        assert figure(response, number, "achievement") == format_percent(mean)
        label = {"very high": "sangat tinggi", "high": "tinggi", "medium": "sedang"}.get(
            _category(mean), _category(mean)
        )
        assert figure(response, number, "category") == label


def test_programmes_off_track_are_those_with_a_low_or_very_low_mean(viewer):
    # As of Q III, which most approved plans have verified.
    means = _programme_means(3)
    names = {p.pk: p.name for p in Program.objects.filter(year=YEAR)}
    expected = {names[pk] for pk, mean in means.items() if _category(mean) in ("low", "very low")}
    assert expected  # the demo has lagging programmes, so the test can fail

    response = viewer.get(reverse("reports:dashboard"), {"year": YEAR, "quarter": 3})

    headers, rows = table_rows(response, "off-track-table")
    shown = {row[0]: row for row in rows}
    assert set(shown) == expected
    for pk, name in names.items():
        if name in expected:
            assert shown[name][headers.index("Rata-rata capaian")] == format_percent(means[pk])
            assert (
                f'href="{reverse("programs:program_detail", args=[pk])}"'
                in response.content.decode()
            )


def test_agencies_that_have_not_reported_the_quarter(viewer):
    reported = set(
        IndicatorValue.objects.filter(
            indicator__program__year=YEAR, quarter=QUARTER, realized__isnull=False
        ).values_list("indicator__program_id", flat=True)
    ) & _verified(QUARTER)
    missing = [p for p in _counted().select_related("agency") if p.pk not in reported]
    assert missing
    # Agencies marked as reporting every year with no approved plan in the year have nothing.
    without_programmes = set(
        Agency.objects.filter(must_report=True, is_active=True)
        .exclude(pk__in=_counted().values("agency"))
        .values_list("name", flat=True)
    )
    assert without_programmes

    # The report lists them all (the dashboard its first ten).
    response = viewer.get(reverse("reports:meeting_report", args=[YEAR]))

    _headers, rows = table_rows(response, "not-reported-table")
    assert {row[0] for row in rows} == {p.agency.name for p in missing} | without_programmes
    for program in missing:
        assert any(program.name in row[3] for row in rows), program.name


def test_pockets_follow_the_rule_and_unreached_ones_are_flagged(viewer):
    pockets = _pockets()
    reached = set(
        Program.target_villages.through.objects.filter(program__in=_counted()).values_list(
            "village__name", flat=True
        )
    )

    response = viewer.get(reverse("reports:meeting_report", args=[YEAR]))

    headers, rows = table_rows(response, "pocket-table")
    assert {row[0] for row in rows} == pockets
    # The registry's family columns follow "Terjangkau".
    reached_column = headers.index("Terjangkau")
    unreached = {row[0] for row in rows if row[reached_column] == "tidak ada program"}
    assert unreached == pockets - reached
    assert len(unreached) >= 1


def test_the_report_xlsx_holds_the_same_figures(viewer):
    means = _programme_means(QUARTER)
    response = viewer.get(reverse("reports:meeting_report", args=[YEAR]), {"_export": "xlsx"})

    book = workbook(response)
    strategies = sheet_rows(book, "Strategi")
    for row in strategies:
        programs = _counted().filter(strategy=row["No."])
        assert row["Pagu (Rp)"] == sum(_ceiling_at_year_end(p) for p in programs)
        assert isinstance(row["Pagu (Rp)"], int)
    off_track = sheet_rows(book, "Tertinggal")
    names = {p.pk: p.name for p in Program.objects.filter(year=YEAR)}
    assert {row["Program"] for row in off_track} == {
        names[pk] for pk, mean in means.items() if _category(mean) in ("low", "very low")
    }
    for row in off_track:
        assert isinstance(row["Rata-rata capaian (%)"], int | float)
    pockets = sheet_rows(book, "Kantong kemiskinan")
    assert {row["Desa/kelurahan"] for row in pockets} == _pockets()
    trend = {row["Tahun"]: row for row in sheet_rows(book, "Tren BPS")}
    assert trend[2024]["Penduduk miskin"] == PovertyStatistic.objects.get(year=2024).poor_people


def test_the_report_agrees_with_the_sql_rollup_on_the_plans_it_counts(viewer):
    """The meeting groups the year's programmes in Python (progress.rollup); the strategy
    table's SQL rollup over the same approved plans gives the same plan figures."""
    plans = counted_plans(Program.objects.filter(year=YEAR))
    sql = strategies_with_progress(Strategy.objects.order_by("number"), plans, QUARTER)
    report = viewer.get(reverse("reports:meeting_report", args=[YEAR]), {"quarter": QUARTER})

    _headers, strategy_rows = table_rows(report, "strategy-table")
    assert [row[1] for row in strategy_rows] == [format_number(s.program_count) for s in sql]
    assert [row[3] for row in strategy_rows] == [format_rupiah(s.budget_ceiling) for s in sql]
