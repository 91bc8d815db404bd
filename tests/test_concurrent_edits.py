"""Two people change the same record at once: the second save is refused with who changed it
and when (WIB), the form keeps his input, and the database keeps the first save."""

import re
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bartim.models import User
from helpers.concurrency import EditConflict, claim_version
from helpers.forms import NumberTextInput
from indicators.models import IndicatorValue
from programs.models import Program
from programs.services import program_create, program_update
from tests.factories import (
    IndicatorFactory,
    IndicatorValueFactory,
    ProgramFactory,
    StrategyFactory,
    UserFactory,
    VillageDataFactory,
)
from villages.forms import VILLAGE_DATA_FIELDS
from villages.models import VillageData
from villages.services import village_data_save

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
    url = reverse("programs:program_edit", args=[program.pk])
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
    url = reverse("programs:program_edit", args=[program.pk])
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
    url = reverse("programs:program_quarter", args=[program.pk, 2])
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
    edit_url = reverse("programs:program_edit", args=[program.pk])
    quarter_url = reverse("programs:program_quarter", args=[program.pk, 1])
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
    url = reverse("villages:village_data_edit", args=[record.pk])
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
        reverse("programs:program_edit", args=[program.pk]), _program_data(program, name="Lain")
    )

    assert response.status_code == 200
    assert "Formulir ini sudah kedaluwarsa" in response.content.decode()
    program.refresh_from_db()
    assert program.name == "Bedah Rumah"


