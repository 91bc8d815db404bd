"""The basic-needs check (reports/needs.py, docs/targeting.md): a hand-made year.

Kecamatan X holds Ampah, Bentot and Cempaka, kecamatan Y Dayu and Eris; every village has
100 households, so a deficit's rate per 100 households is its count. Uninhabitable houses
(RTLH): Ampah 40, Bentot 30, Cempaka 5, Dayu 0, Eris 8. With the default rule (top 20% of
the 5 villages, at least 10), only Ampah's is high. A training programme (jobs) reaches
Ampah; no housing programme does, so Ampah is flagged for housing.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bartim.models import ReviewStatus
from helpers import dataversion
from programs.models import NeedDimension, Program
from reports.needs import needs_check
from tests.factories import ProgramFactory, VillageDataFactory, VillageFactory
from tests.meeting_helpers import sheet_rows, table_rows, workbook
from tests.table_helpers import column, csv_rows, xlsx_rows
from villages.models import NeedRule, VillageData

pytestmark = pytest.mark.django_db

RTLH = {"Ampah": 40, "Bentot": 30, "Cempaka": 5, "Dayu": 0, "Eris": 8}


@pytest.fixture
def year(district_x, district_y, agency_a):
    villages = {}
    for number, (name, houses) in enumerate(RTLH.items(), start=1):
        district = district_x if number <= 3 else district_y
        village = VillageFactory(district=district, code=f"{district.code}.200{number}", name=name)
        VillageDataFactory(
            verified=True,  # the leaders' pages count approved village data
            village=village,
            households=100,
            poor_households=30,
            uninhabitable_houses=houses,
            households_without_clean_water=number,
        )
        villages[name] = village
    ProgramFactory(
        agency=agency_a,
        name="Pelatihan kerja",
        verified=True,
        needs=["jobs"],
        target_villages=[villages["Ampah"], villages["Bentot"]],
    )
    return villages


def _housing(check):
    return next(d for d in check.by_dimension if d.dimension.code == "housing")


def _gap(check, village, code="housing"):
    return next(
        g
        for d in check.by_dimension
        if d.dimension.code == code
        for g in d.gaps
        if g.name == village
    )


def test_every_figure_a_dimension_names_is_a_village_data_field():
    names = {f.name for f in VillageData._meta.get_fields()}
    assert {value for value, _label in NeedDimension.Figure.choices} <= names
    assert set(NeedDimension.objects.exclude(figure="").values_list("figure", flat=True)) == {
        value for value, _label in NeedDimension.Figure.choices
    }


def test_village_with_highest_rtlh_reached_only_by_training_is_flagged_for_housing(
    year, viewer_user
):
    check = needs_check(user=viewer_user, year=2024, quarter=4)

    housing = _housing(check)
    assert [g.name for g in housing.gaps] == ["Ampah", "Bentot", "Eris", "Cempaka", "Dayu"]
    assert [g.rank for g in housing.gaps] == [1, 2, 3, 4, 5]
    assert [g.name for g in housing.flagged] == ["Ampah"]
    ampah = housing.gaps[0]
    assert (ampah.deficit, ampah.rate, ampah.programs) == (40, 40.0, [])
    # The training programme reaches Ampah, and answers jobs, not housing.
    assert [p.name for p in _gap(check, "Ampah", "jobs").programs] == ["Pelatihan kerja"]
    assert [g.name for g in check.flagged] == ["Ampah"]


def test_a_housing_programme_reaching_the_village_clears_the_flag(year, viewer_user, agency_b):
    housing = ProgramFactory(
        agency=agency_b, name="Bedah rumah", needs=["housing"], budget_ceiling=250_000_000
    )
    housing.target_villages.set([year["Ampah"]])
    # A draft says nothing yet about where it will work.
    assert [g.name for g in needs_check(user=viewer_user, year=2024, quarter=4).flagged] == [
        "Ampah"
    ]
    Program.objects.filter(pk=housing.pk).update(status=ReviewStatus.SUBMITTED)
    assert _gap(needs_check(user=viewer_user, year=2024, quarter=4), "Ampah").flagged
    unverified = needs_check(user=viewer_user, year=2024, quarter=4, unverified=True)
    assert not _gap(unverified, "Ampah").flagged
    assert _gap(unverified, "Ampah").programs[0].unverified

    Program.objects.filter(pk=housing.pk).update(status=ReviewStatus.APPROVED)
    check = needs_check(user=viewer_user, year=2024, quarter=4)

    ampah = _gap(check, "Ampah")
    assert ampah.high and not ampah.flagged
    assert [(p.name, p.budget_ceiling) for p in ampah.programs] == [("Bedah rumah", 250_000_000)]
    assert ampah.budget_ceiling == 250_000_000
    assert check.flagged == []


def test_village_data_counts_once_approved_and_is_marked_under_all_submitted(
    year, viewer_user, district_x
):
    # The poorest in houses of all, its data submitted by the camat, not yet approved.
    VillageDataFactory(
        village=VillageFactory(district=district_x, code="62.13.01.2009", name="Fajar"),
        households=100,
        uninhabitable_houses=90,
        status=ReviewStatus.SUBMITTED,
    )

    default = needs_check(user=viewer_user, year=2024, quarter=4)
    everything = needs_check(user=viewer_user, year=2024, quarter=4, unverified=True)

    assert "Fajar" not in [g.name for g in _housing(default).gaps]
    fajar = _gap(everything, "Fajar")
    assert fajar.rank == 1 and fajar.flagged and fajar.unverified
    assert not _gap(everything, "Ampah").unverified


def test_a_programme_of_another_year_does_not_reach(year, viewer_user, agency_b):
    ProgramFactory(
        agency=agency_b,
        year=2023,
        verified=True,
        needs=["housing"],
        target_villages=[year["Ampah"]],
    )
    assert _gap(needs_check(user=viewer_user, year=2024, quarter=4), "Ampah").flagged


def test_the_rule_sets_the_top_share_and_the_minimum(year, viewer_user):
    rule = NeedRule.current()
    rule.top_share = 40
    rule.save()
    # 40% of 5 villages: Ampah and Bentot.
    assert [
        g.name for g in _housing(needs_check(user=viewer_user, year=2024, quarter=4)).flagged
    ] == [
        "Ampah",
        "Bentot",
    ]
    rule.min_count = 35
    rule.save()
    assert [
        g.name for g in _housing(needs_check(user=viewer_user, year=2024, quarter=4)).flagged
    ] == ["Ampah"]


def test_a_kecamatan_narrows_what_is_shown_not_what_is_high(year, viewer_user, district_y):
    check = needs_check(user=viewer_user, year=2024, quarter=4, district=district_y)

    housing = _housing(check)
    assert [(g.name, g.rank, g.high) for g in housing.gaps] == [
        ("Eris", 3, False),
        ("Dayu", 5, False),
    ]
    assert [v.name for v in check.villages] == ["Dayu", "Eris"]


def test_dimensions_without_a_figure_are_listed_apart(year, viewer_user):
    check = needs_check(user=viewer_user, year=2024, quarter=4)

    assert [d.code for d in check.unmeasured] == ["health", "other"]
    assert "health" not in [d.dimension.code for d in check.by_dimension]


@pytest.mark.parametrize("villages", [5, 40])
def test_the_check_costs_the_same_queries_however_many_villages_and_programmes(
    villages, district_x, agency_a, viewer_user
):
    for number in range(villages):
        village = VillageFactory(district=district_x, code=f"62.13.01.{3000 + number}")
        VillageDataFactory(village=village, uninhabitable_houses=number, verified=True)
        ProgramFactory(
            agency=agency_a, verified=True, needs=["housing", "jobs"], target_villages=[village]
        )

    with CaptureQueriesContext(connection) as queries:
        check = needs_check(user=viewer_user, year=2024, quarter=4)

    assert len(_housing(check).gaps) == villages
    # The rule, the dimensions, the village data, the programmes, their needs, their links.
    assert len(queries) == 6


URL = reverse("reports:needs")
FLAGGED = "Kekurangan tinggi, belum ada program kebutuhan ini"


def _flagged_in(rows):
    """(need, village code) of the export rows that carry the flag."""
    headers, body = rows[0], rows[1:]
    flag, need, code = (
        headers.index(h) for h in ("Catatan", "Kebutuhan dasar", "Kode desa/kelurahan")
    )
    return [(row[need], row[code]) for row in body if row[flag] == FLAGGED]


def test_the_page_and_its_exports_show_the_same_rows(year, viewer_client):
    params = {"year": 2024, "need": "housing"}
    page = viewer_client.get(URL, params)
    csv = csv_rows(viewer_client.get(URL, {**params, "_export": "csv"}))
    xlsx = xlsx_rows(viewer_client.get(URL, {**params, "_export": "xlsx"}))

    _headers, rows = table_rows(page, "need-table-housing")
    codes = [year[name].code for name in ("Ampah", "Bentot", "Eris", "Cempaka", "Dayu")]
    # The village's cell holds its name, then its code.
    shown = [
        (row[1].removesuffix(code), row[4], row[-1]) for row, code in zip(rows, codes, strict=True)
    ]
    assert shown == [
        ("Ampah", "40", FLAGGED),
        ("Bentot", "30", ""),
        ("Eris", "8", ""),
        ("Cempaka", "5", ""),
        ("Dayu", "0", ""),
    ]
    village = csv[0].index("Desa/kelurahan")
    deficit = csv[0].index("Kekurangan")
    assert [(r[village], r[deficit]) for r in csv[1:]] == [(s[0], s[1]) for s in shown]
    assert column(csv, "Kode desa/kelurahan") == column(xlsx, "Kode desa/kelurahan")
    assert [int(n) for n in column(csv, "Kekurangan")] == column(xlsx, "Kekurangan")
    assert column(csv, "Catatan") == [flag or "" for flag in column(xlsx, "Catatan")]
    assert _flagged_in(csv) == [("Rumah layak huni", year["Ampah"].code)]
    assert "need-table-water" not in page.content.decode()


def test_the_meeting_report_lists_what_the_page_flags(year, viewer_client, agency_b):
    report = viewer_client.get(reverse("reports:meeting_report", args=[2024]), {"quarter": 4})
    csv = csv_rows(viewer_client.get(URL, {"year": 2024, "_export": "csv"}))
    book = workbook(viewer_client.get(reverse("reports:meeting_report_xlsx", args=[2024])))

    _headers, rows = table_rows(report, "needs-table")
    assert [(row[0], row[1]) for row in rows] == [("Rumah layak huni", "Ampah")]
    flagged = _flagged_in(csv)
    assert flagged == [("Rumah layak huni", year["Ampah"].code)]
    sheet = sheet_rows(book, "Kebutuhan belum dijawab")
    assert [(r["Kebutuhan dasar"], r["Kode desa/kelurahan"]) for r in sheet] == flagged

    ProgramFactory(
        agency=agency_b, verified=True, needs=["housing"], target_villages=[year["Ampah"]]
    )
    dataversion.bump()
    report = viewer_client.get(reverse("reports:meeting_report", args=[2024]), {"quarter": 4})
    assert "needs-table" not in report.content.decode()
    assert _flagged_in(csv_rows(viewer_client.get(URL, {"year": 2024, "_export": "csv"}))) == []


def test_a_wrong_filter_says_which_and_why(year, viewer_client):
    response = viewer_client.get(URL, {"year": 2024, "need": "rockets"})

    assert response.status_code == 200
    assert "rockets" in response.content.decode()
    assert "need-table-housing" not in response.content.decode()


def test_without_a_need_chosen_each_need_shows_its_top_share(year, viewer_client):
    page = viewer_client.get(URL, {"year": 2024})
    exported = csv_rows(viewer_client.get(URL, {"year": 2024, "_export": "csv"}))

    # 20% of 5 villages is 1: each need shows its first village, and links the whole ranking.
    _headers, rows = table_rows(page, "need-table-housing")
    assert [row[1].removesuffix(year["Ampah"].code) for row in rows] == ["Ampah"]
    assert "need=housing" in page.content.decode()
    assert [(r[0], r[5]) for r in exported[1:3]] == [
        ("Rumah layak huni", "Ampah"),
        ("Air bersih", "Eris"),
    ]
    # The other needs: no village has a deficit, so none is at the top.
    assert len(exported) == 1 + 2


def test_a_chosen_need_has_its_map_each_village_by_deficit_and_coverage(
    viewer_client, district_x, agency_a
):
    # Villages the boundary file draws: the worst without a housing programme, the next one
    # reached by one, and one without houses to fix.
    villages = {}
    for code, name, houses in (
        ("62.13.01.2003", "Peta Satu", 40),
        ("62.13.01.2004", "Peta Dua", 30),
        ("62.13.01.2005", "Peta Tiga", 0),
    ):
        villages[name] = VillageFactory(district=district_x, code=code, name=name)
        VillageDataFactory(
            verified=True, village=villages[name], households=100, uninhabitable_houses=houses
        )
    NeedRule.objects.update(top_share=70)  # two of the three villages
    ProgramFactory(
        agency=agency_a, verified=True, needs=["housing"], target_villages=[villages["Peta Dua"]]
    )

    page = viewer_client.get(reverse("reports:needs"), {"year": 2024, "need": "housing"})
    content = page.content.decode()
    drawn = content[content.index('id="need-map"') :].split("</svg>")[0]

    def area(code):
        start = drawn.index(f'data-key="{code}"')
        return drawn[drawn.rindex("<", 0, start) : drawn.index("</title>", start)]

    assert "Peta Satu: kekurangan tinggi, belum ada program kebutuhan ini" in area("62.13.01.2003")
    assert "Peta Dua: kekurangan tinggi, dijangkau program kebutuhan ini" in area("62.13.01.2004")
    assert "Peta Tiga: kekurangan tidak tinggi, tidak dijangkau" in area("62.13.01.2005")
    assert "Ditandai: 1 dari 2 tinggi" in content

    every_need = viewer_client.get(reverse("reports:needs"), {"year": 2024}).content.decode()
    assert 'id="need-map"' not in every_need
    assert "Pilih satu kebutuhan dasar" in every_need
