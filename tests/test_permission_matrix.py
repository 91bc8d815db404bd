"""Every data-entry URL x every role: who gets the page, who is refused, and that a refused
write changes nothing."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from bartim import access
from bartim.models import ReviewAction, ReviewStatus
from indicators.models import Indicator, IndicatorValue
from programs.models import Program
from review.services import period_lock, review_transition
from tests.factories import (
    IndicatorFactory,
    IndicatorValueFactory,
    ProgramFactory,
    VillageDataFactory,
)
from villages.models import VillageData

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "viewer", "opd_a", "opd_b", "camat_x", "camat_y", "admin"]
USERS = {
    "viewer": "viewer_user",
    "opd_a": "opd_a_user",
    "opd_b": "opd_b_user",
    "camat_x": "camat_x_user",
    "camat_y": "camat_y_user",
    "admin": "admin_user",
}


@pytest.fixture
def records(agency_a, village_x, opd_a_user, admin_user):
    draft = ProgramFactory(agency=agency_a, name="Draf")
    IndicatorFactory(program=draft)
    submitted = ProgramFactory(agency=agency_a, name="Diajukan")
    review_transition(record=submitted, action=ReviewAction.SUBMIT, actor=opd_a_user)
    approved = ProgramFactory(agency=agency_a, name="Disetujui", status=ReviewStatus.APPROVED)
    village_data = VillageDataFactory(village=village_x)
    return {
        "draft": draft,
        "submitted": submitted,
        "approved": approved,
        "village_data": village_data,
    }


def _url(name, records):
    program = records["draft"].pk
    data = records["village_data"].pk
    return {
        "program_detail": reverse("programs:program_detail", args=[program]),
        "program_add": reverse("programs:program_create"),
        "program_change": reverse("programs:program_edit", args=[program]),
        "indicator_add": reverse("programs:indicator_create", args=[program]),
        "quarter": reverse("programs:program_quarter", args=[program, 1]),
        "program_submit": reverse("review:program_transition", args=[program, "submit"]),
        "program_approve": reverse(
            "review:program_transition", args=[records["submitted"].pk, "approve"]
        ),
        "program_return": reverse(
            "review:program_transition", args=[records["submitted"].pk, "return"]
        ),
        "program_reopen": reverse(
            "review:program_transition", args=[records["approved"].pk, "reopen"]
        ),
        "program_history": reverse("review:program_history", args=[program]),
        "village_list": reverse("villages:village_data_list"),
        "village_add": reverse("villages:village_data_create"),
        "village_detail": reverse("villages:village_data_detail", args=[data]),
        "village_change": reverse("villages:village_data_edit", args=[data]),
        "village_submit": reverse("review:village_data_transition", args=[data, "submit"]),
        "village_history": reverse("review:village_data_history", args=[data]),
        "review_queue": reverse("review:review_queue"),
        "lock": reverse("review:period_locks"),
        "audit": reverse("review:audit"),
    }[name]


#                      anonymous viewer opd_a opd_b camat_x camat_y admin
EXPECTED = {
    "program_detail":   [302, 200, 200, 200, 200, 200, 200],
    "program_add":      [302, 403, 200, 200, 403, 403, 200],
    "program_change":   [302, 403, 200, 403, 403, 403, 200],
    "indicator_add":    [302, 403, 200, 403, 403, 403, 200],
    "quarter":          [302, 403, 200, 403, 403, 403, 200],
    "program_submit":   [302, 403, 200, 403, 403, 403, 200],
    "program_approve":  [302, 403, 403, 403, 403, 403, 200],
    "program_return":   [302, 403, 403, 403, 403, 403, 200],
    "program_reopen":   [302, 403, 403, 403, 403, 403, 200],
    "program_history":  [302, 200, 200, 200, 200, 200, 200],
    "village_list":     [302, 403, 403, 403, 200, 200, 200],
    "village_add":      [302, 403, 403, 403, 200, 200, 200],
    "village_detail":   [302, 200, 200, 200, 200, 200, 200],
    "village_change":   [302, 403, 403, 403, 200, 403, 200],
    "village_submit":   [302, 403, 403, 403, 200, 403, 200],
    "village_history":  [302, 200, 200, 200, 200, 200, 200],
    "review_queue":     [302, 403, 403, 403, 403, 403, 200],
    "lock":             [302, 403, 403, 403, 403, 403, 200],
    "audit":            [302, 403, 403, 403, 403, 403, 200],
}  # fmt: skip

CASES = [
    (page, role, status)
    for page, statuses in EXPECTED.items()
    for role, status in zip(ROLES, statuses, strict=True)
]


@pytest.mark.parametrize(("page", "role", "expected"), CASES)
def test_permission_matrix(request, client, records, page, role, expected):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(USERS[role]))

    response = client.get(_url(page, records))

    assert response.status_code == expected
    if expected == 302:
        assert response.url.startswith(reverse("login"))


def test_unknown_record_is_404_not_a_leak(client, opd_a_user):
    client.force_login(opd_a_user)

    assert client.get(reverse("programs:program_edit", args=[999999])).status_code == 404
    assert client.get(reverse("review:program_transition", args=[1, "explode"])).status_code == 404


def _program_state(program):
    program = Program.objects.get(pk=program.pk)
    return (program.name, program.agency_id, program.status, program.budget_realized_q3)


@pytest.mark.parametrize("role", ["viewer", "opd_b", "camat_x"])
def test_refused_programme_edit_changes_nothing(request, client, records, role):
    client.force_login(request.getfixturevalue(USERS[role]))
    before = _program_state(records["draft"])

    response = client.post(
        reverse("programs:program_edit", args=[records["draft"].pk]),
        {"name": "Diubah", "strategy": 1, "year": 2024, "budget_ceiling": 1},
    )

    assert response.status_code == 403
    assert _program_state(records["draft"]) == before


def test_opd_cannot_move_his_programme_to_another_opd(client, records, opd_a_user, agency_b):
    program = records["draft"]
    client.force_login(opd_a_user)

    client.post(
        reverse("programs:program_edit", args=[program.pk]),
        {
            "agency": agency_b.pk,
            "strategy": program.strategy_id,
            "year": 2024,
            "name": "Nama baru",
            "budget_ceiling": 100_000_000,
            "beneficiary_unit": "kk",
            "seen_version": 1,
        },
    )

    program.refresh_from_db()
    assert program.agency_id == opd_a_user.agency_id
    assert program.name == "Nama baru"


def test_opd_cannot_edit_after_submitting(client, records, opd_a_user):
    program = records["submitted"]
    client.force_login(opd_a_user)
    before = _program_state(program)

    response = client.post(
        reverse("programs:program_edit", args=[program.pk]),
        {"name": "Diubah", "strategy": 1, "year": 2024, "budget_ceiling": 1},
    )

    assert response.status_code == 403
    assert _program_state(program) == before


def test_opd_cannot_report_a_locked_quarter(client, records, opd_a_user, admin_user):
    program = records["draft"]
    period_lock(year=2024, quarter=3, actor=admin_user)
    client.force_login(opd_a_user)

    response = client.post(
        reverse("programs:program_quarter", args=[program.pk, 3]), {"budget_realized": 5}
    )

    assert response.status_code == 403
    assert _program_state(program)[3] == 0


def test_admin_cannot_approve_his_own_submission(client, records, admin_user):
    program = records["draft"]
    review_transition(record=program, action="submit", actor=admin_user)
    client.force_login(admin_user)

    response = client.post(reverse("review:program_transition", args=[program.pk, "approve"]))

    assert response.status_code == 403
    program.refresh_from_db()
    assert program.status == ReviewStatus.SUBMITTED


def test_viewer_cannot_approve(client, records, viewer_user):
    client.force_login(viewer_user)
    program = records["submitted"]

    response = client.post(reverse("review:program_transition", args=[program.pk, "approve"]))

    assert response.status_code == 403
    program.refresh_from_db()
    assert program.status == ReviewStatus.SUBMITTED


def test_camat_cannot_move_village_data_to_another_village(
    client, records, camat_x_user, village_y
):
    record = records["village_data"]
    client.force_login(camat_x_user)
    data = {
        "village": village_y.pk,
        "year": 2024,
        "population": 1000,
        "households": 300,
        "poor_households": 30,
        "poor_people": 90,
        "extremely_poor_people": 10,
    }
    for name in ("uninhabitable_houses", "households_without_clean_water"):
        data[name] = 0
    for name in ("households_without_latrine", "stunted_children", "children_out_of_school"):
        data[name] = 0
    data["unemployed"] = 0
    data["seen_version"] = 1

    data["population"] = 1100
    url = reverse("villages:village_data_edit", args=[record.pk])

    page = client.get(url).content.decode()
    response = client.post(url, data)

    # The village and year are shown but disabled, and what is posted for them is ignored.
    assert re.search(r"<select name=\"village\"[^>]* disabled", page)
    assert response.status_code == 302
    saved = VillageData.objects.get(pk=record.pk)
    assert (saved.village_id, saved.population) == (record.village_id, 1100)


def test_indicators_and_their_values_are_read_by_every_signed_in_user_and_no_one_else(
    records, viewer_user, opd_b_user, camat_x_user
):
    IndicatorValueFactory(indicator=Indicator.objects.first(), quarter=1)
    inactive = camat_x_user
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])

    for reader in (viewer_user, opd_b_user):
        assert (
            access.readable(reader, Indicator.objects.all()).count()
            == Indicator.objects.count()
            > 0
        )
        assert access.readable(reader, IndicatorValue.objects.all()).count() == 1
    for stranger in (AnonymousUser(), inactive):
        assert not access.readable(stranger, Indicator.objects.all()).exists()
        assert not access.readable(stranger, IndicatorValue.objects.all()).exists()
