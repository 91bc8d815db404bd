"""The review workflow shared by programmes and village data, in one place.

draft -> submitted -> approved, or submitted -> returned (with a reason) -> submitted again;
an admin reopens an approved record (with a reason), which returns it to its reporter.
Every step is logged as a ReviewEvent on the record (who, when, why) and, through
django-simple-history, as a change of the record's status.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from .models import ReviewAction, ReviewStatus


class ReviewError(Exception):
    """A transition that is not allowed from the record's current status or without a reason."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    needs_reason: bool
    by_admin: bool


TRANSITIONS = {
    ReviewAction.SUBMIT: Transition(
        frozenset({ReviewStatus.DRAFT, ReviewStatus.RETURNED}),
        ReviewStatus.SUBMITTED,
        needs_reason=False,
        by_admin=False,
    ),
    ReviewAction.APPROVE: Transition(
        frozenset({ReviewStatus.SUBMITTED}),
        ReviewStatus.APPROVED,
        needs_reason=False,
        by_admin=True,
    ),
    ReviewAction.RETURN: Transition(
        frozenset({ReviewStatus.SUBMITTED}),
        ReviewStatus.RETURNED,
        needs_reason=True,
        by_admin=True,
    ),
    ReviewAction.REOPEN: Transition(
        frozenset({ReviewStatus.APPROVED}),
        ReviewStatus.RETURNED,
        needs_reason=True,
        by_admin=True,
    ),
}


def allowed_actions(record, user) -> list[str]:
    """The review actions `user` may take on `record` now, for showing only usable buttons."""
    return [action for action in TRANSITIONS if _refusal(record, user, action) is None]


def last_submitter_id(record):
    event = record.review_events.filter(action=ReviewAction.SUBMIT).order_by("-pk").first()
    return event.actor_id if event else None


def _refusal(record, user, action):
    """Why `user` may not take `action` on `record`, or None when he may."""
    transition = TRANSITIONS[action]
    if transition.by_admin:
        if not user.is_regency_admin:
            return PermissionDenied(_("Only an administrator reviews submitted data."))
    elif not type(record).objects.reported_by(user).filter(pk=record.pk).exists():
        return PermissionDenied(_("You may not submit this record."))
    if record.status not in transition.sources:
        return ReviewError(
            _("This record is %(status)s, so it cannot be %(action)s.")
            % {"status": record.get_status_display().lower(), "action": action.label}
        )
    if action in (ReviewAction.APPROVE, ReviewAction.RETURN) and (
        last_submitter_id(record) == user.pk
    ):
        return PermissionDenied(_("You cannot review your own submission."))
    return None


def review_transition(*, record, action: str, actor, reason: str = ""):
    """Move `record` through one review step and log it; returns the updated record.

    Raises PermissionDenied when `actor` may not take the step, ReviewError when the record's
    status does not allow it or a required reason is missing. Nothing is saved then.
    """
    action = ReviewAction(action)
    transition = TRANSITIONS[action]
    reason = (reason or "").strip()
    model = type(record)
    with transaction.atomic():
        # Locking the row makes two reviewers acting at once take turns instead of both
        # moving the record from the same status.
        current = model.objects.select_for_update().get(pk=record.pk)
        refusal = _refusal(current, actor, action)
        if refusal is not None:
            raise refusal
        if transition.needs_reason and not reason:
            raise ReviewError(_("Please give a reason."))
        from_status = current.status
        current.status = transition.target
        current._change_reason = f"{action.label}: {reason}" if reason else action.label
        current._history_user = actor
        current.save(update_fields=["status"])
        current.review_events.create(
            action=action,
            from_status=from_status,
            to_status=transition.target,
            reason=reason,
            actor=actor,
        )
    return current
