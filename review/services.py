"""The review workflow shared by programmes' plans, their quarter reports and village data,
in one place.

draft -> submitted -> approved, or submitted -> returned (with a reason) -> submitted again;
an admin reopens an approved record (with a reason), which returns it to its reporter. The
reporter of an approved plan asks for a revision (with a reason), which an admin grants by
reopening the plan or declines. The steps and who takes them: bartim.access.TRANSITIONS.
Every step is logged as a ReviewEvent on the record (who, when, why) and, through
django-simple-history, as a change of the record's status.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from bartim.access import TRANSITIONS, PeriodLockError, ReviewError, check_create, refusal
from bartim.models import PeriodLock, ReviewAction
from helpers import dataversion
from notifications.services import notify_period_locked, notify_review_step


def review_transition(*, record, action: str, actor, reason: str = ""):
    """Move `record` through one review step and log it; returns the updated record.

    Raises PermissionDenied when `actor` may not take the step, ReviewError when the record's
    status does not allow it or a required reason is missing. Nothing is saved then.
    `record` may be an unsaved quarter report (a quarter without one is a draft): it is
    stored with its first step.
    """
    action = ReviewAction(action)
    transition = TRANSITIONS[action]
    reason = (reason or "").strip()
    model = type(record)
    with transaction.atomic():
        # Locking the row makes two reviewers acting at once take turns instead of both
        # moving the record from the same status.
        if record.pk is None:
            record, _created = model.objects.get_or_create(
                program_id=record.program_id, quarter=record.quarter
            )
        current = model.objects.select_for_update().get(pk=record.pk)
        refused = refusal(current, actor, action)
        if refused is not None:
            raise refused
        if transition.needs_reason and not reason:
            raise ReviewError(_("Please give a reason."))
        from_status = current.status
        current.status = transition.target
        current._change_reason = f"{action.label}: {reason}" if reason else action.label
        current._history_user = actor
        current.save(update_fields=["status"])
        dataversion.bump()
        current.review_events.create(
            action=action,
            from_status=from_status,
            to_status=transition.target,
            reason=reason,
            actor=actor,
        )
        notify_review_step(record=current, action=action, actor=actor, reason=reason)
    return current


def period_lock(*, year: int, quarter: int, actor, reason: str = "") -> PeriodLock:
    check_create(actor, PeriodLock, message=_("Only an administrator locks a period."))
    lock = PeriodLock(year=year, quarter=quarter, locked_by=actor, reason=(reason or "").strip())
    lock._change_reason = lock.reason
    lock._history_user = actor
    lock.full_clean()
    with transaction.atomic():
        lock.save()
        notify_period_locked(lock=lock)
    return lock


def period_unlock(*, year: int, quarter: int, actor, reason: str) -> None:
    # Unlocking deletes the lock, which only who may lock may do.
    check_create(actor, PeriodLock, message=_("Only an administrator unlocks a period."))
    reason = (reason or "").strip()
    if not reason:
        raise PeriodLockError(_("Please give a reason for unlocking."))
    with transaction.atomic():
        lock = PeriodLock.objects.select_for_update().filter(year=year, quarter=quarter).first()
        if lock is None:
            raise PeriodLockError(_("This quarter is not locked."))
        lock._change_reason = reason
        # simple_history records the deletion with this user as the unlocker.
        lock._history_user = actor
        lock.delete()
