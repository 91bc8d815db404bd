"""The public page and the open data (issue 20): anyone reads them without an account, in
Indonesian and English; only published years, only verified figures, nobody's personal data;
an administrator publishes and withdraws years."""

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bartim import access
from bartim.models import PublishedYear
from bartim.services import published_year_publish, published_year_withdraw
from review.services import review_transition
from tests.factories import VillageDataFactory, VillageFactory
from tests.public_helpers import BPS_ONLY_YEAR, UNPUBLISHED_YEAR, assert_nothing_private
from transparency.selectors import year_figures

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    if response["Content-Type"].startswith("application/vnd.openxml"):
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            " ".join("" if cell is None else str(cell) for cell in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return response.content.decode()


def test_anyone_reads_the_public_page_without_an_account(client, public_year):
    response = client.get(reverse("transparency:page"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Bantuan Pangan Terverifikasi" in page
    assert "Air Bersih Desa" in page
    assert "Dinas Sosial Uji" in page or "DINSOS" in page
    # The one pocket with approved data is reached by an approved plan.
    assert "1 dari 1 kantong kemiskinan" in page
    assert 'id="public-pockets-map"' in page
    assert_nothing_private(page)


def test_the_bps_trend_shows_every_year_bps_published(client, public_year):
    page = client.get(reverse("transparency:page")).content.decode()
    trend = page[page.index('id="chart-public-poor-people"') :].split("</figure>")[0]

    assert str(BPS_ONLY_YEAR) in trend and "9.111" in trend
    # A BPS year is not a published year of the regency's own figures.
    assert client.get(reverse("transparency:page"), {"year": BPS_ONLY_YEAR}).status_code == 404


def test_the_public_page_speaks_english_when_asked(client, public_year):
    client.post(reverse("set_language"), {"language": "en", "next": reverse("transparency:page")})

    page = client.get(reverse("transparency:page")).content.decode()

    assert "Poverty reduction in Barito Timur" in page
    assert "reach 1 of 1 poverty pockets" in page
    assert_nothing_private(page)


def _map_area(page: str, code: str) -> str:
    """The map's element of one village: its class and the text read out."""
    start = page.index(f'data-key="{code}"')
    return page[page.rindex("<", 0, start) : page.index("</g>", start)]


def test_the_public_map_shows_the_pockets_links_nowhere_and_switches_layers(
    client, public_year, district_x, camat_x_user
):
    # Two villages the boundary file draws: a pocket whose data is approved and that no
    # programme reaches, and one whose data is only submitted.
    pocket = VillageFactory(district=district_x, code="62.13.01.2003", name="Desa Peta")
    VillageDataFactory(village=pocket, year=2024, poor_households=40, verified=True)
    waiting = VillageFactory(district=district_x, code="62.13.01.2004", name="Desa Menunggu")
    submitted = VillageDataFactory(village=waiting, year=2024, poor_households=40)
    review_transition(record=submitted, action="submit", actor=camat_x_user)

    page = client.get(reverse("transparency:page")).content.decode()
    village_map = page[page.index('id="public-village-map"') :].split("</svg>")[0]

    assert "<a " not in village_map  # the pages behind a village need an account
    area = _map_area(page, "62.13.01.2003")
    assert 'tabindex="0"' in area and "Desa Peta" in area
    assert "kantong kemiskinan tanpa program" in area
    # Its data is only submitted: the public sees no data for it.
    assert "tidak ada data desa" in _map_area(page, "62.13.01.2004")

    rate = client.get(reverse("transparency:page"), {"map": "rate"}).content.decode()
    assert "Persentase penduduk miskin per desa/kelurahan, 2024" in rate
    assert "<a " not in rate[rate.index('id="public-village-map"') :].split("</svg>")[0]
    wrong = client.get(reverse("transparency:page"), {"map": "x"}).content.decode()
    assert "Tidak ada peta “x”" in wrong


def test_an_unpublished_year_is_not_found_not_shown(client, public_year):
    assert client.get(reverse("transparency:page"), {"year": UNPUBLISHED_YEAR}).status_code == 404
    assert client.get(reverse("transparency:page"), {"year": "abc"}).status_code == 404
    download = reverse("transparency:download", args=[UNPUBLISHED_YEAR, "programmes", "csv"])
    assert client.get(download).status_code == 404


def test_only_verified_quarters_count_in_the_public_figures(public_year):
    figures = year_figures(access.PUBLIC, 2024)

    strategy = figures.strategies[0]
    assert [p.name for p in strategy.programs] == ["Bantuan Pangan Terverifikasi"]
    # Q I verified, Q II only submitted: the figures are as of Q I, with Q I's budget.
    assert figures.quarter == 1
    assert strategy.programs[0].budget_realized == 1_000_000
    assert figures.program_count == 2
    assert (figures.pockets, figures.pockets_reached) == (1, 1)


@pytest.mark.parametrize("dataset", ["programmes", "strategies"])
@pytest.mark.parametrize("export_format", ["csv", "xlsx", "json"])
@pytest.mark.parametrize("language", ["id", "en"])
def test_every_download_holds_only_published_verified_figures(
    client, public_year, dataset, export_format, language
):
    client.post(reverse("set_language"), {"language": language, "next": "/"})

    response = client.get(reverse("transparency:download", args=[2024, dataset, export_format]))

    assert response.status_code == 200
    assert f"bartim-{dataset}-2024.{export_format}" in response["Content-Disposition"]
    text = _text(response)
    assert_nothing_private(text)
    if dataset == "programmes":
        assert "Bantuan Pangan Terverifikasi" in text


def test_the_json_download_uses_the_dictionarys_keys(client, public_year):
    response = client.get(reverse("transparency:download", args=[2024, "programmes", "json"]))

    body = json.loads(response.content)
    first = body["rows"][0]
    assert body["as_of_quarter"] == 1
    assert first["programme"] == "Bantuan Pangan Terverifikasi"
    assert first["budget_realized"] == 1_000_000
    dictionary = client.get(reverse("transparency:dictionary")).content.decode()
    for key in first:
        assert f"<code>{key}</code>" in dictionary


def test_an_unknown_dataset_or_format_is_not_found(client, public_year):
    for args in ([2024, "people", "csv"], [2024, "programmes", "pdf"]):
        assert client.get(reverse("transparency:download", args=args)).status_code == 404


def test_the_data_dictionary_describes_every_column_in_both_languages(client, public_year):
    page = client.get(reverse("transparency:dictionary")).content.decode()
    assert "Data terbuka: kamus data" in page
    assert "rupiah" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("transparency:dictionary")).content.decode()
    assert "Open data: data dictionary" in page
    assert_nothing_private(page)


def test_a_page_with_nothing_published_says_so(client, db):
    page = client.get(reverse("transparency:page")).content.decode()

    assert 'id="public-nothing-published"' in page


def test_publishing_a_year_shows_it_and_withdrawing_hides_it_at_once(
    client, public_year, admin_user
):
    published_year_publish(year=UNPUBLISHED_YEAR, actor=admin_user)
    assert (
        "Program Tahun Depan"
        in client.get(reverse("transparency:page"), {"year": UNPUBLISHED_YEAR}).content.decode()
    )

    published_year_withdraw(
        published=PublishedYear.objects.get(year=UNPUBLISHED_YEAR), actor=admin_user
    )

    assert client.get(reverse("transparency:page"), {"year": UNPUBLISHED_YEAR}).status_code == 404


def test_only_an_administrator_publishes(client, public_year, viewer_user, opd_a_user):
    for user in (viewer_user, opd_a_user):
        client.force_login(user)
        response = client.post(reverse("transparency:published_years"), {"year": UNPUBLISHED_YEAR})
        assert response.status_code == 403
    assert not PublishedYear.objects.filter(year=UNPUBLISHED_YEAR).exists()


def test_the_administrator_publishes_on_the_apps_page(client, public_year, admin_user):
    client.force_login(admin_user)

    response = client.post(reverse("transparency:published_years"), {"year": UNPUBLISHED_YEAR})
    refused = client.post(reverse("transparency:published_years"), {"year": "1999"})

    assert response.status_code == 302
    assert PublishedYear.objects.filter(year=UNPUBLISHED_YEAR).exists()
    assert refused.status_code == 200
    assert "2000" in refused.content.decode()
    entry = PublishedYear.history.filter(year=UNPUBLISHED_YEAR).get()
    assert entry.history_user == admin_user


def test_a_client_asking_too_often_is_told_to_wait(client, public_year, settings):
    settings.PUBLIC_RATE_LIMIT = "3/m"

    statuses = [client.get(reverse("transparency:page")).status_code for _ in range(5)]

    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429]
    other = client.get(reverse("transparency:page"), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def _queries_of_a_fresh_page(client, admin_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from helpers import dataversion

    dataversion.bump()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("transparency:page")).status_code == 200
    return len(queries.captured_queries)


def test_the_public_page_costs_the_same_queries_however_many_programmes(
    client, public_year, admin_user, agency_b, django_assert_max_num_queries
):
    from tests.factories import PlanFactory

    few = _queries_of_a_fresh_page(client, admin_user)
    for number in range(10):
        PlanFactory(name=f"Program tambahan {number}", agency=agency_b, verified=True)
    many = _queries_of_a_fresh_page(client, admin_user)

    assert many == few
    assert "Program tambahan 9" in client.get(reverse("transparency:page")).content.decode()
    # Read again before anything changed: the year's figures come from the cache.
    with django_assert_max_num_queries(5):
        client.get(reverse("transparency:page"))
