"""Numbers as the regency writes them: 8.740 jiwa, 6,66%, Rp1.250.000.000 in Indonesian,
8,740 / 6.66% / Rp1,250,000,000 in English. Used by templates, tables and exports alike."""

import functools
from decimal import ROUND_HALF_UP, Decimal

from django.core.signals import setting_changed
from django.utils.formats import get_format, number_format
from django.utils.translation import get_language


def format_number(value, decimals: int = 0) -> str:
    if value is None or value == "":
        return "–"
    # Django's number_format cuts digits off (39.2157 -> "39,21"); a reader expects rounding.
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    separators = _separators(get_language())
    if separators is None:
        return number_format(rounded, decimal_pos=decimals, use_l10n=True, force_grouping=True)
    # What number_format writes for groups of three, without looking the language's formats
    # up again for each of a table page's 200 numbers.
    return f"{rounded:z,.{decimals}f}".translate(separators)  # z: no "-0"


@functools.cache
def _separators(language: str | None) -> dict[int, str] | None:
    """The language's separators as a str.translate() table from Python's "1,234.5", or None
    when its digits are not grouped by three."""
    if get_format("NUMBER_GROUPING", language, use_l10n=True) != 3:
        return None
    return {
        ord(","): get_format("THOUSAND_SEPARATOR", language, use_l10n=True),
        ord("."): get_format("DECIMAL_SEPARATOR", language, use_l10n=True),
    }


def _formats_changed(*, setting, **kwargs):
    if setting in {"FORMAT_MODULE_PATH", "LANGUAGE_CODE", "LANGUAGES"} or setting.endswith(
        ("_SEPARATOR", "NUMBER_GROUPING")
    ):
        _separators.cache_clear()


setting_changed.connect(_formats_changed, dispatch_uid="formatting-separators")


def format_percent(value, decimals: int = 2) -> str:
    if value is None or value == "":
        return "–"
    return f"{format_number(Decimal(str(value)), decimals)}%"


def format_rupiah(value) -> str:
    if value is None or value == "":
        return "–"
    return f"Rp{format_number(value, 0)}"
