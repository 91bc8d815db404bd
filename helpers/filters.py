"""What every table's filters share: defaults for parameters the link leaves out, Bootstrap
widgets, the active filters as removable chips, and the filters in an export's file name."""

from dataclasses import dataclass
from html import escape

import django_filters
from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.http import QueryDict
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from helpers import dataversion

# Parameters of the page that are not filters and are dropped when a filter changes.
PAGE_PARAMETERS = ("page", "_export")


@dataclass(frozen=True)
class _Options:
    """A dropdown's options as HTML, none selected: `values[i]` is the value of `html[i]`,
    which `selected(i)` writes with the selected attribute."""

    values: list[str]
    html: list[str]

    @classmethod
    def of(cls, choices) -> "_Options":
        values, html = [], []
        for value, label in choices:
            value = "" if value is None else str(value)
            values.append(value)
            html.append(f'<option value="{escape(value)}">{escape(label)}</option>')
        return cls(values, html)

    def selected(self, index: int) -> str:
        return self.html[index].replace('">', '" selected>', 1)


def _database_options(choices: "ValuesChoiceIterator") -> _Options:
    """The options of a dropdown read from the database, rendered once per data version
    (helpers.dataversion.cached_for_query): a province's desa and OPD dropdowns are 2,200
    options, written on every table page (docs/performance.md). The key holds the query
    itself, so two dropdowns over different rows (another user's, another filter's) never
    share one."""
    field = choices.field
    return dataversion.cached_for_query(
        "options",
        choices.queryset,
        lambda: _Options.of(choices),
        in_process=True,
        also=(field.to_field_name, field.label_fields, field.label_format, field.empty_label),
    )


class LeanSelect(forms.Select):
    """A <select> whose options are written in Python, with the same HTML as Django's.

    Django renders one template per option; a province's 1,648 villages made the desa
    dropdown cost more than the rest of the table page (docs/performance.md). Options read
    from the database are also kept from one request to the next (_database_options)."""

    def render(self, name, value, attrs=None, renderer=None):
        if isinstance(self.choices, ValuesChoiceIterator):
            options = _database_options(self.choices)
        else:
            choices = list(iter(self.choices))  # iter(): len() would count the rows first
            if any(isinstance(label, (list, tuple)) for _, label in choices):
                return super().render(name, value, attrs, renderer)  # option groups
            options = _Options.of(choices)
        wanted = set(self.format_value(value))
        html = options.html
        # The first option with a wanted value is selected, as Django's Select does.
        chosen = next((i for i, v in enumerate(options.values) if v in wanted), None)
        if chosen is not None:
            html = [*html[:chosen], options.selected(chosen), *html[chosen + 1 :]]
        return mark_safe(  # noqa: S308  (every value and label went through escape)
            f'<select name="{escape(name)}"{flatatt(self.build_attrs(self.attrs, attrs))}>'
            + "".join(html)
            + "</select>"
        )


def _follow(instance, path: str):
    for name in path.split("__"):
        instance = getattr(instance, name)
    return instance


