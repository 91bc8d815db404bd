"""What every table of the application shares: stable sorting, 25 rows a page, columns that
show Indonesian numbers on screen and export raw numbers."""

import contextlib
import functools
import inspect
import weakref
from decimal import Decimal

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableQuerysetData
from django_tables2.rows import BoundRow
from django_tables2.utils import OrderBy, signature

from helpers import dataversion
from helpers.formatting import format_number, format_percent, format_rupiah

PER_PAGE = 25
MAX_PER_PAGE = 100
EMPTY = "–"


_orderings: dict = {}


class StableQuerysetData(TableQuerysetData):
    """Sorts with empty values last in both directions (SQLite and PostgreSQL disagree
    otherwise) and the primary key as the last key, so that pages never repeat or skip rows
    that tie on the sorted column."""

    sorted_by_user = False

    @property
    def ordering(self):
        # django-tables2 finds which columns the queryset's own order is by trying every
        # combination of the columns' sort keys: the same answer for the same table and
        # order, so it is worked out once per process.
        columns = tuple(column.name for column in self.table.columns)
        key = (type(self.table), columns, self.data.query.order_by)
        try:
            return _orderings[key]
        except KeyError:
            ordering = _orderings[key] = super().ordering
            return ordering
        except TypeError:  # an order by an expression that cannot be a key
            return super().ordering

    def __len__(self):
        if not hasattr(self, "_length"):
            self._length = dataversion.cached_count(self.data)
        return self._length

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
            self.sorted_by_user = True

    def __getitem__(self, key):
        late = isinstance(key, slice) and (key.start or self.sorted_by_user)
        if not (late and self._late_lookup_is_exact()):
            return super().__getitem__(key)
        # A late row lookup: the page's keys first, in one subquery that needs only what the
        # order and the filters read, then the annotated and joined rows of those keys alone.
        # Sliced directly, the database would compute every annotation for each row an OFFSET
        # skips (0.8 s instead of 25 ms for a province's last page), and sorting by a computed
        # column would carry every row's joined columns through the sort (docs/performance.md).
        # The first page in the queryset's own order is read from its index as it is.
        return self.data.filter(pk__in=self.data.values("pk")[key])

    def _late_lookup_is_exact(self) -> bool:
        # A window function (the OPD ranking's rank) would be computed over the page's rows
        # alone once they are filtered by key.
        annotations = self.data.query.annotations.values()
        return not any(getattr(value, "contains_over_clause", False) for value in annotations)


class BaseTable(tables.Table):
    """Base of every list table. Subclasses declare `class Meta(BaseTable.Meta)`: django-tables2
    reads only a table's own Meta. Querysets given to it must already be ordered, ending in a
    unique key, so that the first, unsorted page is stable too."""

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
    """A measured value: 8.740 when whole, 6,66 when not; two decimals in exports."""

    decimals = 2
    excel_format = "#,##0.00"

    def render(self, value):
        whole = isinstance(value, int) or value == value.to_integral_value()
        return format_number(value, 0 if whole else self.decimals)


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


class RecordLinkColumn(tables.Column):
    """The value as a link to the record's page, the URL named `viewname` with the record's
    primary key as its one argument: what linkify=(viewname, [A("pk")]) writes, with the URL
    reversed once per table instead of once per row."""

    _SENTINEL = 918_273_645_546_372_819

    def __init__(self, viewname: str, **kwargs):
        self.viewname = viewname
        super().__init__(**kwargs)

    def render(self, value, record, table):
        around = table.__dict__.setdefault("_record_link_urls", {})
        if self.viewname not in around:
            url = reverse(self.viewname, args=[self._SENTINEL])
            around[self.viewname] = url.split(str(self._SENTINEL), 1)
        prefix, suffix = around[self.viewname]
        return format_html('<a href="{}{}{}">{}</a>', prefix, record.pk, suffix, value)

    def value(self, value):
        return value


_signatures = weakref.WeakKeyDictionary()
_MISSING = object()


def _signature_of(fn):
    key = getattr(fn, "__func__", fn)
    try:
        return _signatures[key]
    except (KeyError, TypeError):
        names_and_catch_all = signature(fn)
        with contextlib.suppress(TypeError):  # not weakly referenceable: not kept
            _signatures[key] = names_and_catch_all
        return names_and_catch_all


def _call_with_appropriate(fn, kwargs):
    """django_tables2.utils.call_with_appropriate, reading each function's signature once:
    inspecting it for every cell was half the time of a 5,000-row export."""
    names, catch_all = _signature_of(fn)
    if not catch_all:
        kwargs = {name: kwargs[name] for name in names if name in kwargs}
        if len(kwargs) < len(names):
            return None
    return fn(**kwargs)


