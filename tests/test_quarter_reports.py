"""The plan is approved once; each quarter's report is submitted, verified or returned on its
own (bartim.access, review.services, programs.services), on the pages, in the queue and in
the admin."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from bartim import access
from bartim.access import ReviewBlocked, ReviewError, allowed_actions, blocked_actions
from bartim.models import ReviewAction, ReviewStatus
from indicators.models import IndicatorValue
from programs.models import Program, QuarterReport
from programs.services import (
    indicator_value_save,
    program_report_quarter,
    program_update,
    quarter_report,
)
from review.services import review_transition
from tests.factories import IndicatorFactory, PlanFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(agency_a, opd_a_user, admin_user):
    """An approved plan of agency A, submitted by its operator and approved by the admin."""
    program = PlanFactory(agency=agency_a, name="Bedah Rumah", indicator__target=40)
    review_transition(record=program, action="submit", actor=opd_a_user)
    return review_transition(record=program, action="approve", actor=admin_user)


def _quarter_form(program, **values):
    indicator = program.indicators.get()
    return {
        "budget_realized": 5_000_000,
        f"realized_{indicator.pk}": "12",
        "note": "Rehab 12 rumah selesai",
        "seen_version": Program.objects.get(pk=program.pk).version,
        **values,
    }


def test_an_approved_plan_receives_its_tw3_report_which_is_then_verified(
    client, plan, opd_a_user, admin_user
):
    quarter_page = reverse("programs:program_quarter", args=[plan.pk, 3])
    client.force_login(opd_a_user)

    saved = client.post(quarter_page, _quarter_form(plan))
    client.post(reverse("review:quarter_report_transition", args=[plan.pk, 3, "submit"]))
    client.force_login(admin_user)
    verified = client.post(
        reverse("review:quarter_report_transition", args=[plan.pk, 3, "approve"])
    )
    client.force_login(opd_a_user)
    after = client.post(quarter_page, _quarter_form(plan, budget_realized=9_000_000))
    detail = client.get(reverse("programs:program_detail", args=[plan.pk])).content.decode()

    assert saved.status_code == 302 and verified.status_code == 302
    plan.refresh_from_db()
    assert plan.status == ReviewStatus.APPROVED
    assert plan.budget_realized_q3 == 5_000_000
    assert IndicatorValue.objects.get(indicator__program=plan, quarter=3).realized == 12
    report = QuarterReport.objects.get(program=plan, quarter=3)
    assert (report.status, report.note) == (ReviewStatus.APPROVED, "Rehab 12 rumah selesai")
    assert [(e.action, e.actor) for e in report.review_events.order_by("pk")] == [
        ("submit", opd_a_user),
        ("approve", admin_user),
    ]
    # Verified, the quarter is closed to its reporter; the plan stayed fixed throughout.
    assert after.status_code == 403
    assert client.get(reverse("programs:program_edit", args=[plan.pk])).status_code == 403
    assert "Terverifikasi" in detail or "Disetujui" in detail
    assert "admin" in detail


def test_a_returned_quarter_reaches_its_reporter_who_corrects_and_submits_it_again(
    client, plan, opd_a_user, admin_user
):
    report = review_transition(
        record=quarter_report(program=plan, quarter=2), action="submit", actor=opd_a_user
    )
    review_transition(record=report, action="return", actor=admin_user, reason="Bukti kurang")
    client.force_login(opd_a_user)

    page = client.get(reverse("programs:program_quarter", args=[plan.pk, 2])).content.decode()
    corrected = client.post(
        reverse("programs:program_quarter", args=[plan.pk, 2]), _quarter_form(plan)
    )
    resubmitted = review_transition(record=report, action="submit", actor=opd_a_user)

    assert "Bukti kurang" in page
    assert corrected.status_code == 302
    assert resubmitted.status == ReviewStatus.SUBMITTED


def test_a_quarter_report_is_submitted_only_once_its_plan_is_approved(client, agency_a, opd_a_user):
    program = PlanFactory(agency=agency_a)
    draft_quarter = quarter_report(program=program, quarter=1)
    client.force_login(opd_a_user)

    with pytest.raises(ReviewBlocked, match="disetujui"):
        review_transition(record=draft_quarter, action="submit", actor=opd_a_user)
    page = client.get(reverse("programs:program_quarter", args=[program.pk, 1])).content.decode()

    assert not QuarterReport.objects.exists()
    assert allowed_actions(draft_quarter, opd_a_user) == []
    assert [action for action, _why in blocked_actions(draft_quarter, opd_a_user)] == ["submit"]
    assert "disabled" in page and "Rencana program belum disetujui" in page


def test_a_plan_without_an_indicator_cannot_be_submitted_and_the_button_says_why(
    client, agency_a, opd_a_user
):
    program = ProgramFactory(agency=agency_a)
    client.force_login(opd_a_user)

    refused = client.post(reverse("review:program_transition", args=[program.pk, "submit"]))
    page = client.get(reverse("programs:program_detail", args=[program.pk])).content.decode()
    IndicatorFactory(program=program, target=Decimal("10"))
    accepted = client.post(reverse("review:program_transition", args=[program.pk, "submit"]))

    assert refused.status_code == 200
    assert "minimal satu indikator" in refused.content.decode()
    assert "disabled" in page and "minimal satu indikator" in page
    assert accepted.status_code == 302
    program.refresh_from_db()
    assert program.status == ReviewStatus.SUBMITTED


def test_quarterly_data_follows_its_quarter_not_the_plan(plan, opd_a_user, admin_user):
    indicator = plan.indicators.get()
    review_transition(
        record=quarter_report(program=plan, quarter=1), action="submit", actor=opd_a_user
    )

    # A draft quarter of an approved plan: the reporter writes.
    indicator_value_save(actor=opd_a_user, indicator=indicator, quarter=4, realized=Decimal(3))
    # A submitted quarter: the reporter no longer, the admin still.
    with pytest.raises(PermissionDenied):
        program_report_quarter(program=plan, quarter=1, actor=opd_a_user, budget_realized=1)
    program_report_quarter(program=plan, quarter=1, actor=admin_user, budget_realized=2)
    # The plan's own fields follow the plan: approved, fixed for everyone.
    with pytest.raises(PermissionDenied):
        program_update(program=plan, actor=admin_user, name="Nama baru")
    # A quarter's budget through the programme's own service follows its quarter.
    program_update(program=plan, actor=opd_a_user, budget_realized_q4=1_000)

    plan.refresh_from_db()
    assert (plan.budget_realized_q1, plan.budget_realized_q4, plan.name) == (
        2,
        1_000,
        "Bedah Rumah",
    )
    assert IndicatorValue.objects.get(indicator=indicator, quarter=4).realized == 3
    assert not access.may_change(opd_a_user, plan)
    assert access.may_change(opd_a_user, plan, fields={"budget_realized_q4"})
    assert not access.may_change(opd_a_user, plan, fields={"budget_realized_q1"})


def test_a_revision_of_an_approved_plan_is_requested_and_granted_or_declined(
    plan, opd_a_user, admin_user, opd_b_user
):
    with pytest.raises(ReviewError):
        review_transition(record=plan, action="revise", actor=opd_a_user)
    with pytest.raises(PermissionDenied):
        review_transition(record=plan, action="revise", actor=opd_b_user, reason="Tambah desa")
    requested = review_transition(
        record=plan, action="revise", actor=opd_a_user, reason="Tambah desa sasaran"
    )
    assert allowed_actions(requested, admin_user) == ["reopen", "decline"]
    assert not access.may_change(opd_a_user, requested)

    declined = review_transition(
        record=requested, action="decline", actor=admin_user, reason="Anggaran tetap"
    )
    assert declined.status == ReviewStatus.APPROVED
    review_transition(record=declined, action="revise", actor=opd_a_user, reason="Tambah desa")
    granted = review_transition(record=plan, action="reopen", actor=admin_user, reason="Setuju")

    assert granted.status == ReviewStatus.RETURNED
    assert access.may_change(opd_a_user, granted)
    assert [e.action for e in plan.review_events.order_by("pk")][2:] == [
        ReviewAction.REQUEST_REVISION,
        ReviewAction.DECLINE_REVISION,
        ReviewAction.REQUEST_REVISION,
        ReviewAction.REOPEN,
    ]


def test_the_review_queue_lists_submitted_quarter_reports_and_verifies_several(
    client, plan, opd_a_user, admin_user
):
    for quarter in (1, 2):
        review_transition(
            record=quarter_report(program=plan, quarter=quarter), action="submit", actor=opd_a_user
        )
    client.force_login(admin_user)

    page = client.get(reverse("review:review_queue")).content.decode()
    response = client.post(
        reverse("review:review_queue"),
        {
            "action": "approve",
            "quarter_report": list(QuarterReport.objects.values_list("pk", flat=True)),
        },
    )

    assert page.count('name="quarter_report"') == 2
    assert response.status_code == 302
    assert set(QuarterReport.objects.values_list("status", flat=True)) == {ReviewStatus.APPROVED}


def test_the_admin_changes_an_approved_plans_open_quarter_only(admin_client, plan):
    url = reverse("admin:programs_program_change", args=[plan.pk])

    page = admin_client.get(url)

    fields = set(page.context["adminform"].form.fields)
    assert "budget_realized_q3" in fields
    assert not {"name", "budget_ceiling", "target_villages"} & fields


def test_the_admin_keeps_a_quarter_reports_note_until_it_is_verified(
    admin_client, plan, opd_a_user, admin_user
):
    program_report_quarter(program=plan, quarter=2, actor=opd_a_user, note="Awal")
    report = QuarterReport.objects.get(program=plan, quarter=2)
    url = reverse("admin:programs_quarterreport_change", args=[report.pk])

    changed = admin_client.post(url, {"note": "Dikoreksi oleh admin"})
    report.refresh_from_db()
    corrected_by = report.history.first().history_user
    review_transition(record=report, action="submit", actor=opd_a_user)
    review_transition(record=report, action="approve", actor=admin_user)
    refused = admin_client.post(url, {"note": "Sesudah diverifikasi"})
    report.refresh_from_db()

    assert changed.status_code == 302
    assert report.note == "Dikoreksi oleh admin"
    assert corrected_by == admin_user
    assert refused.status_code == 403
    assert admin_client.get(reverse("admin:programs_quarterreport_add")).status_code == 403
