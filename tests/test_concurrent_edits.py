"""Two people change the same record at once: the second save is refused with who changed it
and when (WIB), the form keeps his input, and the database keeps the first save."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bartim.models import User
from entry.forms import VILLAGE_DATA_FIELDS
from indicators.models import IndicatorValue
from programs.models import Program

from .factories import (
    IndicatorFactory,
    IndicatorValueFactory,
    ProgramFactory,
    UserFactory,
    VillageDataFactory,
)

pytestmark = pytest.mark.django_db

MONTHS_ID = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _seen_version(page) -> str:
    match = re.search(r'name="seen_version" value="(\d+)"', page.content.decode())
    assert match, "the form carries the version it was opened at"
    return match.group(1)


def _wib(moment) -> str:
    """How the message writes a time: 29 Nov 2026 10:15 WIB, computed here from the record."""
    local = timezone.localtime(moment)
    return f"{local.day} {MONTHS_ID[local.month - 1]} {local.year} {local:%H:%M} WIB"


@pytest.fixture
def colleague(agency_a):
    """A second operator of the same OPD, who may change the same programmes."""
    return UserFactory(
        username="opd_a2", role=User.Role.OPD, agency=agency_a, first_name="Siti", last_name="Rahma"
    )


def _program_data(program, **changes):
    data = {
        "strategy": program.strategy_id,
        "year": program.year,
        "name": program.name,
        "description": program.description,
        "budget_ceiling": program.budget_ceiling,
        "beneficiary_target": "",
        "beneficiary_unit": program.beneficiary_unit,
    }
    return {**data, **changes}


def test_second_programme_save_is_refused_with_who_and_when(opd_a_user, colleague, agency_a):
    program = ProgramFactory(agency=agency_a, name="Bedah Rumah", budget_ceiling=500_000_000)
    url = reverse("entry:program_edit", args=[program.pk])
    first, second = _signed_in(colleague), _signed_in(opd_a_user)
    first_version = _seen_version(first.get(url))
    second_version = _seen_version(second.get(url))

    saved = first.post(
        url, _program_data(program, name="Bedah Rumah Layak Huni", seen_version=first_version)
    )
    refused = second.post(
        url, _program_data(program, budget_ceiling=750_000_000, seen_version=second_version)
    )

    assert saved.status_code == 302
    assert refused.status_code == 200
    program.refresh_from_db()
    assert program.name == "Bedah Rumah Layak Huni"
    assert program.budget_ceiling == 500_000_000
    page = refused.content.decode()
    assert f"Diubah oleh Siti Rahma pada {_wib(program.updated_at)}" in page
    assert "simpan lagi" in page
    # His input is kept, and the current value he would overwrite is shown to review.
    assert 'value="750000000"' in page
    assert "Bedah Rumah Layak Huni" in page


def test_after_review_the_second_save_goes_through(opd_a_user, colleague, agency_a):
    program = ProgramFactory(agency=agency_a, name="Bedah Rumah")
    url = reverse("entry:program_edit", args=[program.pk])
    first, second = _signed_in(colleague), _signed_in(opd_a_user)
    stale = _seen_version(second.get(url))
    first.post(url, _program_data(program, name="Bedah Rumah 2", seen_version=stale))
    refused = second.post(url, _program_data(program, name="Bedah Rumah 3", seen_version=stale))

    again = second.post(
        url, _program_data(program, name="Bedah Rumah 3", seen_version=_seen_version(refused))
    )

    assert again.status_code == 302
    program.refresh_from_db()
    assert program.name == "Bedah Rumah 3"
    assert program.updated_by == opd_a_user


def test_second_quarter_report_is_refused_and_the_first_values_stay(
    opd_a_user, colleague, agency_a
):
    program = ProgramFactory(agency=agency_a, budget_ceiling=100_000_000)
    indicator = IndicatorFactory(program=program)
    IndicatorValueFactory(indicator=indicator, quarter=2, realized=Decimal("10"))
    url = reverse("entry:program_quarter", args=[program.pk, 2])
    first, second = _signed_in(colleague), _signed_in(opd_a_user)
    first_version = _seen_version(first.get(url))
    second_version = _seen_version(second.get(url))

    first.post(
        url,
        {
            "budget_realized": 20_000_000,
            f"realized_{indicator.pk}": "35",
            "seen_version": first_version,
        },
    )
    refused = second.post(
        url,
        {
            "budget_realized": 5_000_000,
            f"realized_{indicator.pk}": "12",
            "seen_version": second_version,
        },
    )

    assert refused.status_code == 200
    program.refresh_from_db()
    assert program.budget_realized_q2 == 20_000_000
    assert IndicatorValue.objects.get(indicator=indicator, quarter=2).realized == 35
    page = refused.content.decode()
    assert f"Diubah oleh Siti Rahma pada {_wib(program.updated_at)}" in page
    assert 'value="5000000"' in page
    assert "20.000.000" in page


def test_a_quarter_saved_meanwhile_refuses_a_programme_form_opened_before(
    opd_a_user, colleague, agency_a
):
    program = ProgramFactory(agency=agency_a, name="Bedah Rumah")
    edit_url = reverse("entry:program_edit", args=[program.pk])
    quarter_url = reverse("entry:program_quarter", args=[program.pk, 1])
    editor, reporter = _signed_in(opd_a_user), _signed_in(colleague)
    stale = _seen_version(editor.get(edit_url))
    reporter.post(
        quarter_url,
        {"budget_realized": 1_000, "seen_version": _seen_version(reporter.get(quarter_url))},
    )

    refused = editor.post(
        edit_url, _program_data(program, name="Bedah Rumah X", seen_version=stale)
    )

    assert refused.status_code == 200
    assert "Diubah oleh Siti Rahma" in refused.content.decode()
    program.refresh_from_db()
    assert (program.name, program.budget_realized_q1) == ("Bedah Rumah", 1_000)


def test_second_village_data_save_is_refused_with_who_and_when(camat_x_user, admin_user, village_x):
    admin_user.first_name, admin_user.last_name = "Budi", "Santoso"
    admin_user.save()
    record = VillageDataFactory(village=village_x, year=2024, poor_people=90)
    url = reverse("entry:village_data_edit", args=[record.pk])
    first, second = _signed_in(admin_user), _signed_in(camat_x_user)
    first_version = _seen_version(first.get(url))
    second_version = _seen_version(second.get(url))
    data = {
        "village": village_x.pk,
        "year": 2024,
        "population": 1000,
        "households": 300,
        "poor_households": 30,
        "extremely_poor_people": 10,
        **dict.fromkeys(VILLAGE_DATA_FIELDS[5:], 0),
    }

    saved = first.post(url, {**data, "poor_people": 120, "seen_version": first_version})
    refused = second.post(url, {**data, "poor_people": 95, "seen_version": second_version})

    assert saved.status_code == 302
    assert refused.status_code == 200
    record.refresh_from_db()
    assert record.poor_people == 120
    assert record.updated_by == admin_user
    page = refused.content.decode()
    assert f"Diubah oleh Budi Santoso pada {_wib(record.updated_at)}" in page
    assert 'value="95"' in page
    assert "120" in page


def test_a_form_without_its_version_saves_nothing(opd_a_user, agency_a):
    program = ProgramFactory(agency=agency_a, name="Bedah Rumah")
    client = _signed_in(opd_a_user)

    response = client.post(
        reverse("entry:program_edit", args=[program.pk]), _program_data(program, name="Lain")
    )

    assert response.status_code == 200
    assert "Formulir ini sudah kedaluwarsa" in response.content.decode()
    program.refresh_from_db()
    assert program.name == "Bedah Rumah"


def test_every_save_raises_the_version(opd_a_user, agency_a):
    program = ProgramFactory(agency=agency_a)
    indicator = IndicatorFactory(program=program)
    client = _signed_in(opd_a_user)
    versions = [Program.objects.get(pk=program.pk).version]

    for url, data in [
        (reverse("entry:program_edit", args=[program.pk]), _program_data(program)),
        (reverse("entry:program_quarter", args=[program.pk, 3]), {"budget_realized": 5}),
        (
            reverse("entry:indicator_edit", args=[program.pk, indicator.pk]),
            {
                "name": "Rumah diperbaiki",
                "unit": "unit",
                "direction": "up",
                "aggregation": "sum",
                "baseline": "0",
                "target": "40",
            },
        ),
    ]:
        response = client.post(url, {**data, "seen_version": versions[-1]})
        assert response.status_code == 302, response.content.decode()[:2000]
        versions.append(Program.objects.get(pk=program.pk).version)

    assert versions == [versions[0] + step for step in range(4)]
