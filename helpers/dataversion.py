"""The data version: a stamp that changes with every write to the data the summary pages
show, in the writing transaction, so that a summary cached under one stamp is never read
after a write has committed. The dashboard and the report (indicators/meeting.py), the
targeting check, the filter dropdowns (bartim/filters.py) and the tables' row counts
(cached_count) are cached by it.

The stamp is random rather than counted: a database restored from a backup and written to
again must not meet a stamp whose cached summaries describe other data.

Every write service calls `bump()` in its own transaction (programs/services.py,
villages/services.py, review/services.py, bartim/services.py ...); so do the loaders of the
reference and demo data and the data generator. No signal does it behind a write's back.
"""

import hashlib
import secrets
from collections.abc import Callable, Iterable
from typing import TypeVar

from asgiref.local import Local
from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.core.signals import request_finished, request_started
from django.db import connections, models, router, transaction
from django.utils import translation

# A cached piece is stale at once after a write (its key holds the data version); this only
# bounds how long an unused entry takes memory.
CACHE_SECONDS = 3600

T = TypeVar("T")

# Within a request the stamp is read once (a page may key several cached pieces by it);
# outside a request, every call reads it, since nothing says when it could have changed.
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
    if getattr(_request, "active", False) and _request.stamp is not None:
        return _request.stamp
    stamp = _read_stamp()
    if getattr(_request, "active", False):
        _request.stamp = stamp
    return stamp


def _read_stamp() -> int:
    from helpers.models import DataVersion

    # Plain SQL: every page reads it, and the ORM took longer to build the query than the
    # database took to answer it.
    connection = connections[router.db_for_read(DataVersion)]
    table = connection.ops.quote_name(DataVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT stamp FROM {table} WHERE id = %s", [DataVersion.SINGLETON_ID])  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else 0


# Values that cached(in_process=True) also keeps in this process, unpickled: at most
# IN_PROCESS_ENTRIES, each under a key that holds the data version.
_in_process: dict[str, object] = {}
IN_PROCESS_ENTRIES = 32


# The cache of small values most pages read (settings.CACHES): row counts, years, dropdowns.
LOOKUPS = "lookups"


def cached(
    key_parts: Iterable,
    compute: Callable[[], T],
    *,
    in_process: bool = False,
    cache_alias: str = "default",
) -> T:
    """`compute()`, kept in Django's cache `cache_alias` under `key_parts`, the data version
    and the active language: computed once per version of the data, whichever process asks.
    `in_process` also keeps it in this process, for a value read on most pages whose
    unpickling from the cache costs (a province's dropdowns); the caller must never change
    it."""
    key = ":".join(map(str, (current(), translation.get_language() or "", *key_parts)))
    if in_process and key in _in_process:
        return _in_process[key]
    cache = caches[cache_alias]
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    if in_process:
        if len(_in_process) >= IN_PROCESS_ENTRIES:
            _in_process.clear()
        _in_process[key] = value
    return value


def cached_for_query(
    name: str,
    queryset: models.QuerySet,
    compute: Callable[[], T],
    *,
    in_process: bool = False,
    also: Iterable = (),
) -> T:
    """`compute()`, a result of `queryset` (a count, its years, a dropdown's options), kept in
    the lookups cache like cached() under `name`, the query's own SQL (so that its filters
    and what the user may see are part of the key) and whatever else `also` says the result
    depends on."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # .none(): nothing to read, nothing worth keeping
        return compute()
    source = "\0".join(map(str, (sql, repr(params), *also)))
    digest = hashlib.blake2b(source.encode(), digest_size=16).hexdigest()
    key = (name, queryset.db, digest)
    return cached(key, compute, in_process=in_process, cache_alias=LOOKUPS)


def cached_count(queryset: models.QuerySet) -> int:
    """`queryset.count()`, kept by cached_for_query(): a table's paginator counts a province's
    rows once per version of the data instead of on every page and every sort of it."""
    return cached_for_query("count", queryset.order_by().values("pk"), queryset.count)
