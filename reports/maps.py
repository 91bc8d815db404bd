"""The village map on the dashboard, the targeting check and the meeting report: one layer at
a time, chosen by `?map=` (docs/map.md). The poverty rate and the pockets are the villages
app's layers (villages/maps.py); the pockets reached is this app's, from the targeting check
(reports/targeting.py), whose rows already carry each village's rate and pocket flag."""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bartim.models import Village
from families.measures import VILLAGE, family_measures
from families.models import RegistrySnapshot
from helpers.choropleth import Category, CategoryScale, StepScale
from helpers.formatting import format_number, format_percent
from reports.needs import DimensionNeeds, Gap
from reports.targeting import TargetingCheck, VillageRow
from villages.maps import (
    VillageFigure,
    pocket_map,
    poverty_rate_map,
    village_data_link,
    village_map,
)

RATE = "rate"
POCKETS = "pockets"
REACH = "reach"
FAMILIES_REACHED = "families"
DECILE1_UNREACHED = "decile1"
PUBLIC_LAYERS = {
    RATE: _("Poverty rate"),
    POCKETS: _("Poverty pockets"),
    REACH: _("Pockets reached"),
}
# The family layers come from the welfare registry (families/measures.py): aggregates any
# account may read, never shown to the public (its beneficiaries are of every programme,
# published or not).
LAYERS = {
    **PUBLIC_LAYERS,
    FAMILIES_REACHED: _("Eligible families reached"),
    DECILE1_UNREACHED: _("Decile 1 families not reached"),
}

UNREACHED = "unreached"
MISSING_STRATEGY = "missing_strategy"
EVERY_STRATEGY = "every_strategy"
NOT_POCKET = "not_pocket"


def layer_from(value: str | None, default: str, layers=LAYERS) -> tuple[str, str | None]:
    """The layer of `layers` `?map=` asks for, and a message when it names none."""
    if not value:
        return default, None
    if value in layers:
        return value, None
    return default, gettext("There is no map “%(value)s”. The map shows %(layer)s.") % {
        "value": value[:20],
        "layer": layers[default],
    }


def reach_of(row: VillageRow) -> str:
    if not row.is_pocket:
        return NOT_POCKET
    if row.pocket_unreached:
        return UNREACHED
    if row.pocket_missing_strategies:
        return MISSING_STRATEGY
    return EVERY_STRATEGY


def reach_scale() -> CategoryScale:
    return CategoryScale(
        [
            Category(UNREACHED, _("pocket reached by no programme"), "#bd0026"),
            Category(MISSING_STRATEGY, _("pocket missing a strategy"), "#fd8d3c"),
            Category(EVERY_STRATEGY, _("pocket reached under every strategy"), "#2c7bb6"),
            Category(NOT_POCKET, _("not a pocket"), "#ffffff"),
        ]
    )


def targeting_link(check: TargetingCheck) -> Callable[[str], str | None]:
    """A village's row on the targeting check of the year (the table lists every village
    with data; the rest link to nothing better than the villages table)."""
    base = reverse("reports:targeting")
    query = {"year": check.year}
    if check.unverified:
        query["figures"] = "all"
    shown = {row.code for row in check.villages}
    village_list = reverse("villages:village_list")

    def link(code: str) -> str:
        if code in shown:
            return f"{base}?{urlencode(query)}#village-{code}"
        return f"{village_list}?{urlencode({'year': check.year, 'desa': code})}"

    return link


@dataclass(frozen=True)
class MapLayerLink:
    key: str
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class VillageMapSection:
    layer: str
    html: SafeString
    layers: list[MapLayerLink]


