"""The dashboard at /: the period from the link, the strategy cards, the programmes off
track, the agencies that have not reported, the pockets, the BPS trend; access and cost."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from bartim import access
from helpers import dataversion
from programs.models import Program
from tests.csp import assert_csp_clean
from tests.factories import (
    AgencyFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    PovertyStatisticFactory,
    ProgramFactory,
    StrategyFactory,
    VillageDataFactory,
)
from tests.meeting_helpers import figure, table_rows
from tests.test_hostile_input import ANY_TEXT, HYPOTHESIS, SCRIPT

pytestmark = pytest.mark.django_db
URL = reverse("reports:dashboard")


@pytest.fixture
def strategies(db):
    return [StrategyFactory(number=number) for number in (1, 2, 3)]


def programme(agency, strategy, *, realized, year=2024, quarter=1, target=100, **fields):
    """A programme with one sum indicator (target `target`) realised `realized` in `quarter`."""
    program = ProgramFactory(verified=True, agency=agency, strategy=strategy, year=year, **fields)
    indicator = IndicatorFactory(program=program, target=Decimal(target))
    if realized is not None:
        IndicatorValueFactory(indicator=indicator, quarter=quarter, realized=Decimal(realized))
    return program


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_opens_on_the_latest_year_with_programmes_and_its_latest_quarter_with_data(
    viewer_client, agency_a, strategies
):
    programme(agency_a, strategies[0], realized=10, year=2023, quarter=4)
    programme(agency_a, strategies[0], realized=10, year=2024, quarter=2)

    response = viewer_client.get(URL)

    assert response.status_code == 200
    period = response.content.decode()
    assert "Tahun anggaran 2024, kemajuan sampai TW II: 1 program." in period


def test_the_link_chooses_the_year_and_quarter(viewer_client, agency_a, strategies):
    programme(agency_a, strategies[0], realized=10, year=2023, quarter=4)
    programme(agency_a, strategies[1], realized=10, year=2024, quarter=2)

    response = viewer_client.get(URL, {"year": 2023, "quarter": 3})

    assert "Tahun anggaran 2023, kemajuan sampai TW III: 1 program." in response.content.decode()
    assert figure(response, 1, "programs") == "1"
    assert figure(response, 2, "programs") == "0"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "abc"}, "“abc” bukan tahun yang memiliki program."),
        ({"year": "1999"}, "“1999” bukan tahun yang memiliki program."),
        ({"quarter": "7"}, "“7” bukan triwulan. Pilih 1, 2, 3, atau 4"),
        ({"quarter": "<b>"}, "“&lt;b&gt;” bukan triwulan."),
        ({"quarter": "0"}, "“0” bukan triwulan."),
        ({"year": "99999999999999999999"}, "“99999999999999999999” bukan tahun"),
        ({"year": "2024.0"}, "“2024.0” bukan tahun"),
        ({"year": "٢٠٢٤"}, "bukan tahun"),
    ],
)
def test_a_bad_year_or_quarter_gets_a_clear_message(
    viewer_client, agency_a, strategies, params, message
):
    programme(agency_a, strategies[0], realized=10)

    response = viewer_client.get(URL, params)

    assert response.status_code == 400
    content = response.content.decode()
    assert message in content
    assert 'id="strategies"' not in content


def test_strategy_cards_add_up_the_programmes_in_indonesian(
    viewer_client, agency_a, agency_b, strategies
):
    programme(
        agency_a,
        strategies[0],
        realized=80,
        budget_ceiling=1_250_000_000,
        budget_realized_q1=500_000_000,
    )
    programme(
        agency_b,
        strategies[0],
        realized=40,
        budget_ceiling=750_000_000,
        budget_realized_q1=100_000_000,
    )

    response = viewer_client.get(URL, {"year": 2024, "quarter": 1})

    assert figure(response, 1, "programs") == "2"
    assert figure(response, 1, "agencies") == "2"
    assert figure(response, 1, "pagu") == "Rp2.000.000.000"
    assert figure(response, 1, "realised") == "Rp600.000.000"
    assert figure(response, 1, "absorption") == "30,00%"
    # Expected by Q I: 100 / 4 = 25, so 80 and 40 are 320% and 160%, each counted as 100%.
    assert figure(response, 1, "achievement") == "100,00%"
    assert figure(response, 1, "category") == "sangat tinggi"
    assert figure(response, 3, "pagu") == "Rp0"


def test_the_worked_example_of_docs_meeting_md(viewer_client, agency_a, agency_b, strategies):
    programme(
        agency_a,
        strategies[0],
        realized=80,
        name="A",
        budget_ceiling=1_250_000_000,
        budget_realized_q1=500_000_000,
    )
    programme(
        agency_b,
        strategies[0],
        realized=15,
        name="B",
        budget_ceiling=750_000_000,
        budget_realized_q1=100_000_000,
    )

    response = viewer_client.get(URL, {"year": 2024, "quarter": 1})

    assert figure(response, 1, "absorption") == "30,00%"
    assert figure(response, 1, "achievement") == "80,00%"
    assert figure(response, 1, "category") == "tinggi"
    _headers, rows = table_rows(response, "off-track-table")
    assert [(row[0], row[5], row[6]) for row in rows] == [("B", "60,00%", "rendah")]


def test_programmes_off_track_link_to_the_programme_and_the_filtered_table(
    viewer_client, agency_a, strategies
):
    # Expected by Q I: 25. 15 is 60% (low), 10 is 40% (very low), 20 is 80% (high).
    low = programme(agency_a, strategies[0], realized=15, name="Rendah")
    very_low = programme(agency_a, strategies[1], realized=10, name="Sangat rendah")
    programme(agency_a, strategies[2], realized=20, name="Tinggi")

    response = viewer_client.get(URL, {"year": 2024, "quarter": 1})

    _headers, rows = table_rows(response, "off-track-table")
    assert [row[0] for row in rows] == ["Sangat rendah", "Rendah"]
    assert [row[-1] for row in rows] == ["sangat rendah", "rendah"]
    content = response.content.decode()
    for program in (low, very_low):
        assert f'href="{reverse("programs:program_detail", args=[program.pk])}"' in content
    programs = reverse("programs:program_list")
    assert f'href="{programs}?year=2024&amp;quarter=1&amp;category=low"' in content
    assert f'href="{programs}?year=2024&amp;quarter=1&amp;category=very_low"' in content


def test_long_lists_show_the_worst_rows_and_send_to_the_report_for_the_rest(
    viewer_client, strategies
):
    # A province's year: more programmes off track and agencies behind than a page can read.
    for number in range(12):
        agency = AgencyFactory(name=f"Dinas {number:02}")
        # Expected by Q I: 25, so realised 1 to 12 is 4% to 48%: all very low, 1 the lowest.
        programme(agency, strategies[0], realized=number + 1, name=f"Tertinggal {number + 1:02}")
        programme(agency, strategies[1], realized=None, name=f"Belum lapor {number:02}")

    dashboard = viewer_client.get(URL, {"year": 2024, "quarter": 1})
    report = viewer_client.get(reverse("reports:meeting_report", args=[2024]), {"quarter": 1})

    _headers, off_track = table_rows(dashboard, "off-track-table")
    assert [row[0] for row in off_track] == [f"Tertinggal {n:02}" for n in range(1, 11)]
    content = dashboard.content.decode()
    assert "Ditampilkan 10 program dengan capaian terendah dari 12" in content
    _headers, behind = table_rows(dashboard, "not-reported-table")
    assert len(behind) == 10
    assert "Ditampilkan 10 pertama dari 12 perangkat daerah" in content
    assert len(table_rows(report, "off-track-table")[1]) == 12
    assert len(table_rows(report, "not-reported-table")[1]) == 12
    assert "Ditampilkan 10" not in report.content.decode()


def test_no_programme_off_track_says_so(viewer_client, agency_a, strategies):
    programme(agency_a, strategies[0], realized=25)

    response = viewer_client.get(URL, {"quarter": 1})

    content = response.content.decode()
    assert "Tidak ada program yang tertinggal." in content
    assert "rendah (51–65%) atau sangat rendah (50% atau kurang)" in content


def test_agencies_that_have_not_reported_the_quarter(viewer_client, agency_a, agency_b, strategies):
    programme(agency_a, strategies[0], realized=25, quarter=2)
    silent = programme(agency_b, strategies[0], realized=25, quarter=1, name="Belum lapor TW II")
    programme(agency_b, strategies[1], realized=25, quarter=2)

    response = viewer_client.get(URL, {"quarter": 2})

    _headers, rows = table_rows(response, "not-reported-table")
    assert rows == [[agency_b.name, "1 dari 2", "50,00%", silent.name]]


def test_pockets_and_the_programmes_that_reach_them(
    viewer_client, agency_a, strategies, village_x, village_y
):
    PovertyStatisticFactory(year=2024, poor_people=8740, poverty_rate=Decimal("6.66"))
    # 90 poor of 1,000 is 9%, at least 6.66% with 30 poor households: both are pockets.
    VillageDataFactory(village=village_x, poor_households=30, verified=True)
    VillageDataFactory(village=village_y, poor_households=40, verified=True)
    program = programme(agency_a, strategies[2], realized=25)
    program.target_villages.set([village_x])

    response = viewer_client.get(URL, {"quarter": 1})

    _headers, rows = table_rows(response, "pocket-table")
    assert [(row[0], row[-1]) for row in rows] == [
        (village_y.name, "tidak ada program"),
        (village_x.name, "ya"),
    ]
    content = response.content.decode()
    assert "1 dari 2" in content  # pockets reached by no programme


def test_the_bps_trend_is_charted_and_tabled(viewer_client, agency_a, strategies):
    PovertyStatisticFactory(year=2023, poor_people=8590, poverty_rate=Decimal("6.63"))
    PovertyStatisticFactory(year=2024, poor_people=8740, poverty_rate=Decimal("6.66"))
    programme(agency_a, strategies[0], realized=25)

    response = viewer_client.get(URL)

    content = response.content.decode()
    assert 'id="chart-poor-people"' in content and 'id="chart-poverty-rate"' in content
    _headers, rows = table_rows(response, "bps-series")
    assert [row[:3] for row in rows] == [
        ["2023", "8.590 jiwa", "6,63%"],
        ["2024", "8.740 jiwa", "6,66%"],
    ]


def test_it_links_the_meeting_report_and_keeps_to_the_content_security_policy(
    viewer_client, agency_a, strategies
):
    programme(agency_a, strategies[0], realized=25, quarter=3)

    response = viewer_client.get(URL)

    content = response.content.decode()
    assert f'href="{reverse("reports:meeting_report", args=[2024])}?quarter=3"' in content
    assert f'href="{reverse("reports:meeting_report_latest")}"' in content  # the navigation
    assert_csp_clean(response)


def test_an_opd_head_reads_every_agencys_programmes(client, opd_a_user, agency_b, strategies):
    """Every signed-in role reads every programme (bartim.access.readable)."""
    programme(agency_b, strategies[0], realized=10, name="Program dinas lain")
    client.force_login(opd_a_user)

    response = client.get(URL, {"quarter": 1})

    assert figure(response, 1, "programs") == "1"
    assert "Program dinas lain" in response.content.decode()


def test_every_figure_goes_through_the_access_policy(
    client, monkeypatch, opd_a_user, agency_a, agency_b, strategies
):
    """Were reading narrowed to one's own agency, the dashboard would follow: nothing on it
    reads programmes past the access policy (bartim.access.readable)."""

    def own_agency_only(user, queryset):
        if queryset.model is Program:
            return queryset.filter(agency_id=user.agency_id)
        return queryset

    monkeypatch.setattr(access, "readable", own_agency_only)
    programme(agency_a, strategies[0], realized=10, name="Program sendiri")
    programme(agency_b, strategies[0], realized=10, name="Program dinas lain")
    client.force_login(opd_a_user)

    response = client.get(URL, {"quarter": 1})

    content = response.content.decode()
    assert figure(response, 1, "programs") == "1"
    assert figure(response, 1, "pagu") == "Rp100.000.000"
    assert "Program sendiri" in content
    assert "Program dinas lain" not in content
    assert agency_b.name not in content


def _queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(queries)


def test_query_count_is_the_same_for_5_and_50_programmes(viewer_client, strategies, village_x):
    PovertyStatisticFactory(year=2024, poor_people=8740, poverty_rate=Decimal("6.66"))
    VillageDataFactory(village=village_x, verified=True)
    counts = {}
    made = 0
    for total in (5, 50):
        while made < total:
            program = programme(
                AgencyFactory(), strategies[made % 3], realized=(made * 7) % 30, quarter=1
            )
            program.target_villages.set([village_x])
            made += 1
        dataversion.bump()  # as a write service would: the dashboard is computed afresh
        counts[total] = _queries(viewer_client, {"year": 2024, "quarter": 2})

    assert counts[5] == counts[50]
    assert counts[50] <= 20


@HYPOTHESIS
@given(params=st.dictionaries(st.sampled_from(["year", "quarter", "_export"]), ANY_TEXT))
def test_any_year_quarter_or_export_never_fails(viewer_client, agency_a, strategies, params):
    # Hypothesis runs every example in the same test database.
    if not Program.objects.exists():
        programme(agency_a, strategies[0], realized=10, name="Hipotesis")

    dashboard = viewer_client.get(URL, params)
    report = viewer_client.get(reverse("reports:meeting_report", args=[2024]), params)

    assert dashboard.status_code in (200, 400), params
    assert report.status_code in (200, 400), params


def test_names_are_shown_escaped(viewer_client, strategies, village_x):
    agency = AgencyFactory(name=f"Dinas {SCRIPT}")
    program = programme(agency, strategies[0], realized=1, name=f"Program {SCRIPT}")
    program.target_villages.set([village_x])

    for address in (URL, reverse("reports:meeting_report", args=[2024])):
        content = viewer_client.get(address, {"quarter": 1}).content.decode()
        assert SCRIPT not in content
        assert "Program &lt;script&gt;" in content
