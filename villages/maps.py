"""The villages' map: their boundaries (data/bartim_desa_batas.geojson, keyed by Kemendagri
code) and the layers the village data gives, the poverty rate and the poverty pockets. The
drawing is helpers/choropleth.py; other apps add their layers through `village_map`.

The pocket flag and the poverty rate come from villages/pockets.py (the caller passes the
rows it annotated with `annotate_pockets`); nothing here judges a village.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bartim.models import Village
from helpers.choropleth import (
    PALETTE_5,
    Category,
    CategoryScale,
    MapGeometry,
    StepScale,
    choropleth,
    load_geometry,
)
from helpers.formatting import format_percent

BOUNDARY_FILE = "bartim_desa_batas.geojson"

# Fixed classes, so that one year's map compares with another's (the regency's BPS rate was
# 6.09 % to 6.66 % in 2020-2024; pockets in the demo run at two to three times that).
POVERTY_RATE_BOUNDS = (5, 10, 15, 20)

POCKET = "pocket"
NOT_POCKET = "not_pocket"


def boundary_path() -> Path:
    return Path(settings.BASE_DIR) / "data" / BOUNDARY_FILE


def geometry() -> MapGeometry:
    return load_geometry(boundary_path())


@dataclass(frozen=True)
class BoundaryCheck:
    """How the boundary file's features match the Village records, by Kemendagri code."""

    features_without_village: list[str]
    villages_without_feature: list[str]
    names_differing: list[tuple[str, str, str]]  # code, the file's name, the record's name

    @property
    def matches(self) -> bool:
        return not (self.features_without_village or self.villages_without_feature)


def check_boundaries(path: Path | None = None) -> BoundaryCheck:
    """Match the features of the boundary file (the project's, or the one at `path`) to
    every Village record, by Kemendagri code."""
    shapes = load_geometry(path or boundary_path())
    records = dict(Village.objects.values_list("code", "name"))
    return BoundaryCheck(
        features_without_village=sorted(set(shapes.paths) - set(records)),
        villages_without_feature=sorted(set(records) - set(shapes.paths)),
        names_differing=sorted(
            (code, shapes.names[code], name)
            for code, name in records.items()
            if code in shapes.names and shapes.names[code] != name
        ),
    )


def village_names(district=None) -> dict[str, str]:
    """The names the app knows the villages by (a rename in the admin shows on the map),
    by code: every village, or those of `district`."""
    villages = Village.objects.all() if district is None else district.villages.all()
    return dict(villages.values_list("code", "name"))


def village_data_link(year: int) -> Callable[[str], str]:
    """A village's link: the villages table filtered to it for `year`."""
    base = reverse("villages:village_list")
    return lambda code: f"{base}?{urlencode({'year': year, 'desa': code})}"


def village_map(
    values: Mapping[str, object],
    scale,
    *,
    map_id: str,
    title: str,
    description: str = "",
    href: Callable[[str], str | None] | None = None,
    missing_label: str = "",
    legend_title: str = "",
    district=None,
) -> SafeString:
    """Any per-village value (keyed by Kemendagri code) on the regency's map, with `scale`
    (helpers.choropleth.StepScale or CategoryScale); see helpers/choropleth.py. With a
    `district` (kecamatan), only its villages, zoomed."""
    names = village_names(district)
    return choropleth(
        geometry(),
        values,
        scale,
        map_id=map_id,
        title=title,
        description=description,
        names=names,
        href=href,
        missing_label=missing_label or gettext("no village data for the year"),
        legend_title=legend_title,
        # Only the villages the app knows: a boundary whose code is no village is left out
        # (load_bartim lists them).
        keys=names,
    )


def poverty_rate_scale() -> StepScale:
    return StepScale(
        POVERTY_RATE_BOUNDS, PALETTE_5, format_value=lambda value: format_percent(value, 1)
    )


def pocket_scale() -> CategoryScale:
    return CategoryScale(
        [
            Category(POCKET, _("poverty pocket"), "#bd0026"),
            Category(NOT_POCKET, _("not a pocket"), "#ffffb2"),
        ]
    )


@dataclass(frozen=True)
class VillageFigure:
    """What the village layers read of one village-year (rows annotated by
    villages.pockets.annotate_pockets, or the targeting check's rows)."""

    code: str
    poverty_rate: float | None
    is_pocket: bool


def poverty_rate_map(figures: Iterable[VillageFigure], *, year: int, map_id: str, **kwargs):
    return village_map(
        {figure.code: figure.poverty_rate for figure in figures},
        poverty_rate_scale(),
        map_id=map_id,
        title=gettext("Poverty rate by village, %(year)s") % {"year": year},
        description=gettext(
            "Poor people as a share of each village's population, from the village data."
        ),
        href=kwargs.pop("href", village_data_link(year)),
        legend_title=gettext("Poverty rate"),
        **kwargs,
    )


def pocket_map(figures: Iterable[VillageFigure], *, year: int, map_id: str, **kwargs):
    return village_map(
        {figure.code: POCKET if figure.is_pocket else NOT_POCKET for figure in figures},
        pocket_scale(),
        map_id=map_id,
        title=gettext("Poverty pockets, %(year)s") % {"year": year},
        description=gettext("The villages that are poverty pockets under the pocket rule."),
        href=kwargs.pop("href", village_data_link(year)),
        legend_title=gettext("Poverty pockets"),
        **kwargs,
    )
