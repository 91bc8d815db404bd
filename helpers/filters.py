"""What every table's filters share: defaults for parameters the link leaves out, Bootstrap
widgets, the active filters as removable chips, and the filters in an export's file name."""

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.text import slugify

# Parameters of the page that are not filters and are dropped when a filter changes.
PAGE_PARAMETERS = ("page", "_export")


class LabelledModelChoiceFilter(django_filters.ModelChoiceFilter):
    """A dropdown of model instances labelled by `label_from_instance(instance)`."""

    def __init__(self, *args, label_from_instance=None, **kwargs):
        self.label_from_instance = label_from_instance
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
