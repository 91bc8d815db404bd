"""Writes to programmes, with the access, review and period-lock rules applied in one place."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bartim.concurrency import claim_version
from bartim.periods import check_quarter_writable

from .models import Program

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
    bartim.concurrency.EditConflict if someone saved the programme since."""
    with transaction.atomic():
        claim_version(Program, pk=program.pk, seen_version=seen_version, actor=actor)
        current = (
            Program.objects.editable_by(actor).select_for_update().filter(pk=program.pk).first()
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
    return current
