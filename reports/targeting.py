"""The targeting check (tepat sasaran), documented in docs/targeting.md.

For one year, and optionally one kecamatan, it answers: which programmes, under which
strategy, list each village among their target villages; which poverty pockets no programme
reaches or reaches under only some strategies; how many of the regency's poor households
live in villages no programme reaches; and, the other way round, which programmes miss every
pocket or name no target village at all.

The check pays a fixed number of queries whatever the number of villages or programmes: the
pocket rule, the village data of the year with the pocket flag, the programmes of the year,
their target-village links, the strategies and the kecamatan, one query each. Everything
else is put together in Python from those rows.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from bartim import access
from bartim.models import District
from families.measures import VILLAGE, Measures, family_measures
from families.models import RegistrySnapshot
from programs.models import Program, Strategy
from programs.progress import (
    UNVERIFIED,
    ceiling_in_force_expression,
    counted_plans,
    programs_with_figures,
)
from villages.figures import counted_village_data
from villages.models import PocketRule, VillageData
from villages.pockets import SOURCE_LABELS, annotate_pockets, rule_sentence


@dataclass(frozen=True)
class ProgramRef:
    id: int
    name: str
    strategy_number: int
    agency_name: str
    agency_abbreviation: str
    budget_ceiling: int
    # Counted under "all submitted": its plan is submitted or returned, not approved.
    unverified: bool = False
    # The mean achievement as of the check's quarter, where the check asks for it (None: not
    # reported, or the quarter does not count).
    achievement: float | None = None

    @property
    def agency_label(self) -> str:
        return self.agency_abbreviation or self.agency_name


@dataclass(frozen=True)
class StrategyPrograms:
    strategy: Strategy
    programs: list[ProgramRef]


@dataclass
class VillageRow:
    village_id: int
    code: str
    name: str
    district_id: int
    district_code: str
    district_name: str
    population: int
    poor_households: int
    poverty_rate: float | None
    is_pocket: bool
    by_strategy: list[StrategyPrograms]
    # Counted under "all submitted": the village data is submitted or returned, not approved.
    unverified: bool = False
    # The village's family measures (with_families), from the registry snapshot the check
    # names; None until they are joined, or without a confirmed snapshot.
    families: Measures | None = None

    @property
    def reached(self) -> bool:
        return any(cell.programs for cell in self.by_strategy)

    @property
    def missing_strategies(self) -> list[Strategy]:
        return [cell.strategy for cell in self.by_strategy if not cell.programs]

    @property
    def pocket_unreached(self) -> bool:
        return self.is_pocket and not self.reached

    @property
    def pocket_missing_strategies(self) -> bool:
        """A pocket some programme reaches, but not under every strategy. A pocket no
        programme reaches misses them all and carries the stronger flag instead."""
        return self.is_pocket and self.reached and bool(self.missing_strategies)


@dataclass
class ProgramFinding:
    program: ProgramRef
    strategy: Strategy
    target_villages: int
    targets_without_data: int


@dataclass(frozen=True)
class StrategyTotals:
    strategy: Strategy
    programs: int
    budget_ceiling: int


@dataclass
class DistrictSummary:
    district_id: int | None
    code: str
    name: str
    villages_with_data: int = 0
    poor_households: int = 0
    uncovered_poor_households: int = 0
    pockets: int = 0
    pockets_reached: int = 0
    by_strategy: list[StrategyTotals] = field(default_factory=list)

    @property
    def pockets_unreached(self) -> int:
        return self.pockets - self.pockets_reached

    @property
    def uncovered_share(self) -> float | None:
        return _share(self.uncovered_poor_households, self.poor_households)


@dataclass
class TargetingCheck:
    year: int
    district: District | None
    strategies: list[Strategy]
    villages: list[VillageRow]
    programs_without_pocket: list[ProgramFinding]
    programs_without_target: list[ProgramFinding]
    districts: list[DistrictSummary]
    total: DistrictSummary
    regency_villages_with_data: int
    regency_poor_households: int
    regency_uncovered_poor_households: int
    rule: PocketRule
    pocket_threshold: float | None
    pocket_threshold_source: str | None
    # Whether submitted and returned plans count too (marked), not only approved ones.
    unverified: bool = False
    # The registry snapshot of the villages' family columns (with_families), if any.
    family_snapshot: RegistrySnapshot | None = None

    @property
    def has_village_data(self) -> bool:
        """Whether any village of the regency has data for the year; the chosen kecamatan
        may still have none."""
        return self.regency_villages_with_data > 0

    @property
    def pocket_threshold_label(self):
        return SOURCE_LABELS.get(self.pocket_threshold_source, "")

    @property
    def rule_sentence(self) -> str:
        return rule_sentence(self.rule, self.pocket_threshold, self.pocket_threshold_label)

    @property
    def pockets(self) -> list[VillageRow]:
        return [row for row in self.villages if row.is_pocket]

    @property
    def uncovered_pockets(self) -> list[VillageRow]:
        return [row for row in self.villages if row.pocket_unreached]

    @property
    def partly_covered_pockets(self) -> list[VillageRow]:
        return [row for row in self.villages if row.pocket_missing_strategies]

    @property
    def regency_uncovered_share(self) -> float | None:
        """Poor households in villages no programme reaches, as a percentage of the poor
        households of every village with data for the year (the whole regency, whatever
        kecamatan is chosen)."""
        return _share(self.regency_uncovered_poor_households, self.regency_poor_households)


@dataclass
class TargetingSummary:
    """The short version for the dashboard and the meeting report."""

    year: int
    has_village_data: bool
    pockets: int
    uncovered_pockets: list[VillageRow]
    uncovered_pocket_count: int
    partly_covered_pockets: int
    poor_households: int
    uncovered_poor_households: int
    uncovered_share: float | None


def _share(part: int, whole: int) -> float | None:
    return part * 100 / whole if whole else None


def _village_data(user, year, rule, unverified: bool):
    counted = counted_village_data(VillageData.objects.all(), unverified=unverified)
    return (
        annotate_pockets(access.readable(user, counted.filter(year=year)), rule, rate_over=counted)
        .order_by()
        .values(
            "village_id",
            "village__code",
            "village__name",
            "village__district_id",
            "village__district__code",
            "village__district__name",
            "population",
            "poor_households",
            "poverty_rate_pct",
            "pocket_threshold",
            "pocket_threshold_source",
            "is_pocket",
            "status",
        )
    )


def _village_rows(data, strategies, programs_by_village) -> list[VillageRow]:
    rows = []
    for item in data:
        reaching = programs_by_village.get(item["village_id"], [])
        rows.append(
            VillageRow(
                village_id=item["village_id"],
                code=item["village__code"],
                name=item["village__name"],
                district_id=item["village__district_id"],
                district_code=item["village__district__code"],
                district_name=item["village__district__name"],
                population=item["population"],
                poor_households=item["poor_households"],
                poverty_rate=item["poverty_rate_pct"],
                # SQLite hands a CASE back as 0/1.
                is_pocket=bool(item["is_pocket"]),
                unverified=item["status"] in UNVERIFIED,
                by_strategy=[
                    StrategyPrograms(
                        strategy,
                        [ref for ref in reaching if ref.strategy_number == strategy.number],
                    )
                    for strategy in strategies
                ],
            )
        )
    rows.sort(key=lambda row: (not row.is_pocket, -row.poor_households, row.code))
    return rows


def _counted_programs(user, year, unverified: bool):
    return counted_plans(
        access.readable(user, Program.objects.all()).filter(year=year), unverified=unverified
    )


def program_refs(
    user, year: int, unverified: bool, *, quarter: int | None = None
) -> dict[int, ProgramRef]:
    """The year's counted programmes as the checks list them (this one and the basic-needs
    check), by OPD as its label reads, then by name; with `quarter`, each with its mean
    achievement as of that quarter."""
    programs = _counted_programs(user, year, unverified)
    figures = []
    if quarter is not None:
        programs = programs_with_figures(programs, quarter, counted=unverified)
        figures = ["mean_achievement"]
    rows = (
        programs.order_by()
        # The year's pagu: the revised one where the budget was revised.
        .annotate(ceiling=ceiling_in_force_expression())
        .values(
            "pk",
            "name",
            "strategy_id",
            "agency__name",
            "agency__abbreviation",
            "ceiling",
            "status",
            *figures,
        )
    )
    refs = [
        ProgramRef(
            id=row["pk"],
            name=row["name"],
            strategy_number=row["strategy_id"],
            agency_name=row["agency__name"],
            agency_abbreviation=row["agency__abbreviation"],
            budget_ceiling=row["ceiling"],
            unverified=row["status"] in UNVERIFIED,
            achievement=(
                None if row.get("mean_achievement") is None else float(row["mean_achievement"])
            ),
        )
        for row in rows
    ]
    refs.sort(
        key=lambda ref: (
            ref.agency_label.casefold(),
            ref.agency_name.casefold(),
            ref.name.casefold(),
            ref.id,
        )
    )
    return {ref.id: ref for ref in refs}


def _links(user, year, unverified: bool) -> list[tuple[int, int, int]]:
    """(programme, village, kecamatan) for every target village of the year's counted
    programmes."""
    through = Program.target_villages.through
    return list(
        through.objects.filter(
            program__in=_counted_programs(user, year, unverified).values("pk")
        ).values_list("program_id", "village_id", "village__district_id")
    )


def _strategy_totals(strategies, programs: list[ProgramRef]) -> list[StrategyTotals]:
    return [
        StrategyTotals(
            strategy,
            programs=sum(1 for ref in programs if ref.strategy_number == strategy.number),
            budget_ceiling=sum(
                ref.budget_ceiling for ref in programs if ref.strategy_number == strategy.number
            ),
        )
        for strategy in strategies
    ]


def _summarise(summary: DistrictSummary, rows: list[VillageRow]) -> DistrictSummary:
    for row in rows:
        summary.villages_with_data += 1
        summary.poor_households += row.poor_households
        if not row.reached:
            summary.uncovered_poor_households += row.poor_households
        if row.is_pocket:
            summary.pockets += 1
            summary.pockets_reached += row.reached
    return summary


def targeting_check(
    *, user, year: int, district: District | None = None, unverified: bool = False
) -> TargetingCheck:
    """The whole check for one year, restricted to one kecamatan when `district` is given.

    Programmes whose plan is approved count; with `unverified` also those submitted or
    returned, marked (programs.progress.counted_plans). A draft never counts: its agency has
    not said yet where it will work. Village data counts the same way: approved records,
    with `unverified` also submitted or returned ones, marked
    (villages.figures.counted_village_data). The regency-wide share of uncovered poor
    households is always over every village with counted data for the year.
    """
    strategies = list(Strategy.objects.order_by("number"))
    strategy_by_number = {strategy.number: strategy for strategy in strategies}
    refs = program_refs(user, year, unverified)

    targets = defaultdict(set)
    program_districts = defaultdict(set)
    programs_by_village = defaultdict(list)
    for program_id, village_id, district_id in _links(user, year, unverified):
        targets[program_id].add(village_id)
        program_districts[program_id].add(district_id)
    for program_id, ref in refs.items():
        for village_id in targets[program_id]:
            programs_by_village[village_id].append(ref)

    rule = PocketRule.current()
    data = list(_village_data(user, year, rule, unverified))
    all_rows = _village_rows(data, strategies, programs_by_village)
    rows = [row for row in all_rows if district is None or row.district_id == district.pk]
    villages_with_data = {row.village_id for row in all_rows}
    pocket_ids = {row.village_id for row in all_rows if row.is_pocket}

    without_pocket, without_target = [], []
    for ref in refs.values():
        finding = ProgramFinding(
            program=ref,
            strategy=strategy_by_number[ref.strategy_number],
            target_villages=len(targets[ref.id]),
            targets_without_data=len(targets[ref.id] - villages_with_data),
        )
        if not targets[ref.id]:
            # Without a target village a programme belongs to no kecamatan, so no kecamatan
            # filter can rule it out.
            without_target.append(finding)
        elif (
            # Without village data for the year no village is judged, so missing every
            # pocket would say nothing about a programme.
            all_rows
            and not targets[ref.id] & pocket_ids
            and (district is None or district.pk in program_districts[ref.id])
        ):
            without_pocket.append(finding)

    districts = District.objects.order_by("code")
    if district is not None:
        districts = districts.filter(pk=district.pk)
    # Grouped once: looking up every programme and village for each kecamatan took seconds
    # for a province's 150 kecamatan and 5,000 programmes a year.
    refs_by_district = defaultdict(list)
    for ref in refs.values():
        for district_id in program_districts[ref.id]:
            refs_by_district[district_id].append(ref)
    rows_by_district = defaultdict(list)
    for row in rows:
        rows_by_district[row.district_id].append(row)
    summaries = []
    for item in districts.values("pk", "code", "name"):
        summaries.append(
            _summarise(
                DistrictSummary(
                    item["pk"],
                    item["code"],
                    item["name"],
                    by_strategy=_strategy_totals(strategies, refs_by_district[item["pk"]]),
                ),
                rows_by_district[item["pk"]],
            )
        )
    shown_districts = {summary.district_id for summary in summaries}
    # The total counts a programme once however many kecamatan it reaches, so it is not
    # the sum of the kecamatan rows above it.
    total = _summarise(
        DistrictSummary(
            None,
            "",
            "",
            by_strategy=_strategy_totals(
                strategies,
                [ref for ref in refs.values() if program_districts[ref.id] & shown_districts],
            ),
        ),
        rows,
    )

    return TargetingCheck(
        year=year,
        district=district,
        strategies=strategies,
        villages=rows,
        programs_without_pocket=without_pocket,
        programs_without_target=without_target,
        districts=summaries,
        total=total,
        regency_villages_with_data=len(all_rows),
        regency_poor_households=sum(row.poor_households for row in all_rows),
        regency_uncovered_poor_households=sum(
            row.poor_households for row in all_rows if not row.reached
        ),
        rule=rule,
        # One threshold holds for every village of a year.
        pocket_threshold=data[0]["pocket_threshold"] if data else None,
        pocket_threshold_source=data[0]["pocket_threshold_source"] if data else None,
        unverified=unverified,
    )


def targeting_summary(*, user, year: int, limit: int | None = None) -> TargetingSummary:
    """Uncovered pockets (most poor households first; the first `limit` of them when given)
    and the regency's uncovered share of poor households."""
    return summarise(targeting_check(user=user, year=year), limit=limit)