class ValuesChoiceIterator(ModelChoiceIterator):
    """The field's choices from values_list(): no model instance per option."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        key = self.field.to_field_name or "pk"
        for key_value, *values in self.queryset.values_list(key, *self.field.label_fields):
            yield (key_value, self.field.label_format.format(*values))


class ValuesModelChoiceField(forms.ModelChoiceField):
    """A model choice labelled by `label_format` over `label_fields` (lookups such as
    "district__name"), read as plain values for the dropdown and from the instance for
    the chosen one."""

    iterator = ValuesChoiceIterator

    def __init__(self, *args, label_fields=("name",), label_format="{}", **kwargs):
        self.label_fields = tuple(label_fields)
        self.label_format = label_format
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return self.label_format.format(*(_follow(obj, path) for path in self.label_fields))


class LabelledModelChoiceFilter(django_filters.ModelChoiceFilter):
    """A dropdown of model instances labelled by `label_from_instance(instance)`, or, for
    long lists, by `label_fields` and `label_format` (ValuesModelChoiceField), which reads
    the options without building a model instance for each."""

    def __init__(self, *args, label_from_instance=None, label_fields=None, **kwargs):
        self.label_from_instance = label_from_instance
        if label_fields is not None:
            self.field_class = ValuesModelChoiceField
            kwargs["label_fields"] = label_fields
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        field = super().field
        if self.label_from_instance:
            field.label_from_instance = self.label_from_instance
        return field


class TableFilterSet(django_filters.FilterSet):
    """Subclasses list in `fixed` the filters that always have a value (the period): they are
    shown in the heading, not as chips, and `defaults()` supplies them when the link does
    not. `prepare()` runs before the filters, for filters on annotations."""

    fixed: tuple[str, ...] = ()

    def __init__(self, data=None, *args, request=None, **kwargs):
        self.request = request
        self.given = data.copy() if data is not None else QueryDict(mutable=True)
        data = self.given.copy()
        for name, value in self.defaults(self.given).items():
            if not data.get(name):
                data[name] = value
        super().__init__(data, *args, request=request, **kwargs)

    def defaults(self, data) -> dict:
        return {}

    def prepare(self, queryset):
        return queryset

    def filter_queryset(self, queryset):
        return super().filter_queryset(self.prepare(queryset))

    @property
    def form(self):
        form = super().form
        if not getattr(form, "styled", False):
            form.styled = True
            for name, field in form.fields.items():
                if type(field.widget) is forms.Select:
                    lean = LeanSelect(attrs=field.widget.attrs)
                    lean.choices = field.widget.choices
                    field.widget = lean
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs["class"] = f"{css} {css}-sm"
                if form.is_bound and name in form.errors:
                    field.widget.attrs["class"] += " is-invalid"
                    field.widget.attrs["aria-invalid"] = "true"
        return form

    def _display(self, name):
        field = self.form.fields[name]
        value = self.form.cleaned_data.get(name)
        if isinstance(field, forms.ModelChoiceField):
            return field.label_from_instance(value)
        if isinstance(field, forms.ChoiceField):
            raw = str(self.form.data.get(name))
            return str({str(key): label for key, label in field.choices}.get(raw, raw))
        return str(value)

    def _value(self, name):
        value = self.form.cleaned_data.get(name)
        return getattr(value, "pk", value)

    def active_filters(self) -> list[dict]:
        """The filters the link sets, other than the fixed ones, each with the URL that
        removes it."""
        if not self.is_valid():
            return []
        chips = []
        for name in self.filters:
            if name in self.fixed or self.form.cleaned_data.get(name) in (None, ""):
                continue
            remaining = self.given.copy()
            for parameter in (name, *PAGE_PARAMETERS):
                remaining.pop(parameter, None)
            chips.append(
                {
                    "name": name,
                    "label": self.form.fields[name].label,
                    "value": self._display(name),
                    "remove_url": "?" + remaining.urlencode() if remaining else "?",
                }
            )
        return chips

    def period(self) -> list[tuple[str, str]]:
        """The fixed filters' labels and values, for the heading."""
        if not self.is_valid():
            return []
        return [(self.form.fields[name].label, self._display(name)) for name in self.fixed]

    def filename_parts(self) -> list[str]:
        """The filters as parts of an export's file name: 2024, tw4, opd-12."""
        if not self.is_valid():
            return []
        parts = [slugify(self._filename_value(name)) for name in self.fixed]
        for name in self.filters:
            value = self.form.cleaned_data.get(name)
            if name in self.fixed or value in (None, ""):
                continue
            parts.append(slugify(f"{name}-{self._filename_value(name)}"))
        return [part for part in parts if part]

    def _filename_value(self, name):
        value = self._value(name)
        field = self.form.fields[name]
        if isinstance(field, forms.ModelChoiceField) and field.to_field_name:
            return str(getattr(self.form.cleaned_data[name], field.to_field_name))
        return str(value)[:40]
