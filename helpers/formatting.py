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


def format_percent(value, decimals: int = 2) -> str:
    if value is None or value == "":
        return "–"
    return f"{format_number(Decimal(str(value)), decimals)}%"


def format_rupiah(value) -> str:
    if value is None or value == "":
        return "–"
    return f"Rp{format_number(value, 0)}"