def summarise(check: TargetingCheck, *, limit: int | None = None) -> TargetingSummary:
    """The summary of a check already made (the meeting needs the check's pockets too)."""
    uncovered = check.uncovered_pockets
    return TargetingSummary(
        year=check.year,
        has_village_data=check.has_village_data,
        pockets=len(check.pockets),
        uncovered_pockets=uncovered[:limit] if limit is not None else uncovered,
        uncovered_pocket_count=len(uncovered),
        partly_covered_pockets=len(check.partly_covered_pockets),
        poor_households=check.regency_poor_households,
        uncovered_poor_households=check.regency_uncovered_poor_households,
        uncovered_share=check.regency_uncovered_share,
    )


def with_families(check: TargetingCheck) -> TargetingCheck:
    """`check` with each village row's family measures (docs/targeting.md, "Families"):
    eligible families, how many of them some programme of the year reached, and the decile 1
    families none reached, from the latest confirmed registry snapshot (the one the families
    section and the map name). The per-village measures are computed once
    (families.measures: a fixed number of queries, cached under the data version) and joined
    to the rows by village; a village without a family in the registry counts zero.
    Aggregates only: no family's name."""
    snapshot = RegistrySnapshot.objects.latest_confirmed()
    check.family_snapshot = snapshot
    if snapshot is None:
        return check
    measures = family_measures(snapshot=snapshot, year=check.year, by=VILLAGE)
    by_village = {row.key: row for row in measures}
    for row in check.villages:
        row.families = by_village.get(row.village_id) or Measures(
            key=row.village_id, label=row.name
        )
    return check
