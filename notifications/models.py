"""The in-app inbox: one row per notice to one account, also sent by e-mail unless the
account turned that off (bartim.User.email_notifications)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        RETURNED = "returned", _("Returned")
        VERIFIED = "verified", _("Verified")
        DUE_IN_7_DAYS = "due7", _("Deadline in 7 days")
        DUE_IN_1_DAY = "due1", _("Deadline tomorrow")
        OVERDUE = "overdue", _("Overdue")
        LOCKED = "locked", _("Period locked")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    url = models.CharField(_("link"), max_length=300, blank=True)
    # The reminders' period ("2025-Q1"): with the user and the kind it is unique, so a
    # reminder is made, and so sent, once however often send_reminders runs.
    period = models.CharField(_("period"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Whether the notice still waits for its e-mail; cleared once sent, or when the account
    # has no address or turned e-mail off by then.
    email_pending = models.BooleanField(_("e-mail pending"), default=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_user_unread_idx"),
            models.Index(
                fields=["email_pending"],
                condition=Q(email_pending=True),
                name="notification_email_pending_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "period"],
                condition=~Q(period=""),
                name="notification_once_per_user_kind_period",
            ),
        ]

    def __str__(self):
        return self.subject
