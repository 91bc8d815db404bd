import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from helpers.concurrency import FORM_OUT_OF_DATE
from helpers.formatting import format_quantity


class BootstrapMixin:
    """Bootstrap's classes on every widget, and errors tied to their input for screen readers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self):
        """Style every field; forms that add fields in __init__ call it again afterwards."""
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            else:
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
        return format_quantity(value)
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


# --- Numbers typed the way people write them -------------------------------------------------
#
# The rule, in the active language (Django's locale formats: Indonesian "." groups thousands and
# "," marks decimals, English the other way round): spaces and a leading "Rp" are dropped; then
# digits, either ungrouped or grouped in threes by the thousands separator (the first group
# not starting with 0), optionally followed
# by the decimal separator and more digits, and a leading "-" (refused by the fields that take
# no negative number, with that message). So "Rp 250.000.000", "1.250,75" and "4,5" in
# Indonesian, "250,000,000", "1,250.75" and "4.5" in English; "1.250" is one thousand two hundred
# and fifty in Indonesian and one and a quarter in English. Anything else ("4.5" in Indonesian,
# "1.2.3,4,5", letters) is not a number. Django's sanitize_separators does not suffice: it keeps
# the thousands separator unless USE_THOUSAND_SEPARATOR is on, which would also group every
# year shown in a template ("2.026"), and it guesses that "4.5" means 4,5 in Indonesian while
# "4,5" in English is 45. bartim/static/bartim/numbers.js previews the same rule in the browser;
# the server is the authority.

BLANKS = re.compile(r"[\s\u00a0\u2007\u202f]+")


def read_typed_number(text: str) -> str | None:
    """`text` as typed in the active language, as a plain number ("-1250.75"), or None when
    it is not a number by the rule above."""
    compact = BLANKS.sub("", text)
    if compact[:2].lower() == "rp":
        compact = compact[2:]
    sign = "-" if compact.startswith("-") else ""
    compact = compact.removeprefix("-")
    thousands = re.escape(get_format("THOUSAND_SEPARATOR"))
    decimals = re.escape(get_format("DECIMAL_SEPARATOR"))
    # A group of thousands never starts with 0: "0.125" is no grouping of 125.
    match = re.fullmatch(
        rf"([1-9][0-9]{{0,2}}(?:{thousands}[0-9]{{3}})+|[0-9]+)(?:{decimals}([0-9]+))?", compact
    )
    if match is None:
        return None
    whole = re.sub(r"[^0-9]", "", match[1])
    # Trailing zeros add no precision: "1.250" in English is 1.25, within two decimal places.
    fraction = (match[2] or "").rstrip("0")
    return f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}"


NOT_A_NUMBER = _('"%(value)s" is not a number. Write it like %(example)s.')
NOT_A_WHOLE_NUMBER = _('"%(value)s" is not a whole number. Write it like %(example)s.')
NEGATIVE = _("The number cannot be negative.")


class NumberTextInput(forms.TextInput):
    """A text input for a number: browsers' type="number" drops or misreads grouping
    ("250.000.000" became 250). Shows a stored value as people write it (1.250,75) and carries
    what numbers.js needs to preview the value read from the input."""

    input_mode = "decimal"

    def __init__(self, attrs=None):
        super().__init__({"inputmode": self.input_mode, "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            places = max(0, -Decimal(str(value)).as_tuple().exponent)
            return format_quantity(value, places)
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # Read when the page is drawn, in the language of the page.
        context["widget"]["attrs"].update(
            {
                "data-number": self.input_mode,
                "data-decimal-separator": get_format("DECIMAL_SEPARATOR"),
                "data-thousand-separator": get_format("THOUSAND_SEPARATOR"),
                "data-preview-label": _("Read as:"),
                "data-preview-invalid": _("Not a number yet."),
                "data-preview-fraction": _("Must be a whole number."),
            }
        )
        return context


class WholeNumberInput(NumberTextInput):
    input_mode = "numeric"


class TypedNumberMixin:
    """A number field reading what people type (read_typed_number), with messages that say
    what is wrong in the user's language."""

    example = Decimal("1250.75")
    not_a_number = NOT_A_NUMBER

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("localize", True)
        super().__init__(*args, **kwargs)
        if self.min_value == 0:
            self.error_messages["min_value"] = NEGATIVE

    def _refuse(self, value):
        example = format_quantity(self.example)
        return ValidationError(
            self.not_a_number, code="invalid", params={"value": value[:40], "example": example}
        )

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            plain = read_typed_number(value)
            if plain is None:
                raise self._refuse(value)
            try:
                return super().to_python(plain)
            except ValidationError as error:
                if error.code == "invalid":
                    raise self._refuse(value) from error
                raise
        return super().to_python(value)


