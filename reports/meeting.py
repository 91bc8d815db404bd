"""What the evaluation meeting looks at, gathered once for the dashboard (/) and the meeting
report (/reports/<year>/); docs/meeting.md describes each section.

The rules themselves live elsewhere and are only called here: achievement, categories,
absorption and reporting completeness in indicators/progress.py, the poverty-pocket rule in
indicators/pockets.py, the targeting check in indicators/targeting.py. Every list is read
through the user's visible_to() querysets.

The whole meeting costs a fixed number of queries, however many programmes, agencies and
villages the year has: the year's programmes with their figures (one query, grouped here by
strategy and by agency with progress.rollup), the strategies, the BPS series, the latest
quarter with data, and the targeting check's own fixed handful.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Max
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bartim import access
from bartim.models import Agency, Quarter
from helpers import charts, dataversion
from indicators import progress
from indicators.models import IndicatorValue
from programs import deadlines, periods
from programs import progress as programme_progress
from programs.filters import PeriodFilterSet
from programs.models import Program, QuarterReport, Strategy
from reports import maps
from reports.needs import NeedsCheck, needs_check
from reports.targeting import (
    TargetingCheck,
    TargetingSummary,
    summarise,
    targeting_check,
    with_families,
)
from reports.verification import counted_filter
from villages.models import PovertyStatistic

# The dashboard lists this many rows of each list (pockets, uncovered pockets, programmes off
# track, agencies with missing reports) and links to the full list; the report lists them all.
# A province has thousands of programmes: the dashboard stays a page one reads.
DASHBOARD_ROWS = 10


def latest_quarter_with_data(user, year: int) -> int:
    """The last quarter of `year` for which any programme `user` reads reported a realised
    value; without any, the quarter periods.default_quarter() gives (Q IV for a past year).
    Kept per data version: every request of the dashboard, the report and the needs page
    asks it before their cached sections, and a province's year has 5,000 programmes."""

    def latest():
        programs = access.readable(user, Program.objects.filter(year=year))
        return IndicatorValue.objects.filter(
            indicator__program__in=programs.values("pk"), realized__isnull=False
        ).aggregate(latest=Max("quarter"))["latest"]

    found = dataversion.cached(
        ("latest quarter with data", year, *dataversion.visibility_key(user)), latest
    )
    return found or periods.default_quarter(year)


class MeetingPeriodFilterSet(PeriodFilterSet):
    """The year and quarter of the dashboard, from `?year=&quarter=`: the same parameters,
    choices and messages as the tables, but the quarter defaults to the latest one with
    data, which is the one the meeting discusses. `figures` is the switch to all submitted
    figures (reports.verification)."""

    figures = counted_filter()

    def defaults(self, data):
        year = data.get("year", "")
        year = int(year) if year.isdigit() and int(year) in self.years else self.default_year
        return {
            "year": str(self.default_year),
            "quarter": str(latest_quarter_with_data(self.request.user, year)),
        }


def _filtered_programs_url(year: int, quarter: int, **filters) -> str:
    query = QueryDict(mutable=True)
    query.update({"year": year, "quarter": quarter, **filters})
    return f"{reverse('programs:program_list')}?{query.urlencode()}"


@dataclass
class OwnerKindRow:
    """One strategy's programmes of one kind of owner (OPD, village government, business,
    community organisation): their effort (how many) and budget, as progress.rollup
    computes them (the ceiling in force as of the quarter, the realised budget)."""

    strategy: Strategy
    kind: str
    figures: progress.Rollup

    @property
    def kind_label(self) -> str:
        return str(Agency.Kind(self.kind).label)


def by_owner_kind(strategies: list[Strategy], rows: list[Program]) -> list[OwnerKindRow]:
    """Each strategy's programmes grouped by their owner's kind, in the kinds' order; a kind
    without programmes under a strategy has no row."""
    grouped: dict[tuple[int, str], list[Program]] = {}
    for row in rows:
        grouped.setdefault((row.strategy_id, row.agency.kind), []).append(row)
    return [
        OwnerKindRow(strategy, kind, progress.rollup(grouped[(strategy.number, kind)]))
        for strategy in strategies
        for kind in Agency.Kind.values
        if (strategy.number, kind) in grouped
    ]


