"""A published year and an unpublished one, with verified and unverified figures and the
personal details (account names, a quarter's note) that must never leave the app: shared by
the public page's, the open data's and the API's tests."""

from decimal import Decimal

import pytest

from api.services import system_account_create
from bartim.models import ReviewStatus
from bartim.services import published_year_publish
from programs.services import program_report_quarter, quarter_report
from review.services import review_transition
from tests.factories import (
    PlanFactory,
    PovertyStatisticFactory,
    StrategyFactory,
    VillageDataFactory,
    VillageFactory,
)

# Figures and names that appear only where something leaked.
UNVERIFIED_BUDGET = 7_654_321
UNPUBLISHED_YEAR = 2025
BPS_ONLY_YEAR = 2023
SECRET_NOTE = "Catatan internal Bu Sulastri"
REPORTER_NAME = "Sulastri"
REVIEWER_NAME = "Wibisono"


def _plan(name, agency, strategy, year=2024, **kwargs):
    return PlanFactory(
        name=name,
        agency=agency,
        strategy=strategy,
        year=year,
        budget_ceiling=100_000_000,
        indicator__target=Decimal(400),
        **kwargs,
    )


def _report(program, quarter, reporter, budget, realised, note=None):
    indicator = program.indicators.get()
    program_report_quarter(
        program=program,
        quarter=quarter,
        actor=reporter,
        budget_realized=budget,
        realized={indicator.pk: Decimal(realised)},
        note=note,
    )


def _submit_and_approve(record, reporter, admin):
    record = review_transition(record=record, action="submit", actor=reporter)
    return review_transition(record=record, action="approve", actor=admin)


@pytest.fixture
def public_year(agency_a, opd_a_user, admin_user, district_x):
    """2024 published: an approved plan with Q I verified (budget 1.000.000 realised) and Q II
    submitted (UNVERIFIED_BUDGET, not verified), an approved plan reaching the one pocket,
    a plan only submitted; two villages, one's data approved (a pocket), one's submitted.
    2025 not published: an approved, verified plan. BPS figures of 2023 (not published here)
    and 2024."""
    opd_a_user.first_name = REPORTER_NAME
    opd_a_user.save(update_fields=["first_name"])
    admin_user.last_name = REVIEWER_NAME
    admin_user.save(update_fields=["last_name"])
    strategies = [StrategyFactory(number=number) for number in (1, 2, 3)]
    pocket = VillageFactory(district=district_x, code="62.13.01.2001", name="Desa Kantong")
    other = VillageFactory(district=district_x, code="62.13.01.2002", name="Desa Lain")
    PovertyStatisticFactory(year=2024, poverty_rate=Decimal("5.00"))
    # BPS publishes its series itself: the public reads every year of it, published here or not.
    PovertyStatisticFactory(year=BPS_ONLY_YEAR, poor_people=9_111, poverty_rate=Decimal("6"))

    verified = _plan("Bantuan Pangan Terverifikasi", agency_a, strategies[0])
    _submit_and_approve(verified, opd_a_user, admin_user)
    _report(verified, 1, opd_a_user, 1_000_000, 100)
    _submit_and_approve(quarter_report(program=verified, quarter=1), opd_a_user, admin_user)
    _report(verified, 2, opd_a_user, UNVERIFIED_BUDGET, 300, note=SECRET_NOTE)
    review_transition(
        record=quarter_report(program=verified, quarter=2), action="submit", actor=opd_a_user
    )

    reaching = _plan("Air Bersih Desa", agency_a, strategies[1], target_villages=[pocket])
    _submit_and_approve(reaching, opd_a_user, admin_user)

    submitted = _plan("Rencana Belum Disetujui", agency_a, strategies[2])
    review_transition(record=submitted, action="submit", actor=opd_a_user)

    hidden = _plan("Program Tahun Depan", agency_a, strategies[0], year=UNPUBLISHED_YEAR)
    _submit_and_approve(hidden, opd_a_user, admin_user)

    VillageDataFactory(
        village=pocket, year=2024, poor_households=90, poor_people=200, status=ReviewStatus.APPROVED
    )
    VillageDataFactory(
        village=other, year=2024, poor_households=95, poor_people=250, status=ReviewStatus.SUBMITTED
    )
    published_year_publish(year=2024, actor=admin_user)
    return {"verified": verified, "reaching": reaching, "submitted": submitted, "hidden": hidden}


def assert_nothing_private(text: str) -> None:
    """Nothing unpublished, unverified or personal in `text` (a page, a file, an answer)."""
    for leak in (
        str(UNPUBLISHED_YEAR),
        "Program Tahun Depan",
        "Rencana Belum Disetujui",
        "Desa Lain",
        SECRET_NOTE,
        REPORTER_NAME,
        REVIEWER_NAME,
        "opd_a",
    ):
        assert leak not in text, leak
    for spelling in (str(UNVERIFIED_BUDGET), f"{UNVERIFIED_BUDGET:,}", "7.654.321"):
        assert spelling not in text, spelling


TOKEN_USERS = {
    "viewer": "viewer_user",
    "opd_a": "opd_a_user",
    "opd_b": "opd_b_user",
    "camat_x": "camat_x_user",
    "camat_y": "camat_y_user",
    "admin": "admin_user",
}


@pytest.fixture
def token_for(request, admin_user):
    """`token_for(role)`: the header of a new system account's token reading as `role`
    ("public": a public token)."""

    def make(role):
        account = None if role == "public" else request.getfixturevalue(TOKEN_USERS[role])
        _system, key = system_account_create(
            name=f"Sistem {role}", account=account, actor=admin_user
        )
        return {"HTTP_AUTHORIZATION": f"Token {key}"}

    return make
