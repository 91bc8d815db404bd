"""Small server-rendered SVG charts: a bar chart and a line chart with axes, gridlines and
value labels in the active language's number format.

The app runs on a regency intranet and the meeting report is printed, so charts are plain
SVG written here: no JavaScript, no CDN, and colours set as attributes so that they survive
printing. Each chart carries a <title> and a <desc> that lists every value, for screen
readers and for anyone who cannot see the picture.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from helpers.formatting import format_number, format_percent

WIDTH = 640
HEIGHT = 300
MARGIN_LEFT = 72
MARGIN_RIGHT = 16
MARGIN_TOP = 28
MARGIN_BOTTOM = 40
COLOUR = "#146c43"
GRID = "#d0d5da"
INK = "#212529"

NUMBER = "number"
PERCENT = "percent"


@dataclass(frozen=True)
class Point:
    label: str
    value: int | float | Decimal | None


# The label of the empty slot that yearly_points puts where years are missing.
GAP = "…"


def yearly_points(values: Iterable[tuple[int, int | float | Decimal | None]]) -> list[Point]:
    """One point per (year, value), in year order, with an empty slot labelled GAP wherever
    years are missing: the BPS series jumps from 2006 to 2020, and drawn at equal steps
    that decade would look like one year's fall. The slot breaks the line there."""
    points: list[Point] = []
    previous = None
    for year, value in sorted(values, key=lambda pair: pair[0]):
        if previous is not None and year > previous + 1:
            points.append(Point(GAP, None))
        points.append(Point(str(year), value))
        previous = year
    return points


def _format(value, unit: str, decimals: int) -> str:
    if unit == PERCENT:
        return format_percent(value, decimals)
    return format_number(value, decimals)


def nice_ticks(low: Decimal, high: Decimal, count: int = 5) -> tuple[list[Decimal], int]:
    """Round tick values covering [low, high] (steps of 1, 2, 2.5 or 5 times a power of ten)
    and the number of decimals their labels need."""
    if high < low:
        low, high = high, low
    if high == low:
        # A single value still gets an axis: widen around it.
        pad = abs(high) / 10 if high else Decimal(1)
        low, high = low - pad, high + pad
    raw_step = (high - low) / (count - 1)
    exponent = math.floor(math.log10(raw_step))
    magnitude = Decimal(10) ** exponent
    step = next(
        m * magnitude
        for m in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))
        if m * magnitude >= raw_step
    )
    start = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    end = (high / step).to_integral_value(rounding="ROUND_CEILING") * step
    ticks = []
    tick = start
    while tick <= end:
        ticks.append(tick)
        tick += step
    decimals = max(0, -step.normalize().as_tuple().exponent)
    return ticks, decimals


class _Frame:
    """The plotting area and the mapping from values to y coordinates."""

    def __init__(self, points: Sequence[Point], zero_based: bool, width: int, height: int):
        values = [Decimal(str(p.value)) for p in points if p.value is not None]
        low = min(values) if values else Decimal(0)
        high = max(values) if values else Decimal(1)
        if zero_based:
            low, high = min(low, Decimal(0)), max(high, Decimal(0))
        else:
            # Headroom for the value labels, and a change that is small stays drawn small.
            pad = (high - low) / 2
            low, high = low - pad, high + pad
            if min(values, default=0) >= 0:
                low = max(low, Decimal(0))
        self.ticks, self.tick_decimals = nice_ticks(low, high)
        self.low, self.high = self.ticks[0], self.ticks[-1]
        self.left, self.right = MARGIN_LEFT, width - MARGIN_RIGHT
        self.top, self.bottom = MARGIN_TOP, height - MARGIN_BOTTOM
        self.slot = (self.right - self.left) / max(len(points), 1)

    def y(self, value) -> float:
        share = (Decimal(str(value)) - self.low) / (self.high - self.low)
        return round(self.bottom - float(share) * (self.bottom - self.top), 1)

    def x(self, index: int) -> float:
        return round(self.left + self.slot * (index + 0.5), 1)


def _text(x, y, content, anchor="middle", size=12, weight="normal") -> str:
    return (
        f'<text x="{x}" y="{y}" text-anchor="{anchor}" font-size="{size}" '
        f'font-weight="{weight}" fill="{INK}">{escape(content)}</text>'
    )


