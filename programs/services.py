"""Writes to programmes, with the access, review and period-lock rules applied in one place."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bartim import access
from bartim.access import check_quarter_writable
from helpers import dataversion
from helpers.concurrency import claim_version
from helpers.history import checked_save
from indicators.models import Indicator, IndicatorValue
from programs.models import Program
from programs.progress import refresh_stored_progress

BUDGET_FIELDS = {
    1: "budget_realized_q1",
    2: "budget_realized_q2",
    3: "budget_realized_q3",
    4: "budget_realized_q4",
}


def program_create(*, actor, target_villages=(), change_reason: str = "", **fields) -> Program:
    """Create a programme; an OPD user's programme belongs to his own OPD, whatever was sent.

    `change_reason` is recorded in the history, e.g. to mark the record as imported."""
    if actor.is_regency_admin:
        pass
    elif actor.is_active and actor.role == actor.Role.OPD and actor.agency_id:
        fields["agency_id"] = actor.agency_id
        fields.pop("agency", None)
    else:
        raise PermissionDenied(_("You may not create programmes."))
    fields.pop("status", None)
    program = Program(created_by=actor, updated_by=actor, **fields)
    for quarter, field in BUDGET_FIELDS.items():
        if getattr(program, field):
            check_quarter_writable(year=program.year, quarter=quarter, actor=actor)
    program.full_clean()
    try:
        with transaction.atomic():
            program._history_user = actor
            if change_reason:
                program._change_reason = change_reason
            program.save()
            program.target_villages.set(target_villages)
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
    change_reason: str = "",
    seen_version: int | None = None,
    **fields,
) -> Program:
    """Change a programme the actor may edit. Its OPD and status are not changed here.

    `reason` justifies changing a locked quarter; the history records `change_reason` if
    given, else `reason`. `seen_version` is the version the actor's form was opened at:
    helpers.concurrency.EditConflict if someone saved the programme since."""
    with transaction.atomic():
        claim_version(Program, pk=program.pk, seen_version=seen_version, actor=actor)
        current = (
            access.editable(actor, Program.objects.all())
            .select_for_update()
            .filter(pk=program.pk)
            .first()
        )
        if current is None:
            raise PermissionDenied(_("You may not change this programme."))
        for name in ("agency", "agency_id", "status", "created_by", "created_by_id"):
            if name in fields and not actor.is_regency_admin:
                fields.pop(name)
        fields.pop("status", None)
        for quarter, field in BUDGET_FIELDS.items():
            if field in fields and fields[field] != getattr(current, field):
                check_quarter_writable(
                    year=fields.get("year", current.year),
                    quarter=quarter,
                    actor=actor,
                    reason=reason,
                )
        for name, value in fields.items():
            setattr(current, name, value)
        current.full_clean()
        current._history_user = actor
        if change_reason or reason:
            current._change_reason = change_reason or reason
        if target_villages is not None:
            # Set before saving, without a history row of its own: the save's one row then
            # holds the fields and the target villages together.
            current.skip_history_when_saving = True
            current.target_villages.set(target_villages)
            del current.skip_history_when_saving
        current.save()
        dataversion.bump()
    return current


def _editable_program(program, actor, seen_version: int | None) -> Program:
    """The programme locked for a write, its version raised: its indicators and quarterly
    values are changed under the programme's version (see Program.version)."""
    claim_version(Program, pk=program.pk, seen_version=seen_version, actor=actor)
    current = (
        access.editable(actor, Program.objects.all())
        .select_for_update()
        .filter(pk=program.pk)
        .first()
    )
    if current is None:
        raise PermissionDenied(_("You may not change this programme."))
    return current


def indicator_save(
    *,
    program: Program,
    actor,
    indicator: Indicator | None = None,
    change_reason: str = "",
    seen_version: int | None = None,
    **fields,
):
    """Add an indicator to a programme, or change one of its indicators. `seen_version`: the
    programme's version the form was opened at (helpers.concurrency)."""
    with transaction.atomic():
        program = _editable_program(program, actor, seen_version)
        if indicator is None:
            indicator = Indicator(program=program)
        elif indicator.program_id != program.pk:
            raise PermissionDenied(_("This indicator belongs to another programme."))
        fields.pop("program", None)
        fields.pop("program_id", None)
        for name, value in fields.items():
            setattr(indicator, name, value)
        checked_save(indicator, actor=actor, reason=change_reason)
        refresh_stored_progress([program.pk])
        dataversion.bump()
    return indicator


def program_report_quarter(
    *,
    program: Program,
    quarter: int,
    actor,
    budget_realized: int | None = None,
    realized: dict | None = None,
    targets: dict | None = None,
    reason: str = "",
    change_reason: str = "",
    seen_version: int | None = None,
) -> Program:
    """Record one quarter of a programme: its budget realisation and each indicator's value.

    `realized` and `targets` map indicator ids to a value (None clears it). All or nothing.
    `reason` justifies changing a locked quarter; the history records `change_reason` if
    given, else `reason`. `seen_version`: the programme's version the form was opened at
    (helpers.concurrency).
    """
    realized = realized or {}
    targets = targets or {}
    history_reason = change_reason or reason
    with transaction.atomic():
        program = _editable_program(program, actor, seen_version)
        check_quarter_writable(year=program.year, quarter=quarter, actor=actor, reason=reason)
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
        for indicator_id in set(realized) | set(targets):
            value = existing.get(indicator_id) or IndicatorValue(
                indicator=indicators[indicator_id], quarter=quarter
            )
            if indicator_id in realized:
                value.realized = realized[indicator_id]
            if indicator_id in targets:
                value.target = targets[indicator_id]
            checked_save(value, actor=actor, reason=history_reason)
        refresh_stored_progress([program.pk])
        dataversion.bump()
    return program
