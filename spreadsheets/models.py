"""An uploaded file between its preview and its confirmation."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Long enough to read a preview of two thousand rows; short enough that abandoned uploads go.
PENDING_LIFETIME = timedelta(hours=2)
# Uploads kept per user: a new one beyond these discards his oldest, so that nobody can fill
# the table by uploading again and again.
MAX_PENDING_PER_USER = 3


def new_token() -> str:
    return secrets.token_urlsafe(32)


class PendingImportQuerySet(models.QuerySet):
    def expired(self):
        return self.filter(created_at__lt=timezone.now() - PENDING_LIFETIME)

    def of(self, user):
        """The user's own uploads that have not expired; nobody sees another's upload."""
        return self.filter(user=user, created_at__gte=timezone.now() - PENDING_LIFETIME)

    def keep_latest(self, user) -> None:
        """Discard the user's uploads beyond the newest MAX_PENDING_PER_USER."""
        stale = self.filter(user=user).order_by("-created_at", "-pk")[MAX_PENDING_PER_USER:]
        self.filter(pk__in=list(stale.values_list("pk", flat=True))).delete()


class PendingImport(models.Model):
    """The file as read at upload, kept on the server under a random token that only its
    uploader can use: its sheets' cells as JSON, so that the preview and the confirmation work
    on the same values without parsing the file again, and nothing of the data passes through
    the browser."""

    token = models.CharField(_("token"), max_length=64, unique=True, default=new_token)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("template"), max_length=30)
    filename = models.CharField(_("file name"), max_length=255)
    tables = models.JSONField(_("sheets read"), default=dict)
    reason = models.TextField(_("reason"), blank=True)
    # What the last preview showed, so that a confirmation applies only what was seen.
    preview_digest = models.CharField(_("preview digest"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = PendingImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("pending import")
        verbose_name_plural = _("pending imports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename} ({self.user})"
