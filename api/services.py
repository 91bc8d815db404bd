"""Writes of the API's own records: system accounts (an administrator's task, through
bartim.access) and the request log."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiRequest, SystemAccount
from bartim import access

KEY_BYTES = 32


def key_digest(key: str) -> str:
    """What is stored of a token: its SHA-256. A token is 256 random bits, so a plain hash
    is enough (no password stretching needed), and a stolen database reveals no token."""
    return hashlib.sha256(key.encode()).hexdigest()


def system_account_create(*, name: str, account=None, actor) -> tuple[SystemAccount, str]:
    """A new system account and its token, returned once and never stored."""
    access.check_admin(actor, _("Only an administrator creates API tokens."))
    key = secrets.token_urlsafe(KEY_BYTES)
    system = SystemAccount(
        name=name, account=account, key_digest=key_digest(key), key_prefix=key[:8], created_by=actor
    )
    with transaction.atomic():
        system.full_clean()
        system.save()
    return system, key


def system_account_revoke(*, system: SystemAccount, actor) -> None:
    """The token stops working at once; the account stays, for the request log."""
    access.check_admin(actor, _("Only an administrator revokes API tokens."))
    with transaction.atomic():
        SystemAccount.objects.filter(pk=system.pk, is_active=True).update(
            is_active=False, revoked_at=timezone.now()
        )
    system.refresh_from_db()


def api_request_log(*, system, method: str, path: str, query: str, status: int, duration_ms):
    """Keep one request in the log (api.models.ApiRequest)."""
    ApiRequest.objects.create(
        system_account=system,
        method=method[:10],
        path=path[:300],
        query=query[:500],
        status=status,
        duration_ms=max(0, int(duration_ms)),
    )
