"""What every table of the application shares: stable sorting, 25 rows a page, columns that
show Indonesian numbers on screen and export raw numbers."""

import functools
from decimal import Decimal

import django_tables2 as tables
import django_tables2.utils
from django.db.models import F, QuerySet
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableQuerysetData
from django_tables2.utils import OrderBy

from helpers.exports import QUANTITY
from helpers.formatting import (
    format_number,
    format_percent,
    format_quantity,
    format_rupiah,
    plain_quantity,
)

_signature_of_function = functools.lru_cache(maxsize=1024)(django_tables2.utils.signature)


def memoised_signature(fn):
    """django_tables2's signature() once per function: not for every cell, nor per table."""
    function = getattr(fn, "__func__", None)
    if function is None:
        return _signature_of_function.__wrapped__(fn)
    args, keywords = _signature_of_function(function)
    return args[1:], keywords  # without self


django_tables2.utils.signature = memoised_signature  # before any table: they derive from here

# ?columns=all shows a table's secondary columns too (helpers.views.FilteredTableView).
COLUMNS_PARAMETER = "columns"
ALL_COLUMNS = "all"

PER_PAGE = 25
MAX_PER_PAGE = 100
EMPTY = "–"


class StableQuerysetData(TableQuerysetData):
    """Sorts with empty values last in both directions (SQLite and PostgreSQL disagree
    otherwise) and the primary key as the last key, so that pages never repeat or skip rows
    that tie on the sorted column."""

    def order_by(self, aliases):
        expressions = []
        for alias in aliases:
            bound_column = self.table.columns[OrderBy(alias).bare]
            accessors = bound_column.order_by
            # The column reflects the current direction; the alias asks for its own.
            if alias[0] != bound_column.order_by_alias[0]:
                accessors = accessors.opposite
            for accessor in accessors:
                field = F(OrderBy(accessor.for_queryset()).bare)
                expressions.append(
                    field.desc(nulls_last=True)
                    if accessor.is_descending
                    else field.asc(nulls_last=True)
                )
        if expressions:
            self.data = self.data.order_by(*expressions, "pk")


class BaseTable(tables.Table):
    """Base of every list table. Subclasses declare `class Meta(BaseTable.Meta)`: django-tables2
    reads only a table's own Meta. Querysets given to it must already be ordered, ending in a
    unique key, so that the first, unsorted page is stable too.

    `secondary_columns` are left out of the page until the user asks for every column
    (?columns=all), so that the key ones fit a 1280 px screen; exports hold them all."""

    secondary_columns: tuple[str, ...] = ()

    class Meta:
        template_name = "helpers/table.html"
        attrs = {"class": "table table-sm table-striped table-hover align-middle"}
        per_page = PER_PAGE
        empty_text = _("No rows match these filters.")

    def __init__(self, data=None, *args, **kwargs):
        if isinstance(data, QuerySet):
            data = StableQuerysetData(data)
        super().__init__(data, *args, **kwargs)

    def paginate(self, *args, per_page=None, **kwargs):
        # ?per_page= is honoured, but not to the point of one page with every row; zero or
        # less (per_page=-1) would make the paginator fail, so it means the default.
        per_page = min(per_page if per_page and per_page > 0 else PER_PAGE, MAX_PER_PAGE)
        return super().paginate(*args, per_page=per_page, **kwargs)


class LongTextColumn(tables.Column):
    """A name that can be long: on screen two lines at most, cut with an ellipsis, the whole
    name in its tooltip and in the page for screen readers, shown in full while its link has
    the keyboard focus (app.css .long-text); the whole name in exports. `narrow` cuts it
    shorter, for a second name column."""

    def __init__(self, *args, narrow=False, **kwargs):
        self.css_class = "long-text long-text-narrow" if narrow else "long-text"
        super().__init__(*args, **kwargs)

    def render(self, value):
        return long_text(value, self.css_class)

    def value(self, value):
        return str(value)


def long_text(value, css_class="long-text"):
    """The HTML of LongTextColumn's cell, for a column that renders its own link."""
    return format_html('<span class="{}" title="{}">{}</span>', css_class, value, value)


class NumberColumn(tables.Column):
    """A number: 8.740 on screen, the number itself in exports."""

    decimals = 0
    excel_format = "#,##0"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", EMPTY)
        kwargs.setdefault("attrs", {"th": {"class": "number"}, "td": {"class": "number"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return format_number(value, self.decimals)

    def value(self, value):
        # Same number of decimals from SQLite (15 significant digits) and PostgreSQL.
        if isinstance(value, Decimal):
            return value.quantize(Decimal(1).scaleb(-self.decimals))
        return value


class DecimalColumn(NumberColumn):
    """A measured value with its decimals only when it has a fraction: 120 (a count), 6,66;
    in exports the number itself, 120 or 6.66."""

    decimals = 2
    excel_format = QUANTITY

    def render(self, value):
        return format_quantity(value, self.decimals)

    def value(self, value):
        return plain_quantity(value, self.decimals)


class PercentColumn(NumberColumn):
    """A percentage: 6,66% on screen, 6.66 in exports (the header says %)."""

    decimals = 2
    excel_format = "0.00"

    def render(self, value):
        return format_percent(value, self.decimals)


class RupiahColumn(NumberColumn):
    """Rupiah: Rp1.250.000.000 on screen, 1250000000 in exports (the header says Rp)."""

    def render(self, value):
        return format_rupiah(value)
