"""The access policy: who may read, create, change, review and delete which record, in which
period, and when a reason is required. Every write path asks it (the services, the app's
pages, the forms, the Excel imports and the Django admin); nothing else restates it.

The rules, in one sentence each:
- Every active, signed-in account reads everything; an anonymous or inactive one nothing.
- An agency (OPD) account reports on the programmes of its own agency, with their indicators
  and quarterly values; a camat account on the village data of his own kecamatan; an
  administrator on everything. Viewers report on nothing.
- A reporter changes his records while they are a draft or returned; an administrator also
  while submitted. Approved records are changed by nobody until an administrator reopens them.
- Review steps follow TRANSITIONS: the reporter submits; an administrator approves, returns
  or reopens (with a reason), never his own submission.
- A locked quarter's values are changed only by an administrator, who gives a reason.
- Everything else (territory, agencies, accounts, strategies, the BPS series, the pocket rule,
  period locks) is kept by administrators only.

The policy knows each kind of record by its model label and a few lookups (KINDS), so that it
imports no app above this one: a new kind of reported record is a new line there.
"""

from dataclasses import dataclass
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from bartim.models import PeriodLock, ReviewAction, ReviewStatus, User


class ReviewError(Exception):
    """A transition that is not allowed from the record's current status or without a reason."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class PeriodLockError(Exception):
    """A locked quarter changed without the reason an administrator must give."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


AGENCY = "agency"
DISTRICT = "district"


@dataclass(frozen=True)
class Kind:
    """How the policy finds a reported record's owner, review status and period.

    `owner`: whose accounts report on it (AGENCY or DISTRICT); the lookups lead from the
    record to the owner's id, its review status and its year."""

    owner: str
    owner_path: str
    status_path: str
    year_path: str


KINDS = {
    "programs.program": Kind(AGENCY, "agency_id", "status", "year"),
    "indicators.indicator": Kind(AGENCY, "program__agency_id", "program__status", "program__year"),
    "indicators.indicatorvalue": Kind(
        AGENCY,
        "indicator__program__agency_id",
        "indicator__program__status",
        "indicator__program__year",
    ),
    "villages.villagedata": Kind(DISTRICT, "village__district_id", "status", "year"),
}


def _kind(model) -> Kind | None:
    return KINDS.get(model._meta.label_lower)


def _value(record, path: str):
    for part in path.split("__"):
        record = getattr(record, part)
    return record


def is_active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_admin(user) -> bool:
    return is_active(user) and user.is_regency_admin


def owner_id(user, owner: str):
    """The agency or district `user` reports for, or None."""
    if not is_active(user):
        return None
    if owner == AGENCY and user.role == User.Role.OPD:
        return user.agency_id
    if owner == DISTRICT and user.role == User.Role.CAMAT:
        return user.district_id
    return None


def editable_statuses(user) -> list[str]:
    """Approved data is locked for everyone; an admin reopens it first, with a reason."""
    if is_admin(user):
        return [ReviewStatus.DRAFT, ReviewStatus.RETURNED, ReviewStatus.SUBMITTED]
    return [ReviewStatus.DRAFT, ReviewStatus.RETURNED]


# ---- Querysets -----------------------------------------------------------------------------


def readable(user, queryset: QuerySet) -> QuerySet:
    """What `user` may read of `queryset`: everything for an active account (aligning the
    agencies is the point of the app), nothing otherwise."""
    return queryset if is_active(user) else queryset.none()


def reported(user, queryset: QuerySet) -> QuerySet:
    """The records of `queryset` that `user` reports on, whatever their review status."""
    if is_admin(user):
        return queryset
    kind = _kind(queryset.model)
    own = owner_id(user, kind.owner) if kind else None
    if own is None:
        return queryset.none()
    return queryset.filter(**{kind.owner_path: own})


def editable(user, queryset: QuerySet) -> QuerySet:
    """The records of `queryset` that `user` may change now."""
    kind = _kind(queryset.model)
    if kind is None:
        return queryset if is_admin(user) else queryset.none()
    return reported(user, queryset).filter(**{f"{kind.status_path}__in": editable_statuses(user)})


# ---- One record ----------------------------------------------------------------------------


def may_report_for(user, owner: str, owner_pk=None) -> bool:
    """Whether `user` may create records owned by `owner_pk` (any owner when None)."""
    if is_admin(user):
        return True
    own = owner_id(user, owner)
    return own is not None and (owner_pk is None or own == owner_pk)


def may_create_programs(user) -> bool:
    return may_report_for(user, AGENCY)


def may_keep_village_data(user) -> bool:
    return may_report_for(user, DISTRICT)


def may_change(user, record) -> bool:
    """Whether `user` may change (or delete) `record` now, as stored in the database."""
    model = type(record)
    if _kind(model) is None:
        return is_admin(user)
    return editable(user, model._default_manager.filter(pk=record.pk)).exists()


def check_change(user, record, message=None) -> None:
    if not may_change(user, record):
        raise PermissionDenied(message or _("You may not change this record now."))


def check_create(user, model, owner_pk) -> None:
    """Raise unless `user` may create a `model` record owned by `owner_pk`."""
    kind = _kind(model)
    allowed = is_admin(user) if kind is None else may_report_for(user, kind.owner, owner_pk)
    if not allowed:
        if kind and kind.owner == DISTRICT:
            raise PermissionDenied(
                _("You may only keep the data of villages in your own district.")
            )
        raise PermissionDenied(_("You may not create this record."))


def check_admin(user, message=None) -> None:
    if not is_admin(user):
        raise PermissionDenied(message or _("Only an administrator may do this."))


def admin_required(view):
    """A page only for administrators: a 403 for every other role."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        check_admin(request.user, _("Only an administrator may open this page."))
        return view(request, *args, **kwargs)

    return wrapper


# ---- Periods -------------------------------------------------------------------------------


def quarter_needs_reason(user, *, year: int, quarter: int) -> bool:
    """Whether changing `quarter` of `year` needs a reason from `user` (who may change it)."""
    return is_admin(user) and PeriodLock.objects.filter(year=year, quarter=quarter).exists()


def check_quarter_writable(*, year: int, quarter: int, actor, reason: str = "") -> None:
    """Raise unless `actor` may change values of `quarter` in `year` now."""
    if not PeriodLock.objects.filter(year=year, quarter=quarter).exists():
        return
    if not is_admin(actor):
        raise PermissionDenied(
            _("Q%(quarter)s %(year)s is locked; only an administrator can change it.")
            % {"quarter": quarter, "year": year}
        )
    if not (reason or "").strip():
        raise PeriodLockError(
            _("Q%(quarter)s %(year)s is locked: give a reason for changing it.")
            % {"quarter": quarter, "year": year}
        )


# ---- Review --------------------------------------------------------------------------------


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
    return [action for action in TRANSITIONS if refusal(record, user, action) is None]


def last_submitter_id(record):
    event = record.review_events.filter(action=ReviewAction.SUBMIT).order_by("-pk").first()
    return event.actor_id if event else None


def refusal(record, user, action):
    """Why `user` may not take `action` on `record`, or None when he may."""
    transition = TRANSITIONS[action]
    if transition.by_admin:
        if not is_admin(user):
            return PermissionDenied(_("Only an administrator reviews submitted data."))
    elif not reported(user, type(record)._default_manager.filter(pk=record.pk)).exists():
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
