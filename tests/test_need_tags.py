"""Programmes name the basic needs they answer (programs.NeedDimension): in the app's form,
the Excel programme sheet, the admin, the programme table's filter and export; only an
administrator keeps the list of dimensions."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from programs.models import NeedDimension, Program
from programs.services import need_dimension_delete, need_dimension_save
from tests.excel_helpers import (
    confirm,
    download,
    errors_of,
    fill,
    rows,
    upload_and_preview,
    xlsx_bytes,
)
from tests.factories import ProgramFactory, StrategyFactory
from tests.table_helpers import column, csv_rows, html_column

pytestmark = pytest.mark.django_db


def _codes(program):
    return sorted(program.needs.values_list("code", flat=True))


def test_an_agency_names_the_needs_its_programme_answers(client, opd_a_user, village_x):
    client.force_login(opd_a_user)
    housing, water = (NeedDimension.objects.get(code=c) for c in ("housing", "water"))

    client.post(
        reverse("programs:program_create"),
        {
            "strategy": StrategyFactory().pk,
            "year": 2025,
            "name": "Bedah Rumah",
            "budget_ceiling": 250_000_000,
            "beneficiary_unit": "kk",
            "needs": [housing.pk, water.pk],
            "target_villages": [village_x.pk],
        },
    )

    program = Program.objects.get()
    assert _codes(program) == ["housing", "water"]
    page = client.get(reverse("programs:program_detail", args=[program.pk])).content.decode()
    assert "Rumah layak huni" in page and "Air bersih" in page


def test_the_table_filters_and_exports_by_need(viewer_client, agency_a):
    ProgramFactory(agency=agency_a, name="Bedah Rumah", needs=["housing"])
    ProgramFactory(agency=agency_a, name="Pelatihan", needs=["jobs", "schooling"])
    url = reverse("programs:program_list")

    assert html_column(viewer_client.get(url, {"need": "housing"}), "Program") == ["Bedah Rumah"]
    exported = csv_rows(viewer_client.get(url, {"need": "jobs", "_export": "csv"}))
    assert column(exported, "Program") == ["Pelatihan"]
    # In the dimensions' own order.
    assert column(exported, "Kebutuhan dasar") == [
        "Pendidikan (anak tidak sekolah); Pekerjaan dan pendapatan"
    ]
    refused = viewer_client.get(url, {"need": "rockets"}).content.decode()
    assert "Tidak ada kebutuhan dasar “rockets”" in refused


def test_the_excel_programme_sheet_carries_the_needs(admin_client, agency_a):
    StrategyFactory(number=1)
    ProgramFactory(agency=agency_a, year=2025, name="Bedah Rumah", needs=["housing"])

    workbook = download(admin_client, "programs", year=2025)
    programs = workbook["Program"]
    assert [r["Kebutuhan dasar (kode)"] for r in rows(programs)] == ["housing"]
    fill(programs, 2, **{"Kebutuhan dasar (kode)": "housing; Sanitation"})
    url, preview = upload_and_preview(admin_client, "programs", xlsx_bytes(workbook))
    assert errors_of(preview) == []
    confirm(admin_client, url)

    assert _codes(Program.objects.get(name="Bedah Rumah")) == ["housing", "sanitation"]


def test_an_unknown_need_code_is_refused_with_nothing_saved(admin_client, agency_a):
    StrategyFactory(number=1)
    ProgramFactory(agency=agency_a, year=2025, name="Bedah Rumah", needs=["housing"])
    workbook = download(admin_client, "programs", year=2025)
    fill(workbook["Program"], 2, **{"Kebutuhan dasar (kode)": "housing; rockets"})

    _url, preview = upload_and_preview(admin_client, "programs", xlsx_bytes(workbook))

    assert any("rockets" in str(error) for error in errors_of(preview))
    assert _codes(Program.objects.get(name="Bedah Rumah")) == ["housing"]


def test_only_an_administrator_keeps_the_dimensions(opd_a_user, admin_user, agency_a):
    energy = NeedDimension(code="energy", name="Listrik")
    with pytest.raises(PermissionDenied):
        need_dimension_save(record=energy, actor=opd_a_user)
    need_dimension_save(record=energy, actor=admin_user)
    assert NeedDimension.objects.filter(code="energy").exists()


def test_a_dimension_programmes_name_is_not_deleted(admin_user, agency_a):
    ProgramFactory(agency=agency_a, needs=["housing"])
    housing = NeedDimension.objects.get(code="housing")

    with pytest.raises(ValidationError):
        need_dimension_delete(record=housing, actor=admin_user)
    assert NeedDimension.objects.filter(code="housing").exists()


def test_two_dimensions_cannot_measure_by_the_same_figure(admin_user):
    twin = NeedDimension(code="houses", name="Rumah", figure="uninhabitable_houses")
    with pytest.raises(ValidationError):
        need_dimension_save(record=twin, actor=admin_user)
