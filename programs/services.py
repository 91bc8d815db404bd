"""Writes to programmes, their indicators and quarterly values, and the strategies; each
asks the access policy (bartim.access) for who may write what in which period."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bartim import access
from bartim.services import record_delete, record_save
from helpers import dataversion
from helpers.history import checked_save
from indicators.models import Indicator, IndicatorValue
from indicators.targets import check_quarter_targets, indicator_target_errors
from programs.funding import funding_total_error
from programs.models import (
    FundingSource,
    NeedDimension,
    Program,
    ProgramFunding,
    QuarterReport,
    Strategy,
)
from programs.owners import target_village_error
from programs.progress import refresh_stored_progress

# The indicator fields the quarter-target rules read (indicators/targets.py).
TARGET_RULE_FIELDS = {"aggregation", "target", "q4_target_reason"}

BUDGET_FIELDS = {
    1: "budget_realized_q1",
    2: "budget_realized_q2",
    3: "budget_realized_q3",
    4: "budget_realized_q4",
}


# Passed for a quarter report's field that the caller leaves as it is.
KEEP = object()

QUARTER_REPORT_TEXTS = ("note", "problems", "follow_up")
# What a quarter report holds besides its status: the quarter form's and the admin's fields.
QUARTER_REPORT_FIELDS = ("physical_progress", "problems", "follow_up", "note")
# What a programme's beneficiaries are counted by in the family measures (families/measures.py).
FAMILY_MEASURE_FIELDS = {"year", "strategy", "strategy_id", "agency", "agency_id"}


def program_create(
    *,
    actor,
    target_villages=(),
    funding: dict | None = None,
    needs=(),
    reason: str = "",
    change_reason: str = "",
    **fields,
) -> Program:
    """Create a programme; an OPD user's programme belongs to his own OPD, whatever was sent.

    `funding` maps funding sources to their amounts (programs/funding.py).
    `reason` justifies budget realisation in a locked quarter; the history records
    `change_reason` if given (e.g. to mark the record as imported), else `reason`."""
    own = access.own_owner_id(actor, Program)
    if own is not None:
        fields.pop("agency", None)
        fields["agency_id"] = own
    agency = fields.get("agency")
    access.check_create(
        actor,
        Program,
        fields.get("agency_id", getattr(agency, "pk", None)),
        _("You may not create programmes."),
    )
    # A programme starts as a draft; review steps move it on.
    fields.pop("status", None)
    program = Program(created_by=actor, updated_by=actor, **fields)
    access.check_period(actor, program, reason=reason)
    program.full_clean()
    check_target_villages(program, target_villages)
    try:
        with transaction.atomic():
            program._history_user = actor
            if change_reason or reason:
                program._change_reason = change_reason or reason
            program.save()
            program.target_villages.set(target_villages)
            if funding:
                _save_funding(program, funding, actor, change_reason or reason)
                check_funding(program)
            program.needs.set(needs)
            dataversion.bump()
    except IntegrityError as error:
        # full_clean checks one name per agency and year, but two people creating the same
        # programme at the same moment both pass it; the database refuses the second.
        raise ValidationError(
            _(
                "Someone else saved a programme with this name for this agency and year a "
                "moment ago, so nothing was saved. Open it from the list and review it."
            )
        ) from error
    return program


def program_update(
    *,
    program: Program,
    actor,
    reason: str = "",
    target_villages=None,
    funding: dict | None = None,
    check_funding_total: bool = True,
    needs=None,
    change_reason: str = "",
    seen_version: int | None = None,
    **fields,
) -> Program:
    """Change a programme the actor may edit. Its status is changed by review steps only,
    its OPD only by an administrator.

    `funding` (sources to amounts) replaces its funding sources; None leaves them. The
    amounts are checked against the ceiling afterwards (check_funding), unless
    `check_funding_total=False`: the admin saves the funding rows next and checks then.

    `reason` justifies changing a locked quarter; the history records `change_reason` if
    given, else `reason`. `seen_version` is the version the actor's form was opened at:
    helpers.concurrency.EditConflict if someone saved the programme since."""
    with transaction.atomic():
        # Who reports on it, first; which of its parts he may change now depends on what
        # changes: the plan's fields, or a quarter's budget realisation.
        current = _editable_program(program, actor, seen_version, quarter=0)
        access.check_fields(actor, current, fields)
        for name in ("created_by", "created_by_id"):
            fields.pop(name, None)
        before = {name: getattr(current, name) for name in fields}
        changed = {name for name, value in fields.items() if value != before[name]}
        if target_villages is not None and {v.pk for v in target_villages} != set(
            current.target_villages.values_list("pk", flat=True)
        ):
            changed.add("target_villages")
        if funding is not None and _funding_differs(current, funding):
            # Part of the plan: changed while the plan may be.
            changed.add("funding")
        if needs is not None and {n.pk for n in needs} != set(
            current.needs.values_list("pk", flat=True)
        ):
            changed.add("needs")
        access.check_change(
            actor, current, _("You may not change this programme now."), changed or set(fields)
        )
        # The quarters the change leaves (a programme moved out of a year, say), then those
        # it enters.
        access.check_period(actor, current, changed, reason=reason)
        for name, value in fields.items():
            setattr(current, name, value)
        access.check_period(actor, current, changed, reason=reason)
        current.full_clean()
        if target_villages is not None or {"agency", "agency_id"} & changed:
            check_target_villages(
                current,
                current.target_villages.all() if target_villages is None else target_villages,
            )
        current._history_user = actor
        if change_reason or reason:
            current._change_reason = change_reason or reason
        if target_villages is not None or needs is not None:
            # Set before saving, without a history row of its own: the save's one row then
            # holds the fields, the target villages and the needs together.
            current.skip_history_when_saving = True
            if target_villages is not None:
                current.target_villages.set(target_villages)
            if needs is not None:
                current.needs.set(needs)
            del current.skip_history_when_saving
        current.save()
        if funding is not None:
            _save_funding(current, funding, actor, change_reason or reason)
        if check_funding_total:
            check_funding(current, field=None if funding is not None else "budget_ceiling")
        # The family measures count a programme's beneficiaries by its year, strategy and owner.
        dataversion.bump(family_measures=bool(FAMILY_MEASURE_FIELDS & changed))
    return current


def check_target_villages(program: Program, villages) -> None:
    """Raise ValidationError on the target villages unless `program`'s owner may target
    `villages` (programs/owners.py: a village government its own village only)."""
    error = target_village_error(program.agency if program.agency_id else None, villages)
    if error:
        raise ValidationError({"target_villages": error})


def _funding_differs(program: Program, funding: dict) -> bool:
    stored = dict(program.funding.values_list("source_id", "amount"))
    return stored != {source.pk: amount for source, amount in funding.items()}


def _save_funding(program: Program, funding: dict, actor, reason: str) -> None:
    """Make `program`'s funding rows those of `funding` (source to amount), each change in
    the rows' own history. A retired source is kept where it is listed, never added."""
    stored = {row.source_id: row for row in program.funding.select_for_update()}
    for source, amount in funding.items():
        row = stored.pop(source.pk, None)
        if row is None:
            if not source.active:
                raise ValidationError(
                    _("The funding source %(source)s is no longer in use.") % {"source": source}
                )
            row = ProgramFunding(program=program, source=source)
        elif row.amount == amount:
            continue
        row.amount = amount
        checked_save(row, actor=actor, reason=reason)
    for row in stored.values():
        row._history_user = actor
        if reason:
            row._change_reason = reason
        row.delete()


