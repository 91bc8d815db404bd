from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import translation
from django.utils.formats import number_format
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.formatting import format_number, format_percent, format_rupiah


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (39.2156862745098, 2, "39,22"),
        (6.665, 2, "6,67"),
        (6.664, 2, "6,66"),
        (8739.5, 0, "8.740"),
        (1_250_000_000, 0, "1.250.000.000"),
    ],
)
def test_numbers_are_rounded_half_up_not_cut_off(value, decimals, expected):
    with translation.override("id"):
        assert format_number(value, decimals) == expected


def test_percent_and_rupiah_round_too():
    with translation.override("id"):
        assert format_percent(100 * 100 / 255) == "39,22%"
        assert format_rupiah(1_250_000_000.6) == "Rp1.250.000.001"


@pytest.mark.parametrize("language", ["id", "en"])
@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    value=st.decimals(min_value=-(10**15), max_value=10**15, allow_nan=False, places=4),
    decimals=st.integers(min_value=0, max_value=3),
)
def test_numbers_are_written_as_djangos_own_number_format_writes_them(language, value, decimals):
    rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    with translation.override(language):
        expected = number_format(rounded, decimal_pos=decimals, use_l10n=True, force_grouping=True)
        assert format_number(value, decimals) == expected
