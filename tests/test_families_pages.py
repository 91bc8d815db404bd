"""The families pages as each role uses them: the registry import's preview and
all-or-nothing confirmation, the beneficiaries, the unreached list, and the access log."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from families.models import AccessLogEntry, Beneficiary, Family, RegistrySnapshot
from tests.factories import ProgramFactory
from tests.families_helpers import import_registry, kk, name, nik, registry_csv, registry_row

pytestmark = pytest.mark.django_db


def _upload(client, rows, filename="dtsen.csv", content=None):
    content = registry_csv(rows) if content is None else content
    return client.post(
        reverse("families:registry_upload"),
        {
            "label": "DTSEN semester I",
            "taken_on": "2025-06-30",
            "file": SimpleUploadedFile(filename, content),
        },
    )


def test_registry_import_previews_then_counts_only_once_confirmed(
    admin_client, village_x, village_y
):
    response = _upload(admin_client, [registry_row(1, village_x, 1), registry_row(2, village_y, 5)])

    snapshot = RegistrySnapshot.objects.get()
    assert response.url == reverse("families:registry_preview", args=[snapshot.pk])
    assert not snapshot.confirmed
    page = admin_client.get(response.url)
    assert "Keluarga Uji" not in page.content.decode()
    assert page.context["snapshot"].family_count == 2

    admin_client.post(response.url)

    snapshot.refresh_from_db()
    assert snapshot.confirmed
    assert Family.objects.filter(snapshot=snapshot).count() == 2


def test_bad_rows_are_listed_by_row_and_column_and_nothing_is_saved(admin_client, village_x):
    rows = [
        registry_row(1, village_x, 1),
        registry_row(2, village_x, 11),
        registry_row(3, village_x, 2, nik="621300000000003"),
        registry_row(4, village_x, 2, village="62.13.99.9999"),
        registry_row(1, village_x, 3, nik=nik(5)),
        registry_row(6, village_x, 3, elderly="mungkin"),
    ]

    response = _upload(admin_client, rows)

    assert response.status_code == 400
    problems = [(p.row, p.key) for p in response.context["problems"]]
    assert problems == [
        (3, "decile"),
        (4, "nik"),
        (5, "village"),
        (6, "kk"),
        (7, "elderly"),
    ]
    text = response.content.decode()
    # Neither the short NIK nor the duplicated number is repeated on the page.
    assert "621300000000003" not in text
    assert kk(1) not in text
    assert "62.13.99.9999" in text
    assert not RegistrySnapshot.objects.exists()
    assert not Family.objects.exists()


def test_a_file_without_the_needed_columns_is_refused_with_a_message(admin_client):
    response = _upload(admin_client, [], content=b"Nama;Alamat\nA;B\n")

    assert response.status_code == 400
    assert response.context["upload_form"].errors["file"]
    assert not RegistrySnapshot.objects.exists()


def test_an_xlsx_extract_is_read_like_a_csv(admin_client, village_x):
    book = Workbook()
    sheet = book.active
    sheet.append(["No. KK", "NIK", "Nama", "Kode Desa", "Desil", "Jumlah Anggota"])
    sheet.append([kk(1), nik(1), name(1), village_x.code, 1, 3])
    buffer = io.BytesIO()
    book.save(buffer)

    response = _upload(admin_client, [], filename="dtsen.xlsx", content=buffer.getvalue())

    assert response.status_code == 302
    assert RegistrySnapshot.objects.get().family_count == 1


def test_deleting_a_snapshot_deletes_its_families(admin_client, admin_user, village_x):
    snapshot = import_registry(admin_user, [registry_row(1, village_x, 1)])

    admin_client.post(reverse("families:snapshot_delete", args=[snapshot.pk]))

    assert not RegistrySnapshot.objects.exists()
    assert not Family.objects.exists()


@pytest.fixture
def registry(admin_user, village_x, village_y):
    return import_registry(
        admin_user,
        [
            registry_row(1, village_x, 1),
            registry_row(2, village_y, 1),
            registry_row(3, village_x, 6),
        ],
    )


def test_a_camat_sees_only_his_own_villages_unreached_families_and_it_is_logged(
    client, registry, camat_x_user
):
    client.force_login(camat_x_user)

    page = client.get(reverse("families:unreached"), {"year": 2024})

    text = page.content.decode()
    assert name(1) in text
    assert name(2) not in text  # another kecamatan
    assert name(3) not in text  # decile 6
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.action, entry.rows) == (camat_x_user, "view", 1)
    assert name(1) not in entry.what


def test_an_export_of_names_is_logged_too(admin_client, admin_user, registry):
    response = admin_client.get(reverse("families:unreached"), {"year": 2024, "_export": "xlsx"})

    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == [name(1), name(2)]
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.rows) == ("export", 2)
    log = admin_client.get(reverse("families:access_log"))
    assert entry.what in log.content.decode()


def test_a_reached_family_leaves_the_unreached_list(admin_client, registry, opd_a_user, agency_a):
    program = ProgramFactory(agency=agency_a, year=2024)
    admin_client.force_login(opd_a_user)
    admin_client.post(
        reverse("families:beneficiaries", args=[program.pk]),
        {"kk": kk(1), "quarter": 1, "kind": "cash", "amount": "300.000", "unit": "Rp"},
    )
    assert Beneficiary.objects.get().amount == 300000
    admin_client.force_login(registry.imported_by)

    page = admin_client.get(reverse("families:unreached"), {"year": 2024})

    assert page.context["page"].paginator.count == 1


def test_an_opd_sees_its_own_beneficiaries_flagged_outside_the_registry(
    client, registry, opd_a_user, opd_b_user, agency_a
):
    program = ProgramFactory(agency=agency_a, year=2024)
    client.force_login(opd_a_user)
    client.post(
        reverse("families:beneficiaries", args=[program.pk]),
        {"nik": nik(99), "name": "Penerima Uji Luar", "quarter": 2, "kind": "food"},
    )

    page = client.get(reverse("families:beneficiaries", args=[program.pk]))

    text = page.content.decode()
    assert "Penerima Uji Luar" in text
    assert "tidak ada di DTSEN" in text or "not in the registry" in text
    assert nik(99) not in text
    client.force_login(opd_b_user)
    assert client.get(reverse("families:beneficiaries", args=[program.pk])).status_code == 403


def test_a_bad_nik_typed_in_the_form_is_a_message_without_the_number(
    client, registry, opd_a_user, agency_a
):
    program = ProgramFactory(agency=agency_a, year=2024)
    client.force_login(opd_a_user)

    page = client.post(
        reverse("families:beneficiaries", args=[program.pk]),
        {"nik": "62130000000000012345", "quarter": 2, "kind": "food"},
    )

    assert page.status_code == 400
    assert page.context["form"].errors["nik"]
    assert not Beneficiary.objects.exists()


def _beneficiary_file(rows) -> bytes:
    lines = ["NIK;No. KK;Nama;Triwulan;Jenis Bantuan;Jumlah;Satuan", *rows]
    return ("\n".join(lines) + "\n").encode()


def test_a_beneficiary_list_is_previewed_and_replaces_the_quarters_it_holds(
    client, registry, opd_a_user, agency_a
):
    program = ProgramFactory(agency=agency_a, year=2024)
    client.force_login(opd_a_user)
    client.post(
        reverse("families:beneficiaries", args=[program.pk]),
        {"kk": kk(3), "quarter": 1, "kind": "cash"},
    )
    content = _beneficiary_file([f"{nik(1)};;;1;cash;300000;Rp", f";{kk(2)};;2;food;10;kg"])

    response = client.post(
        reverse("families:beneficiary_upload", args=[program.pk]),
        {"file": SimpleUploadedFile("penerima.csv", content)},
    )
    preview = client.get(response.url)
    assert preview.context["count"] == 2 and preview.context["replaced"] == 1
    assert Beneficiary.objects.count() == 1
    client.post(response.url)

    kinds = sorted(Beneficiary.objects.values_list("quarter", "kind"))
    assert kinds == [(1, "cash"), (2, "food")]


def test_bad_beneficiary_rows_are_listed_and_nothing_is_imported(
    client, registry, opd_a_user, agency_a
):
    program = ProgramFactory(agency=agency_a, year=2024)
    client.force_login(opd_a_user)
    content = _beneficiary_file(["123;;;1;cash;;", f"{nik(1)};;;5;sembako;-3;"])

    response = client.post(
        reverse("families:beneficiary_upload", args=[program.pk]),
        {"file": SimpleUploadedFile("penerima.csv", content)},
    )

    assert response.status_code == 400
    assert [(p.row, p.key) for p in response.context["problems"]] == [
        (2, "nik"),
        (3, "quarter"),
        (3, "kind"),
        (3, "amount"),
    ]
    assert not Beneficiary.objects.exists()


def test_the_beneficiary_template_comes_back_as_an_import(client, registry, opd_a_user, agency_a):
    program = ProgramFactory(agency=agency_a, year=2024)
    client.force_login(opd_a_user)
    template = client.get(reverse("families:beneficiary_template", args=[program.pk]))
    book = load_workbook(io.BytesIO(template.content))
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    row = dict.fromkeys(header, None)
    row[header[0]], row[header[3]], row[header[4]] = nik(2), 3, "Bantuan tunai"
    sheet.append(list(row.values()))
    buffer = io.BytesIO()
    book.save(buffer)

    response = client.post(
        reverse("families:beneficiary_upload", args=[program.pk]),
        {"file": SimpleUploadedFile("penerima.xlsx", buffer.getvalue())},
    )
    client.post(response.url)

    record = Beneficiary.objects.get()
    assert (record.quarter, record.kind) == (3, "cash")
