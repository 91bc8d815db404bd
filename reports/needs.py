"""The basic-needs check (kebutuhan dasar), documented in docs/targeting.md.

For one year it asks, for every village with data and every basic-needs dimension whose
deficit the village data counts (programs.NeedDimension.figure): how large the deficit is
(the count, and per 100 households), which programmes of that dimension reach the village,
with their pagu and achievement, and whether the deficit is high and no programme of its
dimension reaches the village (the flag).

The rule, in one place:
- a programme *reaches* a village as on the targeting check (reports/targeting.py): the
  village is among its target villages, it is of the year, and its plan counts
  (programs.progress.counted_plans: approved, or with `unverified` also submitted and
  returned, marked; never a draft);
- it *answers* a dimension when it names it (Program.needs);
- a deficit is *high* (villages.models.NeedRule) when the village counts at least the rule's
  minimum, and its rate is within the top share of the year's villages with data, ranked
  over the whole regency by the rate (a tie shares the better rank, so villages with equal
  rates fall in or out together); a rate of zero is never high;
- a village is *flagged* for a dimension when its deficit is high and no programme answering
  the dimension reaches it.

The check pays a fixed number of queries whatever the number of villages or programmes: the
rule, the dimensions, the year's village data, the year's counted programmes with their
figures, their target-village links, their dimensions. Ranking and matching are done in
Python from those rows.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field

from bartim import access
from bartim.models import District
from programs.models import NeedDimension, Program
from programs.progress import UNVERIFIED
from reports.targeting import ProgramRef, program_refs
from villages.figures import counted_village_data
from villages.models import NeedRule, VillageData


@dataclass
class Gap:
    """One village's deficit in one dimension, and what answers it there."""

    dimension: NeedDimension
    village_id: int
    code: str
    name: str
    district_id: int
    district_code: str
    district_name: str
    households: int
    deficit: int
    # Deficit per 100 households (None for a village without households).
    rate: float | None
    # 1 for the highest rate of the regency; equal rates share a rank.
    rank: int | None
    high: bool
    programs: list[ProgramRef]
    # The village's data is submitted or returned, counted under "all submitted" only.
    unverified: bool = False

    @property
    def reached(self) -> bool:
        return bool(self.programs)

    @property
    def flagged(self) -> bool:
        return self.high and not self.reached

    @property
    def budget_ceiling(self) -> int:
        """The whole pagu of each programme reaching the village: a programme records no
        split between its villages (as the targeting check's kecamatan summary)."""
        return sum(program.budget_ceiling for program in self.programs)


@dataclass
class DimensionNeeds:
    dimension: NeedDimension
    # Ranked: highest rate first.
    gaps: list[Gap]
    # How many of the regency's villages the top share holds (ties may add more).
    top_count: int
    # Whether the page shows the whole ranking (one need chosen) or only the top share (every
    # need at once: at a province's scale the whole of six rankings is some 9,000 rows).
    whole_ranking: bool = True

    @property
    def shown(self) -> list[Gap]:
        """The gaps the page, its exports and the totals under the heading show."""
        if self.whole_ranking:
            return self.gaps
        # A village without a deficit ties for first where no village has one: not shown.
        return [gap for gap in self.gaps if gap.rate and gap.rank <= self.top_count]

    @property
    def flagged(self) -> list[Gap]:
        return [gap for gap in self.gaps if gap.flagged]

    @property
    def high(self) -> list[Gap]:
        return [gap for gap in self.gaps if gap.high]

    @property
    def deficit(self) -> int:
        return sum(gap.deficit for gap in self.gaps)


@dataclass
class VillageNeeds:
    village_id: int
    code: str
    name: str
    district_code: str
    district_name: str
    households: int
    gaps: list[Gap] = field(default_factory=list)
    # Counted under "all submitted": the village data is submitted or returned, not approved.
    unverified: bool = False

    @property
    def flagged(self) -> list[Gap]:
        return [gap for gap in self.gaps if gap.flagged]


@dataclass
class NeedsCheck:
    year: int
    quarter: int
    district: District | None
    # The dimension chosen, or None for all.
    dimension: NeedDimension | None
    rule: NeedRule
    by_dimension: list[DimensionNeeds]
    villages: list[VillageNeeds]
    # Dimensions the village data does not count: tagged on programmes, never ranked.
    unmeasured: list[NeedDimension]
    regency_villages_with_data: int
    unverified: bool = False

    @property
    def has_village_data(self) -> bool:
        return self.regency_villages_with_data > 0

    @property
    def flagged(self) -> list[Gap]:
        """Every flagged gap shown, the highest rate first within each dimension."""
        return [gap for dimension in self.by_dimension for gap in dimension.flagged]


