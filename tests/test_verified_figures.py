"""Leaders see what is verified (issue 16, item 4): the dashboard, the meeting report, the
targeting check and their workbooks count approved plans and verified quarters; "all
submitted" (?figures=all) also counts submitted and returned ones, marked; drafts never count."""

from decimal import Decimal

import pytest
from django.urls import reverse

from programs.services import program_report_quarter, quarter_report
from reports.meeting import meeting_for
from reports.targeting import targeting_check
from review.services import review_transition
from tests.factories import (
    PlanFactory,
    StrategyFactory,
    VillageDataFactory,
    VillageFactory,
)
from tests.meeting_helpers import sheet_rows, table_rows, workbook

pytestmark = pytest.mark.django_db


def _plan(name, agency, strategy, reporter, admin, *, approve=True, budget=0, realised=None):
    """A plan through the review steps, its Q I reported (`realised` of 100 expected)."""
    program = PlanFactory(
        name=name, agency=agency, strategy=strategy, year=2024, indicator__target=Decimal(400)
    )
    if realised is not None:
        indicator = program.indicators.get()
        program_report_quarter(
            program=program,
            quarter=1,
            actor=reporter,
            budget_realized=budget,
            realized={indicator.pk: Decimal(realised)},
        )
    if approve is not None:
        review_transition(record=program, action="submit", actor=reporter)
    if approve:
        review_transition(record=program, action="approve", actor=admin)
    return program


def _quarter(program, reporter, admin, action):
    report = review_transition(
        record=quarter_report(program=program, quarter=1), action="submit", actor=reporter
    )
    if action:
        review_transition(record=report, action=action, actor=admin, reason="Bukti kurang")


@pytest.fixture
def year(agency_a, opd_a_user, admin_user, village_x):
    strategies = [StrategyFactory(number=number) for number in (1, 2, 3)]
    verified = _plan("Terverifikasi", agency_a, strategies[0], opd_a_user, admin_user,
                     budget=1_000, realised=100)  # fmt: skip
    _quarter(verified, opd_a_user, admin_user, "approve")
    returned = _plan("Dikembalikan", agency_a, strategies[0], opd_a_user, admin_user,
                     budget=7_000, realised=20)  # fmt: skip
    returned.target_villages.set([village_x])
    _quarter(returned, opd_a_user, admin_user, "return")
    submitted = _plan("Rencana diajukan", agency_a, strategies[1], opd_a_user, admin_user,
                      approve=False)  # fmt: skip
    draft = _plan("Draf", agency_a, strategies[2], opd_a_user, admin_user, approve=None)
    draft.target_villages.set([village_x])
    VillageDataFactory(village=village_x, year=2024, poor_households=30, verified=True)
    return {
        "verified": verified,
        "returned": returned,
        "submitted": submitted,
        "village": village_x,
    }


def _names(rows):
    return sorted(row.name for row in rows)


def test_a_returned_quarter_does_not_count_by_default_and_is_marked_in_all_submitted(
    year, viewer_user
):
    default = meeting_for(user=viewer_user, year=2024, quarter=1)
    everything = meeting_for(user=viewer_user, year=2024, quarter=1, unverified=True)

    # By default: the two approved plans; only the verified quarter's figures.
    assert default.program_count == 2
    assert default.strategies[0].budget_realized == 1_000
    assert _names(default.off_track) == []
    assert _names(default.not_reported) == ["Dikembalikan"]
    assert default.unverified_count == 0
    # All submitted: the submitted plan too, and the returned quarter, marked.
    assert everything.program_count == 3
    assert everything.strategies[0].budget_realized == 8_000
    assert [(p.name, p.unverified) for p in everything.off_track] == [("Dikembalikan", True)]
    assert everything.strategies[0].unverified_count == 1
    assert everything.unverified_count == 2


def test_the_meeting_report_says_which_it_shows_and_marks_unverified_rows(
    client, year, viewer_user
):
    client.force_login(viewer_user)
    url = reverse("reports:meeting_report", args=[2024])

    default = client.get(url, {"quarter": 1})
    everything = client.get(url, {"quarter": 1, "figures": "all"})

    assert "Hanya data terverifikasi" in default.content.decode()
    assert "Termasuk data belum terverifikasi" in everything.content.decode()
    assert "off-track-table" not in default.content.decode()
    _headers, rows = table_rows(everything, "off-track-table")
    assert [row[0] for row in rows] == ["Dikembalikan belum terverifikasi"]
    # The toggle links to the other view, keeping the quarter.
    assert 'href="?quarter=1&amp;figures=all"' in default.content.decode()


