"""Who reads the API (a system account with its token) and what it asked for (the request
log). Neither holds personal data: a system is named by what it is, and the log keeps the
method, the path with its filters, the answer's status and how long it took."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SystemAccount(models.Model):
    """Another government system reading the API with a token. It reads what the account it
    reads as may read (bartim.access): an account's role, or without one the public's view
    (published years, verified figures only). Only a digest of the token is kept; the token
    itself is shown once, to the administrator who creates it."""

    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        help_text=_("The system that uses the token, e.g. the provincial dashboard."),
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="system_accounts",
        verbose_name=_("reads as account"),
        help_text=_(
            "The system reads what this account's role reads. Empty: a public token, which "
            "reads only the published years' verified figures."
        ),
    )
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(_("token begins with"), max_length=8, editable=False)
    is_active = models.BooleanField(_("active"), default=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
        editable=False,
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("system account (API token)")
        verbose_name_plural = _("system accounts (API tokens)")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_public(self) -> bool:
        return self.account_id is None


class ApiRequest(models.Model):
    """One request to the API, answered or refused."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    system_account = models.ForeignKey(
        SystemAccount,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("system account"),
    )
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=300)
    query = models.CharField(_("query"), max_length=500, blank=True)
    status = models.PositiveSmallIntegerField(_("status"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))

    class Meta:
        verbose_name = _("API request")
        verbose_name_plural = _("API requests")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.method} {self.path} {self.status}"
