"""A programme's budget as a planning office keeps it: the Permendagri 90/2019 codes, the
funding sources adding up to the ceiling, and the revised ceiling (APBD-P) that absorption
is measured against from the quarter it was set in (docs/budget.md, docs/progress.md)."""

import datetime
import importlib
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

import programs
from bartim.models import ReviewStatus
from programs.models import FundingSource, Program, ProgramFunding
from programs.progress import ceiling_in_force, programs_with_figures
from programs.quarter_context import program_quarters
from programs.services import program_create, program_update
from tests.factories import ProgramFactory, StrategyFactory
from tests.table_helpers import csv_rows, html_column


def source(name) -> FundingSource:
    # The list comes with the migration, but a test that flushes the database (transaction=
    # True) empties it for the tests after it.
    return FundingSource.objects.get_or_create(name=name)[0]


def program_form(program, **changes):
    """The programme form as a browser posts it, with its funding rows."""
    data = {
        "strategy": program.strategy_id,
        "year": program.year,
        "name": program.name,
        "description": "",
        "program_code": "",
        "activity_code": "",
        "sub_activity_code": "",
        "budget_ceiling": "250.000.000",
        "budget_ceiling_revised": "",
        "budget_revised_on": "",
        "budget_revision_reason": "",
        "beneficiary_unit": "kk",
        "seen_version": program.version,
        "funding-TOTAL_FORMS": 3,
        "funding-INITIAL_FORMS": 0,
        "funding-MIN_NUM_FORMS": 0,
        "funding-MAX_NUM_FORMS": 1000,
    }
    data.update(changes)
    return data


@pytest.fixture
def opd_a(client, opd_a_user):
    client.force_login(opd_a_user)
    return client


@pytest.fixture
def superuser_client(client, admin_user):
    admin_user.is_superuser = True
    admin_user.save(update_fields=["is_superuser"])
    client.force_login(admin_user)
    return client


@pytest.fixture
def program(agency_a):
    return ProgramFactory(agency=agency_a, name="Bedah Rumah", budget_ceiling=250_000_000)


# ---- Codes -------------------------------------------------------------------------------


def test_the_migration_brings_the_funding_sources_a_planning_office_uses(db):
    FundingSource.objects.all().delete()
    migration = next(
        module
        for module in (
            importlib.import_module(f"programs.migrations.{path.stem}")
            for path in (Path(programs.__file__).parent / "migrations").glob("0*.py")
        )
        if hasattr(module, "add_funding_sources")
    )
    migration.add_funding_sources(django_apps, None)

    names = set(FundingSource.objects.values_list("name", flat=True))

    assert {"APBD", "DAK Fisik", "DAK Non-Fisik", "DAU Earmarked", "APBN", "Dana Desa"} <= names
    assert {"ADD (Alokasi Dana Desa)", "CSR", "Swadaya masyarakat", "Lainnya"} <= names


def test_opd_saves_codes_that_nest_typed_with_spaces(opd_a, program):
    response = opd_a.post(
        reverse("programs:program_edit", args=[program.pk]),
        program_form(
            program,
            program_code=" 1.04.02 ",
            activity_code="1.04.02.2.01",
            sub_activity_code="1.04.02.2.01. 0005",
        ),
    )

    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.program_code, program.activity_code, program.sub_activity_code) == (
        "1.04.02",
        "1.04.02.2.01",
        "1.04.02.2.01.0005",
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("program_code", "1.4.2", "“1.4.2” bukan kode program sesuai Permendagri 90/2019"),
        ("program_code", "1-02-02", "“1-02-02” bukan kode program"),
        ("activity_code", "1.02.02.01", "“1.02.02.01” bukan kode kegiatan"),
        ("sub_activity_code", "1.02.02.2.01.001", "“1.02.02.2.01.001” bukan kode sub kegiatan"),
    ],
)
def test_a_code_of_the_wrong_format_is_refused_in_indonesian(opd_a, program, field, value, message):
    codes = {
        "program_code": "1.02.02",
        "activity_code": "1.02.02.2.01",
        "sub_activity_code": "1.02.02.2.01.0001",
    }
    codes[field] = value

    response = opd_a.post(
        reverse("programs:program_edit", args=[program.pk]), program_form(program, **codes)
    )

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert Program.objects.get(pk=program.pk).program_code == ""


