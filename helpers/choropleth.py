"""Server-drawn SVG choropleth maps: areas from a GeoJSON file, each coloured by its class
of a value, with a legend. No JavaScript, no tiles, no CDN (docs/map.md).

How to draw a new layer (a family-registry share, a needs score, ...):

    geometry = load_geometry(path)                 # projected and simplified once, cached
    scale = StepScale([10, 20, 30], PALETTE_5[1:], format_value=format_percent)
    # or CategoryScale([Category("pocket", _("Pocket"), "#b2182b"), ...])
    html = choropleth(
        geometry,
        {"62.13.01.2003": 12.5, ...},               # the value of each area, by feature key
        scale,
        map_id="family-map",                        # unique on the page
        title=_("Families reached"),
        names={"62.13.01.2003": "Pulau Patai"},     # optional: names from the database
        href=lambda key: f"/villages/?desa={key}",  # optional: each area's link
        missing_label=_("no data"),                 # the class of areas without a value
    )

`choropleth` returns safe HTML: a <figure> holding the SVG and an HTML legend that counts the
areas in each class. Every area is an SVG link (focusable with the keyboard, in the order of
its key) whose aria-label and <title> give its name and its value, so the map reads without
sight; a value of None, or a key missing from `values`, falls in the "missing" class. Colours
are attributes so that they print. The page links helpers/map.css.

Why no geometry library: the file holds a hundred polygons already simplified by its
provider; an equirectangular projection (exact enough across half a degree near the equator)
and Douglas-Peucker per ring at half an SVG unit are forty lines, where Shapely would add a
compiled GEOS wheel to the deployment for the same result.
"""

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from helpers.formatting import format_number

# ColorBrewer YlOrRd, five classes (colour-blind safe, prints in grey in order).
PALETTE_5 = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
MISSING_COLOUR = "#dee2e6"
BORDER = "#495057"

# The map's height in SVG units; the width follows the area's shape.
HEIGHT = 600
# Douglas-Peucker tolerance, in SVG units: half a unit is under a pixel at any size the
# pages draw the map, so nothing visible is lost.
TOLERANCE = 0.5


# ---- Geometry -----------------------------------------------------------------------


@dataclass(frozen=True)
class MapGeometry:
    """The projected areas of a GeoJSON file: each key's SVG path data, in key order."""

    width: float
    height: float
    paths: dict[str, str]
    names: dict[str, str]
    vertices: int
    # Each area's bounding box in SVG units (left, top, right, bottom), to zoom on a few.
    boxes: dict[str, tuple[float, float, float, float]]

    @property
    def keys(self) -> list[str]:
        return list(self.paths)


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return geometry["coordinates"]
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    raise ValueError(f"unsupported geometry type {geometry['type']!r}")


