"""The period a page shows when the link names none: the year and the quarter."""

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from helpers import dataversion
from programs.models import Program

REGENCY_TIMEZONE = ZoneInfo("Asia/Jakarta")


def today() -> datetime.date:
    """Today in Barito Timur (WIB), whatever the server's clock zone."""
    return timezone.now().astimezone(REGENCY_TIMEZONE).date()


def quarter_of(date: datetime.date) -> int:
    return (date.month - 1) // 3 + 1


def program_years(programs=None) -> list[int]:
    """The years that have programmes in `programs` (default: all), newest first."""
    return years_of(Program.objects.all() if programs is None else programs)


def years_of(queryset) -> list[int]:
    """The distinct values of the `year` column of `queryset`'s rows, newest first; read once
    per version of the data (every table page and its year dropdown asks)."""
    years = queryset.order_by("-year").values_list("year", flat=True).distinct()
    if years.query.is_empty():
        return []
    return dataversion.cached(("years", years.query), lambda: list(years))


def default_year(years: list[int] | None = None) -> int:
    """The latest year that has programmes, else the current year.

    `years` is program_years()' answer when the caller already has it."""
    years = program_years() if years is None else years
    return max(years) if years else today().year


def default_quarter(year: int) -> int:
    """Q IV for a past year, the current quarter for the current year, Q I for a year to come
    (nothing can be realised yet, and Q I is where it starts)."""
    current = today()
    if year < current.year:
        return 4
    if year == current.year:
        return quarter_of(current)
    return 1