@dataclass
class Meeting:
    year: int
    quarter: int
    statistics: list[PovertyStatistic]
    strategies: list[Strategy]
    agencies: list[Agency]
    off_track: list[Program]
    not_reported: list[Program]
    targeting: TargetingCheck
    summary: TargetingSummary
    # Basic needs not yet answered (reports/needs.py): the report's section and sheet.
    needs: NeedsCheck | None = None
    links: dict[str, str] = field(default_factory=dict)
    list_limit: int | None = None
    # The village map's layer (reports/maps.py) and the page whose links switch it.
    map_layer: str = maps.RATE
    map_page: str = ""
    # Whether submitted and returned plans and quarters count too, marked as unverified
    # (programs.progress: by default only approved plans and verified quarters count).
    unverified: bool = False
    # Each strategy's effort and budget by kind of owner (by_owner_kind).
    owner_kinds: list[OwnerKindRow] = field(default_factory=list)

    @property
    def unverified_count(self) -> int:
        """The counted programmes holding figures nobody verified yet."""
        return sum(strategy.unverified_count for strategy in self.strategies)

    @property
    def quarter_label(self) -> str:
        return str(Quarter(self.quarter).label)

    @property
    def program_count(self) -> int:
        return sum(strategy.program_count for strategy in self.strategies)

    @property
    def agencies_not_reported(self) -> list[Agency]:
        """Agencies with at least one programme that has no realised value for the quarter,
        and agencies that must report every year but have no programme in the year."""
        return [
            agency
            for agency in self.agencies
            if agency.reported_count < agency.program_count or not agency.program_count
        ]

    @property
    def pockets(self):
        return self.targeting.pockets

    def _shown(self, rows: list) -> list:
        return rows if self.list_limit is None else rows[: self.list_limit]

    @property
    def pockets_shown(self):
        """The pockets the page lists: the first `list_limit` (most poor households first)."""
        return self._shown(self.pockets)

    @property
    def off_track_shown(self) -> list[Program]:
        """The programmes off track the page lists: the first `list_limit` (lowest first)."""
        return self._shown(self.off_track)

    @property
    def problems_stated(self) -> int:
        """How many programmes off track state their problems for the quarter."""
        return sum(1 for program in self.off_track if _states_problems(program))

    @property
    def agencies_not_reported_shown(self) -> list[Agency]:
        return self._shown(self.agencies_not_reported)

    @property
    def village_map(self) -> maps.VillageMapSection:
        def url_for(layer: str) -> str:
            query = {"quarter": self.quarter, "map": layer}
            if self.map_page == "reports:dashboard":
                query["year"] = self.year
                url = reverse(self.map_page)
            else:
                url = reverse("reports:meeting_report", args=[self.year])
            if self.unverified:
                query["figures"] = "all"
            return f"{url}?{urlencode(query)}#village-map-section"

        return maps.village_map_section(self.targeting, self.map_layer, url_for=url_for)

    def poor_people_chart(self):
        return charts.bar_chart(
            charts.yearly_points((s.year, s.poor_people) for s in self.statistics),
            chart_id="chart-poor-people",
            title=_("Poor people (BPS)"),
            description=_("Number of poor people in Barito Timur per year, BPS."),
        )

    def poverty_rate_chart(self):
        return charts.line_chart(
            charts.yearly_points((s.year, s.poverty_rate) for s in self.statistics),
            chart_id="chart-poverty-rate",
            title=_("Poverty rate (BPS)"),
            description=_("Share of the population of Barito Timur below the poverty line."),
            unit=charts.PERCENT,
            value_decimals=2,
        )

    def achievement_chart(self):
        return charts.bar_chart(
            [
                charts.Point(_("Strategy %(number)s") % {"number": s.number}, s.mean_achievement)
                for s in self.strategies
            ],
            chart_id="chart-strategy-achievement",
            title=_("Mean achievement per strategy, %(year)s as of %(quarter)s")
            % {"year": self.year, "quarter": self.quarter_label},
            unit=charts.PERCENT,
            value_decimals=2,
            height=240,
        )


