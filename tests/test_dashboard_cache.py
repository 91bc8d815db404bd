"""The dashboard is rendered once per data version (helpers/dataversion.py) and then served
from the cache. Whatever way the data changes (the write services, the admin, the Excel
imports, the loaders), the next dashboard must show the change: one test per kind of write,
each reading the dashboard before (so that it is cached) and after."""

import os
from decimal import Decimal
from io import StringIO

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bartim.models import Agency, ReviewStatus
from helpers import dataversion
from programs.models import Program, QuarterReport, Strategy
from programs.services import program_report_quarter, program_update
from tests.excel_helpers import confirm, download, fill, upload_and_preview, xlsx_bytes
from tests.factories import (
    IndicatorFactory,
    IndicatorValueFactory,
    ProgramFactory,
    StrategyFactory,
    VillageDataFactory,
)
from tests.meeting_helpers import table_rows
from villages.models import PocketRule, VillageData
from villages.services import poverty_statistic_save

pytestmark = pytest.mark.django_db
URL = reverse("reports:dashboard")
# "All submitted": the watched programme is submitted, so that an administrator's writes
# below reach it, and the pages count it marked as unverified.
PERIOD = {"year": 2024, "quarter": 1, "figures": "all"}
UNVERIFIED_MARK = " belum terverifikasi"


@pytest.fixture
def strategies(db):
    return [StrategyFactory(number=number) for number in (1, 2, 3)]


@pytest.fixture
def watched(client, admin_user, agency_a, strategies, village_x):
    """A year with one programme that reported Q I (25 of 100: 100%) and one pocket."""
    program = ProgramFactory(
        agency=agency_a, strategy=strategies[0], name="Bedah Rumah", status="submitted"
    )
    indicator = IndicatorFactory(program=program, target=Decimal("100"))
    IndicatorValueFactory(indicator=indicator, quarter=1, realized=Decimal("25"))
    for quarter in (1, 2):
        QuarterReport.objects.create(program=program, quarter=quarter, status="submitted")
    VillageDataFactory(village=village_x, year=2024, poor_households=30, verified=True)
    client.force_login(admin_user)
    return program, indicator


def _name(cell: str) -> str:
    """A programme's name without the mark "all submitted" gives it."""
    assert cell.endswith(UNVERIFIED_MARK), cell
    return cell.removesuffix(UNVERIFIED_MARK)


def dashboard(client, **params) -> str:
    """The dashboard's sections: the rest of the page (the logout form's CSRF token, the
    CSP nonce) differs from one request to the next."""
    response = client.get(URL, {**PERIOD, **params})
    assert response.status_code == 200
    content = response.content.decode()
    return content[content.index('id="period"') : content.index("</main>")]


def pocket_section(client, **params) -> str:
    """The pockets' section of the dashboard (the village map above it names every village)."""
    content = dashboard(client, **params)
    return content[content.index('id="pockets"') :]


def off_track_names(client) -> list[str]:
    response = client.get(URL, PERIOD)
    if "off-track-table" not in response.content.decode():
        return []
    return [_name(row[0]) for row in table_rows(response, "off-track-table")[1]]


def test_the_second_visit_is_served_from_the_cache_with_the_same_page(client, watched):
    with CaptureQueriesContext(connection) as first:
        before = dashboard(client)
    with CaptureQueriesContext(connection) as second:
        again = dashboard(client)

    assert again == before
    assert len(second.captured_queries) < len(first.captured_queries)


def test_a_quarter_report_in_the_entry_form(client, watched):
    program, indicator = watched
    assert off_track_names(client) == []

    client.post(
        reverse("programs:program_quarter", args=[program.pk, 1]),
        {"budget_realized": 0, f"realized_{indicator.pk}": "5", "seen_version": program.version},
    )

    assert off_track_names(client) == ["Bedah Rumah"]


