"""Turning one spreadsheet cell into a value, the way people in the regency type them.

Numbers stored as numbers are taken as they are. Text is read Indonesian style: "." groups
thousands and "," marks decimals (8.740 is eight thousand seven hundred and forty; 6,66 is
six point six six). Forms that can only be English (1,250,000 or 1,250.50) and a lone decimal
point that cannot be a thousands separator (6.66) are accepted too, because CSV files written
by other programs use them; "8,740" stays Indonesian (8,74) and so is refused where a whole
number is expected, with a hint.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.utils.formats import number_format
from django.utils.translation import gettext as _

BLANK_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")
# A group of thousands never starts with 0, so "0.125" is read as a decimal point.
INDONESIAN = re.compile(r"^([1-9]\d{0,2}(?:\.\d{3})+|\d+)(?:,(\d+))?$")
LONE_DECIMAL_POINT = re.compile(r"^(\d+)\.(\d+)$")
ENGLISH = re.compile(r"^(\d{1,3}(?:,\d{3})+)(?:\.(\d+))?$")


class CellError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


class Formula:
    """Marks a cell that holds a formula, whatever its text; every column refuses it."""

    def __init__(self, text):
        self.text = text


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not BLANK_SPACES.sub("", value))


def clean_text(value) -> str:
    """A cell as text: numbers as they read, spaces at either end dropped."""
    _refuse_formula(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _refuse_formula(value) -> None:
    if isinstance(value, Formula):
        raise CellError(
            _(
                "This cell holds a formula (%(formula)s). Use values, not formulas: copy the "
                "cells and paste them as values only."
            )
            % {"formula": value.text[:40]}
        )


def parse_number(value, *, percent_cell: bool = False) -> Decimal:
    """A cell as a Decimal. `percent_cell` says the cell was formatted as a percentage in
    Excel, where 6,66% is stored as 0.0666."""
    _refuse_formula(value)
    if isinstance(value, bool):
        raise CellError(_("Expected a number, found %(value)s.") % {"value": str(value).upper()})
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        raise CellError(
            _(
                "This cell holds a date, not a number. Format the cell as a number and type it "
                "again."
            )
        )
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        number = Decimal(repr(value))
        return number * 100 if percent_cell else number
    return _parse_number_text(str(value))


def _parse_number_text(text: str) -> Decimal:
    original = text.strip()
    text = BLANK_SPACES.sub("", original)
    if text[:2].lower() == "rp":
        text = text[2:]
    text = text.removesuffix("%")
    negative = text.startswith("-")
    text = text.removeprefix("-").removeprefix("+")
    for pattern, thousands in (
        (INDONESIAN, "."),
        (LONE_DECIMAL_POINT, None),
        (ENGLISH, ","),
    ):
        match = pattern.match(text)
        if match:
            whole, fraction = match.groups()
            if thousands:
                whole = whole.replace(thousands, "")
            try:
                number = Decimal(f"{whole}.{fraction}" if fraction else whole)
            except InvalidOperation:  # pragma: no cover - the patterns only let digits through
                break
            return -number if negative else number
    raise CellError(
        _('"%(text)s" is not a number. Write digits only, for example 8.740 or 6,66.')
        % {"text": original[:40]}
    )


def parse_whole(value, *, minimum: int | None = 0, maximum: int | None = None) -> int:
    number = parse_number(value)
    if number != number.to_integral_value():
        hint = ""
        if isinstance(value, str) and re.fullmatch(r"\s*\d{1,3},\d{3}\s*", value):
            hint = " " + _(
                "In Indonesian notation the comma marks decimals; write the thousands as "
                "%(example)s."
            ) % {"example": value.strip().replace(",", ".")}
        raise CellError(
            _("Expected a whole number, found %(value)s.") % {"value": _shown(value, number)} + hint
        )
    _check_range(number, minimum, maximum)
    return int(number)


def parse_decimal(
    value,
    *,
    decimal_places: int,
    minimum: Decimal | int | None = None,
    maximum: Decimal | int | None = None,
    percent_cell: bool = False,
) -> Decimal:
    number = parse_number(value, percent_cell=percent_cell)
    try:
        rounded = number.quantize(Decimal(1).scaleb(-decimal_places))
    except InvalidOperation:
        # More digits than Decimal's 28 once the decimals are added: far beyond any field.
        raise CellError(_("This number is too large.")) from None
    # A number stored by Excel as a binary float (6.66 as 6.6600000000000001) is what the
    # person typed; anything further off has more decimals than the field keeps.
    if rounded != number and (
        not isinstance(value, float) or abs(rounded - number) > Decimal("1e-9")
    ):
        raise CellError(
            _("Use at most %(places)d decimal places (found %(value)s).")
            % {"places": decimal_places, "value": _shown(value, number)}
        )
    _check_range(rounded, minimum, maximum)
    # Quantized, so that 6,66% read as 0.0666 x 100 = 6.6600 fits the field's decimal places.
    return rounded


DATE_TEXT = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
ISO_DATE_TEXT = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(value) -> datetime.date:
    """A cell as a date: a date cell as it is, text as day-month-year (30-09-2025,
    30/09/2025, 30.09.2025, the Indonesian order) or year-month-day (2025-09-30)."""
    _refuse_formula(value)
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = BLANK_SPACES.sub("", clean_text(value))
    match = DATE_TEXT.match(text)
    parts = match and (match.group(3), match.group(2), match.group(1))
    match = ISO_DATE_TEXT.match(text)
    parts = parts or (match and match.groups())
    if parts:
        try:
            return datetime.date(*(int(part) for part in parts))
        except ValueError:
            pass
    raise CellError(
        _('"%(text)s" is not a date. Write day-month-year, for example 30-09-2025.')
        % {"text": clean_text(value)[:40]}
    )


def _check_range(number, minimum, maximum) -> None:
    if minimum is not None and number < minimum:
        if minimum == 0:
            raise CellError(_("The number cannot be negative."))
        raise CellError(
            _("The number must be at least %(minimum)s.") % {"minimum": _plain(minimum)}
        )
    if maximum is not None and number > maximum:
        raise CellError(_("The number must be at most %(maximum)s.") % {"maximum": _plain(maximum)})


def _plain(number) -> str:
    """A number in the interface's notation without thousands grouping (years read 2000)."""
    number = Decimal(number)
    places = max(0, -number.normalize().as_tuple().exponent)
    return number_format(number, decimal_pos=places, use_l10n=True)


def _shown(value, number) -> str:
    return value.strip() if isinstance(value, str) else _plain(number)
