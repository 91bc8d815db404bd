"""The review journey through the pages: submit, return with a reason, fix, resubmit,
approve; the queue, the locks page, history and the audit trail."""

import pytest
from django.urls import reverse

from bartim.models import PeriodLock, ReviewStatus
from indicators.models import IndicatorValue
from programs.models import Program
from review.services import review_transition
from tests.factories import (
    IndicatorFactory,
    PlanFactory,
    ProgramFactory,
    StrategyFactory,
    VillageDataFactory,
)

pytestmark = pytest.mark.django_db


def test_opd_creates_a_programme_in_his_own_opd(client, opd_a_user, village_x):
    client.force_login(opd_a_user)
    strategy = StrategyFactory(number=2)

    response = client.post(
        reverse("programs:program_create"),
        {
            "strategy": strategy.pk,
            "year": 2025,
            "name": "Pelatihan Kerja Berbasis Kompetensi",
            "budget_ceiling": 250_000_000,
            "beneficiary_target": 120,
            "beneficiary_unit": "jiwa",
            "target_villages": [village_x.pk],
        },
    )

    program = Program.objects.get()
    assert response.url == reverse("programs:program_detail", args=[program.pk])
    assert program.agency == opd_a_user.agency
    assert list(program.target_villages.all()) == [village_x]
    page = client.get(response.url).content.decode()
    assert "Rp250.000.000" in page
    assert "Pulau Patai" in page


def test_bad_programme_shows_indonesian_errors_and_saves_nothing(client, opd_a_user):
    client.force_login(opd_a_user)

    response = client.post(
        reverse("programs:program_create"),
        {"strategy": StrategyFactory().pk, "year": 1999, "name": "", "budget_ceiling": -5},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Bidang ini tidak boleh kosong" in content
    assert "Angka tidak boleh negatif" in content
    assert not Program.objects.exists()


def test_quarter_report_saves_budget_and_indicator_values(client, opd_a_user, agency_a):
    indicator = IndicatorFactory(program=ProgramFactory(agency=agency_a))
    client.force_login(opd_a_user)

    response = client.post(
        reverse("programs:program_quarter", args=[indicator.program_id, 1]),
        {"budget_realized": 20_000_000, f"realized_{indicator.pk}": "30", "seen_version": 1},
    )

    assert response.status_code == 302
    indicator.program.refresh_from_db()
    assert indicator.program.budget_realized_q1 == 20_000_000
    assert IndicatorValue.objects.get(indicator=indicator, quarter=1).realized == 30


def test_quarter_report_above_pagu_is_refused_with_message(client, opd_a_user, agency_a):
    program = ProgramFactory(agency=agency_a, budget_ceiling=100)
    client.force_login(opd_a_user)

    response = client.post(
        reverse("programs:program_quarter", args=[program.pk, 2]),
        {"budget_realized": 101, "seen_version": 1},
    )

    assert response.status_code == 200
    assert "melebihi pagu" in response.content.decode()
    program.refresh_from_db()
    assert program.budget_realized_q2 == 0


def test_admin_changes_a_locked_quarter_only_with_a_reason(client, admin_user, agency_a):
    program = ProgramFactory(agency=agency_a)
    PeriodLock.objects.create(year=2024, quarter=1, locked_by=admin_user)
    client.force_login(admin_user)
    url = reverse("programs:program_quarter", args=[program.pk, 1])

    refused = client.post(url, {"budget_realized": 7, "seen_version": 1})
    accepted = client.post(url, {"budget_realized": 7, "reason": "Koreksi SP2D", "seen_version": 1})

    assert refused.status_code == 200
    assert "berikan alasan" in refused.content.decode()
    assert accepted.status_code == 302
    program.refresh_from_db()
    assert program.budget_realized_q1 == 7


def test_return_reason_reaches_the_opd_and_approval_locks_it(
    client, opd_a_user, admin_user, agency_a
):
    program = PlanFactory(agency=agency_a, name="Bantuan RTLH")
    submit = reverse("review:program_transition", args=[program.pk, "submit"])
    detail = reverse("programs:program_detail", args=[program.pk])

    client.force_login(opd_a_user)
    client.post(submit)
    client.force_login(admin_user)
    no_reason = client.post(reverse("review:program_transition", args=[program.pk, "return"]))
    client.post(
        reverse("review:program_transition", args=[program.pk, "return"]),
        {"reason": "Lokasi sasaran belum lengkap"},
    )
    client.force_login(opd_a_user)
    page = client.get(detail).content.decode()
    client.post(submit)
    client.force_login(admin_user)
    client.post(reverse("review:program_transition", args=[program.pk, "approve"]))
    client.force_login(opd_a_user)
    edit = client.get(reverse("programs:program_edit", args=[program.pk]))

    assert "Berikan alasannya" in no_reason.content.decode()
    assert "Lokasi sasaran belum lengkap" in page
    program.refresh_from_db()
    assert program.status == ReviewStatus.APPROVED
    assert edit.status_code == 403


def test_review_queue_lists_submissions_and_approves_several(
    client, admin_user, opd_a_user, camat_x_user, agency_a, village_x
):
    programs = [PlanFactory(agency=agency_a) for _ in range(2)]
    for program in programs:
        review_transition(record=program, action="submit", actor=opd_a_user)
    data = VillageDataFactory(village=village_x)
    review_transition(record=data, action="submit", actor=camat_x_user)
    client.force_login(admin_user)

    page = client.get(reverse("review:review_queue")).content.decode()
    response = client.post(
        reverse("review:review_queue"),
        {"action": "approve", "program": [p.pk for p in programs], "village_data": [data.pk]},
    )

    assert "opd_a" in page and "camat_x" in page
    assert response.status_code == 302
    assert set(Program.objects.values_list("status", flat=True)) == {ReviewStatus.APPROVED}
    data.refresh_from_db()
    assert data.status == ReviewStatus.APPROVED


def test_bulk_return_without_reason_returns_nothing(client, admin_user, opd_a_user, agency_a):
    program = PlanFactory(agency=agency_a)
    review_transition(record=program, action="submit", actor=opd_a_user)
    client.force_login(admin_user)

    client.post(reverse("review:review_queue"), {"action": "return", "program": [program.pk]})

    program.refresh_from_db()
    assert program.status == ReviewStatus.SUBMITTED


@pytest.mark.parametrize("count", [2, 20])
def test_review_queue_query_count_does_not_grow(
    client, admin_user, opd_a_user, agency_a, count, django_assert_max_num_queries
):
    for _ in range(count):
        review_transition(record=PlanFactory(agency=agency_a), action="submit", actor=opd_a_user)
    client.force_login(admin_user)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("review:review_queue"))

    assert response.content.decode().count('name="program"') == count


