"""Optimistic locking: whoever saves a form opened before someone else saved the same record
is told who changed it and when, and nothing is overwritten.

A record that is edited in forms carries `version` (raised by one on every save through the
services) and `updated_by` / `updated_at`. Its forms send back the version they were opened
at; `claim_version` is the first statement of the saving transaction.
"""

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# A form sent back without a usable version (an old page, a forged request): nothing is saved.
FORM_OUT_OF_DATE = gettext_lazy("This form is out of date. Open it again and repeat your changes.")


class VersionedModel(models.Model):
    """The fields `claim_version` keeps: who saved the record last, when, and at which
    version."""

    updated_at = models.DateTimeField(gettext_lazy("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=gettext_lazy("last changed by"),
    )
    version = models.PositiveIntegerField(gettext_lazy("version"), default=1, editable=False)

    class Meta:
        abstract = True


class EditConflict(Exception):
    """The record was saved by someone else after the form was opened; nothing was saved."""

    def __init__(self, record):
        self.record = record
        self.current_version = record.version
        self.changed_by = record.updated_by
        self.changed_at = record.updated_at
        super().__init__(self.message)

    @property
    def message(self) -> str:
        who = self.changed_by
        name = (who.get_full_name() or who.username) if who else _("someone else")
        when = date_format(timezone.localtime(self.changed_at), "j M Y H:i")
        return _(
            "Changed by %(user)s at %(time)s WIB, after you opened this form, so nothing was "
            "saved. Your input is kept below: review it against the current values and save "
            "again."
        ) % {"user": name, "time": when}


def claim_version(model, *, pk, seen_version: int | None, actor) -> None:
    """Raise EditConflict unless the row `pk` of `model` is still at `seen_version`; otherwise
    raise its version and record `actor` as its last editor. `seen_version=None` (an import,
    which checks its own preview) claims the row whatever its version.

    Call it inside the saving transaction, before reading the row. It is one conditional
    UPDATE (... SET version = version + 1 WHERE id = %s AND version = %s) rather than
    select_for_update plus a comparison because that is race-free on both databases we run:
    PostgreSQL re-checks the WHERE clause against the newest committed row after waiting for a
    concurrent writer's row lock, so of two saves from the same version exactly one matches;
    SQLite ignores select_for_update, but an UPDATE takes its database write lock at once, so
    the second save waits and then finds the version already raised. As the transaction's
    first write it also keeps SQLite from failing a read-then-write upgrade with "database is
    locked". A missing row claims nothing: the caller's access check then refuses it.
    """
    assert transaction.get_connection().in_atomic_block, "claim_version needs a transaction"
    rows = model._base_manager.filter(pk=pk)
    if seen_version is not None:
        rows = rows.filter(version=seen_version)
    claimed = rows.update(version=F("version") + 1, updated_by=actor, updated_at=timezone.now())
    if claimed:
        return
    current = model._base_manager.select_related("updated_by").filter(pk=pk).first()
    if current is not None:
        raise EditConflict(current)