def check_funding(program: Program, *, field: str | None = None) -> None:
    """Raise ValidationError (on `field`, else the form) unless `program`'s stored funding
    amounts fit its ceiling (programs/funding.py)."""
    error = funding_total_error(program, program.funding.values_list("amount", flat=True))
    if error:
        raise ValidationError({field: error} if field else error)


def program_funding_save(*, program: Program, actor, funding: dict, reason: str = "") -> None:
    """Replace a programme's funding sources (sources to amounts) while its plan may be
    changed, and check them against its ceiling: the admin's funding rows."""
    with transaction.atomic():
        current = _editable_program(program, actor, None)
        if _funding_differs(current, funding):
            _save_funding(current, funding, actor, reason)
        check_funding(current)
        dataversion.bump()


def program_delete(*, program: Program, actor) -> None:
    """Delete a programme the actor may change. One holding reported data is refused with
    ProtectedError (helpers.deletion); its review steps and beneficiaries go with it."""
    with transaction.atomic():
        record_delete(program, actor=actor)
        dataversion.bump(family_measures=True)


def _editable_program(program, actor, seen_version: int | None, quarter=None) -> Program:
    """The programme locked for a write, its version raised: its indicators and quarterly
    values are changed under the programme's version (see Program.version). Without
    `quarter` the plan must be editable, with one that quarter's report
    (access.locked_for_change)."""
    return access.locked_for_change(
        actor,
        Program,
        program.pk,
        seen_version=seen_version,
        message=(
            _("You may not change this programme.")
            if quarter is None
            else _(
                "You may not change the report of this quarter now: it is submitted or verified."
            )
        ),
        quarter=quarter,
    )


