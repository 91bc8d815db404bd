"""The progress rules for a programme, an agency and a strategy, built from each
indicator's (indicators/progress.py), as database expressions; the budget ceiling in force
as of a quarter (original or revised), in Python and SQL; and the stored programme progress
(Program.mean_achievement_q1 to _q4, reported_q1 to _q4) they read."""

import datetime
from collections.abc import Iterable

from django.db import connections, models, router, transaction
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, NullIf, Rank
from django.db.models.sql import UpdateQuery
from django.db.models.sql.constants import NO_RESULTS

from bartim.models import Agency, ReviewStatus
from indicators.models import Indicator, IndicatorValue
from indicators.progress import QUARTERS, float_expression, percent_expression, program_mean, zero
from programs.models import STORED_MEAN_FIELDS, STORED_REPORTED_FIELDS, Program, QuarterReport

# --- What the leaders' pages count ---------------------------------------------------------
# By default what a reviewer vouched for: a programme's plan figures (budget ceiling, target
# villages, targets) when its plan is approved (a revision requested stands until reopened),
# a quarter's realisations when that quarter's report is verified. "All submitted" also
# counts what waits for review or was sent back, marked as unverified. A draft never counts:
# its reporter has not yet said it is ready.
VERIFIED_PLAN = frozenset({ReviewStatus.APPROVED, ReviewStatus.REVISION})
VERIFIED_QUARTER = frozenset({ReviewStatus.APPROVED})
UNVERIFIED = frozenset({ReviewStatus.SUBMITTED, ReviewStatus.RETURNED})


def counted_plans(queryset, *, unverified: bool = False):
    """The programmes of `queryset` whose plan the leaders' pages count."""
    return queryset.filter(status__in=VERIFIED_PLAN | (UNVERIFIED if unverified else set()))


def quarter_counted(quarter: int, *, unverified: bool = False, program="pk") -> Exists:
    """Whether the report of `quarter` of the programme at OuterRef(`program`) counts."""
    statuses = VERIFIED_QUARTER | (UNVERIFIED if unverified else set())
    return Exists(
        QuarterReport.objects.filter(
            program=OuterRef(program), quarter=quarter, status__in=statuses
        )
    )


def holds_unverified(quarter: int):
    """Whether a programme counted under "all submitted" holds figures nobody verified as of
    `quarter`: its plan, or one of its quarters up to `quarter`, submitted or returned."""
    return Q(status__in=UNVERIFIED) | Exists(
        QuarterReport.objects.filter(
            program=OuterRef("pk"), quarter__lte=quarter, status__in=UNVERIFIED
        )
    )


def program_reported(program: Program, quarter: int) -> bool:
    """A programme has reported a quarter when one of its indicators has a realised value
    for exactly that quarter. Budget realisation does not count: an unreported quarter and
    a quarter with nothing spent both hold 0."""
    return IndicatorValue.objects.filter(
        indicator__program=program, quarter=quarter, realized__isnull=False
    ).exists()


# --- The budget ceiling in force -----------------------------------------------------------
# A programme's original ceiling (pagu murni) is in force until the quarter in which the
# revised one (pagu perubahan, APBD-P) was set; from that quarter on the revised one is.
# Absorption as of a quarter is measured against the ceiling in force then, so the figures a
# TW II meeting saw stay what they were after the APBD-P of September (docs/progress.md).


def revision_quarter(revised_on: datetime.date) -> int:
    """The quarter a budget revision of `revised_on` takes effect in: the one it falls in."""
    return (revised_on.month - 1) // 3 + 1


def ceiling_in_force(program, quarter: int = QUARTERS) -> int:
    """The budget ceiling of `program` in force as of `quarter` (by default at the end of the
    year: the revised one whenever there is one)."""
    revised, revised_on = program.budget_ceiling_revised, program.budget_revised_on
    if revised is not None and revised_on is not None and revision_quarter(revised_on) <= quarter:
        return revised
    return program.budget_ceiling


