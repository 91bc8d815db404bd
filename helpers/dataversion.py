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
    _request.active, _request.stamps = True, {}


def _request_ended(**kwargs):
    _request.active, _request.stamps = False, {}


request_started.connect(_request_began, dispatch_uid="dataversion-request-started")
request_finished.connect(_request_ended, dispatch_uid="dataversion-request-finished")


# The data version's rows: ALL changes with every write; FAMILY_MEASURES only with a write to
# what the family measures count (families/measures.py: the beneficiary records, the registry
# snapshots, a programme's year, strategy or owner). Those measures match a province's year of
# beneficiaries with its registry, seconds of SQL, and most writes (the quarterly reports)
# leave them as they were.
ALL = 1
FAMILY_MEASURES = 2


def bump(using: str | None = None, *, family_measures: bool = False) -> None:
    """Give the data a new version (and with `family_measures` the family measures' inputs
    too); part of the caller's transaction."""
    from helpers.models import DataVersion

    using = using or router.db_for_write(DataVersion)
    _request.stamps = {}  # read again: this request's own write, or its rollback
    with transaction.atomic(using=using, savepoint=False):
        for row in (ALL, FAMILY_MEASURES) if family_measures else (ALL,):
            stamp = secrets.randbits(62)
            changed = DataVersion.objects.using(using).filter(pk=row)
            if not changed.update(stamp=stamp):
                DataVersion.objects.using(using).update_or_create(pk=row, defaults={"stamp": stamp})


def current(scope: int = ALL) -> int:
    """The data's version (or that of one scope's inputs), read once per request."""
    from helpers.models import DataVersion

    stamps = getattr(_request, "stamps", None) or {}
    stamp = stamps.get(scope)
    if stamp is None:
        stamp = (DataVersion.objects.filter(pk=scope).values_list("stamp", flat=True).first()) or 0
        if getattr(_request, "active", False):
            _request.stamps = {**stamps, scope: stamp}
    return stamp


def cached(key_parts: Iterable, compute: Callable[[], T], *, scope: int = ALL) -> T:
    """`compute()`, kept in Django's cache under `key_parts`, the data version (or that of
    `scope`'s inputs) and the active language: computed once per version of the data,
    whichever process asks. `key_parts` must name everything else the value depends on (the
    user's visibility_key(), filters)."""
    source = "\0".join(
        map(str, (scope, current(scope), translation.get_language() or "", *key_parts))
    )
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