def quarter_report(*, program: Program, quarter: int) -> QuarterReport:
    """The report of `quarter` of `program`: the stored one, or an unsaved draft (a quarter
    is stored from its first review step or note on)."""
    return QuarterReport.objects.filter(program=program, quarter=quarter).first() or (
        QuarterReport(program=program, quarter=quarter)
    )


def indicator_save(
    *,
    program: Program,
    actor,
    indicator: Indicator | None = None,
    reason: str = "",
    change_reason: str = "",
    seen_version: int | None = None,
    check_targets: bool = True,
    **fields,
):
    """Add an indicator to a programme, or change one of its indicators. `seen_version`: the
    programme's version the form was opened at (helpers.concurrency).

    A change to what the quarter-target rules read is checked against the saved quarter
    targets (indicators/targets.py); `check_targets=False` leaves that to a caller that
    saves the quarterly values next and checks them all at the end (the admin's page).

    An indicator given with another programme is moved to `program` (administrators only,
    access.fixed_fields) with its quarterly values: both programmes change, and so do the
    quarters the values hold in either year, which `reason` justifies when locked."""
    fields.pop("program_id", None)
    fields.pop("program", None)
    former_program_id = None
    with transaction.atomic():
        program = _editable_program(program, actor, seen_version)
        if indicator is None:
            indicator = Indicator(program=program)
        elif indicator.program_id != program.pk:
            former = Indicator.objects.select_related("program").get(pk=indicator.pk)
            former_program_id = former.program_id
            refused = _("This indicator belongs to another programme.")
            access.check_fields(actor, former, {"program": program}, refused)
            _editable_program(former.program, actor, None)
            values = list(former.values.all())
            for value in values:
                value.indicator = former
                access.check_period(actor, value, reason=reason)
            indicator.program = program
            for value in values:
                value.indicator = indicator
                access.check_period(actor, value, reason=reason)
        changed = set(fields)
        known_errors = {}
        if indicator.pk:
            # A new annual target or aggregation changes the achievement of every quarter
            # the indicator has values for. Compared with the stored row: a form's instance
            # already holds the new values.
            stored = Indicator.objects.get(pk=indicator.pk)
            changed = {name for name, value in fields.items() if getattr(stored, name) != value}
            known_errors = indicator_target_errors(stored)
            access.check_period(actor, stored, changed, reason=reason)
        for name, value in fields.items():
            setattr(indicator, name, value)
        checked_save(indicator, actor=actor, reason=change_reason or reason)
        if check_targets and changed & TARGET_RULE_FIELDS:
            check_quarter_targets(indicator, before=known_errors)
        refresh_stored_progress([program.pk, former_program_id])
        dataversion.bump()
    return indicator