def _call_for_cell(fn, row, bound_column, value):
    """_call_with_appropriate(fn, row._optional_cell_arguments(bound_column, value)), without
    building the six arguments for a function that takes the value or the record alone,
    as most columns' render() and value() do."""
    names, catch_all = _signature_of(fn)
    if not catch_all and len(names) == 1:
        if names[0] == "value":
            return fn(value=value)
        if names[0] == "record":
            return fn(record=row.record)
    return _call_with_appropriate(fn, row._optional_cell_arguments(bound_column, value))


@functools.lru_cache(maxsize=256)
def _choice_labels(field, language: str | None) -> dict:
    """The field's choices as get_FOO_display() reads them, translated once per language."""
    return {value: str(label) for value, label in make_hashable(field.flatchoices)}


def _display(record, field):
    """record.get_FOO_display() for the field FOO, without building the choices again."""
    value = getattr(record, field.attname)
    labels = _choice_labels(field, get_language())
    return force_str(labels.get(make_hashable(value), value), strings_only=True)


# How a one-step accessor reads a model record (_cell_reader).
_READ_CHOICE_LABEL, _READ_DISPLAY = "choice label", "display"
_READ_ATTRIBUTE, _READ_GENERAL = "attribute", "general"


def _cell_reader(bound_column, model) -> str:
    """How BoundRow._get_and_render_with reads this column on records of `model`, decided
    once per column and model rather than by resolving the accessor for every cell."""
    accessor = str(bound_column.accessor)
    if tables.A.LEGACY_SEPARATOR in accessor or tables.A.SEPARATOR in accessor:
        return _READ_GENERAL
    if isinstance(bound_column.column, tables.ManyToManyColumn):
        return _READ_GENERAL
    try:
        field = model._meta.get_field(accessor)
    except FieldDoesNotExist:
        return _READ_ATTRIBUTE
    if getattr(field, "choices", ()) and hasattr(model, f"get_{accessor}_display"):
        own = inspect.getattr_static(model, f"get_{accessor}_display")
        # Django's own get_FOO_display, unless the model wrote its own.
        return _READ_CHOICE_LABEL if isinstance(own, functools.partialmethod) else _READ_DISPLAY
    return _READ_ATTRIBUTE


class LeanRow(BoundRow):
    """A django-tables2 row whose cells are computed exactly as BoundRow computes them
    (accessors, defaults, get_FOO_display, render_FOO and value_FOO), with the signatures
    read once and a one-step accessor on a model read without resolving it for each cell."""

    def _get_and_render_with(self, bound_column, render_func, default):
        record = self.record
        if not isinstance(record, models.Model):
            return super()._get_and_render_with(bound_column, render_func, default)
        readers = bound_column.__dict__.setdefault("_lean_readers", {})
        model = type(record)
        reader = readers.get(model)
        if reader is None:
            reader = readers[model] = _cell_reader(bound_column, model)
        name = str(bound_column.accessor)
        if reader == _READ_CHOICE_LABEL:
            value = _display(record, model._meta.get_field(name))
        elif reader == _READ_DISPLAY:
            value = getattr(record, f"get_{name}_display")()
        elif reader == _READ_ATTRIBUTE:
            value = getattr(record, name, _MISSING)
            # A method or a missing attribute: Accessor.resolve's own rules (calling it,
            # the link column's text) apply.
            if value is _MISSING or callable(value):
                return super()._get_and_render_with(bound_column, render_func, default)
        else:
            return super()._get_and_render_with(bound_column, render_func, default)
        if value in bound_column.column.empty_values:
            return default
        return render_func(bound_column, value)

    def _call_render(self, bound_column, value=None):
        if bound_column.link:
            kwargs = self._optional_cell_arguments(bound_column, value)
            content = _call_with_appropriate(bound_column.render, kwargs)
            return bound_column.link(content, **kwargs)
        return _call_for_cell(bound_column.render, self, bound_column, value)

    def cells_of(self, bound_columns):
        """items() over `bound_columns`, the table's columns read once for all its rows:
        items() looks each column up by name among all of them, for every cell."""
        for column in bound_columns:
            cell = self._get_and_render_with(
                column, render_func=self._call_render, default=column.default
            )
            # What items() sets, for cell attributes computed from the cell (Column.attrs).
            column.current_value, column.current_record = cell, self.record
            yield column, cell

    def value_of(self, bound_column):
        """get_cell_value() for a bound column already in hand: looking a column up by
        name walks the table's columns, for every cell of an export."""
        return self._get_and_render_with(bound_column, render_func=self._call_value, default=None)

    def _call_value(self, bound_column, value=None):
        function = bound_column.value
        if getattr(function, "__func__", None) is tables.Column.value:
            # Column.value() calls the column's own render() the same way.
            function = bound_column.column.render
        return _call_for_cell(function, self, bound_column, value)
