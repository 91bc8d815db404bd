"""Bad values are refused twice: by model validation (what a form shows, in Indonesian) and by
the database itself (what protects against any code path that skips validation)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from indicators.models import IndicatorValue
from programs.models import Program
from tests.factories import (
    AgencyFactory,
    IndicatorFactory,
    StrategyFactory,
    VillageDataFactory,
    VillageFactory,
)
from villages.models import PovertyStatistic, VillageData


def program(**values):
    fields = {"agency": AgencyFactory(), "strategy": StrategyFactory(), "year": 2024}
    return Program(name="Program Uji", **(fields | values))


def village_data(**values):
    fields = {
        "village": VillageFactory(),
        "year": 2024,
        "population": 1000,
        "households": 300,
        "poor_households": 30,
        "poor_people": 90,
        "extremely_poor_people": 10,
    }
    return VillageData(**(fields | values))


def quarter_value(quarter):
    return IndicatorValue(indicator=IndicatorFactory(), quarter=quarter, realized=Decimal("5"))


def second_record_for_the_same_village_and_year():
    first = VillageDataFactory(year=2024)
    return village_data(village=first.village, year=2024)


CASES = {
    "negative budget": (
        lambda: program(budget_ceiling=-1),
        "Pastikan nilai ini lebih besar dari atau sama dengan 0.",
    ),
    "negative realised budget": (
        lambda: program(budget_ceiling=100, budget_realized_q2=-5),
        "Pastikan nilai ini lebih besar dari atau sama dengan 0.",
    ),
    "realised budget above pagu": (
        lambda: program(
            budget_ceiling=100_000_000, budget_realized_q1=60_000_000, budget_realized_q4=40_000_001
        ),
        "Realisasi anggaran keempat triwulan melebihi pagu anggaran.",
    ),
    "poor people above population": (
        lambda: village_data(population=80, households=20, poor_people=81, poor_households=20),
        "Penduduk miskin tidak boleh lebih dari jumlah penduduk.",
    ),
    "poor households above households": (
        lambda: village_data(households=29, poor_households=30),
        "Keluarga miskin tidak boleh lebih dari jumlah keluarga.",
    ),
    "extremely poor above poor": (
        lambda: village_data(poor_people=90, extremely_poor_people=91),
        "Penduduk miskin ekstrem tidak boleh lebih dari penduduk miskin.",
    ),
    "second record for a village and year": (
        second_record_for_the_same_village_and_year,
        "Desa/kelurahan ini sudah memiliki data untuk tahun ini.",
    ),
    "quarter 5": (lambda: quarter_value(5), "Nilai 5 bukan pilihan yang valid."),
    "quarter 0": (lambda: quarter_value(0), "Nilai 0 bukan pilihan yang valid."),
    "programme year 1999": (lambda: program(year=1999), "Tahun harus antara 2000 dan 2100."),
    "village data year 2101": (
        lambda: village_data(year=2101),
        "Tahun harus antara 2000 dan 2100.",
    ),
    "BPS year 1999": (lambda: PovertyStatistic(year=1999), "Tahun harus antara 2000 dan 2100."),
    "BPS rate above 100": (
        lambda: PovertyStatistic(year=2024, poverty_rate=Decimal("100.01")),
        "Persentase penduduk miskin harus antara 0 dan 100.",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES)
def test_validation_refuses_with_a_translated_message(case):
    build, message = CASES[case]
    with pytest.raises(ValidationError) as error:
        build().full_clean()
    assert message in error.value.messages


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES)
def test_the_database_refuses_a_direct_save(case):
    build, _message = CASES[case]
    obj = build()
    before = type(obj).objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()
    assert type(obj).objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "values",
    [
        {"poor_people": 1001},
        {"poor_households": 301},
        {"extremely_poor_people": 91},
    ],
)
def test_the_database_refuses_a_bulk_insert(values):
    rows = [village_data(), village_data(**values)]
    with pytest.raises(IntegrityError), transaction.atomic():
        VillageData.objects.bulk_create(rows)
    assert VillageData.objects.count() == 0


@pytest.mark.django_db
def test_the_database_refuses_a_bulk_update_above_pagu():
    saved = program(budget_ceiling=100)
    saved.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Program.objects.filter(pk=saved.pk).update(budget_realized_q3=101)
    saved.refresh_from_db()
    assert saved.budget_realized_q3 == 0


@pytest.mark.django_db
def test_valid_values_pass_both():
    data = village_data(poor_people=1000, extremely_poor_people=1000, poor_households=300)
    data.full_clean()
    data.save()
    full = program(budget_ceiling=100, budget_realized_q1=50, budget_realized_q4=50)
    full.full_clean()
    full.save()
    assert (VillageData.objects.count(), Program.objects.count()) == (1, 1)