def test_the_dashboard_and_the_workbook_follow_the_switch(client, year, viewer_user):
    client.force_login(viewer_user)

    dashboard = client.get(reverse("reports:dashboard"), {"year": 2024, "quarter": 1})
    all_dashboard = client.get(
        reverse("reports:dashboard"), {"year": 2024, "quarter": 1, "figures": "all"}
    )
    book = workbook(
        client.get(
            reverse("reports:meeting_report_xlsx", args=[2024]), {"quarter": 1, "figures": "all"}
        )
    )

    # By default the returned quarter is not reported; under "all submitted" it is off track.
    assert "off-track-table" not in dashboard.content.decode()
    _headers, rows = table_rows(dashboard, "not-reported-table")
    assert "Dikembalikan" in rows[0][3]
    _headers, rows = table_rows(all_dashboard, "off-track-table")
    assert [row[0] for row in rows] == ["Dikembalikan belum terverifikasi"]
    off_track = sheet_rows(book, "Tertinggal")
    assert [(row["Program"], row["Belum terverifikasi"]) for row in off_track] == [
        ("Dikembalikan", "ya")
    ]


def test_targeting_counts_approved_plans_and_never_drafts(year, viewer_user, village_x):
    default = targeting_check(user=viewer_user, year=2024)
    everything = targeting_check(user=viewer_user, year=2024, unverified=True)

    def reaching(check):
        row = next(row for row in check.villages if row.village_id == village_x.pk)
        return sorted(ref.name for cell in row.by_strategy for ref in cell.programs)

    # The returned quarter does not matter here: its plan is approved. The draft never counts.
    assert reaching(default) == ["Dikembalikan"]
    assert reaching(everything) == ["Dikembalikan"]
    assert {f.program.name for f in everything.programs_without_target} == {
        "Terverifikasi",
        "Rencana diajukan",
    }
    assert [f.program.unverified for f in everything.programs_without_target if
            f.program.name == "Rencana diajukan"] == [True]  # fmt: skip


def test_village_data_counts_once_approved_and_submitted_data_is_marked_in_all_submitted(
    client, year, viewer_user, village_y, camat_y_user, district_x
):
    # A very poor village whose data the camat submitted, and one whose data is a draft.
    submitted = VillageDataFactory(village=village_y, year=2024, poor_households=200)
    review_transition(record=submitted, action="submit", actor=camat_y_user)
    draft = VillageDataFactory(
        village=VillageFactory(district=district_x), year=2024, poor_households=300
    )

    def villages(check):
        return {row.village_id: row for row in check.villages}

    default = targeting_check(user=viewer_user, year=2024)
    everything = targeting_check(user=viewer_user, year=2024, unverified=True)

    assert set(villages(default)) == {year["village"].pk}
    assert set(villages(everything)) == {year["village"].pk, village_y.pk}
    assert villages(everything)[village_y.pk].unverified
    assert not villages(everything)[year["village"].pk].unverified
    assert draft.village_id not in villages(everything)
    assert default.total.poor_households == 30
    assert everything.total.poor_households == 30 + 200

    client.force_login(viewer_user)
    page = client.get(reverse("reports:targeting"), {"year": 2024, "figures": "all"})
    row = page.content.decode().split(f'id="village-{village_y.code}"')[1].split("</tr>")[0]
    assert "unverified-mark" in row
    page = client.get(reverse("reports:targeting"), {"year": 2024})
    assert f'id="village-{village_y.code}"' not in page.content.decode()


def test_the_dashboards_filter_form_carries_the_switch(client, year, viewer_user):
    client.force_login(viewer_user)

    page = client.get(reverse("reports:dashboard"), {"year": 2024, "figures": "all"})
    bad = client.get(reverse("reports:dashboard"), {"year": 2024, "figures": "semua"})

    assert '<option value="all" selected>Semua yang diajukan</option>' in page.content.decode()
    assert "Termasuk data belum terverifikasi" in page.content.decode()
    assert bad.status_code == 400
    assert "Data yang dihitung" in bad.content.decode()
