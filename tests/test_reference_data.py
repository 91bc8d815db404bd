"""`python manage.py load_bartim`: the real reference data, loaded exactly and safely again."""

import csv
import shutil
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from bartim.models import Agency, District, Regency, Village
from programs.models import Strategy
from tests.factories import ProgramFactory, UserFactory, VillageDataFactory
from villages.models import PovertyStatistic

DATA_DIR = settings.BASE_DIR / "data"


def load(data_dir=None) -> str:
    out = StringIO()
    options = {"data_dir": data_dir} if data_dir else {}
    call_command("load_bartim", stdout=out, **options)
    return out.getvalue()


def edit_csv(path, change):
    """Rewrite a CSV file, passing each row (a dict) through `change`; None drops the row."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(row for row in map(change, rows) if row is not None)


@pytest.fixture
def data_copy(tmp_path):
    """A copy of the project's data directory that a test may change."""
    return shutil.copytree(DATA_DIR, tmp_path / "data")


def everything():
    """Every reference row with its primary key and values, to compare two loads."""
    return {
        model.__name__: sorted(model.objects.values_list())
        for model in (Regency, District, Village, Agency, Strategy, PovertyStatistic)
    }


def test_it_loads_the_whole_territory(reference_data):
    regency = Regency.objects.get()
    assert (regency.code, regency.bps_code, regency.name) == (
        "62.13",
        "6212",
        "Kabupaten Barito Timur",
    )
    assert District.objects.filter(regency=regency).count() == 10
    assert Village.objects.filter(kind=Village.Kind.DESA).count() == 100
    assert Village.objects.filter(kind=Village.Kind.KELURAHAN).count() == 3
    assert sorted(Village.objects.filter(kind="kelurahan").values_list("name", flat=True)) == [
        "Ampah Kota",
        "Pasar Panas/Taniran",
        "Tamiang Layang",
    ]


def test_tamiang_layang_is_a_kelurahan_of_dusun_timur(reference_data):
    village = Village.objects.select_related("district").get(code="62.13.01.1012")
    assert village.name == "Tamiang Layang"
    assert village.kind == Village.Kind.KELURAHAN
    assert (village.district.code, village.district.name) == ("62.13.01", "Dusun Timur")


def test_it_keeps_the_kemendagri_spelling_banua_lima(reference_data):
    assert District.objects.get(code="62.13.02").name == "Banua Lima"
    assert Agency.objects.filter(name="Kecamatan Benua Lima").exists()


def test_it_loads_36_agencies_with_their_reference_codes(reference_data):
    assert Agency.objects.count() == 36
    assert Agency.objects.active().count() == 36
    planning = Agency.objects.get(abbreviation="Bapplitbangda")
    assert planning.name == "Badan Perencanaan Pembangunan dan Litbang Daerah"
    assert Agency.objects.get(code="OPD01").name == "Dinas Pendidikan"
    assert Agency.objects.filter(code="").count() == 0


def test_it_loads_the_three_strategies_in_order(reference_data):
    assert list(Strategy.objects.values_list("number", "name")) == [
        (1, "Mengurangi beban pengeluaran"),
        (2, "Meningkatkan pendapatan"),
        (3, "Meminimalkan wilayah kantong kemiskinan"),
    ]
    assert all(strategy.description for strategy in Strategy.objects.all())


def test_it_loads_the_bps_series_with_sources(reference_data):
    assert list(PovertyStatistic.objects.values_list("year", "poor_people", "poverty_rate")) == [
        (2006, None, Decimal("14.05")),
        (2020, 7870, Decimal("6.09")),
        (2021, 8020, Decimal("6.38")),
        (2022, 8420, Decimal("6.59")),
        (2023, 8590, Decimal("6.63")),
        (2024, 8740, Decimal("6.66")),
    ]
    year_2022 = PovertyStatistic.objects.get(year=2022)
    assert (year_2022.poverty_line, year_2022.depth_index, year_2022.severity_index) == (
        571786,
        Decimal("1.06"),
        Decimal("0.23"),
    )
    assert "perspektifspace.com" in PovertyStatistic.objects.get(year=2024).source
    assert all(statistic.source for statistic in PovertyStatistic.objects.all())


@pytest.mark.django_db
def test_it_reports_what_it_created():
    output = load()
    assert "Desa/kelurahan: 103 dibuat, 0 diperbarui, 0 tidak berubah." in output
    assert "Perangkat daerah (OPD): 36 dibuat, 0 diperbarui, 0 tidak berubah." in output


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    load()
    before = everything()
    output = load()
    assert everything() == before
    assert "Desa/kelurahan: 0 dibuat, 0 diperbarui, 103 tidak berubah." in output
    assert "Angka kemiskinan BPS: 0 dibuat, 0 diperbarui, 6 tidak berubah." in output