def _states_problems(program) -> bool:
    report = program.quarter_report
    return bool(report and (report.problems or report.follow_up))


def _category(mean) -> progress.Category:
    return progress.category_of(mean, reported=mean is not None)


def _attach(target, programs: list[Program]) -> None:
    """Give a strategy or an agency its figures over `programs` (progress.rollup)."""
    figures = progress.rollup(programs)
    for name, value in vars(figures).items():
        setattr(target, name, value)
    target.category = _category(figures.mean_achievement)
    target.unverified_count = sum(1 for program in programs if program.unverified)


def _agencies_without_programmes(excluded, *, unverified: bool) -> list[Agency]:
    """The agencies that must report every year and have no programme counted in the year
    (none at all, or none approved, or with `unverified` none submitted): each with a rollup
    of nothing, a completeness of 0% (progress.completeness) and a note saying why."""
    agencies = list(Agency.objects.marked_to_report().exclude(pk__in=excluded))
    note = (
        _("No programme submitted for the year")
        if unverified
        else _("No approved programme plan for the year")
    )
    for agency in agencies:
        _attach(agency, [])
        agency.completeness = progress.completeness(0, 0, must_report=True)
        agency.not_reported = []
        agency.without_programmes_note = note
    return agencies


def meeting_for(
    *,
    user,
    year: int,
    quarter: int,
    list_limit: int | None = None,
    unverified: bool = False,
    today=None,
    map_layer: str = maps.RATE,
    map_page: str = "",
    with_needs: bool = True,
) -> Meeting:
    """Everything the meeting discusses for `year` as of `quarter`, as `user` may see it:
    approved plans and verified quarters, with `unverified` also submitted and returned ones
    (programs.progress.counted_plans, quarter_counted)."""
    programs = programme_progress.counted_plans(
        access.readable(user, Program.objects.all()).filter(year=year), unverified=unverified
    )

    # One query for the year's programmes with their figures; strategies and agencies are
    # grouped from it here, rather than each paying the rollup subqueries again.
    # Only what the meeting shows: at a province's scale the year has thousands of rows.
    rows = list(
        programme_progress.programs_with_figures(programs, quarter, counted=unverified)
        .select_related("agency")
        .only(
            "name",
            "year",
            "strategy_id",
            "budget_ceiling",
            "budget_ceiling_revised",
            "budget_revised_on",
            "agency__name",
            "agency__abbreviation",
            "agency__kind",
        )
        .order_by("strategy", "name", "pk")
    )
    strategies = list(Strategy.objects.order_by("number"))
    by_number = {strategy.number: strategy for strategy in strategies}
    for row in rows:
        row.category = _category(row.mean_achievement)
        row.strategy = by_number[row.strategy_id]

    for strategy in strategies:
        _attach(strategy, [row for row in rows if row.strategy_id == strategy.number])

    by_agency: dict[int, list[Program]] = {}
    for row in rows:
        by_agency.setdefault(row.agency_id, []).append(row)
    agencies = []
    for own in by_agency.values():
        agency = own[0].agency
        _attach(agency, own)
        agency.not_reported = sorted(
            (row for row in own if not row.reported), key=lambda row: (row.strategy_id, row.name)
        )
        agencies.append(agency)
    if access.may_read(user, Program):
        agencies += _agencies_without_programmes(by_agency, unverified=unverified)
    # Every programme of the year counts for lateness, counted in the figures or not: a plan
    # still waiting for approval does not excuse its quarter report.
    late = deadlines.late_agency_ids(
        access.readable(user, Program.objects.all()), year, quarter, today=today
    )
    for agency in agencies:
        agency.late = agency.pk in late
    means = [agency.mean_achievement for agency in agencies]
    for agency, rank in zip(agencies, progress.ranks(means), strict=True):
        agency.rank = rank
    agencies.sort(key=lambda agency: (agency.rank, agency.name, agency.pk))

    off_track_categories = progress.Signal.OFF_TRACK.categories
    off_track = sorted(
        (row for row in rows if row.category in off_track_categories),
        key=lambda row: (row.mean_achievement, row.strategy_id, row.name, row.pk),
    )
    # What went wrong and what will be done, from each off-track programme's report of the
    # quarter (which counts: a programme is off track only on a counted quarter). One query.
    reports = {
        report.program_id: report
        for report in QuarterReport.objects.filter(
            program_id__in=[row.pk for row in off_track], quarter=quarter
        ).only("program_id", "physical_progress", "problems", "follow_up")
    }
    for row in off_track:
        row.quarter_report = reports.get(row.pk)
    not_reported = sorted(
        (row for row in rows if not row.reported),
        key=lambda row: (row.agency.name, row.strategy_id, row.name, row.pk),
    )
    for strategy in strategies:
        strategy.programs_url = _filtered_programs_url(year, quarter, strategy=strategy.number)
    # The pockets show their family columns (docs/targeting.md, "Families").
    check = with_families(targeting_check(user=user, year=year, unverified=unverified))

    links = {
        "programs": _filtered_programs_url(year, quarter),
        **{
            f"programs_{category}": _filtered_programs_url(year, quarter, category=category)
            for category in progress.Signal.OFF_TRACK.categories
        },
        "targeting": f"{reverse('reports:targeting')}?year={year}",
        "needs": f"{reverse('reports:needs')}?year={year}",
        "opd": f"{reverse('programs:agency_list')}?year={year}&quarter={quarter}",
        "strategies": f"{reverse('programs:strategy_list')}?year={year}&quarter={quarter}",
    }
    return Meeting(
        year=year,
        quarter=quarter,
        statistics=list(PovertyStatistic.objects.order_by("year")),
        strategies=strategies,
        agencies=agencies,
        off_track=off_track,
        not_reported=not_reported,
        targeting=check,
        summary=summarise(check, limit=list_limit),
        # Only the report and its workbook show the basic needs; the dashboard does not pay.
        needs=needs_check(user=user, year=year, quarter=quarter, unverified=unverified)
        if with_needs
        else None,
        links=links,
        list_limit=list_limit,
        map_layer=map_layer,
        map_page=map_page,
        unverified=unverified,
        owner_kinds=by_owner_kind(strategies, rows),
    )