def indicator_delete(*, indicator: Indicator, actor) -> None:
    """Delete an indicator of a programme the actor may change; one with quarterly values is
    refused with ProtectedError (reported data is never deleted with what it belongs to)."""
    with transaction.atomic():
        current = Indicator.objects.select_related("program").filter(pk=indicator.pk).first()
        if current is None:
            return
        _editable_program(current.program, actor, None)
        access.check_delete(actor, current)
        current._history_user = actor
        current.delete()
        refresh_stored_progress([current.program_id])
        dataversion.bump()


def indicator_value_save(
    *,
    actor,
    indicator: Indicator,
    quarter: int,
    value: IndicatorValue | None = None,
    reason: str = "",
    change_reason: str = "",
    check_targets: bool = True,
    **fields,
) -> IndicatorValue:
    """Add or change one quarterly value of an indicator (`fields`: target, realized).

    The indicator's quarter targets are then checked (indicators/targets.py), unless
    `check_targets=False`: the caller saves several quarters and checks them at the end.

    A value given with another indicator or quarter is moved there: the quarter it leaves
    changes too. `reason` justifies changing a locked quarter; the history records
    `change_reason` if given, else `reason`. The programme's version is raised, so that a
    quarter form opened before is refused rather than overwrite it."""
    with transaction.atomic():
        program = _editable_program(indicator.program, actor, None, quarter=quarter)
        programs = {program.pk}
        if value is None:
            record = IndicatorValue(indicator=indicator, quarter=quarter)
        else:
            record = (
                IndicatorValue.objects.select_for_update()
                .select_related("indicator__program")
                .get(pk=value.pk)
            )
            # The quarter the value leaves changes too.
            if record.indicator.program_id != program.pk:
                programs.add(record.indicator.program_id)
            _editable_program(record.indicator.program, actor, None, quarter=record.quarter)
            access.check_period(actor, record, reason=reason)
            record.indicator, record.quarter = indicator, quarter
        known_errors = indicator_target_errors(indicator) if check_targets else {}
        for name, given in fields.items():
            setattr(record, name, given)
        access.check_period(actor, record, reason=reason)
        checked_save(record, actor=actor, reason=change_reason or reason)
        if check_targets:
            check_quarter_targets(indicator, before=known_errors)
        refresh_stored_progress(programs)
        dataversion.bump()
    return record


def indicator_value_delete(*, value: IndicatorValue, actor, reason: str = "") -> None:
    """Delete one quarterly value; in a locked quarter only an administrator with a reason."""
    with transaction.atomic():
        current = (
            IndicatorValue.objects.select_for_update()
            .select_related("indicator__program")
            .filter(pk=value.pk)
            .first()
        )
        if current is None:
            return
        _editable_program(current.indicator.program, actor, None, quarter=current.quarter)
        access.check_delete(actor, current, reason=reason)
        current._history_user = actor
        if reason:
            current._change_reason = reason
        current.delete()
        refresh_stored_progress([current.indicator.program_id])
        dataversion.bump()


