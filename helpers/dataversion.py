"""The data version: a stamp that changes with every write to the data the pages show, in the
writing transaction, and the one cache keyed by it (`cached()`): the dashboard, the report,
the targeting check, the table pages' rendered filters and table, and their years.
A piece cached under one stamp is never read after a write has committed, whichever process
or machine serves the next request (the cache is Redis when REDIS_URL is set), and no cache
ever needs flushing: old keys are simply never asked for again.

The stamp is random rather than counted: a database restored from a backup and written to
again must not meet a stamp whose cached pieces describe other data.

Every write service calls `bump()` in its own transaction (programs/services.py,
villages/services.py, review/services.py, bartim/services.py ...); so do the loaders of the
reference and demo data and the data generator. No signal does it behind a write's back.
"""

import hashlib
import secrets
from collections.abc import Callable, Iterable
from typing import TypeVar

from asgiref.local import Local
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import router, transaction
from django.utils import translation

# A cached piece is stale at once after a write (its key holds the data version); this only
# bounds how long an unused entry takes memory.
CACHE_SECONDS = 3600

T = TypeVar("T")

# Within a request the stamp is read once, so that the pieces of one page (its count, its
# years, its table) all come from the same version of the data.
_request = Local()


def _request_began(**kwargs):
    _request.active, _request.stamp = True, None


def _request_ended(**kwargs):
    _request.active, _request.stamp = False, None


request_started.connect(_request_began, dispatch_uid="dataversion-request-started")
request_finished.connect(_request_ended, dispatch_uid="dataversion-request-finished")


def bump(using: str | None = None) -> None:
    """Give the data a new version; part of the caller's transaction."""
    from helpers.models import DataVersion

    using = using or router.db_for_write(DataVersion)
    stamp = secrets.randbits(62)
    _request.stamp = None  # read again: this request's own write, or its rollback
    with transaction.atomic(using=using, savepoint=False):
        changed = DataVersion.objects.using(using).filter(pk=DataVersion.SINGLETON_ID)
        if not changed.update(stamp=stamp):
            DataVersion.objects.using(using).update_or_create(
                pk=DataVersion.SINGLETON_ID, defaults={"stamp": stamp}
            )


def current() -> int:
    """The data's version, read once per request."""
    from helpers.models import DataVersion

    stamp = getattr(_request, "stamp", None)
    if stamp is None:
        stamp = (
            DataVersion.objects.filter(pk=DataVersion.SINGLETON_ID)
            .values_list("stamp", flat=True)
            .first()
        ) or 0
        if getattr(_request, "active", False):
            _request.stamp = stamp
    return stamp


def cached(key_parts: Iterable, compute: Callable[[], T]) -> T:
    """`compute()`, kept in Django's cache under `key_parts`, the data version and the active
    language: computed once per version of the data, whichever process asks. `key_parts`
    must name everything else the value depends on (the user's visibility_key(), filters)."""
    source = "\0".join(map(str, (current(), translation.get_language() or "", *key_parts)))
    key = "v:" + hashlib.blake2b(source.encode(), digest_size=20).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def visibility_key(user) -> tuple:
    """What the access policy (bartim.access.readable) reads of `user`: a piece cached for
    one user may be served to another with the same key."""
    return (user.is_active, user.is_superuser, user.role, user.agency_id, user.district_id)