@dataclass(frozen=True)
class RenderedMeeting:
    html: str
    program_count: int


DASHBOARD = "reports/meeting/_dashboard.html"
REPORT = "reports/meeting/_report.html"


def rendered_meeting(
    *,
    user,
    year: int,
    quarter: int,
    template: str,
    list_limit: int | None = None,
    unverified: bool = False,
    map_layer: str = maps.RATE,
) -> RenderedMeeting:
    """The dashboard's or the report's sections for `year` as of `quarter`, rendered once
    per data version and kept in Django's cache: they are the pages everyone opens, and at
    a province's scale the meeting costs hundreds of milliseconds to gather and render.
    The HTML is rendered without the request, so nothing of one request (a CSP nonce, a
    CSRF token) is kept for another."""

    def render() -> RenderedMeeting:
        meeting = meeting_for(
            user=user,
            year=year,
            quarter=quarter,
            list_limit=list_limit,
            unverified=unverified,
            today=today,
            map_layer=map_layer,
            map_page="reports:dashboard" if template == DASHBOARD else "reports:meeting_report",
            with_needs=template == REPORT,
        )
        return RenderedMeeting(
            html=render_to_string(template, {"meeting": meeting}),
            program_count=meeting.program_count,
        )

    # Who is late changes with the date as well as with the data.
    today = timezone.localdate()
    key = (
        "meeting",
        today.isoformat(),
        *dataversion.visibility_key(user),
        template,
        year,
        quarter,
        list_limit,
        unverified,
        map_layer,
    )
    return dataversion.cached(key, render)