def program_report_quarter(
    *,
    program: Program,
    quarter: int,
    actor,
    budget_realized: int | None = None,
    realized: dict | None = None,
    targets: dict | None = None,
    note: str | None = None,
    physical_progress=KEEP,
    problems: str | None = None,
    follow_up: str | None = None,
    reason: str = "",
    change_reason: str = "",
    seen_version: int | None = None,
) -> Program:
    """Record one quarter of a programme: its budget realisation, each indicator's value and
    the quarter report's note, physical progress (%, None clears it), problems and
    follow-up, while that quarter's report may be changed (its own review status, not the
    plan's: an approved plan keeps receiving quarterly reports) and its quarter is not
    locked (or an administrator gives `reason`). A text or progress not given is kept.

    `realized` and `targets` map indicator ids to a value (None clears it). All or nothing.
    `reason` justifies changing a locked quarter; the history records `change_reason` if
    given, else `reason`. `seen_version`: the programme's version the form was opened at
    (helpers.concurrency).
    """
    realized = realized or {}
    targets = targets or {}
    history_reason = change_reason or reason
    with transaction.atomic():
        program = _editable_program(program, actor, seen_version, quarter=quarter)
        access.check_quarter_writable(
            year=program.year, quarter=quarter, actor=actor, reason=reason
        )
        indicators = {i.pk: i for i in program.indicators.all()}
        unknown = (set(realized) | set(targets)) - set(indicators)
        if unknown:
            raise PermissionDenied(_("An indicator does not belong to this programme."))
        if budget_realized is not None:
            setattr(program, BUDGET_FIELDS[quarter], budget_realized)
            checked_save(program, actor=actor, reason=history_reason)
        existing = {
            v.indicator_id: v
            for v in IndicatorValue.objects.select_for_update().filter(
                indicator__program=program, quarter=quarter
            )
        }
        retargeted = []
        for indicator_id in set(realized) | set(targets):
            value = existing.get(indicator_id) or IndicatorValue(
                indicator=indicators[indicator_id], quarter=quarter
            )
            if indicator_id in realized:
                value.realized = realized[indicator_id]
            if indicator_id in targets and targets[indicator_id] != value.target:
                indicator = indicators[indicator_id]
                retargeted.append((indicator, indicator_target_errors(indicator)))
                value.target = targets[indicator_id]
            checked_save(value, actor=actor, reason=history_reason)
        for indicator, known_errors in retargeted:
            check_quarter_targets(indicator, before=known_errors)
        report = quarter_report(program=program, quarter=quarter)
        given = {
            name: text.strip()
            for name, text in zip(QUARTER_REPORT_TEXTS, (note, problems, follow_up), strict=True)
            if text is not None
        }
        if physical_progress is not KEEP:
            given["physical_progress"] = physical_progress
        changed = {name for name, value in given.items() if getattr(report, name) != value}
        if changed:
            for name in changed:
                setattr(report, name, given[name])
            checked_save(report, actor=actor, reason=history_reason)
        refresh_stored_progress([program.pk])
        dataversion.bump()
    return program


def strategy_save(*, strategy: Strategy, actor, change_reason: str = "") -> Strategy:
    """Reword one of the three strategies (administrators only; none is added or deleted)."""
    return record_save(strategy, actor=actor, change_reason=change_reason)


def funding_source_save(*, source: FundingSource, actor) -> FundingSource:
    """Add a funding source to the list, rename, reorder or retire one (administrators)."""
    return record_save(source, actor=actor)


def funding_source_delete(*, source: FundingSource, actor) -> None:
    """Delete a funding source no programme lists (one in use refuses: ProtectedError)."""
    record_delete(source, actor=actor)


def need_dimension_save(*, record: NeedDimension, actor, change_reason: str = "") -> NeedDimension:
    """Add or change a basic-needs dimension (administrators only): the needs view, the
    programme tables and the report follow at once."""
    return record_save(record, actor=actor, change_reason=change_reason)


def need_dimension_delete(*, record: NeedDimension, actor) -> None:
    """Delete a dimension no programme names; one that some do is kept, so that no
    programme silently loses what it answers."""
    access.check_delete(actor, record)
    tagged = record.programs.count()
    if tagged:
        raise ValidationError(
            _(
                "%(count)d programmes answer “%(name)s”. Tag them with another dimension "
                "first, or rename this one."
            )
            % {"count": tagged, "name": record.name}
        )
    record_delete(record, actor=actor)