def ceiling_in_force_expression(quarter: int = QUARTERS):
    """ceiling_in_force as a database expression on a Program queryset."""
    return Case(
        When(
            budget_ceiling_revised__isnull=False,
            budget_revised_on__month__lte=quarter * 3,
            then=F("budget_ceiling_revised"),
        ),
        default=F("budget_ceiling"),
        output_field=models.BigIntegerField(),
    )


# --- Stored programme progress ------------------------------------------------------------
# A programme's mean achievement and whether it reported, per quarter, are computed here once
# per write and stored on the programme (Program.mean_achievement_q1 to _q4, reported_q1 to
# _q4), so that pages read, sort, count and average columns instead of computing every
# indicator of thousands of programmes (docs/performance.md).

# Programmes per UPDATE, far below SQLite's limit on query parameters.
REFRESH_BATCH = 2000
# Up to this many programmes (one form's save) run one precompiled statement each; more
# (imports, generators) run set-based UPDATEs, whose compiling is paid once per batch.
REFRESH_ONE_BY_ONE = 20
# Stands for the programme id in the precompiled statement; no real id is negative.
_ANY_PROGRAM = -424242
_compiled_refresh: dict[tuple[str, str], tuple[str, list, int]] = {}


def stored_mean_field(quarter: int) -> str:
    """The Program field holding the mean achievement as of `quarter`."""
    return STORED_MEAN_FIELDS[quarter - 1]


def stored_reported_field(quarter: int) -> str:
    """The Program field holding whether the programme reported `quarter`."""
    return STORED_REPORTED_FIELDS[quarter - 1]


def _reported_in(quarter: int):
    """Whether the programme at OuterRef("pk") reported `quarter` (program_reported)."""
    return Exists(
        IndicatorValue.objects.filter(
            indicator__program=OuterRef("pk"), quarter=quarter, realized__isnull=False
        )
    )


def _stored_progress():
    """Each stored field with the SQL rule that computes it."""
    return {
        **{
            stored_mean_field(q): percent_expression(program_mean(q))
            for q in range(1, QUARTERS + 1)
        },
        **{stored_reported_field(q): _reported_in(q) for q in range(1, QUARTERS + 1)},
    }


def _refreshing(programs):
    """The UPDATE that stores the progress of `programs` (a Program queryset)."""
    query = programs.query.chain(UpdateQuery)
    query.add_update_values(_stored_progress())
    return query


def _refresh_one_statement(connection) -> tuple[str, list, int]:
    # Compiling the four nested means takes about 30 ms of Python, a hundred times what the
    # database needs to run them for one programme, and every form save pays it: compiled
    # once per database, then only the programme id changes.
    key = (connection.alias, connection.vendor)
    if key not in _compiled_refresh:
        query = _refreshing(Program.objects.filter(pk=_ANY_PROGRAM))
        sql, params = query.get_compiler(connection.alias).as_sql()
        params = list(params)
        _compiled_refresh[key] = (sql, params, params.index(_ANY_PROGRAM))
    return _compiled_refresh[key]


def refresh_stored_progress(program_ids: Iterable[int | None]) -> None:
    """Compute and store, for each programme in `program_ids` and each quarter, its mean
    achievement and whether it reported. Called explicitly, in their transaction, by every
    write service that changes indicators or quarterly values (programs/services.py), by the
    loaders and by the `refresh_stored_progress` command."""
    ids = sorted({pk for pk in program_ids if pk is not None})
    if not ids:
        return
    connection = connections[router.db_for_write(Program)]
    with transaction.atomic(using=connection.alias, savepoint=False):
        if len(ids) <= REFRESH_ONE_BY_ONE:
            sql, params, position = _refresh_one_statement(connection)
            with connection.cursor() as cursor:
                for pk in ids:
                    own = list(params)  # the cached list is shared by every thread
                    own[position] = pk
                    cursor.execute(sql, own)
            return
        for start in range(0, len(ids), REFRESH_BATCH):
            batch = Program.objects.filter(pk__in=ids[start : start + REFRESH_BATCH])
            _refreshing(batch).get_compiler(connection.alias).execute_sql(NO_RESULTS)


