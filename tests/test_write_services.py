"""Writes through the services respect scope: tampered requests change nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bartim.models import ReviewStatus
from indicators.models import Indicator
from programs.models import Program
from programs.services import indicator_save, program_create, program_update
from tests.factories import ProgramFactory, StrategyFactory, VillageDataFactory, VillageFactory
from villages.models import VillageData
from villages.services import village_data_save

pytestmark = pytest.mark.django_db


def test_opd_programme_belongs_to_his_own_opd_whatever_was_sent(opd_a_user, agency_b):
    program = program_create(
        actor=opd_a_user,
        agency=agency_b,
        strategy=StrategyFactory(number=2),
        year=2024,
        name="Pelatihan UMKM",
        budget_ceiling=10_000_000,
    )

    assert program.agency == opd_a_user.agency
    assert program.created_by == opd_a_user
    assert program.status == ReviewStatus.DRAFT


@pytest.mark.parametrize("role_user", ["viewer_user", "camat_x_user"])
def test_viewer_and_camat_cannot_create_programmes(request, role_user):
    with pytest.raises(PermissionDenied):
        program_create(
            actor=request.getfixturevalue(role_user),
            strategy=StrategyFactory(),
            year=2024,
            name="X",
        )
    assert not Program.objects.exists()


def test_opd_cannot_move_his_programme_to_another_opd(opd_a_user, agency_a, agency_b):
    program = ProgramFactory(agency=agency_a, name="Asli")

    with pytest.raises(PermissionDenied):
        program_update(program=program, actor=opd_a_user, agency=agency_b, name="Nama baru")

    program.refresh_from_db()
    assert (program.agency, program.name) == (agency_a, "Asli")


def test_opd_may_send_his_programmes_own_agency_back(opd_a_user, agency_a):
    program = ProgramFactory(agency=agency_a)

    program_update(program=program, actor=opd_a_user, agency=agency_a, name="Nama baru")

    program.refresh_from_db()
    assert (program.agency, program.name) == (agency_a, "Nama baru")


def test_opd_cannot_change_another_opds_programme(opd_b_user, agency_a):
    program = ProgramFactory(agency=agency_a, name="Asli")

    with pytest.raises(PermissionDenied):
        program_update(program=program, actor=opd_b_user, name="Diubah")

    program.refresh_from_db()
    assert program.name == "Asli"


def test_realised_budget_above_pagu_is_refused_and_nothing_saved(opd_a_user, agency_a):
    program = ProgramFactory(agency=agency_a, budget_ceiling=100)

    with pytest.raises(ValidationError, match="pagu"):
        program_update(
            program=program, actor=opd_a_user, budget_realized_q1=60, budget_realized_q2=50
        )

    program.refresh_from_db()
    assert (program.budget_realized_q1, program.budget_realized_q2) == (0, 0)


def test_indicator_cannot_be_added_to_a_submitted_programme(opd_a_user, agency_a):
    program = ProgramFactory(agency=agency_a, status=ReviewStatus.SUBMITTED)

    with pytest.raises(PermissionDenied):
        indicator_save(program=program, actor=opd_a_user, name="KK", unit="KK", target=Decimal(5))

    assert not Indicator.objects.exists()


def test_camat_keeps_only_his_own_districts_villages(camat_x_user, village_x, village_y):
    village_data_save(
        actor=camat_x_user,
        village=village_x,
        year=2024,
        population=500,
        households=150,
        poor_households=20,
        poor_people=60,
        extremely_poor_people=5,
    )
    with pytest.raises(PermissionDenied):
        village_data_save(
            actor=camat_x_user,
            village=village_y,
            year=2024,
            population=500,
            households=150,
            poor_households=20,
            poor_people=60,
            extremely_poor_people=5,
        )

    assert list(VillageData.objects.values_list("village", flat=True)) == [village_x.pk]


def test_camat_cannot_move_data_to_another_districts_village(camat_x_user, village_x, village_y):
    record = VillageDataFactory(village=village_x)

    with pytest.raises(PermissionDenied):
        village_data_save(actor=camat_x_user, village=village_y, year=2024, record=record)

    record.refresh_from_db()
    assert record.village == village_x


def test_camat_cannot_move_data_to_another_village_or_year_of_his_own_district(
    camat_x_user, village_x
):
    neighbour = VillageFactory(district=village_x.district)
    record = VillageDataFactory(village=village_x, year=2024, population=1000)

    for village, year in [(neighbour, 2024), (village_x, 2023)]:
        with pytest.raises(PermissionDenied):
            village_data_save(
                actor=camat_x_user, village=village, year=year, record=record, population=1
            )

    record.refresh_from_db()
    assert (record.village, record.year, record.population) == (village_x, 2024, 1000)


@pytest.mark.parametrize(("moved_to_other_village", "year"), [(True, 2024), (False, 2023)])
def test_not_even_an_admin_moves_village_data_to_another_village_or_year(
    admin_user, village_x, village_y, moved_to_other_village, year
):
    record = VillageDataFactory(village=village_x, year=2024)

    with pytest.raises(PermissionDenied):
        village_data_save(
            actor=admin_user,
            village=village_y if moved_to_other_village else village_x,
            year=year,
            record=record,
        )

    record.refresh_from_db()
    assert (record.village, record.year) == (village_x, 2024)
