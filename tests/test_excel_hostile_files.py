"""Spreadsheets built to exhaust or crash a worker (issue 21, findings 4 and 5): each is
refused at upload with a message naming the problem, within a time and a memory bound, and
an accepted upload is parsed once, not again on every preview and on confirm."""

import datetime
import functools
import json
import time
import tracemalloc

import openpyxl
import pytest

from spreadsheets import reading
from spreadsheets.cells import Formula
from spreadsheets.models import MAX_PENDING_PER_USER, PendingImport
from spreadsheets.reading import Table, Upload, UploadRefused, read_upload
from tests import hostile_files
from tests.excel_helpers import download, fill, find_row, preview_url, upload, xlsx_bytes
from tests.factories import VillageDataFactory

pytestmark = pytest.mark.django_db

# Generous for a slow CI machine, and far below what the files cost without the bounds
# (a 124 KB file of 19,000 rows: 60 s and 1.6 GB).
SECONDS = 2.0
MEGABYTES = 100

HOSTILE = {
    "wide sparse (A and XFD, 19,000 rows)": (
        hostile_files.wide_sparse,
        "hanya 50 kolom pertama",
    ),
    "wide sparse, its used range left out (5,000 rows)": (
        lambda: hostile_files.wide_sparse(5_000, dimension=None),
        "Berkas tidak memiliki kolom templat",
    ),
    "many rows (200,000)": (hostile_files.many_rows, "lebih dari 20.000 baris"),
    "every cell of 100 rows stored": (hostile_files.dense, "lebih dari 100.000 sel"),
    "300,000 numbers": (lambda: hostile_files.full(20_000, 15), "lebih dari 100.000 sel"),
    "billion laughs (entity declarations)": (hostile_files.billion_laughs, "deklarasi entitas"),
    "truncated XML": (hostile_files.truncated_xml, "mungkin rusak"),
    "truncated XML after the used range": (
        lambda: hostile_files.truncated_xml(dimension="A1:B2"),
        'Lembar "Data" tidak dapat dibaca',
    ),
    "a ZIP whose checksum lies": (
        hostile_files.lying_checksum,
        'bagian "xl/worksheets/sheet1.xml" tidak',
    ),
    "zip bomb (200 MB of spaces)": (hostile_files.zip_bomb, "terlalu besar setelah dibuka"),
    "zip bomb stating 2 KB": (
        hostile_files.lying_size_bomb,
        'bagian "xl/worksheets/sheet1.xml" tidak',
    ),
}


@functools.cache
def content_of(case: str) -> bytes:
    # Built once for both tests: some take a second to write.
    return HOSTILE[case][0]()


@pytest.fixture
def record_x(village_x):
    return VillageDataFactory(
        village=village_x, year=2024, population=1000, households=300, poor_people=90
    )


@pytest.fixture
def camat(client, camat_x_user):
    client.force_login(camat_x_user)
    return client


@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_spreadsheet_is_refused_quickly_with_a_clear_message(camat, case):
    message = HOSTILE[case][1]
    content = content_of(case)

    started = time.perf_counter()
    response = upload(camat, "village-data", content)
    elapsed = time.perf_counter() - started

    assert response.status_code == 400
    errors = response.context["cards"][0]["upload_form"].errors["file"]
    assert any(message in error for error in errors), errors
    assert elapsed < SECONDS, f"{case}: {elapsed:.2f} s"
    assert not PendingImport.objects.exists()


@pytest.mark.parametrize("case", HOSTILE)
def test_reading_a_hostile_spreadsheet_stays_within_the_memory_bound(case):
    content = content_of(case)

    tracemalloc.start()
    try:
        read_upload(content)
    except UploadRefused:
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

    assert peak < MEGABYTES * 1024 * 1024, f"{case}: {peak / 2**20:.0f} MB"


def test_openpyxl_parses_through_defusedxml():
    # Entity declarations are refused before openpyxl reads the file; defusedxml refuses them
    # again should a part slip through.
    assert openpyxl.DEFUSEDXML


def test_the_columns_read_are_bounded_and_the_rest_ignored():
    upload = read_upload(hostile_files.wide_sparse(3, dimension=None))

    assert [values for _number, values in upload.tables[0].rows] == [(1,), (1,), (1,)]


def test_a_row_beyond_the_row_limit_is_refused_even_when_few_rows_are_stored():
    rows = b'<row r="1"><c r="A1"><v>1</v></c></row>'
    rows += b'<row r="30000"><c r="A30000"><v>1</v></c></row>'
    content = hostile_files.with_part(hostile_files.sheet(rows))

    with pytest.raises(UploadRefused, match="more than 20.000 rows|lebih dari 20.000 baris"):
        read_upload(content)


def _village_upload(client, record):
    workbook = download(client, "village-data", year=2024)
    sheet = workbook["Data desa"]
    fill(
        sheet,
        find_row(sheet, "Kode desa/kelurahan", record.village.code),
        **{"Jumlah penduduk (jiwa)": 1200},
    )
    return upload(client, "village-data", xlsx_bytes(workbook))


def test_preview_and_confirm_never_parse_the_file_again(camat, record_x, monkeypatch):
    address = preview_url(_village_upload(camat, record_x))

    def refuse(*args, **kwargs):
        raise AssertionError("the file was parsed again")

    monkeypatch.setattr(reading, "load_workbook", refuse)
    monkeypatch.setattr(reading, "read_upload", refuse)
    preview = camat.get(address)
    assert preview.status_code == 200
    assert preview.context["report"].changed == 1
    confirmed = camat.post(address)

    assert confirmed.status_code == 302
    record_x.refresh_from_db()
    assert record_x.population == 1200


def test_an_upload_beyond_the_pending_limit_discards_the_oldest(camat, record_x):
    addresses = [
        preview_url(_village_upload(camat, record_x)) for _ in range(MAX_PENDING_PER_USER + 1)
    ]

    assert PendingImport.objects.count() == MAX_PENDING_PER_USER
    assert camat.get(addresses[0]).status_code == 404
    for address in addresses[1:]:
        assert camat.get(address).status_code == 200


def test_the_pending_limit_is_per_user(client, camat_x_user, admin_user, record_x):
    client.force_login(admin_user)
    kept = preview_url(_village_upload(client, record_x))
    client.force_login(camat_x_user)
    for _ in range(MAX_PENDING_PER_USER + 1):
        _village_upload(client, record_x)

    client.force_login(admin_user)
    assert client.get(kept).status_code == 200


def test_every_kind_of_cell_value_survives_the_stored_json():
    values = (
        None,
        "teks",
        8740,
        6.66,
        True,
        float("inf"),
        datetime.datetime(2024, 3, 31, 12, 30),
        datetime.date(2024, 3, 31),
        datetime.time(8, 15),
        datetime.timedelta(hours=36),
    )
    original = Upload(
        format="xlsx",
        tables=[
            Table(name="Data", rows=[(2, values + (Formula("=B2*2"),))], percent_cells={(2, 3)})
        ],
        marker={"kind": "bps"},
    )

    stored = Upload.from_json(json.loads(json.dumps(original.to_json(), allow_nan=False)))

    ((number, read),) = stored.tables[0].rows
    assert number == 2
    assert read[:-1] == values
    assert [type(v) for v in read[:-1]] == [type(v) for v in values]
    assert isinstance(read[-1], Formula) and read[-1].text == "=B2*2"
    assert stored.tables[0].percent_cells == {(2, 3)}
    assert stored.marker == {"kind": "bps"}
