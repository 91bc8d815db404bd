"""What the public sees of a year, gathered once for the public page, the open data and the
API's summaries: each strategy's programmes with their agency, budget, absorption and
achievement category, and the share of the poverty pockets they reach.

The rules are asked, not restated: which years and records a reader sees
(`bartim.access.readable`, the public: published years and verified records only), which
plans and quarters count (`programs.progress.counted_plans`, verified only), how
achievement and absorption are computed (`programs.progress.programs_with_figures`,
`indicators.progress`), what a pocket is and what reaches it (`reports.targeting`).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max
from django.utils.http import urlencode

from bartim import access
from bartim.models import Quarter, ReviewStatus
from helpers import dataversion
from indicators import progress
from programs import periods
from programs import progress as programme_progress
from programs.models import Program, QuarterReport, Strategy
from reports import maps
from reports.targeting import targeting_check


@dataclass(frozen=True)
class ProgramFigures:
    strategy: int
    name: str
    agency: str
    budget_ceiling: int
    budget_realized: int
    absorption: Decimal | None
    mean_achievement: Decimal | None
    category: str
    target_villages: int
    pockets_reached: int

    @property
    def category_label(self) -> str:
        return progress.Category(self.category).label


@dataclass
class StrategyFigures:
    number: int
    name: str
    programs: list[ProgramFigures] = field(default_factory=list)
    budget_ceiling: int = 0
    budget_realized: int = 0
    absorption: Decimal | None = None
    mean_achievement: Decimal | None = None
    category: str = progress.Category.NO_DATA
    agency_count: int = 0
    pockets_reached: int = 0

    @property
    def category_label(self) -> str:
        return progress.Category(self.category).label


@dataclass
class YearFigures:
    """One year's figures as the reader may see them, as of `quarter` (the last quarter
    with a verified report; None when no quarter has one yet)."""

    year: int
    quarter: int | None
    strategies: list[StrategyFigures]
    villages_with_data: int
    pockets: int
    pockets_reached: int

    @property
    def pockets_share(self) -> float | None:
        return self.pockets_reached * 100 / self.pockets if self.pockets else None

    @property
    def quarter_label(self) -> str:
        return str(Quarter(self.quarter).label) if self.quarter else ""

    @property
    def program_count(self) -> int:
        return sum(len(strategy.programs) for strategy in self.strategies)


def years_for(user) -> list[int]:
    """The years `user` reads, newest first: the published ones for the public, every year
    with programmes for an account."""
    if access.is_public(user):
        return access.published_years()
    if not access.may_read(user, Program):
        return []
    return periods.program_years(access.readable(user, Program.objects.all()))


def _verified_quarter(programs) -> int | None:
    """The last quarter of which one of `programs` has a verified report."""
    return QuarterReport.objects.filter(
        program__in=programs.values("pk"), status=ReviewStatus.APPROVED
    ).aggregate(latest=Max("quarter"))["latest"]


def _category(mean, reported: bool) -> str:
    return progress.category_of(mean, reported=reported).value


def _year_figures(user, year: int) -> YearFigures:
    programs = programme_progress.counted_plans(
        access.readable(user, Program.objects.all()).filter(year=year)
    )
    quarter = _verified_quarter(programs)
    rows = list(
        programme_progress.programs_with_figures(programs, quarter or 1, counted=False)
        .select_related("agency")
        .order_by("strategy", "name", "pk")
    )
    check = targeting_check(user=user, year=year)
    pockets = [row for row in check.villages if row.is_pocket]
    reached_by_program: dict[int, int] = {}
    for row in pockets:
        for cell in row.by_strategy:
            for ref in cell.programs:
                reached_by_program[ref.id] = reached_by_program.get(ref.id, 0) + 1
    targets = dict(
        Program.target_villages.through.objects.filter(program__in=programs.values("pk"))
        .values("program")
        .annotate(n=Count("village"))
        .values_list("program", "n")
    )

    strategies = []
    for index, strategy in enumerate(Strategy.objects.order_by("number")):
        own = [row for row in rows if row.strategy_id == strategy.number]
        figures = progress.rollup(own)
        strategies.append(
            StrategyFigures(
                number=strategy.number,
                name=strategy.name,
                programs=[
                    ProgramFigures(
                        strategy=strategy.number,
                        name=row.name,
                        agency=str(row.agency),
                        budget_ceiling=row.ceiling_in_force,
                        budget_realized=row.budget_realized,
                        absorption=progress.round_percent(row.absorption),
                        mean_achievement=progress.round_percent(row.mean_achievement),
                        category=_category(row.mean_achievement, row.reported),
                        target_villages=targets.get(row.pk, 0),
                        pockets_reached=reached_by_program.get(row.pk, 0),
                    )
                    for row in own
                ],
                budget_ceiling=figures.budget_ceiling,
                budget_realized=figures.budget_realized,
                absorption=progress.round_percent(figures.absorption),
                mean_achievement=progress.round_percent(figures.mean_achievement),
                category=_category(figures.mean_achievement, bool(figures.reported_count)),
                agency_count=figures.agency_count,
                pockets_reached=sum(1 for row in pockets if row.by_strategy[index].programs),
            )
        )
    return YearFigures(
        year=year,
        quarter=quarter,
        strategies=strategies,
        villages_with_data=check.regency_villages_with_data,
        pockets=len(pockets),
        pockets_reached=sum(1 for row in pockets if row.reached),
    )


def year_figures(user, year: int) -> YearFigures | None:
    """`year`'s figures as `user` may read them, or None for a year he does not read (an
    unpublished year for the public). Kept per data version: the public page is the page
    anyone may open, as often as he likes."""
    if year not in years_for(user):
        return None
    reader = ("public",) if access.is_public(user) else dataversion.visibility_key(user)
    return dataversion.cached(("public-year", *reader, year), lambda: _year_figures(user, year))


def village_map(year: int, layer: str) -> maps.VillageMapSection:
    """The public page's village map of a published `year`: the same map and layers as the
    dashboard's, drawn from what the public reads, its villages linking nowhere (the pages
    behind them need an account). Kept per data version, year, layer and language."""

    def draw():
        check = targeting_check(user=access.PUBLIC, year=year)
        return maps.village_map_section(
            check,
            layer,
            url_for=lambda key: f"?{urlencode({'year': year, 'map': key})}#public-pockets-map",
            map_id="public-village-map",
            linked=False,
            layers=maps.PUBLIC_LAYERS,
        )

    return dataversion.cached(("public-map", year, layer), draw)
