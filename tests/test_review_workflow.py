"""The review workflow (review.services) for programmes and village data."""

import pytest
from django.core.exceptions import PermissionDenied

from bartim import access
from bartim.access import ReviewError, allowed_actions
from bartim.models import ReviewAction, ReviewStatus
from programs.models import Program
from review.services import review_transition
from tests.factories import IndicatorFactory, ProgramFactory, UserFactory, VillageDataFactory
from villages.models import VillageData

pytestmark = pytest.mark.django_db


@pytest.fixture
def program_a(agency_a):
    # A plan is submitted with an indicator that has an annual target.
    program = ProgramFactory(agency=agency_a)
    IndicatorFactory(program=program)
    return program


@pytest.fixture
def village_data_x(village_x):
    return VillageDataFactory(village=village_x)


def test_opd_submits_own_programme_and_the_step_is_logged(program_a, opd_a_user):
    review_transition(record=program_a, action=ReviewAction.SUBMIT, actor=opd_a_user)

    program_a.refresh_from_db()
    assert program_a.status == ReviewStatus.SUBMITTED
    event = program_a.review_events.get()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "submit",
        "draft",
        "submitted",
        opd_a_user,
    )


def test_another_opd_cannot_submit_it(program_a, opd_b_user):
    with pytest.raises(PermissionDenied):
        review_transition(record=program_a, action=ReviewAction.SUBMIT, actor=opd_b_user)

    program_a.refresh_from_db()
    assert program_a.status == ReviewStatus.DRAFT
    assert not program_a.review_events.exists()


def test_admin_returns_with_reason_that_the_submitter_sees(program_a, opd_a_user, admin_user):
    review_transition(record=program_a, action=ReviewAction.SUBMIT, actor=opd_a_user)

    review_transition(
        record=program_a, action=ReviewAction.RETURN, actor=admin_user, reason="Target belum diisi"
    )

    program_a.refresh_from_db()
    assert program_a.status == ReviewStatus.RETURNED
    latest = program_a.review_events.first()
    assert latest.reason == "Target belum diisi"
    assert latest.actor == admin_user
    assert access.editable(opd_a_user, Program.objects.all()).filter(pk=program_a.pk).exists()


def test_return_without_reason_is_refused_and_nothing_changes(program_a, opd_a_user, admin_user):
    review_transition(record=program_a, action=ReviewAction.SUBMIT, actor=opd_a_user)

    with pytest.raises(ReviewError, match="alasan|reason"):
        review_transition(
            record=program_a, action=ReviewAction.RETURN, actor=admin_user, reason=" "
        )

    program_a.refresh_from_db()
    assert program_a.status == ReviewStatus.SUBMITTED
    assert program_a.review_events.count() == 1


def test_returned_programme_is_submitted_again_then_approved_and_locked(
    program_a, opd_a_user, admin_user
):
    review_transition(record=program_a, action="submit", actor=opd_a_user)
    review_transition(record=program_a, action="return", actor=admin_user, reason="Perbaiki")
    review_transition(record=program_a, action="submit", actor=opd_a_user)
    review_transition(record=program_a, action="approve", actor=admin_user)

    program_a.refresh_from_db()
    assert program_a.status == ReviewStatus.APPROVED
    assert not access.editable(opd_a_user, Program.objects.all()).filter(pk=program_a.pk).exists()
    assert not access.editable(admin_user, Program.objects.all()).filter(pk=program_a.pk).exists()
    assert [e.action for e in program_a.review_events.order_by("pk")] == [
        "submit",
        "return",
        "submit",
        "approve",
    ]


def test_submitted_programme_is_read_only_for_its_opd(program_a, opd_a_user):
    program_a = review_transition(record=program_a, action="submit", actor=opd_a_user)

    assert not access.editable(opd_a_user, Program.objects.all()).filter(pk=program_a.pk).exists()
    assert allowed_actions(program_a, opd_a_user) == []


def test_only_admin_approves(program_a, opd_a_user, viewer_user, camat_x_user):
    review_transition(record=program_a, action="submit", actor=opd_a_user)

    for user in (opd_a_user, viewer_user, camat_x_user):
        with pytest.raises(PermissionDenied):
            review_transition(record=program_a, action="approve", actor=user)

    program_a.refresh_from_db()
    assert program_a.status == ReviewStatus.SUBMITTED


def test_admin_cannot_approve_his_own_submission(program_a, admin_user):
    review_transition(record=program_a, action="submit", actor=admin_user)

    with pytest.raises(PermissionDenied):
        review_transition(record=program_a, action="approve", actor=admin_user)

    other_admin = UserFactory(username="admin2", role="admin")
    review_transition(record=program_a, action="approve", actor=other_admin)
    program_a.refresh_from_db()
    assert program_a.status == ReviewStatus.APPROVED


def test_approving_a_draft_is_refused_with_a_message(program_a, admin_user):
    with pytest.raises(ReviewError) as refused:
        review_transition(record=program_a, action="approve", actor=admin_user)

    assert "draf" in refused.value.message.lower()


def test_admin_reopens_approved_programme_with_reason(program_a, opd_a_user, admin_user):
    program_a.status = ReviewStatus.APPROVED
    program_a.save()

    with pytest.raises(ReviewError):
        review_transition(record=program_a, action="reopen", actor=admin_user)
    review_transition(record=program_a, action="reopen", actor=admin_user, reason="Koreksi TW IV")

    program_a.refresh_from_db()
    assert program_a.status == ReviewStatus.RETURNED
    assert program_a.review_events.first().reason == "Koreksi TW IV"
    assert access.editable(opd_a_user, Program.objects.all()).filter(pk=program_a.pk).exists()


def test_allowed_actions_show_only_usable_steps(program_a, opd_a_user, opd_b_user, admin_user):
    assert allowed_actions(program_a, opd_a_user) == ["submit"]
    assert allowed_actions(program_a, opd_b_user) == []
    program_a = review_transition(record=program_a, action="submit", actor=opd_a_user)
    assert allowed_actions(program_a, admin_user) == ["approve", "return"]


def test_camat_submits_own_village_data_not_another_districts(
    village_data_x, camat_x_user, camat_y_user
):
    with pytest.raises(PermissionDenied):
        review_transition(record=village_data_x, action="submit", actor=camat_y_user)

    review_transition(record=village_data_x, action="submit", actor=camat_x_user)

    village_data_x.refresh_from_db()
    assert village_data_x.status == ReviewStatus.SUBMITTED
    assert not access.editable(camat_x_user, VillageData.objects.all()).exists()


def test_status_change_is_in_the_history_with_the_user(program_a, opd_a_user):
    review_transition(record=program_a, action="submit", actor=opd_a_user)

    latest = program_a.history.first()
    assert latest.status == ReviewStatus.SUBMITTED
    assert latest.history_user == opd_a_user