def test_the_old_two_digit_sub_activity_code_is_accepted(program):
    program.program_code, program.activity_code = "1.02.02", "1.02.02.2.01"
    program.sub_activity_code = "1.02.02.2.01.01"

    program.full_clean()


def test_an_activity_of_another_programme_is_refused(opd_a, program):
    response = opd_a.post(
        reverse("programs:program_edit", args=[program.pk]),
        program_form(program, program_code="1.02.02", activity_code="1.03.02.2.01"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["activity_code"] == [
        "Kode kegiatan 1.03.02.2.01 bukan bagian dari program 1.02.02: kode kegiatan harus "
        "diawali kode program."
    ]


def test_a_sub_activity_needs_its_activity(program):
    program.program_code, program.sub_activity_code = "1.02.02", "1.02.02.2.01.0001"

    with pytest.raises(ValidationError) as refused:
        program.full_clean()

    assert "activity_code" in refused.value.message_dict


def test_the_programmes_table_finds_a_programme_by_its_code_and_shows_the_codes(
    viewer_client, agency_a
):
    ProgramFactory(
        agency=agency_a,
        name="Bedah Rumah",
        program_code="1.04.02",
        activity_code="1.04.02.2.01",
        sub_activity_code="1.04.02.2.01.0005",
    )
    ProgramFactory(agency=agency_a, name="Jamban Sehat", program_code="1.03.05")
    url = reverse("programs:program_list")

    by_activity = viewer_client.get(url, {"year": 2024, "q": "1.04.02.2", "columns": "all"})
    by_programme = viewer_client.get(url, {"year": 2024, "q": "1.03.05"})
    export = viewer_client.get(url, {"year": 2024, "q": "1.04", "_export": "csv"})

    assert html_column(by_activity, "Program") == ["Bedah Rumah"]
    assert html_column(by_activity, "Kode sub kegiatan") == ["1.04.02.2.01.0005"]
    assert html_column(by_programme, "Program") == ["Jamban Sehat"]
    assert "1.04.02.2.01.0005" in b"".join(export.streaming_content).decode("utf-8-sig")


# ---- Funding -----------------------------------------------------------------------------


def test_opd_lists_mixed_funding_typed_with_thousand_dots(opd_a, program):
    response = opd_a.post(
        reverse("programs:program_edit", args=[program.pk]),
        program_form(
            program,
            **{
                "funding-0-source": source("DAK Fisik").pk,
                "funding-0-amount": "150.000.000",
                "funding-1-source": source("APBD").pk,
                "funding-1-amount": "Rp100.000.000",
            },
        ),
    )

    assert response.status_code == 302
    assert dict(program.funding.values_list("source__name", "amount")) == {
        "DAK Fisik": 150_000_000,
        "APBD": 100_000_000,
    }
    page = opd_a.get(reverse("programs:program_detail", args=[program.pk])).content.decode()
    assert "Sumber dana: DAK Fisik" in page and "Rp150.000.000" in page


def test_funding_that_does_not_add_up_to_the_ceiling_saves_nothing(opd_a, program):
    response = opd_a.post(
        reverse("programs:program_edit", args=[program.pk]),
        program_form(
            program,
            name="Nama baru",
            **{"funding-0-source": source("APBD").pk, "funding-0-amount": "200.000.000"},
        ),
    )

    assert response.status_code == 200
    assert (
        "Jumlah sumber dana Rp200.000.000, sedangkan pagu yang berlaku Rp250.000.000"
        in response.content.decode()
    )
    assert not program.funding.exists()
    assert Program.objects.get(pk=program.pk).name == "Bedah Rumah"


def test_a_source_listed_twice_is_refused(opd_a, program):
    apbd = source("APBD").pk
    response = opd_a.post(
        reverse("programs:program_edit", args=[program.pk]),
        program_form(
            program,
            **{
                "funding-0-source": apbd,
                "funding-0-amount": "125.000.000",
                "funding-1-source": apbd,
                "funding-1-amount": "125.000.000",
            },
        ),
    )

    assert "APBD tercantum dua kali" in response.content.decode()
    assert not program.funding.exists()


def test_changing_the_ceiling_away_from_the_funding_is_refused_by_the_service(program, opd_a_user):
    program_update(program=program, actor=opd_a_user, funding={source("APBD"): 250_000_000})

    with pytest.raises(ValidationError) as refused:
        program_update(program=program, actor=opd_a_user, budget_ceiling=300_000_000)

    assert "budget_ceiling" in refused.value.message_dict
    assert Program.objects.get(pk=program.pk).budget_ceiling == 250_000_000


def test_a_revision_changes_the_ceiling_and_the_funding_together(program, opd_a_user):
    program_update(program=program, actor=opd_a_user, funding={source("APBD"): 250_000_000})

    program_update(
        program=program,
        actor=opd_a_user,
        budget_ceiling_revised=300_000_000,
        budget_revised_on=datetime.date(2024, 9, 20),
        budget_revision_reason="Tambahan DAK dalam APBD-P.",
        funding={source("APBD"): 250_000_000, source("DAK Fisik"): 50_000_000},
    )

    assert sum(program.funding.values_list("amount", flat=True)) == 300_000_000


def test_a_retired_source_is_not_added_but_stays_where_listed(program, opd_a_user):
    csr = source("CSR")
    program_update(program=program, actor=opd_a_user, funding={csr: 250_000_000})
    FundingSource.objects.filter(pk=csr.pk).update(active=False)
    csr.refresh_from_db()
    other = ProgramFactory(agency=program.agency, budget_ceiling=10_000_000)

    program_update(program=program, actor=opd_a_user, name="Tetap CSR", funding={csr: 250_000_000})
    with pytest.raises(ValidationError):
        program_update(program=other, actor=opd_a_user, funding={csr: 10_000_000})

    assert not other.funding.exists()


def test_funding_of_another_agency_or_an_approved_plan_is_refused(program, opd_a_user, opd_b_user):
    with pytest.raises(PermissionDenied):
        program_update(program=program, actor=opd_b_user, funding={source("APBD"): 250_000_000})
    Program.objects.filter(pk=program.pk).update(status=ReviewStatus.APPROVED)

    with pytest.raises(PermissionDenied):
        program_update(program=program, actor=opd_a_user, funding={source("APBD"): 250_000_000})

    assert not ProgramFunding.objects.exists()


def test_a_new_programme_with_its_funding(opd_a_user, agency_a):
    created = program_create(
        actor=opd_a_user,
        strategy=StrategyFactory(number=1),
        year=2024,
        name="Padat Karya Desa",
        budget_ceiling=100_000_000,
        funding={source("Dana Desa"): 70_000_000, source("APBD"): 30_000_000},
    )

    assert created.agency == agency_a
    assert created.funding.count() == 2
    assert ProgramFunding.history.filter(history_user=opd_a_user).count() == 2


# ---- The admin: the same services ---------------------------------------------------------


def _admin_change_data(client, program):
    url = reverse("admin:programs_program_change", args=[program.pk])
    form = client.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if name == "target_villages":
            data[name] = list(value or [])
        else:
            data[name] = "" if value is None else value
    data.update(
        {
            "indicators-TOTAL_FORMS": 0,
            "indicators-INITIAL_FORMS": 0,
            "funding-TOTAL_FORMS": 2,
            "funding-INITIAL_FORMS": 0,
        }
    )
    return url, data


def test_admin_enters_funding_and_a_revision_through_the_services(
    superuser_client, admin_user, program
):
    url, data = _admin_change_data(superuser_client, program)
    data.update(
        {
            "budget_ceiling_revised": "275.000.000",
            "budget_revised_on": "2024-09-30",
            "budget_revision_reason": "Tambahan pagu APBD-P.",
            "funding-0-source": source("APBD").pk,
            "funding-0-amount": "200.000.000",
            "funding-1-source": source("CSR").pk,
            "funding-1-amount": "75.000.000",
        }
    )

    response = superuser_client.post(url, data)

    assert response.status_code == 302
    program.refresh_from_db()
    assert program.budget_ceiling_revised == 275_000_000
    assert sorted(program.funding.values_list("amount", flat=True)) == [75_000_000, 200_000_000]
    assert set(ProgramFunding.history.values_list("history_user", flat=True)) == {admin_user.pk}


def test_admin_funding_that_does_not_add_up_is_refused_with_nothing_saved(
    superuser_client, program
):
    url, data = _admin_change_data(superuser_client, program)
    data.update(
        {
            "name": "Diubah di admin",
            "funding-0-source": source("APBD").pk,
            "funding-0-amount": "100.000.000",
        }
    )

    response = superuser_client.post(url, data)

    assert response.status_code == 200
    assert "sedangkan pagu yang berlaku Rp250.000.000" in response.content.decode()
    assert Program.objects.get(pk=program.pk).name == "Bedah Rumah"
    assert not program.funding.exists()


def test_admin_adds_a_funding_source_to_the_list(superuser_client):
    response = superuser_client.post(
        reverse("admin:programs_fundingsource_add"),
        {"name": "Bantuan Keuangan Provinsi", "order": 200, "active": "on"},
    )

    assert response.status_code == 302
    assert FundingSource.objects.filter(name="Bantuan Keuangan Provinsi").exists()


# ---- The revised ceiling and absorption -------------------------------------------------


@pytest.fixture
def revised(agency_a):
    """Pagu murni Rp1.000.000.000, revised to Rp800.000.000 in the APBD-P of 15 September
    (TW III); Rp100.000.000 realised in each of the first three quarters."""
    return ProgramFactory(
        agency=agency_a,
        budget_ceiling=1_000_000_000,
        budget_ceiling_revised=800_000_000,
        budget_revised_on=datetime.date(2024, 9, 15),
        budget_revision_reason="Rasionalisasi APBD-P.",
        budget_realized_q1=100_000_000,
        budget_realized_q2=100_000_000,
        budget_realized_q3=100_000_000,
    )


def test_absorption_uses_the_original_ceiling_before_the_revision_and_the_revised_after(revised):
    rows = {
        quarter: programs_with_figures(Program.objects.filter(pk=revised.pk), quarter).get()
        for quarter in (2, 3)
    }

    # As of TW II: 200.000.000 / 1.000.000.000; as of TW III: 300.000.000 / 800.000.000.
    assert (rows[2].ceiling_in_force, rows[2].absorption) == (1_000_000_000, Decimal("20.00"))
    assert (rows[3].ceiling_in_force, rows[3].absorption) == (800_000_000, Decimal("37.50"))
    assert [ceiling_in_force(revised, quarter) for quarter in (1, 2, 3, 4)] == [
        1_000_000_000,
        1_000_000_000,
        800_000_000,
        800_000_000,
    ]


def test_the_programme_page_and_the_python_rule_agree_with_the_sql(revised):
    shown = [(row.ceiling, row.absorption) for row in program_quarters(revised)]

    for quarter, (ceiling, absorption) in enumerate(shown, start=1):
        row = programs_with_figures(Program.objects.filter(pk=revised.pk), quarter).get()
        assert (ceiling, absorption) == (row.ceiling_in_force, row.absorption)


def test_entering_the_revision_changes_the_absorption_shown(opd_a, agency_a):
    program = ProgramFactory(
        agency=agency_a,
        budget_ceiling=1_000_000_000,
        budget_realized_q1=100_000_000,
        budget_realized_q2=100_000_000,
        budget_realized_q3=100_000_000,
    )
    table = reverse("programs:program_list")
    before = html_column(
        opd_a.get(table, {"year": 2024, "quarter": 3, "columns": "all"}), "Serapan anggaran (%)"
    )

    response = opd_a.post(
        reverse("programs:program_edit", args=[program.pk]),
        program_form(
            program,
            budget_ceiling="1.000.000.000",
            budget_ceiling_revised="800.000.000",
            budget_revised_on="2024-09-15",
            budget_revision_reason="Rasionalisasi APBD-P.",
        ),
    )
    after = html_column(
        opd_a.get(table, {"year": 2024, "quarter": 3, "columns": "all"}), "Serapan anggaran (%)"
    )

    assert response.status_code == 302
    assert (before, after) == (["30,00%"], ["37,50%"])
    page = opd_a.get(reverse("programs:program_detail", args=[program.pk])).content.decode()
    assert "Pagu perubahan (APBD-P)" in page and "berlaku mulai TW III" in page


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"budget_ceiling_revised": "400.000.000"}, "budget_revised_on"),
        (
            {
                "budget_ceiling_revised": "400.000.000",
                "budget_revised_on": "2025-01-10",
                "budget_revision_reason": "APBD-P",
            },
            "budget_revised_on",
        ),
        (
            {"budget_ceiling_revised": "400.000.000", "budget_revised_on": "2024-09-15"},
            "budget_revision_reason",
        ),
        ({"budget_revised_on": "2024-09-15"}, "budget_ceiling_revised"),
    ],
)
def test_a_revision_needs_its_ceiling_date_in_the_year_and_reason(opd_a, program, changes, field):
    response = opd_a.post(
        reverse("programs:program_edit", args=[program.pk]), program_form(program, **changes)
    )

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Program.objects.get(pk=program.pk).budget_ceiling_revised is None


