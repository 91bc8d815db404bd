from decimal import Decimal

import pytest
from django.utils import translation

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


def test_a_negative_that_rounds_to_zero_is_written_without_a_sign():
    with translation.override("id"):
        assert format_number(Decimal("-0.001"), 2) == "0,00"
