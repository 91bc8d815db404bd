import re
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.utils import translation

from helpers.charts import PERCENT, Point, bar_chart, line_chart, nice_ticks, yearly_points

SVG = "{http://www.w3.org/2000/svg}"
SERIES = [Point("2022", 8420), Point("2023", 8590), Point("2024", 8740)]
RATES = [Point("2022", Decimal("6.59")), Point("2023", Decimal("6.63")), Point("2024", None)]


@pytest.fixture(autouse=True)
def indonesian():
    with translation.override("id"):
        yield


def _texts(svg):
    return [element.text for element in ElementTree.fromstring(svg).iter(f"{SVG}text")]


def test_nice_ticks_cover_the_range_in_round_steps():
    assert nice_ticks(Decimal(0), Decimal(8740)) == (
        [Decimal(0), Decimal(2500), Decimal(5000), Decimal(7500), Decimal(10000)],
        0,
    )
    ticks, decimals = nice_ticks(Decimal("6.59"), Decimal("6.66"))
    assert ticks == [Decimal(v) for v in ("6.58", "6.60", "6.62", "6.64", "6.66")]
    assert decimals == 2


def test_a_single_value_still_gets_an_axis():
    ticks, _ = nice_ticks(Decimal(5), Decimal(5))

    assert ticks[0] < 5 < ticks[-1]


def test_a_bar_chart_is_valid_svg_with_title_description_and_label():
    svg = bar_chart(SERIES, chart_id="poor", title="Penduduk miskin", description="BPS.")

    root = ElementTree.fromstring(svg)
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Penduduk miskin"
    assert root.get("aria-labelledby") == "poor-title"
    assert root.find(f"{SVG}title").text == "Penduduk miskin"
    assert root.find(f"{SVG}desc").text == "BPS. 2022: 8.420; 2023: 8.590; 2024: 8.740"


def test_bar_values_and_axis_ticks_are_in_indonesian_format():
    svg = bar_chart(SERIES, chart_id="poor", title="t")

    texts = _texts(svg)
    assert texts[:5] == ["0", "2.500", "5.000", "7.500", "10.000"]
    assert texts[5:8] == ["2022", "2023", "2024"]
    assert texts[8:] == ["8.420", "8.590", "8.740"]


def test_bars_grow_from_the_axis_in_proportion_to_their_values():
    svg = bar_chart([Point("a", 2500), Point("b", 10000)], chart_id="c", title="t")

    heights = [float(r.get("height")) for r in ElementTree.fromstring(svg).iter(f"{SVG}rect")]
    assert heights[1] == pytest.approx(4 * heights[0])
    bottoms = {
        float(r.get("y")) + float(r.get("height"))
        for r in ElementTree.fromstring(svg).iter(f"{SVG}rect")
    }
    assert len(bottoms) == 1


def test_a_line_chart_labels_percentages_and_breaks_at_a_missing_value():
    svg = line_chart(RATES, chart_id="rate", title="Persentase", unit=PERCENT, value_decimals=2)

    root = ElementTree.fromstring(svg)
    assert root.find(f"{SVG}desc").text == "2022: 6,59%; 2023: 6,63%; 2024: –"
    assert len(list(root.iter(f"{SVG}circle"))) == 2
    (polyline,) = root.iter(f"{SVG}polyline")
    assert len(polyline.get("points").split()) == 2
    assert "6,59%" in _texts(svg) and "6,63%" in _texts(svg)


def test_a_higher_value_is_drawn_higher_on_the_line_chart():
    svg = line_chart(RATES[:2], chart_id="rate", title="t", unit=PERCENT)

    first, second = (float(c.get("cy")) for c in ElementTree.fromstring(svg).iter(f"{SVG}circle"))
    assert second < first


def test_the_line_chart_axis_stays_at_or_above_zero_for_positive_data():
    svg = line_chart([Point("a", 1), Point("b", 3)], chart_id="c", title="t")

    assert "-" not in "".join(_texts(svg))


def test_text_is_escaped():
    svg = bar_chart([Point("<b>", 1)], chart_id="c", title='A & "B"', description="<x>")

    assert "<b>" not in svg
    assert ElementTree.fromstring(svg).find(f"{SVG}title").text == 'A & "B"'


def test_an_empty_series_draws_empty_axes():
    svg = bar_chart([], chart_id="c", title="t")

    root = ElementTree.fromstring(svg)
    assert list(root.iter(f"{SVG}rect")) == []
    assert re.search(r"<desc[^>]*></desc>", svg)


def test_english_uses_english_number_format():
    with translation.override("en"):
        svg = bar_chart(SERIES, chart_id="c", title="t")

    assert "8,740" in _texts(svg)


def test_missing_years_get_an_empty_slot_that_breaks_the_line():
    points = yearly_points(
        [(2021, Decimal("6.38")), (2006, Decimal("14.05")), (2020, Decimal("6.09"))]
    )

    svg = line_chart(points, chart_id="rate", title="Rate", unit=PERCENT, value_decimals=2)

    assert [point.label for point in points] == ["2006", "…", "2020", "2021"]
    lines = [
        polyline.get("points").split()
        for polyline in ElementTree.fromstring(svg).iter(f"{SVG}polyline")
    ]
    # 2006 stands alone; 2020 and 2021 are joined: no line across the missing years.
    assert [len(line) for line in lines] == [1, 2]
    description = ElementTree.fromstring(svg).find(f"{SVG}desc").text
    assert "…" not in description
    assert "2006: 14,05%" in description
