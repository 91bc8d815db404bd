"""Numbers as the regency writes them: 8.740 jiwa, 6,66%, Rp1.250.000.000 in Indonesian,
8,740 / 6.66% / Rp1,250,000,000 in English. Used by templates, tables and exports alike."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format


def format_number(value, decimals: int = 0) -> str:
    if value is None or value == "":
        return "–"
    # Django's number_format cuts digits off (39.2157 -> "39,21"); a reader expects rounding.
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if not rounded:
        rounded = abs(rounded)  # no "-0"
    return number_format(rounded, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def plain_quantity(value, max_decimals: int = 2) -> int | Decimal | None:
    """A stored quantity with the decimals it really has, at most `max_decimals`: 120.00 is
    the whole number 120 (a count), 4.50 is 4.5. Exports write this; screens format_quantity."""
    if value is None or value == "":
        return None
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-max_decimals), rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        return int(rounded)
    return rounded.normalize()


def format_quantity(value, max_decimals: int = 2) -> str:
    """A stored quantity shown with its decimals only when it has a fraction: "120" (a count
    stored in a decimal column), "4,5", "1.250,75"."""
    plain = plain_quantity(value, max_decimals)
    if plain is None:
        return "–"
    decimals = 0 if isinstance(plain, int) else -plain.as_tuple().exponent
    return format_number(plain, decimals)


def format_percent(value, decimals: int = 2) -> str:
    if value is None or value == "":
        return "–"
    return f"{format_number(Decimal(str(value)), decimals)}%"


def format_rupiah(value) -> str:
    if value is None or value == "":
        return "–"
    return f"Rp{format_number(value, 0)}"