def _simplify(points: Sequence[tuple[float, float]], tolerance: float) -> list[tuple]:
    """Douglas-Peucker: keep the points further than `tolerance` from the line between the
    points kept around them (iterative, so a long ring does not hit the recursion limit)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        farthest, distance = None, tolerance
        for index in range(first + 1, last):
            px, py = points[index]
            if length:
                d = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / length
            else:
                d = math.hypot(px - x1, py - y1)
            if d > distance:
                farthest, distance = index, d
        if farthest is not None:
            keep[farthest] = True
            stack.extend([(first, farthest), (farthest, last)])
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def _ring_path(ring: Sequence[tuple[float, float]]) -> tuple[str, int]:
    simplified = _simplify(ring, TOLERANCE)
    if len(simplified) < 4:  # a ring this small would vanish: keep it as it was
        simplified = list(ring)
    points = simplified[:-1] if simplified[0] == simplified[-1] else simplified
    # In tenths of a unit, rounded once; then each point as a step from the one before
    # ("l"), which writes a third fewer bytes than absolute coordinates and adds no error.
    tenths = [(round(x * 10), round(y * 10)) for x, y in points]
    steps = [
        f"{_tenths(x - px)},{_tenths(y - py)}"
        for (px, py), (x, y) in zip(tenths, tenths[1:], strict=False)
    ]
    start = f"M{_tenths(tenths[0][0])},{_tenths(tenths[0][1])}"
    return f"{start}l{' '.join(steps)}z", len(points)


def _tenths(value: int) -> str:
    text = f"{value / 10:.1f}"
    return text[:-2] if text.endswith(".0") else text


@lru_cache(maxsize=8)  # the file is part of the release: read once per process
def load_geometry(
    path: str | Path, *, key_property: str = "kode", name_property: str = "nama"
) -> MapGeometry:
    """The areas of the GeoJSON file at `path`, keyed by the features' `key_property`,
    projected and simplified once per process."""
    with open(path, encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    rings = {
        str(feature["properties"][key_property]): _rings(feature["geometry"])
        for feature in features
    }
    names = {
        str(feature["properties"][key_property]): str(feature["properties"].get(name_property, ""))
        for feature in features
    }
    coordinates = [point for key in rings for ring in rings[key] for point in ring]
    west = min(point[0] for point in coordinates)
    east = max(point[0] for point in coordinates)
    south = min(point[1] for point in coordinates)
    north = max(point[1] for point in coordinates)
    # Equirectangular at the middle latitude: a degree of longitude is cos(latitude) of a
    # degree of latitude, which keeps shapes true over a regency.
    x_factor = math.cos(math.radians((north + south) / 2))
    scale = HEIGHT / (north - south)
    width = round((east - west) * x_factor * scale, 1)

    paths, boxes, vertices = {}, {}, 0
    for key in sorted(rings):
        parts, xs, ys = [], [], []
        for ring in rings[key]:
            projected = [
                ((lng - west) * x_factor * scale, (north - lat) * scale) for lng, lat in ring
            ]
            part, count = _ring_path(projected)
            parts.append(part)
            vertices += count
            xs += [x for x, _y in projected]
            ys += [y for _x, y in projected]
        paths[key] = "".join(parts)
        boxes[key] = (min(xs), min(ys), max(xs), max(ys))
    return MapGeometry(width, HEIGHT, paths, {key: names[key] for key in paths}, vertices, boxes)


# ---- Scales -------------------------------------------------------------------------


@dataclass(frozen=True)
class LegendClass:
    key: str
    label: str
    colour: str


class StepScale:
    """Classes cut at ascending `bounds`: below the first, from each bound up to (not
    including) the next, and the last bound or more. `colours` has one more item than
    `bounds`. `format_value` writes a value and a bound (e.g. format_percent)."""

    def __init__(
        self,
        bounds: Sequence[float | int | Decimal],
        colours: Sequence[str],
        *,
        format_value: Callable[[object], str] = format_number,
    ):
        if len(colours) != len(bounds) + 1:
            raise ValueError("a step scale needs one colour more than its bounds")
        self.bounds = [float(bound) for bound in bounds]
        self.format_value = format_value
        labels = [gettext("under %(bound)s") % {"bound": format_value(bounds[0])}]
        labels += [
            gettext("%(low)s to under %(high)s")
            % {"low": format_value(low), "high": format_value(high)}
            for low, high in zip(bounds, bounds[1:], strict=False)
        ]
        labels.append(gettext("%(bound)s or more") % {"bound": format_value(bounds[-1])})
        self.classes = [
            LegendClass(f"c{index}", label, colour)
            for index, (label, colour) in enumerate(zip(labels, colours, strict=True))
        ]

    def class_of(self, value) -> LegendClass:
        index = sum(1 for bound in self.bounds if float(value) >= bound)
        return self.classes[index]

    def describe(self, value) -> str:
        return self.format_value(value)


@dataclass(frozen=True)
class Category:
    value: object
    label: str
    colour: str


class CategoryScale:
    """One class per category value, in the order given (the legend's order)."""

    def __init__(self, categories: Iterable[Category]):
        self.categories = list(categories)
        self.classes = [
            LegendClass(f"c{index}", str(category.label), category.colour)
            for index, category in enumerate(self.categories)
        ]
        self._by_value = {
            category.value: legend_class
            for category, legend_class in zip(self.categories, self.classes, strict=True)
        }

    def class_of(self, value) -> LegendClass:
        return self._by_value[value]

    def describe(self, value) -> str:
        return self.class_of(value).label


# ---- Drawing ------------------------------------------------------------------------


def _swatch(colour: str) -> str:
    return (
        '<svg class="map-swatch" width="18" height="14" viewBox="0 0 18 14" aria-hidden="true">'
        f'<rect x="0.5" y="0.5" width="17" height="13" fill="{colour}" stroke="{BORDER}"/></svg>'
    )


def choropleth(
    geometry: MapGeometry,
    values: Mapping[str, object],
    scale: StepScale | CategoryScale,
    *,
    map_id: str,
    title: str,
    description: str = "",
    names: Mapping[str, str] | None = None,
    href: Callable[[str], str | None] | None = None,
    missing_label: str = _("no data"),
    legend_title: str = "",
    keys: Iterable[str] | None = None,
) -> SafeString:
    """The map of `values` (see the module's docstring): a <figure id=map_id> with the SVG,
    whose areas carry data-class (their legend class key, "missing" without a value), and
    the legend, whose items carry data-class and data-count. With `keys`, only those areas
    are drawn, the map zoomed on them."""
    names = names or {}
    wanted = None if keys is None else set(keys)
    drawn = [key for key in geometry.paths if wanted is None or key in wanted]
    view_box = f"0 0 {geometry.width} {geometry.height}"
    if keys is not None and drawn:
        left = min(geometry.boxes[key][0] for key in drawn)
        top = min(geometry.boxes[key][1] for key in drawn)
        right = max(geometry.boxes[key][2] for key in drawn)
        bottom = max(geometry.boxes[key][3] for key in drawn)
        margin = max(right - left, bottom - top) * 0.02
        view_box = (
            f"{left - margin:.1f} {top - margin:.1f} "
            f"{right - left + 2 * margin:.1f} {bottom - top + 2 * margin:.1f}"
        )
    missing = LegendClass("missing", str(missing_label), MISSING_COLOUR)
    counts = {legend_class.key: 0 for legend_class in [*scale.classes, missing]}
    areas = []
    for key in drawn:
        path = geometry.paths[key]
        value = values.get(key)
        legend_class = missing if value is None else scale.class_of(value)
        counts[legend_class.key] += 1
        name = names.get(key) or geometry.names.get(key) or key
        text = f"{name}: {missing.label if value is None else scale.describe(value)}"
        shape = (
            f'<path d="{path}" fill="{legend_class.colour}" data-class="{legend_class.key}">'
            f"<title>{escape(text)}</title></path>"
        )
        link = href(key) if href else None
        if link:
            areas.append(
                f'<a href="{escape(link)}" aria-label="{escape(text)}" data-key="{escape(key)}">'
                f"{shape}</a>"
            )
        else:
            areas.append(
                f'<g tabindex="0" role="img" aria-label="{escape(text)}" '
                f'data-key="{escape(key)}">{shape}</g>'
            )

    legend_name = escape(legend_title or gettext("Legend"))
    legend = [f'<ul class="map-legend list-unstyled" aria-label="{legend_name}">']
    if legend_title:
        legend.append(
            f'<li class="map-legend-title" aria-hidden="true">{escape(legend_title)}</li>'
        )
    for legend_class in [*scale.classes, missing]:
        count = counts[legend_class.key]
        if legend_class is missing and not count:
            continue
        legend.append(
            f'<li data-class="{legend_class.key}" data-count="{count}">'
            f"{_swatch(legend_class.colour)}<span>{escape(legend_class.label)} "
            f'<span class="text-muted">({escape(format_number(count))})</span></span></li>'
        )
    legend.append("</ul>")

    described = f' aria-describedby="{map_id}-desc"' if description else ""
    html = [
        f'<figure class="choropleth" id="{map_id}">',
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{view_box}" '
        f'role="group" aria-labelledby="{map_id}-title"{described} '
        f'stroke="{BORDER}" stroke-width="0.6" stroke-linejoin="round" fill-rule="evenodd">',
        f'<title id="{map_id}-title">{escape(title)}</title>',
    ]
    if description:
        html.append(f'<desc id="{map_id}-desc">{escape(description)}</desc>')
    html += areas
    html.append("</svg>")
    html.append(f"<figcaption>{''.join(legend)}</figcaption>")
    html.append("</figure>")
    return mark_safe("".join(html))  # noqa: S308  (every text above went through escape)