@pytest.mark.parametrize("garbage", ["abc", "-1", "0", "1e309", "9" * 40, "<b>1</b>"])
def test_a_forged_version_saves_nothing_and_says_why(opd_a_user, agency_a, garbage):
    program = ProgramFactory(agency=agency_a, name="Bedah Rumah")
    client = _signed_in(opd_a_user)

    response = client.post(
        reverse("programs:program_edit", args=[program.pk]),
        _program_data(program, name="Lain", seen_version=garbage),
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Formulir ini sudah kedaluwarsa" in content or "Diubah oleh" in content
    program.refresh_from_db()
    assert program.name == "Bedah Rumah"


def test_every_save_raises_the_version(opd_a_user, agency_a):
    program = ProgramFactory(agency=agency_a)
    indicator = IndicatorFactory(program=program)
    client = _signed_in(opd_a_user)
    versions = [Program.objects.get(pk=program.pk).version]

    for url, data in [
        (reverse("programs:program_edit", args=[program.pk]), _program_data(program)),
        (reverse("programs:program_quarter", args=[program.pk, 3]), {"budget_realized": 5}),
        (
            reverse("programs:indicator_edit", args=[program.pk, indicator.pk]),
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


# ---- The Django admin's change forms ---------------------------------------------------


def _admin_form_data(response) -> dict:
    """What the browser posts back: every field of the change form and its inlines as the
    page rendered them."""
    data = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        if name in form.initial or field.initial is not None:
            data[name] = _as_rendered(form[name])
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for inline_form in formset.formset.initial_forms:
            for name in inline_form.fields:
                data[inline_form.add_prefix(name)] = _as_rendered(inline_form[name])
    return data


def _as_rendered(bound_field):
    """A field's value as its input shows it: a number as people write it (1.250,75)."""
    value = bound_field.value()
    if isinstance(bound_field.field.widget, NumberTextInput):
        value = bound_field.field.widget.format_value(value)
    return "" if value is None else value


@pytest.fixture
def two_admins(db):
    return [
        UserFactory(
            username=username,
            role=User.Role.ADMIN,
            is_staff=True,
            is_superuser=True,
            first_name=first,
        )
        for username, first in [("admin1", "Rina"), ("admin2", "Yusuf")]
    ]


def test_second_admin_save_of_a_programme_is_refused(two_admins, agency_a):
    program = ProgramFactory(agency=agency_a, name="Bedah Rumah", budget_ceiling=500_000_000)
    IndicatorFactory(program=program)
    url = reverse("admin:programs_program_change", args=[program.pk])
    first, second = (_signed_in(user) for user in two_admins)
    first_data, second_data = _admin_form_data(first.get(url)), _admin_form_data(second.get(url))

    saved = first.post(url, {**first_data, "name": "Bedah Rumah Layak Huni"})
    refused = second.post(url, {**second_data, "budget_ceiling": 750_000_000})

    assert saved.status_code == 302
    assert refused.status_code == 200
    program.refresh_from_db()
    assert (program.name, program.budget_ceiling) == ("Bedah Rumah Layak Huni", 500_000_000)
    page = refused.content.decode()
    assert f"Diubah oleh Rina pada {_wib(program.updated_at)}" in page
    assert 'value="750000000"' in page
    # Saving the reviewed form again goes through.
    again = second.post(url, _admin_form_data(refused))
    assert again.status_code == 302
    program.refresh_from_db()
    assert program.budget_ceiling == 750_000_000


def test_second_admin_save_of_village_data_is_refused(two_admins, village_x):
    record = VillageDataFactory(village=village_x, poor_people=90)
    url = reverse("admin:villages_villagedata_change", args=[record.pk])
    first, second = (_signed_in(user) for user in two_admins)
    first_data, second_data = _admin_form_data(first.get(url)), _admin_form_data(second.get(url))

    first.post(url, {**first_data, "poor_people": 120})
    refused = second.post(url, {**second_data, "poor_people": 95})

    assert refused.status_code == 200
    assert "Diubah oleh Rina" in refused.content.decode()
    record.refresh_from_db()
    assert record.poor_people == 120


def test_a_quarterly_value_saved_in_the_admin_refuses_an_open_quarter_form(
    two_admins, opd_a_user, agency_a
):
    program = ProgramFactory(agency=agency_a)
    value = IndicatorValueFactory(indicator=IndicatorFactory(program=program), realized=10)
    quarter_url = reverse("programs:program_quarter", args=[program.pk, 1])
    reporter, admin = _signed_in(opd_a_user), _signed_in(two_admins[0])
    stale = _seen_version(reporter.get(quarter_url))
    admin_url = reverse("admin:indicators_indicatorvalue_change", args=[value.pk])
    admin.post(admin_url, {**_admin_form_data(admin.get(admin_url)), "realized": "40"})

    refused = reporter.post(
        quarter_url,
        {"budget_realized": 0, f"realized_{value.indicator_id}": "11", "seen_version": stale},
    )

    assert "Diubah oleh Rina" in refused.content.decode()
    value.refresh_from_db()
    assert value.realized == 40


# ---- The rule itself ---------------------------------------------------------------------


def test_a_stale_version_is_refused_by_the_service_too(opd_a_user, colleague, agency_a):
    program = ProgramFactory(agency=agency_a, name="Bedah Rumah")
    program_update(program=program, actor=colleague, name="Bedah Rumah 2", seen_version=1)

    with pytest.raises(EditConflict) as refused:
        program_update(program=program, actor=opd_a_user, name="Bedah Rumah 3", seen_version=1)

    assert refused.value.changed_by == colleague
    assert Program.objects.get(pk=program.pk).name == "Bedah Rumah 2"


@pytest.mark.django_db(transaction=True)
def test_two_saves_racing_from_one_version_let_exactly_one_through(agency_a, opd_a_user):
    """Two transactions claim the same version at the same moment, each on its own database
    connection: the second waits for the first's row lock and is then refused."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's test database is one in-memory connection; no real race")
    program = ProgramFactory(agency=agency_a)
    first_claimed, second_started = threading.Event(), threading.Event()
    outcome = {}

    def first():
        try:
            with transaction.atomic():
                claim_version(Program, pk=program.pk, seen_version=1, actor=opd_a_user)
                first_claimed.set()
                second_started.wait(5)
                time.sleep(0.3)  # the second is now blocked on the row lock
            outcome["first"] = "saved"
        finally:
            connection.close()

    def second():
        first_claimed.wait(5)
        second_started.set()
        try:
            with transaction.atomic():
                claim_version(Program, pk=program.pk, seen_version=1, actor=opd_a_user)
            outcome["second"] = "saved"
        except EditConflict:
            outcome["second"] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert outcome == {"first": "saved", "second": "refused"}
    assert Program.objects.get(pk=program.pk).version == 2


def test_the_second_of_two_simultaneous_new_records_for_a_village_year_gets_a_message(
    camat_x_user, village_x, monkeypatch
):
    figures = {
        "population": 500,
        "households": 150,
        "poor_households": 20,
        "poor_people": 60,
        "extremely_poor_people": 5,
    }
    village_data_save(actor=camat_x_user, village=village_x, year=2025, **figures)
    # The second camat's checks ran before the first record was committed, so they passed.
    monkeypatch.setattr(VillageData, "validate_unique", lambda self, exclude=None: None)
    monkeypatch.setattr(VillageData, "validate_constraints", lambda self, exclude=None: None)

    with pytest.raises(ValidationError) as refused:
        village_data_save(
            actor=camat_x_user, village=village_x, year=2025, **{**figures, "population": 900}
        )

    assert "2025" in refused.value.messages[0]
    assert "baru saja" in refused.value.messages[0]
    kept = VillageData.objects.get(village=village_x, year=2025)
    assert kept.population == 500


def test_the_second_of_two_simultaneous_new_programmes_with_one_name_gets_a_message(
    opd_a_user, monkeypatch
):
    strategy = StrategyFactory(number=1)
    first = program_create(
        actor=opd_a_user, strategy=strategy, year=2025, name="Bedah Rumah", budget_ceiling=5
    )
    # The second operator's checks ran before the first programme was committed.
    monkeypatch.setattr(Program, "validate_unique", lambda self, exclude=None: None)
    monkeypatch.setattr(Program, "validate_constraints", lambda self, exclude=None: None)

    with pytest.raises(ValidationError) as refused:
        program_create(
            actor=opd_a_user, strategy=strategy, year=2025, name="Bedah Rumah", budget_ceiling=9
        )

    assert "baru saja" in refused.value.messages[0]
    assert list(Program.objects.values_list("pk", "budget_ceiling")) == [(first.pk, 5)]