class DecimalNumberField(TypedNumberMixin, forms.DecimalField):
    widget = NumberTextInput


class WholeNumberField(TypedNumberMixin, forms.IntegerField):
    widget = WholeNumberInput
    example = 250_000_000
    not_a_number = NOT_A_WHOLE_NUMBER


# Whole numbers that are names rather than quantities: never grouped (2026, not 2.026).
PLAIN_NUMBER_FIELDS = frozenset({"year"})


def number_form_class(db_field) -> type[forms.Field] | None:
    """The form field a model field's numbers are typed into, or None for any other field."""
    if (
        db_field.choices
        or db_field.primary_key
        or db_field.is_relation
        or db_field.name in PLAIN_NUMBER_FIELDS
    ):
        return None
    if isinstance(db_field, models.DecimalField):
        return DecimalNumberField
    if isinstance(db_field, models.IntegerField):
        return WholeNumberField
    return None


def number_formfield(db_field, **kwargs):
    """A ModelForm's `formfield_callback` (Meta), and what the admin's formfield_for_dbfield
    asks first: every number typed as people write it."""
    form_class = number_form_class(db_field)
    if form_class is not None:
        kwargs.setdefault("form_class", form_class)
        if any(
            isinstance(validator, MinValueValidator) and validator.limit_value == 0
            for validator in db_field.validators
        ):
            # Refused by the form with its own message before the model's validator runs.
            kwargs.setdefault("min_value", 0)
    return db_field.formfield(**kwargs)


CONFIRM_UNUSUAL = "confirm_unusual"


def confirmation_field() -> forms.BooleanField:
    return forms.BooleanField(
        label=_("Yes, the value is right"),
        required=False,
        help_text=_("Tick it when the form asks whether an unusual value is right."),
    )


class ConfirmUnusualMixin:
    """A value far off its peers (a budget ceiling of Rp250) is saved only once the user says
    it is right: the form refuses it with the reason and shows a "Yes, the value is right"
    box (`confirmation`, drawn by helpers/_form_fields.html); ticked, the same values save.
    The box is no field of the form, so cleaned_data holds the record's values only. Which
    values are unusual is the domain's to say."""

    confirmation = None

    def ask_confirmation(self, doubts: dict[str, str]) -> None:
        """Refuse the values in `doubts` (field name -> why it looks wrong) unless confirmed."""
        if not doubts:
            return
        if CONFIRM_UNUSUAL in self.fields:
            # A form that always shows the box (the admin's: confirmation_field()).
            confirmed = self.cleaned_data.get(CONFIRM_UNUSUAL)
        else:
            box = confirmation_field()
            box.widget.attrs["class"] = "form-check-input"
            self.confirmation = forms.BoundField(self, box, CONFIRM_UNUSUAL)
            confirmed = box.clean(self.confirmation.value())
        if confirmed:
            return
        how = _("If it is right, tick “Yes, the value is right” and save again.")
        for name, message in doubts.items():
            self.add_error(name if name in self.fields else None, f"{message} {how}")