def stale_stored_progress(queryset) -> list[tuple[int, str, object, object]]:
    """(programme id, field, stored, computed) wherever a stored value is not what the
    indicators give now: empty unless a write went around the ORM."""
    stale = []
    for field, rule in _stored_progress().items():
        rows = (
            queryset.order_by()
            .annotate(computed=rule)
            .exclude(**{field: F("computed")})
            .exclude(**{f"{field}__isnull": True, "computed__isnull": True})
            .values_list("pk", field, "computed")
        )
        stale += [(pk, field, stored, computed) for pk, stored, computed in rows]
    return sorted(stale)


def _budget_realized(quarter: int):
    fields = [F(f"budget_realized_q{q}") for q in range(1, quarter + 1)]
    total = fields[0]
    for field in fields[1:]:
        total = total + field
    return total


def _absorption(realized, ceiling):
    return percent_expression(
        float_expression(realized) * 100 / NullIf(float_expression(ceiling), zero())
    )


def _count_subquery(queryset, group_by: str):
    counted = queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


def programs_with_figures(queryset, quarter: int, *, counted: bool | None = None):
    """Programmes annotated with ceiling_in_force (as of `quarter`), budget_realized
    (quarters 1 to `quarter`), absorption and mean_achievement (see category_q): what a
    programme's progress is, from its own row.

    `counted` (the leaders' pages): None counts every quarter; False only verified quarters'
    realisations, True also submitted and returned ones (quarter_counted). A quarter that
    does not count adds no budget, and the programme has no achievement and has not reported
    as of a `quarter` that does not count; `reported` says whether it did."""
    queryset = queryset.annotate(ceiling_in_force=ceiling_in_force_expression(quarter))
    if counted is None:
        return queryset.annotate(
            budget_realized=_budget_realized(quarter),
            # The annotation above, as the rollups below refer to theirs: the same SQL.
            absorption=_absorption(F("budget_realized"), F("ceiling_in_force")),
            mean_achievement=F(stored_mean_field(quarter)),
        )
    counts = {q: quarter_counted(q, unverified=counted) for q in range(1, quarter + 1)}
    realised = [
        Case(When(counts[q], then=F(f"budget_realized_q{q}")), default=Value(0))
        for q in range(1, quarter + 1)
    ]
    total = realised[0]
    for term in realised[1:]:
        total = total + term
    return queryset.annotate(
        budget_realized=total,
        absorption=_absorption(F("budget_realized"), F("ceiling_in_force")),
        mean_achievement=Case(When(counts[quarter], then=F(stored_mean_field(quarter)))),
        reported=Case(
            When(counts[quarter] & reported_expression(quarter), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        unverified=Case(
            When(holds_unverified(quarter), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        if counted
        else Value(False, output_field=BooleanField()),
    )


def programs_with_progress(queryset, quarter: int):
    """programs_with_figures, plus indicator_count and villages_reached."""
    villages = Program.target_villages.through.objects.filter(program=OuterRef("pk"))
    return programs_with_figures(queryset, quarter).annotate(
        indicator_count=_count_subquery(
            Indicator.objects.filter(program=OuterRef("pk")), "program"
        ),
        villages_reached=_count_subquery(villages, "program"),
    )


def reported_expression(quarter: int) -> Q:
    """The programmes that reported `quarter` (program_reported), from the stored flag."""
    return Q(**{stored_reported_field(quarter): True})


def with_evidence_expression(quarter: int) -> Exists:
    """The programmes whose report of `quarter` holds an evidence file not removed (the
    evidence app's EvidenceFile, reached by its related name: programs sits below it)."""
    return Exists(
        QuarterReport.objects.filter(
            program=OuterRef("pk"), quarter=quarter, evidence_files__removed_at__isnull=True
        )
    )


def programs_not_reported(queryset, quarter: int):
    return queryset.filter(~reported_expression(quarter))


def _rollup(
    queryset,
    programs,
    group_by: str,
    quarter: int,
    *,
    extra=None,
    only_active=True,
    also: Q | None = None,
):
    """Annotate agencies or strategies with totals over their programmes in `programs`.
    With `only_active`, only those that run one of `programs`, and those matching `also`:
    agencies that must report, whose completeness without programmes is 0% (completeness()).

    One subquery per figure: joining programmes once and summing several things at the
    same time would multiply each sum by the rows the other joins add."""
    own = programs.filter(**{group_by: OuterRef("pk")}).order_by().values(group_by)

    def aggregate(expression, output_field):
        return Subquery(own.annotate(value=expression).values("value"), output_field=output_field)

    budget_field = models.BigIntegerField()
    annotations = {
        "program_count": Coalesce(aggregate(Count("pk"), budget_field), 0),
        # The sum of the ceilings in force as of the quarter (ceiling_in_force).
        "budget_ceiling": Coalesce(
            aggregate(Sum(ceiling_in_force_expression(quarter)), budget_field), 0
        ),
        "budget_realized": Coalesce(aggregate(Sum(_budget_realized(quarter)), budget_field), 0),
        "mean_achievement": percent_expression(
            aggregate(Avg(stored_mean_field(quarter)), FloatField())
        ),
        "reported_count": Coalesce(
            Subquery(own.filter(reported_expression(quarter)).annotate(n=Count("pk")).values("n")),
            0,
        ),
        **(extra(aggregate) if extra else {}),
    }
    if only_active:
        running = Exists(programs.filter(**{group_by: OuterRef("pk")}))
        queryset = queryset.filter(running | also if also is not None else running)
    completeness = percent_expression(
        float_expression(F("reported_count"))
        * 100
        / NullIf(float_expression(F("program_count")), zero())
    )
    if also is not None:
        completeness = Coalesce(completeness, Value(0), output_field=completeness.output_field)
    return queryset.annotate(**annotations).annotate(
        absorption=_absorption(F("budget_realized"), F("budget_ceiling")),
        completeness=completeness,
    )


def agencies_with_progress(queryset, programs, quarter: int, *, with_marked: bool = True):
    """Agencies that run a programme in `programs`, and `with_marked` those that must report
    every year (Agency.objects.marked_to_report), annotated with program_count,
    budget_ceiling, budget_realized, absorption, mean_achievement (mean of the programme
    means), reported_count, completeness (programmes that reported `quarter`; 0% for a
    marked agency without programmes), with_evidence_count (programmes whose report of
    `quarter` holds evidence files) and rank (1 for the highest mean achievement; ties
    share a rank, agencies without data come last)."""
    marked = Q(pk__in=Agency.objects.marked_to_report().values("pk")) if with_marked else None
    agencies = _rollup(queryset, programs, "agency", quarter, also=marked)
    with_evidence = (
        programs.filter(with_evidence_expression(quarter), agency=OuterRef("pk"))
        .order_by()
        .values("agency")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return agencies.annotate(
        with_evidence_count=Coalesce(Subquery(with_evidence), 0),
        rank=Window(Rank(), order_by=F("mean_achievement").desc(nulls_last=True)),
    )


def strategies_with_progress(queryset, programs, quarter: int):
    """Every strategy, annotated as agencies_with_progress does (without rank), plus
    agency_count (agencies with a programme under the strategy). A strategy without
    programmes stays, with zeros: an empty strategy is a finding, not noise."""
    return _rollup(
        queryset,
        programs,
        "strategy",
        quarter,
        only_active=False,
        extra=lambda aggregate: {
            "agency_count": Coalesce(
                aggregate(Count("agency", distinct=True), models.IntegerField()), 0
            )
        },
    )
