from decimal import Decimal

from django import forms

from helpers.concurrency import FORM_OUT_OF_DATE
from helpers.formatting import format_number


class BootstrapMixin:
    """Bootstrap's classes on every widget, and errors tied to their input for screen readers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self):
        """Style every field; forms that add fields in __init__ call it again afterwards."""
        for name, field in self.fields.items():
            widget = field.widget
            widget.attrs["class"] = (
                "form-select" if isinstance(widget, forms.Select) else "form-control"
            )
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{name}-help"

    def full_clean(self):
        # Marking invalid inputs here, not in __init__, leaves subclasses free to narrow their
        # querysets after super().__init__() before anything is validated.
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = attrs.get("class", "form-control") + " is-invalid"
                attrs["aria-describedby"] = f"id_{name}-errors"


class SeenVersionMixin:
    """A hidden `seen_version`: the version of the record when the form was opened, sent back
    so that a save after someone else's is refused (helpers.concurrency)."""

    def add_seen_version(self, version: int) -> None:
        self.fields["seen_version"] = forms.IntegerField(
            widget=forms.HiddenInput,
            initial=version,
            min_value=1,
            # The column's range on every database, so a forged number never reaches a query.
            max_value=2_147_483_647,
            error_messages=dict.fromkeys(
                ["required", "invalid", "min_value", "max_value"], FORM_OUT_OF_DATE
            ),
        )

    def show_conflict(self, conflict, current: dict) -> None:
        """Tell who saved the record in between, list the current values that differ from the
        user's input, and arm the form with the current version: the next save, after review,
        goes through. The user's input stays in the form."""
        self.add_error(None, conflict.message)
        mine = self.cleaned_data
        self.conflict_values = [
            (self.fields[name].label, display_value(self.fields[name], value))
            for name, value in current.items()
            if name in self.fields and comparable(value) != comparable(mine.get(name))
        ]
        self.data = self.data.copy()
        self.data[self.add_prefix("seen_version")] = conflict.current_version


def comparable(value):
    if hasattr(value, "all") or isinstance(value, list | tuple | set):
        return frozenset(getattr(item, "pk", item) for item in value)
    return getattr(value, "pk", value)


def display_value(field, value) -> str:
    if value is None or value == "":
        return "–"
    if hasattr(value, "all") or isinstance(value, list | tuple | set):
        return ", ".join(str(item) for item in value) or "–"
    choices = dict(getattr(field, "choices", None) or ())
    if value in choices and not hasattr(value, "pk"):
        return str(choices[value])
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        integral = value == int(value)
        return format_number(value, 0 if integral else 2)
    return str(value)


# The largest id a database column holds: SQLite refuses a larger integer outright.
LARGEST_ID = 2**63 - 1


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of records whose posted ids are checked to be ids before the query:
    a number beyond any database integer is an invalid choice, not a server error."""

    def _check_values(self, value):
        for pk in value:
            text = str(pk)
            if not text.isdigit() or int(text) > LARGEST_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": text},
                )
        return super()._check_values(value)
