"""Validating and saving many records at once (imports): the models' own rules, the same
answers as Django's one-record-at-a-time checks, a few queries for a whole batch."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import CheckConstraint, Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bartim.models import PeriodLock, ReviewStatus, User, Village
from helpers.validation import Unsupported, _evaluate, check_constraints, validate_many
from indicators.models import Indicator, IndicatorValue
from programs.models import Program, Strategy
from tests.factories import VillageDataFactory, VillageFactory
from villages.models import PovertyStatistic, VillageData
from villages.services import BulkSaveError, VillageDataEntry, village_data_save_many

pytestmark = pytest.mark.django_db

CONSTRAINED_MODELS = [
    VillageData,
    Program,
    PovertyStatistic,
    Indicator,
    IndicatorValue,
    PeriodLock,
    Village,
    Strategy,
    User,
]
CHECKS = [
    pytest.param(model, constraint, id=constraint.name)
    for model in CONSTRAINED_MODELS
    for constraint in model._meta.constraints
    if isinstance(constraint, CheckConstraint)
]


def _referenced(condition) -> set[str]:
    names = set()
    for child in condition.children:
        if isinstance(child, Q):
            names |= _referenced(child)
        else:
            names.add(child[0].split("__")[0])
            value = child[1]
            while hasattr(value, "lhs"):
                names.add(value.rhs.name)
                value = value.lhs
            if hasattr(value, "name"):
                names.add(value.name)
    return names


def _values(field):
    if field.choices:
        options = [value for value, _label in field.choices]
        options += [0, 5] if isinstance(options[0], int) else ["lainnya"]
    elif field.is_relation:
        options = [1]
    else:
        options = [-1, 0, 1, 2, 3, 4, 99, 100, 101, 1999, 2000, 2100, 2101]
    if field.null:
        options.append(None)
    return st.sampled_from(options)


@pytest.mark.parametrize(("model", "constraint"), CHECKS)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_python_evaluation_agrees_with_djangos_database_check(model, constraint, data):
    fields = [model._meta.get_field(name) for name in sorted(_referenced(constraint.condition))]
    instance = model(**{f.attname: data.draw(_values(f), label=f.name) for f in fields})
    try:
        constraint.validate(model, instance)
        django_passes = True
    except ValidationError:
        django_passes = False

    assert (_evaluate(constraint.condition, instance) is not False) == django_passes


def test_every_constraint_of_the_project_is_evaluated_in_python():
    for param in CHECKS:
        model, constraint = param.values
        fields = _referenced(constraint.condition)
        instance = model(**{model._meta.get_field(n).attname: 1 for n in fields})
        _evaluate(constraint.condition, instance)


def test_other_conditions_are_left_to_django(monkeypatch):
    odd = CheckConstraint(
        condition=Q(population__range=(1, 10)), name="odd", violation_error_message="Aneh."
    )
    monkeypatch.setattr(VillageData._meta, "constraints", [odd])

    with pytest.raises(Unsupported):
        _evaluate(odd.condition, VillageData(population=50))
    with pytest.raises(ValidationError, match="Aneh."):
        check_constraints(VillageData(population=50))
    check_constraints(VillageData(population=5))


def test_a_batch_reports_each_records_own_errors(village_x, village_y):
    VillageDataFactory(village=village_x, year=2024)
    fine = {"population": 10, "households": 3, "poor_households": 1, "poor_people": 2}
    records = [
        VillageData(village=village_y, year=2024, extremely_poor_people=0, **fine),
        VillageData(village=village_y, year=2024, extremely_poor_people=0, **fine),
        VillageData(village=village_x, year=2024, extremely_poor_people=0, **fine),
        VillageData(village=village_y, year=2023, extremely_poor_people=5, **fine),
        VillageData(village=village_y, year=1999, extremely_poor_people=0, **fine),
        VillageData(village=village_y, year=2022, extremely_poor_people=0),
    ]

    errors = validate_many(records)

    assert {index: error.messages for index, error in errors.items()} == {
        1: ["Desa/kelurahan ini sudah memiliki data untuk tahun ini."],
        2: ["Desa/kelurahan ini sudah memiliki data untuk tahun ini."],
        3: ["Penduduk miskin ekstrem tidak boleh lebih dari penduduk miskin."],
        4: ["Tahun harus antara 2000 dan 2100."],
        5: ["Field ini tidak boleh null."] * 4,
    }


def entry(village, year, record=None, **fields):
    values = {"population": 1000, "households": 300, "poor_households": 30, "poor_people": 90}
    return VillageDataEntry(village, year, record, values | {"extremely_poor_people": 9} | fields)


def test_many_villages_are_saved_with_their_history_in_a_few_queries(
    admin_user, district_x, django_assert_max_num_queries
):
    villages = [VillageFactory(district=district_x) for _ in range(60)]
    existing = VillageDataFactory(village=villages[0], year=2024, population=500)
    entries = [entry(village, 2024) for village in villages[1:]]
    entries.append(entry(villages[0], 2024, record=existing, population=700))

    with django_assert_max_num_queries(20):
        village_data_save_many(
            actor=admin_user, entries=entries, change_reason="Impor Excel: a.xlsx"
        )

    assert VillageData.objects.count() == 60
    existing.refresh_from_db()
    assert existing.population == 700
    for record in (existing, VillageData.objects.get(village=villages[5])):
        latest = record.history.first()
        assert (latest.history_user, latest.history_change_reason) == (
            admin_user,
            "Impor Excel: a.xlsx",
        )
    assert existing.history.first().population == 700


def test_a_batch_with_any_refused_entry_saves_nothing(camat_x_user, village_x, village_y):
    submitted = VillageDataFactory(
        village=village_x, year=2023, population=500, status=ReviewStatus.SUBMITTED
    )
    entries = [
        entry(village_x, 2024),
        entry(village_y, 2024),
        entry(village_x, 2023, record=submitted, population=600),
        entry(village_x, 2022, poor_people=2000),
    ]

    with pytest.raises(BulkSaveError) as refused:
        village_data_save_many(actor=camat_x_user, entries=entries)

    errors = refused.value.errors
    assert sorted(errors) == [1, 2, 3]
    assert isinstance(errors[1], PermissionDenied)
    assert (
        str(errors[1])
        == "Anda hanya boleh mengelola data desa/kelurahan di kecamatan Anda sendiri."
    )
    assert str(errors[2]) == "Anda tidak boleh mengubah data desa ini."
    assert errors[3].messages == ["Penduduk miskin tidak boleh lebih dari jumlah penduduk."]
    assert list(VillageData.objects.values_list("year", "population")) == [(2023, 500)]


def test_decimal_constraints_are_checked_in_python():
    rate = next(
        c
        for c in PovertyStatistic._meta.constraints
        if c.name == "povertystatistic_rate_is_percentage"
    )

    assert _evaluate(rate.condition, PovertyStatistic(poverty_rate=Decimal("100.01"))) is False
    assert _evaluate(rate.condition, PovertyStatistic(poverty_rate=Decimal("100"))) is True
    assert _evaluate(rate.condition, PovertyStatistic(poverty_rate=None)) is True