def test_a_programme_added_in_the_entry_form(client, watched, agency_a):
    assert "1 program." in dashboard(client)

    response = client.post(
        reverse("programs:program_create"),
        {
            "agency": agency_a.pk,
            "strategy": 2,
            "year": 2024,
            "name": "Jamban Sehat",
            "budget_ceiling": 500_000_000,
            "beneficiary_unit": "kk",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    # A draft is not counted on the leaders' pages, even under "all submitted".
    assert "1 program." in dashboard(client)
    new = Program.objects.get(name="Jamban Sehat")
    IndicatorFactory(program=new)
    client.post(reverse("review:program_transition", args=[new.pk, "submit"]))
    assert "2 program." in dashboard(client)


def test_an_agency_renamed_in_the_admin(client, watched, admin_user, agency_a):
    admin_user.is_superuser = True
    admin_user.save(update_fields=["is_superuser"])
    program, _indicator = watched
    ProgramFactory(
        verified=True,
        agency=agency_a,
        strategy=Strategy.objects.get(number=2),
        name="Belum lapor",
    )
    assert "Dinas Sosial Uji" in dashboard(client)

    response = client.post(
        reverse("admin:bartim_agency_change", args=[agency_a.pk]),
        {
            "code": agency_a.code,
            "name": "Dinas Sosial PMD",
            "abbreviation": "DINSOSPMD",
            "is_active": "on",
            "kind": "opd",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    content = dashboard(client)
    assert "Dinas Sosial PMD" in content and "Dinas Sosial Uji" not in content


def test_village_data_imported_from_excel(client, watched, camat_x_user, village_x):
    # Returned to the camat, so he may change it, and counted under "all submitted".
    VillageData.objects.update(status=ReviewStatus.RETURNED)
    before = pocket_section(client, figures="all")
    assert "Pulau Patai" in before  # the pocket: 90 of 1,000 poor
    client.force_login(camat_x_user)
    workbook = download(client, "village-data", year=2024)
    fill(
        workbook["Data desa"],
        2,
        **{
            "Keluarga miskin (KK)": 2,
            "Penduduk miskin (jiwa)": 5,
            "Penduduk miskin ekstrem (jiwa)": 0,
        },
    )
    url, _preview = upload_and_preview(client, "village-data", xlsx_bytes(workbook))
    assert confirm(client, url).status_code == 302

    assert "Pulau Patai" not in pocket_section(client, figures="all")


def test_target_villages_changed(client, watched, village_x, admin_user):
    program, _indicator = watched
    _headers, rows = table_rows(client.get(URL, PERIOD), "pocket-table")
    assert rows[0][-1] == "tidak ada program"

    program_update(program=program, actor=admin_user, target_villages=[village_x])

    _headers, rows = table_rows(client.get(URL, PERIOD), "pocket-table")
    assert rows[0][-1] == "ya"


def test_a_bps_figure_and_the_pocket_rule(client, watched, admin_user):
    assert "8.740" not in dashboard(client)

    poverty_statistic_save(
        actor=admin_user, year=2023, poor_people=8740, poverty_rate=Decimal("6.66")
    )
    assert "8.740" in dashboard(client)

    response = client.post(
        reverse("admin:villages_pocketrule_change", args=[PocketRule.SINGLETON_ID]),
        {"basis": PocketRule.Basis.FIXED_RATE, "fixed_rate": "50", "min_poor_households": "20"},
    )
    assert response.status_code == 302
    assert "Pulau Patai" not in pocket_section(client)


def test_the_synthetic_data_generator(client, reference_data, admin_user):
    ProgramFactory(
        verified=True, agency=Agency.objects.first(), strategy=Strategy.objects.get(number=1)
    )
    client.force_login(admin_user)
    assert "1 program." in dashboard(client)

    call_command("generate_scale_data", "--scale", "0.05", "--force", stdout=StringIO())

    assert "1 program." not in dashboard(client)


def test_each_language_has_its_own_page(client, watched):
    indonesian = dashboard(client)
    client.cookies["django_language"] = "en"
    english = dashboard(client)

    assert "Program yang tertinggal sampai" in indonesian
    assert "Programmes off track" in english


def test_a_write_rolled_back_leaves_the_page_as_it_was(client, watched, agency_a):
    before = dashboard(client)
    stamp = dataversion.current()

    with pytest.raises(RuntimeError), transaction.atomic():
        Agency.objects.filter(pk=agency_a.pk).update(name="Tidak jadi")
        raise RuntimeError

    assert dataversion.current() == stamp
    assert dashboard(client) == before


def test_the_meeting_report_is_cached_and_follows_a_write_too(client, watched, admin_user):
    program, indicator = watched
    url = reverse("reports:meeting_report", args=[2024])

    def off_track(quarter):
        response = client.get(url, {"quarter": quarter, "figures": "all"})
        content = response.content.decode()
        if "off-track-table" not in content:
            return []
        return [_name(row[0]) for row in table_rows(response, "off-track-table")[1]]

    assert off_track(1) == []
    assert off_track(2) == ["Bedah Rumah"]  # 25 of the 50 expected by Q II: 50%

    program_report_quarter(
        program=program, quarter=2, actor=admin_user, realized={indicator.pk: Decimal("30")}
    )

    assert off_track(1) == []
    assert off_track(2) == []  # 55 of 50


def test_the_targeting_check_is_cached_and_follows_a_write_too(
    client, watched, village_x, admin_user
):
    program, _indicator = watched
    url = reverse("reports:targeting")

    def reached():
        content = client.get(url, {"year": 2024, "figures": "all"}).content.decode()
        return "Kantong kemiskinan tak dijangkau program mana pun" not in content

    assert not reached()
    assert not reached()  # from the cache

    program_update(program=program, actor=admin_user, target_villages=[village_x])

    assert reached()


@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="REDIS_URL is not set: the suite runs with each process's own memory cache",
)
def test_with_the_redis_cache_a_write_shows_on_the_next_dashboard(client, watched, admin_user):
    # What every server sharing the one Redis sees: the page kept there under the data
    # version, and a write anywhere makes the next request render it again.
    assert isinstance(caches["default"], RedisCache)
    assert off_track_names(client) == []
    with CaptureQueriesContext(connection) as cached:
        dashboard(client)

    program, indicator = watched
    program_report_quarter(
        program=program, quarter=1, actor=admin_user, realized={indicator.pk: Decimal("5")}
    )

    with CaptureQueriesContext(connection) as rendered:
        assert off_track_names(client) == ["Bedah Rumah"]
    assert len(cached.captured_queries) < len(rendered.captured_queries)