def test_a_revision_below_what_was_already_spent_is_refused(revised, opd_a_user):
    with pytest.raises(ValidationError) as refused:
        program_update(program=revised, actor=opd_a_user, budget_ceiling_revised=250_000_000)

    assert "melebihi pagu" in " ".join(refused.value.messages)


def test_a_revision_far_from_the_original_ceiling_is_saved_once_confirmed(opd_a, program):
    url = reverse("programs:program_edit", args=[program.pk])
    revision = {
        "budget_ceiling_revised": "600.000.000",
        "budget_revised_on": "2024-09-15",
        "budget_revision_reason": "APBD-P",
    }

    asked = opd_a.post(url, program_form(program, **revision))

    assert asked.status_code == 200
    assert "Rp600.000.000" in asked.context["form"].errors["budget_ceiling_revised"][0]
    assert Program.objects.get(pk=program.pk).budget_ceiling_revised is None

    confirmed = opd_a.post(url, program_form(program, confirm_unusual="on", **revision))

    assert confirmed.status_code == 302
    assert Program.objects.get(pk=program.pk).budget_ceiling_revised == 600_000_000


def test_the_programmes_export_holds_both_ceilings_and_the_funding(viewer_client, revised):
    for name, amount in (("APBD", 600_000_000), ("DAK Fisik", 200_000_000)):
        ProgramFunding.objects.create(program=revised, source=source(name), amount=amount)

    export = viewer_client.get(
        reverse("programs:program_list"), {"year": revised.year, "quarter": 4, "_export": "csv"}
    )

    header, row = csv_rows(export)
    by_header = dict(zip(header, row, strict=True))
    assert by_header["Pagu (Rp)"] == str(revised.budget_ceiling_revised)
    assert str(revised.budget_ceiling) in row and str(revised.budget_ceiling_revised) in row
    assert by_header["Sumber dana"] == "APBD: 600000000; DAK Fisik: 200000000"