def _svg(chart_id, title, description, points, unit, value_decimals, frame, width, height, body):
    listing = "; ".join(
        f"{p.label}: {_format(p.value, unit, value_decimals)}" for p in points if p.label != GAP
    )
    full_description = f"{description} {listing}".strip() if listing else description
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart" role="img" aria-label="{escape(title)}" '
        f'aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc" '
        f'id="{chart_id}" font-family="system-ui, sans-serif">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(full_description)}</desc>',
        '<g class="grid">',
    ]
    for tick in frame.ticks:
        y = frame.y(tick)
        parts.append(
            f'<line x1="{frame.left}" y1="{y}" x2="{frame.right}" y2="{y}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            _text(frame.left - 6, y + 4, _format(tick, unit, frame.tick_decimals), "end", 11)
        )
    parts.append("</g>")
    parts.append(
        f'<g class="axes" stroke="{INK}" stroke-width="1">'
        f'<line x1="{frame.left}" y1="{frame.top}" x2="{frame.left}" y2="{frame.bottom}"/>'
        f'<line x1="{frame.left}" y1="{frame.bottom}" x2="{frame.right}" y2="{frame.bottom}"/>'
        "</g>"
    )
    parts.append('<g class="categories">')
    for index, point in enumerate(points):
        parts.append(_text(frame.x(index), frame.bottom + 18, point.label))
    parts.append("</g>")
    parts.extend(body)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text above went through escape)


def bar_chart(
    points: Sequence[Point],
    *,
    chart_id: str,
    title: str,
    description: str = "",
    unit: str = NUMBER,
    value_decimals: int = 0,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> SafeString:
    """Vertical bars from zero, one per point, each labelled with its value."""
    frame = _Frame(points, zero_based=True, width=width, height=height)
    bar_width = round(frame.slot * 0.6, 1)
    zero = frame.y(0)
    body = ['<g class="bars">']
    for index, point in enumerate(points):
        if point.value is None:
            continue
        label = _format(point.value, unit, value_decimals)
        y = frame.y(point.value)
        top, bar_height = min(y, zero), round(abs(zero - y), 1)
        body.append(
            f'<rect x="{round(frame.x(index) - bar_width / 2, 1)}" y="{top}" '
            f'width="{bar_width}" height="{bar_height}" fill="{COLOUR}">'
            f"<title>{escape(point.label)}: {escape(label)}</title></rect>"
        )
        body.append(_text(frame.x(index), top - 6, label, weight="bold"))
    body.append("</g>")
    return _svg(
        chart_id, title, description, points, unit, value_decimals, frame, width, height, body
    )


def line_chart(
    points: Sequence[Point],
    *,
    chart_id: str,
    title: str,
    description: str = "",
    unit: str = NUMBER,
    value_decimals: int = 0,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> SafeString:
    """A line through the points (broken where a value is missing), each point labelled.
    The axis starts near the data, not at zero, so that a change of a tenth of a percent
    is visible; the tick labels say where it starts."""
    frame = _Frame(points, zero_based=False, width=width, height=height)
    body = ['<g class="line">']
    segment: list[str] = []
    segments: list[list[str]] = []
    for index, point in enumerate(points):
        if point.value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{frame.x(index)},{frame.y(point.value)}")
    if segment:
        segments.append(segment)
    for coordinates in segments:
        body.append(
            f'<polyline points="{" ".join(coordinates)}" fill="none" '
            f'stroke="{COLOUR}" stroke-width="2.5"/>'
        )
    for index, point in enumerate(points):
        if point.value is None:
            continue
        label = _format(point.value, unit, value_decimals)
        x, y = frame.x(index), frame.y(point.value)
        body.append(
            f'<circle cx="{x}" cy="{y}" r="4" fill="{COLOUR}">'
            f"<title>{escape(point.label)}: {escape(label)}</title></circle>"
        )
        body.append(_text(x, y - 10, label, weight="bold"))
    body.append("</g>")
    return _svg(
        chart_id, title, description, points, unit, value_decimals, frame, width, height, body
    )
