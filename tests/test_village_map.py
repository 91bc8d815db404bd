"""The village map (docs/map.md): the boundary file matches the villages, the SVG holds every
village, and each layer's classes and legend are what the app computes for a hand-made year."""

import json
import shutil
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from bartim.models import District, Regency, Village
from families.models import Beneficiary
from families.services import beneficiary_add
from helpers.formatting import format_percent
from programs.models import Program, Strategy
from reports import maps
from tests.factories import ProgramFactory, VillageDataFactory
from tests.families_helpers import import_registry, kk, registry_row
from villages.maps import (
    BOUNDARY_FILE,
    POCKET,
    check_boundaries,
    pocket_scale,
    poverty_rate_scale,
)
from villages.models import PocketRule, VillageData
from villages.pockets import annotate_pockets

YEAR = 2024

# The hand-made year: code -> (population, poor people, poor households).
HAND_MADE = {
    "62.13.01.2003": (1000, 30, 25),  # Pulau Patai: 3 %, under the BPS rate
    "62.13.01.2004": (1000, 70, 25),  # Sarapat: 7 %, a pocket
    "62.13.01.2005": (1000, 120, 10),  # Magantis: 12 %, too few poor households for a pocket
    "62.13.01.2006": (400, 100, 40),  # Jaar: 25 %, a pocket
}


class _MapParser(HTMLParser):
    """The areas (data-key) and legend items (data-count) of the page's map."""

    def __init__(self):
        super().__init__()
        self.areas: dict[str, dict] = {}
        self.legend: dict[str, int] = {}
        self._area = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-key" in attrs:
            self._area = self.areas[attrs["data-key"]] = {"tag": tag, **attrs}
        elif tag == "path" and self._area is not None:
            self._area["class"] = attrs["data-class"]
        elif tag == "li" and "data-count" in attrs:
            self.legend[attrs["data-class"]] = int(attrs["data-count"])

    def handle_endtag(self, tag):
        if tag in ("a", "g"):
            self._area = None


def parse_map(response) -> _MapParser:
    assert response.status_code == 200
    content = response.content.decode()
    start = content.index('id="village-map"')
    parser = _MapParser()
    parser.feed(content[start : content.index("</figure>", start)])
    return parser


@pytest.fixture
def hand_made_year(reference_data):
    for code, (population, poor_people, poor_households) in HAND_MADE.items():
        VillageDataFactory(
            verified=True,  # the leaders' pages count approved village data
            village=Village.objects.get(code=code),
            year=YEAR,
            population=population,
            households=300,
            poor_people=poor_people,
            poor_households=poor_households,
            extremely_poor_people=0,
        )
    jaar, magantis = (
        Village.objects.get(code="62.13.01.2006"),
        Village.objects.get(code="62.13.01.2005"),
    )
    # Jaar is reached under strategy 1 only; Sarapat, the other pocket, by nothing.
    ProgramFactory(
        verified=True,
        year=YEAR,
        strategy=Strategy.objects.get(number=1),
        target_villages=[jaar, magantis],
    )


def computed_rates() -> dict[str, tuple[float, bool]]:
    rows = annotate_pockets(VillageData.objects.filter(year=YEAR), PocketRule.current())
    return {row.village.code: (row.poverty_rate_pct, bool(row.is_pocket)) for row in rows}


def test_the_boundary_file_matches_every_village_by_its_kemendagri_code(reference_data):
    check = check_boundaries()

    assert check.matches
    assert check.names_differing == []
    regency = Regency.objects.get()
    assert regency.code == "62.13"
    features = json.loads((settings.BASE_DIR / "data" / BOUNDARY_FILE).read_text())["features"]
    codes = {feature["properties"]["kode"] for feature in features}
    assert codes == set(Village.objects.values_list("code", flat=True))
    assert all(code.startswith(f"{regency.code}.") for code in codes)


def test_load_bartim_names_a_boundary_that_matches_no_village(db, tmp_path):
    data = shutil.copytree(settings.BASE_DIR / "data", tmp_path / "data")
    path = data / BOUNDARY_FILE
    collection = json.loads(path.read_text())
    # The mistake the project once made: Barito Timur under Murung Raya's code, 62.12.
    collection["features"][1]["properties"]["kode"] = "62.12.01.2003"
    path.write_text(json.dumps(collection))

    out = StringIO()
    call_command("load_bartim", data_dir=data, stdout=out)

    output = out.getvalue()
    assert "62.12.01.2003" in output
    assert "62.13.01.2003" in output
    assert not check_boundaries(path).matches


def test_the_map_holds_every_village_each_a_link_with_its_name_and_value(
    client, hand_made_year, viewer_user
):
    client.force_login(viewer_user)
    village_map = parse_map(client.get(reverse("reports:targeting"), {"year": YEAR, "map": "rate"}))

    names = dict(Village.objects.values_list("code", "name"))
    assert set(village_map.areas) == set(names)
    rates = computed_rates()
    for code, area in village_map.areas.items():
        assert area["tag"] == "a"
        assert area["href"]
        assert area["aria-label"].startswith(f"{names[code]}: ")
        if code in rates:
            assert area["aria-label"] == f"{names[code]}: {format_percent(rates[code][0], 1)}"


def test_the_poverty_rate_classes_and_legend_are_the_computed_rates(
    client, hand_made_year, viewer_user
):
    client.force_login(viewer_user)
    village_map = parse_map(client.get(reverse("reports:targeting"), {"year": YEAR, "map": "rate"}))

    scale = poverty_rate_scale()
    rates = computed_rates()
    for code, (rate, _pocket) in rates.items():
        assert village_map.areas[code]["class"] == scale.class_of(rate).key
    # 3 %, 7 %, 12 % and 25 % against the bounds 5, 10, 15 and 20 %.
    assert [village_map.areas[code]["class"] for code in HAND_MADE] == ["c0", "c1", "c2", "c4"]
    assert village_map.legend == {
        "c0": 1,
        "c1": 1,
        "c2": 1,
        "c3": 0,
        "c4": 1,
        "missing": Village.objects.count() - len(HAND_MADE),
    }