def village_map_section(
    check: TargetingCheck,
    layer: str,
    *,
    url_for: Callable[[str], str],
    map_id: str = "village-map",
    linked: bool = True,
    layers=LAYERS,
) -> VillageMapSection:
    """The map of `layer` for the check's year (and kecamatan), with the links that switch
    layers (`url_for(layer)` is the page's own URL showing that layer). Each village links to
    its figures unless `linked` is off (the public page: those pages need an account); it is
    still reachable by keyboard."""
    links = {} if linked else {"href": None}
    if layer == REACH:
        share = (
            check.total.pockets_reached * 100 / check.total.pockets if check.total.pockets else None
        )
        html = village_map(
            {row.code: reach_of(row) for row in check.villages},
            reach_scale(),
            map_id=map_id,
            title=gettext("Poverty pockets reached by the programmes, %(year)s")
            % {"year": check.year},
            description=gettext(
                "Each poverty pocket by the strategies of the programmes that list it among "
                "their target villages."
            ),
            href=targeting_link(check) if linked else None,
            district=check.district,
            legend_title=gettext("Pockets reached: %(reached)s of %(pockets)s (%(share)s)")
            % {
                "reached": format_number(check.total.pockets_reached),
                "pockets": format_number(check.total.pockets),
                "share": format_percent(share, 1),
            },
        )
    elif layer in (FAMILIES_REACHED, DECILE1_UNREACHED):
        html = _family_map(check, layer, map_id=map_id)
    else:
        figures = [
            VillageFigure(row.code, row.poverty_rate, row.is_pocket) for row in check.villages
        ]
        draw = pocket_map if layer == POCKETS else poverty_rate_map
        html = draw(figures, year=check.year, map_id=map_id, district=check.district, **links)
    return VillageMapSection(
        layer=layer,
        html=html,
        layers=[
            MapLayerLink(key, str(label), url_for(key), key == layer)
            for key, label in layers.items()
        ],
    )


FLAGGED = "flagged"
HIGH_REACHED = "high_reached"
REACHED = "reached"
NOT_HIGH = "not_high"


def need_of(gap: Gap) -> str:
    if gap.high:
        return HIGH_REACHED if gap.reached else FLAGGED
    return REACHED if gap.reached else NOT_HIGH


def need_scale() -> CategoryScale:
    return CategoryScale(
        [
            Category(FLAGGED, _("high deficit, no programme of this need"), "#bd0026"),
            Category(
                HIGH_REACHED, _("high deficit, reached by a programme of this need"), "#fd8d3c"
            ),
            Category(REACHED, _("deficit not high, reached"), "#2c7bb6"),
            Category(NOT_HIGH, _("deficit not high, not reached"), "#ffffff"),
        ]
    )


def need_map(needs: DimensionNeeds, *, year: int, district=None) -> SafeString:
    """One basic need's map (reports/needs.py): each village by whether its deficit is among
    the regency's highest and whether a programme of that need reaches it."""
    return village_map(
        {gap.code: need_of(gap) for gap in needs.gaps},
        need_scale(),
        map_id="need-map",
        title=gettext("%(need)s: deficit and programmes by village, %(year)s")
        % {"need": needs.dimension.name, "year": year},
        description=gettext(
            "Each village by whether its deficit is among the regency's highest and whether a "
            "programme answering this need reaches it."
        ),
        href=village_data_link(year),
        legend_title=gettext("Flagged: %(flagged)s of %(high)s high")
        % {"flagged": format_number(len(needs.flagged)), "high": format_number(len(needs.high))},
        district=district,
    )


def _family_map(check: TargetingCheck, layer: str, *, map_id: str) -> SafeString:
    """A family layer for the check's year, from the latest confirmed registry snapshot:
    the share of eligible families some programme reached, or the decile 1 families none
    reached (docs/targeting.md, Families)."""
    snapshot = RegistrySnapshot.objects.latest_confirmed()
    rows = family_measures(snapshot=snapshot, year=check.year, by=VILLAGE) if snapshot else []
    codes = dict(Village.objects.filter(pk__in=[row.key for row in rows]).values_list("pk", "code"))
    if layer == FAMILIES_REACHED:
        values = {codes[row.key]: row.eligible_reached_share for row in rows}
        scale = StepScale(
            [25, 50, 75],
            ["#bd0026", "#fd8d3c", "#9ecae1", "#2c7bb6"],
            format_value=lambda value: format_percent(value, 0),
        )
        title = gettext("Eligible families reached by a programme, %(year)s")
        description = gettext(
            "Of each village's families in the eligible deciles of the registry, the share "
            "that some programme of the year reached."
        )
    else:
        values = {codes[row.key]: row.decile1_unreached for row in rows}
        scale = StepScale([1, 10, 25, 50], ["#ffffff", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"])
        title = gettext("Decile 1 families no programme reached, %(year)s")
        description = gettext(
            "Each village's families in the registry's poorest decile that no programme of "
            "the year reached."
        )
    return village_map(
        {code: value for code, value in values.items() if value is not None},
        scale,
        map_id=map_id,
        title=title % {"year": check.year},
        description=description,
        href=village_data_link(check.year),
        missing_label=gettext("no family of the registry"),
        legend_title=(
            gettext("Registry: %(snapshot)s") % {"snapshot": snapshot}
            if snapshot
            else gettext("No registry snapshot has been imported yet.")
        ),
        district=check.district,
    )
