"""Period locks (review.locks) and their enforcement on quarterly values and budgets."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from bartim.access import PeriodLockError
from bartim.models import PeriodLock
from indicators.models import IndicatorValue
from programs.services import program_report_quarter, program_update
from review.services import period_lock, period_unlock
from tests.factories import IndicatorFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicator_a(agency_a):
    return IndicatorFactory(program=ProgramFactory(agency=agency_a, year=2024))


def test_opd_reports_an_open_quarter(indicator_a, opd_a_user):
    program_report_quarter(
        program=indicator_a.program,
        quarter=1,
        actor=opd_a_user,
        budget_realized=5_000_000,
        realized={indicator_a.pk: Decimal("20")},
    )

    indicator_a.program.refresh_from_db()
    assert indicator_a.program.budget_realized_q1 == 5_000_000
    assert IndicatorValue.objects.get(indicator=indicator_a, quarter=1).realized == Decimal("20")


def test_locked_quarter_refuses_opd_and_keeps_values(indicator_a, opd_a_user, admin_user):
    period_lock(year=2024, quarter=3, actor=admin_user, reason="Evaluasi TW III")

    with pytest.raises(PermissionDenied, match="TW III 2024"):
        program_report_quarter(
            program=indicator_a.program,
            quarter=3,
            actor=opd_a_user,
            budget_realized=1,
            realized={indicator_a.pk: Decimal("1")},
        )
    with pytest.raises(PermissionDenied):
        program_update(program=indicator_a.program, actor=opd_a_user, budget_realized_q3=1)

    indicator_a.program.refresh_from_db()
    assert indicator_a.program.budget_realized_q3 == 0
    assert not IndicatorValue.objects.filter(quarter=3).exists()


def test_other_quarters_stay_open_while_one_is_locked(indicator_a, opd_a_user, admin_user):
    period_lock(year=2024, quarter=3, actor=admin_user)

    program_update(program=indicator_a.program, actor=opd_a_user, budget_realized_q4=7)

    indicator_a.program.refresh_from_db()
    assert indicator_a.program.budget_realized_q4 == 7


def test_admin_changes_a_locked_quarter_only_with_a_reason(indicator_a, admin_user):
    period_lock(year=2024, quarter=1, actor=admin_user)

    with pytest.raises(PeriodLockError):
        program_report_quarter(
            program=indicator_a.program, quarter=1, actor=admin_user, budget_realized=9
        )
    program_report_quarter(
        program=indicator_a.program,
        quarter=1,
        actor=admin_user,
        budget_realized=9,
        reason="Koreksi BPKAD",
    )

    indicator_a.program.refresh_from_db()
    assert indicator_a.program.budget_realized_q1 == 9
    assert indicator_a.program.history.first().history_change_reason == "Koreksi BPKAD"


def test_only_admin_locks_and_unlocks(opd_a_user, admin_user):
    with pytest.raises(PermissionDenied):
        period_lock(year=2024, quarter=2, actor=opd_a_user)
    period_lock(year=2024, quarter=2, actor=admin_user)
    with pytest.raises(PermissionDenied):
        period_unlock(year=2024, quarter=2, actor=opd_a_user, reason="x")

    assert PeriodLock.objects.locked_quarters(2024) == {2}


def test_lock_and_unlock_are_recorded_with_who_and_why(admin_user):
    period_lock(year=2024, quarter=2, actor=admin_user, reason="Rapat evaluasi")
    with pytest.raises(PeriodLockError):
        period_unlock(year=2024, quarter=2, actor=admin_user, reason="")
    period_unlock(year=2024, quarter=2, actor=admin_user, reason="Data susulan Dinsos")

    history = list(PeriodLock.history.order_by("history_date"))
    assert [h.history_type for h in history] == ["+", "-"]
    assert [h.history_change_reason for h in history] == ["Rapat evaluasi", "Data susulan Dinsos"]
    assert {h.history_user for h in history} == {admin_user}
    assert PeriodLock.objects.locked_quarters(2024) == set()


def test_the_locks_page_names_quarters_as_everywhere_else(admin_client, admin_user):
    period_lock(year=2024, quarter=2, actor=admin_user, reason="Rapat evaluasi")

    page = admin_client.get(reverse("review:period_locks")).content.decode()

    assert "TW II 2024" in page
    assert "TW 2" not in page


def test_locking_twice_is_a_clear_error(admin_user):
    period_lock(year=2024, quarter=4, actor=admin_user)

    with pytest.raises(ValidationError, match="sudah dikunci|already locked"):
        period_lock(year=2024, quarter=4, actor=admin_user)