def _share_count(share, villages: int) -> int:
    # Decimal share of a whole number of villages, rounded up: 20% of 7 villages is 2, so a
    # small kecamatan-sized test still has a top.
    return math.ceil(float(share) * villages / 100 - 1e-9)


def _rate(deficit: int, households: int) -> float | None:
    return deficit * 100 / households if households else None


def _ranks(rates: list[float | None]) -> list[int | None]:
    """Competition ranks (1, 2, 2, 4) by rate, highest first; None for no rate."""
    known = sorted((rate for rate in rates if rate is not None), reverse=True)
    first = {}
    for position, rate in enumerate(known, start=1):
        first.setdefault(rate, position)
    return [None if rate is None else first[rate] for rate in rates]


def needs_check(
    *,
    user,
    year: int,
    quarter: int,
    district: District | None = None,
    dimension: NeedDimension | None = None,
    unverified: bool = False,
) -> NeedsCheck:
    """The check for one year, its achievement as of `quarter`, shown for one kecamatan and
    one dimension when given. The ranks and the flag are always the regency's: choosing a
    kecamatan narrows what is shown, not what is high."""
    rule = NeedRule.current()
    dimensions = list(NeedDimension.objects.all())
    measured = [d for d in dimensions if d.figure]
    figures = [d.figure for d in measured]
    # The village data the leaders' pages count: approved, or also submitted and returned
    # under "all submitted" (marked), never a draft.
    village_data = counted_village_data(
        VillageData.objects.filter(year=year), unverified=unverified
    )
    data = list(
        access.readable(user, village_data)
        .order_by()
        .values(
            "village_id",
            "village__code",
            "village__name",
            "village__district_id",
            "village__district__code",
            "village__district__name",
            "households",
            "status",
            *figures,
        )
    )
    data.sort(key=lambda row: row["village__code"])

    refs = program_refs(user, year, unverified, quarter=quarter)
    counted = list(refs)
    answers = defaultdict(set)
    for program_id, dimension_id in Program.needs.through.objects.filter(
        program_id__in=counted
    ).values_list("program_id", "needdimension_id"):
        answers[program_id].add(dimension_id)
    reaching = defaultdict(list)
    through = Program.target_villages.through
    links = set(
        through.objects.filter(program_id__in=counted).values_list("program_id", "village_id")
    )
    # In the programmes' own order, so each village lists them as the page does.
    for program_id, ref in refs.items():
        for dimension_id in answers[program_id]:
            reaching[dimension_id].append(ref)
    by_village = defaultdict(set)
    for program_id, village_id in links:
        by_village[village_id].add(program_id)

    top_count = _share_count(rule.top_share, len(data))
    shown = [row for row in data if district is None or row["village__district_id"] == district.pk]
    shown_ids = {row["village_id"] for row in shown}
    villages = {
        row["village_id"]: VillageNeeds(
            village_id=row["village_id"],
            code=row["village__code"],
            name=row["village__name"],
            district_code=row["village__district__code"],
            district_name=row["village__district__name"],
            households=row["households"],
            unverified=row["status"] in UNVERIFIED,
        )
        for row in shown
    }
    by_dimension = []
    for need in measured:
        rates = [_rate(row[need.figure], row["households"]) for row in data]
        gaps = []
        for row, rate, rank in zip(data, rates, _ranks(rates), strict=True):
            if row["village_id"] not in shown_ids:
                continue
            deficit = row[need.figure]
            gap = Gap(
                dimension=need,
                village_id=row["village_id"],
                code=row["village__code"],
                name=row["village__name"],
                district_id=row["village__district_id"],
                district_code=row["village__district__code"],
                district_name=row["village__district__name"],
                households=row["households"],
                deficit=deficit,
                rate=rate,
                rank=rank,
                high=bool(
                    rate
                    and rank is not None
                    and rank <= top_count
                    and deficit >= max(rule.min_count, 1)
                ),
                programs=[
                    ref for ref in reaching[need.pk] if ref.id in by_village[row["village_id"]]
                ],
                unverified=row["status"] in UNVERIFIED,
            )
            villages[row["village_id"]].gaps.append(gap)
            gaps.append(gap)
        gaps.sort(key=lambda gap: (gap.rank is None, gap.rank or 0, -gap.deficit, gap.code))
        if dimension is None or dimension.pk == need.pk:
            by_dimension.append(DimensionNeeds(need, gaps, top_count, dimension is not None))
    village_list = list(villages.values())
    if dimension is not None:
        for village in village_list:
            village.gaps = [gap for gap in village.gaps if gap.dimension.pk == dimension.pk]
    return NeedsCheck(
        year=year,
        quarter=quarter,
        district=district,
        dimension=dimension,
        rule=rule,
        by_dimension=by_dimension,
        villages=village_list,
        unmeasured=[d for d in dimensions if not d.figure],
        regency_villages_with_data=len(data),
        unverified=unverified,
    )
