"""Saving many village-data records at once (imports): each record validated by the model's
own rules (full_clean), every refused entry reported by its position, nothing saved unless
every entry is fine."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bartim.models import ReviewStatus
from tests.factories import VillageDataFactory, VillageFactory
from villages.models import VillageData
from villages.services import BulkSaveError, VillageDataEntry, village_data_save_many

pytestmark = pytest.mark.django_db


def entry(village, year, record=None, **fields):
    values = {"population": 1000, "households": 300, "poor_households": 30, "poor_people": 90}
    return VillageDataEntry(village, year, record, values | {"extremely_poor_people": 9} | fields)


def test_a_batch_reports_each_records_own_errors(admin_user, village_x, village_y):
    VillageDataFactory(village=village_x, year=2024)
    entries = [
        entry(village_y, 2024),
        entry(village_x, 2024),
        entry(village_y, 2023, extremely_poor_people=500),
        entry(village_y, 1999),
        entry(village_y, 2022, population=None),
    ]

    with pytest.raises(BulkSaveError) as refused:
        village_data_save_many(actor=admin_user, entries=entries)

    assert {index: error.messages for index, error in refused.value.errors.items()} == {
        1: ["Desa/kelurahan ini sudah memiliki data untuk tahun ini."],
        2: ["Penduduk miskin ekstrem tidak boleh lebih dari penduduk miskin."],
        3: ["Tahun harus antara 2000 dan 2100."],
        4: ["Field ini tidak boleh null."],
    }
    assert VillageData.objects.count() == 1


def test_many_villages_are_saved_with_their_history(admin_user, district_x):
    villages = [VillageFactory(district=district_x) for _ in range(60)]
    existing = VillageDataFactory(village=villages[0], year=2024, population=500)
    entries = [entry(village, 2024) for village in villages[1:]]
    entries.append(entry(villages[0], 2024, record=existing, population=700))

    village_data_save_many(actor=admin_user, entries=entries, change_reason="Impor Excel: a.xlsx")

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


def test_a_record_refused_for_several_reasons_lists_them_all(admin_user, village_x, village_y):
    VillageDataFactory(village=village_x, year=2024)
    entries = [entry(village_y, 2024), entry(village_x, 2024, households=-1, poor_people=2000)]

    with pytest.raises(BulkSaveError) as refused:
        village_data_save_many(actor=admin_user, entries=entries)

    assert sorted(refused.value.errors[1].messages) == sorted(
        [
            "Desa/kelurahan ini sudah memiliki data untuk tahun ini.",
            "Pastikan nilai ini lebih besar dari atau sama dengan 0.",
            "Penduduk miskin tidak boleh lebih dari jumlah penduduk.",
        ]
    )
    assert list(refused.value.errors) == [1]


def test_a_batch_costs_the_same_queries_for_many_records_as_for_few(admin_user, district_x):
    # An administrator's import of every village over twenty years is 2,000 records: a
    # dozen queries each (full_clean) was 14 s.
    villages = [VillageFactory(district=district_x) for _ in range(40)]

    def queries_for(count: int) -> int:
        entries = [entry(village, 2024) for village in villages[:count]]
        with CaptureQueriesContext(connection) as queries, transaction.atomic():
            village_data_save_many(actor=admin_user, entries=entries)
            transaction.set_rollback(True)
        return len(queries)

    assert queries_for(30) == queries_for(10)