def test_history_shows_each_change_with_user_and_fields(client, opd_a_user, agency_a):
    client.force_login(opd_a_user)
    program = ProgramFactory(agency=agency_a, name="Lama")
    client.post(
        reverse("programs:program_edit", args=[program.pk]),
        {
            "strategy": program.strategy_id,
            "year": 2024,
            "name": "Baru",
            "budget_ceiling": 100_000_000,
            "beneficiary_unit": "kk",
            "seen_version": 1,
        },
    )

    page = client.get(reverse("review:program_history", args=[program.pk])).content.decode()

    assert "opd_a" in page
    assert "Lama → Baru" in page


def test_locks_page_locks_and_unlocks_with_reason(client, admin_user):
    client.force_login(admin_user)
    url = reverse("review:period_locks")

    client.post(url, {"year": 2024, "quarter": 3, "reason": "Evaluasi", "operation": "lock"})
    refused = client.post(url, {"year": 2024, "quarter": 3, "operation": "unlock"})
    locked_after_refusal = PeriodLock.objects.locked_quarters(2024)
    client.post(url, {"year": 2024, "quarter": 3, "reason": "Susulan", "operation": "unlock"})

    assert locked_after_refusal == {3}
    assert "alasan" in refused.content.decode()
    assert PeriodLock.objects.locked_quarters(2024) == set()
    assert "Susulan" in client.get(url).content.decode()


@pytest.mark.parametrize("count", [2, 20])
def test_audit_filters_by_user_and_query_count_does_not_grow(
    client, admin_user, opd_a_user, opd_b_user, agency_a, count, django_assert_max_num_queries
):
    for number in range(count):
        program = PlanFactory(agency=agency_a, name=f"P{number}")
        review_transition(record=program, action="submit", actor=opd_a_user)
    client.force_login(admin_user)

    with django_assert_max_num_queries(20):
        response = client.get(reverse("review:audit"), {"user": opd_a_user.pk})
    nobody = client.get(reverse("review:audit"), {"user": opd_b_user.pk})
    bad_date = client.get(reverse("review:audit"), {"date_from": "kemarin"})

    assert response.content.decode().count("opd_a") >= count
    assert "Tidak ada perubahan" in nobody.content.decode()
    assert bad_date.status_code == 400
    assert "Masukkan tanggal yang valid" in bad_date.content.decode()
