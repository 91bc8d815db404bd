"""Period locks: once an admin locks a quarter of a year, only an admin changes that
quarter's values, and he must say why."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from .models import PeriodLock


class PeriodLockError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def check_quarter_writable(*, year: int, quarter: int, actor, reason: str = "") -> None:
    """Raise unless `actor` may change values of `quarter` in `year` now."""
    if not PeriodLock.objects.filter(year=year, quarter=quarter).exists():
        return
    if not actor.is_regency_admin:
        raise PermissionDenied(
            _("Q%(quarter)s %(year)s is locked; only an administrator can change it.")
            % {"quarter": quarter, "year": year}
        )
    if not (reason or "").strip():
        raise PeriodLockError(
            _("Q%(quarter)s %(year)s is locked: give a reason for changing it.")
            % {"quarter": quarter, "year": year}
        )


def period_lock(*, year: int, quarter: int, actor, reason: str = "") -> PeriodLock:
    if not actor.is_regency_admin:
        raise PermissionDenied(_("Only an administrator locks a period."))
    lock = PeriodLock(year=year, quarter=quarter, locked_by=actor, reason=(reason or "").strip())
    lock._change_reason = lock.reason
    lock._history_user = actor
    lock.full_clean()
    with transaction.atomic():
        lock.save()
    return lock


def period_unlock(*, year: int, quarter: int, actor, reason: str) -> None:
    if not actor.is_regency_admin:
        raise PermissionDenied(_("Only an administrator unlocks a period."))
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