def test_the_pocket_layer_colours_the_pockets_of_the_rule(client, hand_made_year, viewer_user):
    client.force_login(viewer_user)
    village_map = parse_map(
        client.get(reverse("reports:targeting"), {"year": YEAR, "map": "pockets"})
    )

    pockets = {code for code, (_rate, pocket) in computed_rates().items() if pocket}
    assert pockets == {"62.13.01.2004", "62.13.01.2006"}
    pocket_class = pocket_scale().class_of(POCKET).key
    assert {code for code, area in village_map.areas.items() if area["class"] == pocket_class} == (
        pockets
    )
    assert village_map.legend[pocket_class] == len(pockets)


def test_the_reach_layer_shows_which_pockets_the_programmes_reach(
    client, hand_made_year, viewer_user
):
    client.force_login(viewer_user)
    response = client.get(reverse("reports:targeting"), {"year": YEAR})
    village_map = parse_map(response)

    scale = maps.reach_scale()
    classes = {code: village_map.areas[code]["class"] for code in HAND_MADE}
    assert classes == {
        "62.13.01.2003": scale.class_of(maps.NOT_POCKET).key,
        "62.13.01.2004": scale.class_of(maps.UNREACHED).key,
        "62.13.01.2005": scale.class_of(maps.NOT_POCKET).key,
        "62.13.01.2006": scale.class_of(maps.MISSING_STRATEGY).key,
    }
    check = response.context["check"]
    assert (check.total.pockets, check.total.pockets_reached) == (2, 1)
    # A pocket links to its row of the check's table.
    assert village_map.areas["62.13.01.2004"]["href"].endswith("#village-62.13.01.2004")


def test_a_kecamatan_shows_only_its_villages(client, hand_made_year, viewer_user):
    client.force_login(viewer_user)
    district = District.objects.get(code="62.13.01")
    village_map = parse_map(
        client.get(reverse("reports:targeting"), {"year": YEAR, "kecamatan": district.code})
    )

    assert set(village_map.areas) == set(district.villages.values_list("code", flat=True))


def test_the_dashboard_and_the_report_show_the_map_with_its_layer_links(
    client, hand_made_year, viewer_user
):
    client.force_login(viewer_user)
    for url in (reverse("reports:dashboard"), reverse("reports:meeting_report", args=[YEAR])):
        response = client.get(url, {"year": YEAR, "map": "pockets"})
        village_map = parse_map(response)
        assert set(village_map.areas) == set(Village.objects.values_list("code", flat=True))
        content = response.content.decode()
        assert 'id="village-map-section"' in content
        assert "map=reach" in content
        assert 'aria-current="true">' in content


def test_an_unknown_layer_is_said_and_the_default_shown(client, hand_made_year, viewer_user):
    client.force_login(viewer_user)
    response = client.get(reverse("reports:dashboard"), {"year": YEAR, "map": "<zebra>"})

    village_map = parse_map(response)
    rates = computed_rates()
    code = "62.13.01.2006"
    assert village_map.areas[code]["class"] == poverty_rate_scale().class_of(rates[code][0]).key
    content = response.content.decode()
    assert "&lt;zebra&gt;" in content
    assert "<zebra>" not in content


def test_the_filter_form_keeps_the_layer(client, hand_made_year, viewer_user):
    client.force_login(viewer_user)
    for url in (reverse("reports:dashboard"), reverse("reports:targeting")):
        content = client.get(url, {"year": YEAR, "map": "pockets"}).content.decode()
        assert '<input type="hidden" name="map" value="pockets">' in content


def test_the_family_layers_show_each_villages_eligible_reach_and_unreached_decile_1(
    client, hand_made_year, viewer_user, admin_user
):
    patai = Village.objects.get(code="62.13.01.2003")
    sarapat = Village.objects.get(code="62.13.01.2004")
    # Pulau Patai: four decile 1 families; Sarapat: three in decile 2, one in decile 9.
    rows = [registry_row(n, patai, 1) for n in (1, 2, 3, 4)]
    rows += [registry_row(n, sarapat, 2) for n in (5, 6, 7)] + [registry_row(8, sarapat, 9)]
    import_registry(admin_user, rows)
    program = Program.objects.get(year=YEAR)
    for n in (1, 2, 5):
        beneficiary_add(
            actor=admin_user, program=program, kk=kk(n), quarter=1, kind=Beneficiary.Kind.CASH
        )
    client.force_login(viewer_user)

    reached = parse_map(client.get(reverse("reports:dashboard"), {"year": YEAR, "map": "families"}))
    decile1 = parse_map(client.get(reverse("reports:dashboard"), {"year": YEAR, "map": "decile1"}))

    # Eligible reached: Patai 2 of 4 (50 %), Sarapat 1 of 3 (33 %); classes cut at 25, 50, 75.
    assert reached.areas["62.13.01.2003"]["class"] == "c2"
    assert reached.areas["62.13.01.2004"]["class"] == "c1"
    assert reached.areas["62.13.01.2006"]["class"] == "missing"  # no family in the registry
    # Decile 1 not reached: Patai 2 (1 to under 10), Sarapat none.
    assert decile1.areas["62.13.01.2003"]["class"] == "c1"
    assert decile1.areas["62.13.01.2004"]["class"] == "c0"
    assert "Pulau Patai: 50%" in reached.areas["62.13.01.2003"]["aria-label"]