@pytest.mark.django_db
def test_a_village_renamed_in_the_file_is_renamed_in_place(data_copy):
    load(data_copy)
    village = Village.objects.get(code="62.13.01.2003")
    data = VillageDataFactory(village=village)
    program = ProgramFactory(target_villages=[village])

    edit_csv(
        data_copy / "bartim_wilayah.csv",
        lambda row: {**row, "nama": "Pulau Patai Baru"} if row["kode"] == village.code else row,
    )
    output = load(data_copy)

    renamed = Village.objects.get(pk=village.pk)
    assert renamed.name == "Pulau Patai Baru"
    assert renamed.code == "62.13.01.2003"
    assert Village.objects.count() == 103
    assert list(renamed.data.all()) == [data]
    assert list(program.target_villages.all()) == [renamed]
    assert "Desa/kelurahan: 0 dibuat, 1 diperbarui, 102 tidak berubah." in output


@pytest.mark.django_db
def test_an_agency_renamed_in_the_file_keeps_its_programmes_and_accounts(data_copy):
    load(data_copy)
    agency = Agency.objects.get(code="OPD12")
    program = ProgramFactory(agency=agency)
    user = UserFactory(username="kominfo", role="opd", agency=agency)

    edit_csv(
        data_copy / "bartim_opd.csv",
        lambda row: (
            {
                **row,
                "nama": "Dinas Komunikasi, Informatika dan Statistik",
                "singkatan": "Diskominfo",
            }
            if row["kode"] == "OPD12"
            else row
        ),
    )
    load(data_copy)

    agency.refresh_from_db()
    assert (agency.name, agency.abbreviation) == (
        "Dinas Komunikasi, Informatika dan Statistik",
        "Diskominfo",
    )
    assert Agency.objects.count() == 36
    assert list(agency.programs.all()) == [program]
    assert list(agency.users.all()) == [user]


@pytest.mark.django_db
def test_edits_made_in_the_application_survive_reloading_an_unchanged_file():
    load()
    Agency.objects.filter(code="OPD01").update(name="Dinas Pendidikan dan Kebudayaan")
    Strategy.objects.filter(number=2).update(description="Rumusan dari Bapplitbangda.")
    PovertyStatistic.objects.filter(year=2023).update(poverty_line=596_410)

    output = load()

    assert Agency.objects.get(code="OPD01").name == "Dinas Pendidikan dan Kebudayaan"
    assert Strategy.objects.get(number=2).description == "Rumusan dari Bapplitbangda."
    assert PovertyStatistic.objects.get(year=2023).poverty_line == 596_410
    assert (
        "Perangkat daerah (OPD): 1 mempertahankan perubahan yang dibuat di aplikasi, "
        "karena berkas tidak berubah di bagian itu."
    ) in output


@pytest.mark.django_db
def test_a_changed_file_wins_over_an_edit_made_in_the_application(data_copy):
    load(data_copy)
    Village.objects.filter(code="62.13.04.2010").update(name="Danau (salah ketik)")
    edit_csv(
        data_copy / "bartim_wilayah.csv",
        lambda row: {**row, "nama": "Danau Baru"} if row["kode"] == "62.13.04.2010" else row,
    )
    load(data_copy)
    assert Village.objects.get(code="62.13.04.2010").name == "Danau Baru"


@pytest.mark.django_db
def test_an_agency_entered_before_the_load_is_adopted_not_duplicated():
    agency = Agency.objects.create(name="Dinas Kesehatan", abbreviation="Dinkes")
    load()
    assert Agency.objects.count() == 36
    agency.refresh_from_db()
    assert agency.code == "OPD02"
    # The file leaves the abbreviation blank, and the file is what was loaded first.
    assert agency.abbreviation == ""


@pytest.mark.django_db
def test_a_row_dropped_from_the_file_stays_with_a_warning(data_copy):
    load(data_copy)
    edit_csv(
        data_copy / "bartim_wilayah.csv",
        lambda row: None if row["kode"] == "62.13.10.2007" else row,
    )
    output = load(data_copy)
    assert Village.objects.filter(code="62.13.10.2007").exists()
    assert "62.13.10.2007 Kandris" in output


@pytest.mark.django_db
def test_a_broken_file_loads_nothing_and_names_the_line(data_copy):
    edit_csv(
        data_copy / "bartim_wilayah.csv",
        lambda row: {**row, "induk_kode": "62.13.99"} if row["kode"] == "62.13.10.2007" else row,
    )
    with pytest.raises(CommandError) as error:
        load(data_copy)
    assert "62.13.99" in str(error.value)
    assert "62.13.10.2007" in str(error.value)
    assert Regency.objects.count() == 0
    assert Agency.objects.count() == 0


@pytest.mark.django_db
def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="bartim_wilayah.csv"):
        load(tmp_path)
    assert Regency.objects.count() == 0


@pytest.mark.django_db
def test_a_bad_number_in_the_bps_file_names_the_column(data_copy):
    edit_csv(
        data_copy / "bartim_kemiskinan_bps.csv",
        lambda row: {**row, "persen_miskin": "6,66"} if row["tahun"] == "2024" else row,
    )
    with pytest.raises(CommandError, match="persen_miskin") as error:
        load(data_copy)
    assert "baris 7" in str(error.value)
    assert PovertyStatistic.objects.count() == 0
