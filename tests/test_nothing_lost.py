"""Reported data is never removed by deleting what it hangs off (refused through the ORM and
in the admin, in Indonesian, without an error page), and every save and delete, through the
app and the admin, leaves an entry in the audit trail."""

from decimal import Decimal

import pytest
from django.db.models import ProtectedError, RestrictedError
from django.urls import reverse

from bartim.models import Agency, District, Village
from indicators.models import Indicator, IndicatorValue
from programs.models import Program
from programs.services import indicator_save, program_report_quarter, program_update
from tests.factories import (
    IndicatorFactory,
    IndicatorValueFactory,
    ProgramFactory,
    VillageDataFactory,
)
from villages.models import VillageData
from villages.services import village_data_save

pytestmark = pytest.mark.django_db

REFUSED = (ProtectedError, RestrictedError)
# Django's own Indonesian wording on the admin's delete page when protected objects block it.
PROTECTED_PAGE = "memerlukan penghapusan objek terlindungi"


@pytest.fixture
def superuser_client(client, admin_user):
    admin_user.is_superuser = True
    admin_user.save(update_fields=["is_superuser"])
    client.force_login(admin_user)
    return client


@pytest.fixture
def reported(agency_a, village_x):
    """A programme with a quarterly value, a village with its data, both of agency A."""
    program = ProgramFactory(agency=agency_a, name="Bedah Rumah")
    value = IndicatorValueFactory(indicator=IndicatorFactory(program=program), quarter=1)
    data = VillageDataFactory(village=village_x)
    return {"program": program, "value": value, "village_data": data}


def _still_there(reported):
    return (
        Program.objects.filter(pk=reported["program"].pk).exists()
        and IndicatorValue.objects.filter(pk=reported["value"].pk).exists()
        and VillageData.objects.filter(pk=reported["village_data"].pk).exists()
    )


# ---- Through the ORM ---------------------------------------------------------------------


def test_deleting_an_agency_with_programmes_is_refused(reported, agency_a):
    with pytest.raises(REFUSED):
        agency_a.delete()
    with pytest.raises(REFUSED):
        Agency.objects.filter(pk=agency_a.pk).delete()

    assert _still_there(reported)


def test_deleting_a_village_with_village_data_is_refused(reported, village_x):
    with pytest.raises(REFUSED):
        village_x.delete()
    with pytest.raises(REFUSED):
        Village.objects.filter(pk=village_x.pk).delete()

    assert _still_there(reported)


def test_deleting_a_district_with_villages_is_refused(reported, district_x):
    with pytest.raises(REFUSED):
        district_x.delete()

    assert District.objects.filter(pk=district_x.pk).exists()
    assert _still_there(reported)


def test_deleting_a_programme_with_quarterly_values_is_refused(reported):
    program = reported["program"]

    with pytest.raises(REFUSED):
        program.delete()
    with pytest.raises(REFUSED):
        Program.objects.filter(pk=program.pk).delete()
    with pytest.raises(REFUSED):
        reported["value"].indicator.delete()

    assert _still_there(reported)


def test_deleting_a_programme_with_budget_realisation_is_refused(agency_a):
    program = ProgramFactory(agency=agency_a, budget_realized_q2=15_000_000)

    with pytest.raises(ProtectedError, match="Rp15.000.000"):
        program.delete()
    with pytest.raises(ProtectedError):
        Program.objects.filter(agency=agency_a).delete()

    program.refresh_from_db()
    assert program.budget_realized_q2 == 15_000_000


def test_deleting_a_village_that_programmes_target_is_refused(agency_a, village_y):
    program = ProgramFactory(agency=agency_a, target_villages=[village_y])

    with pytest.raises(ProtectedError, match=program.name):
        village_y.delete()
    with pytest.raises(ProtectedError):
        Village.objects.filter(pk=village_y.pk).delete()

    assert list(program.target_villages.all()) == [village_y]


def test_a_programme_without_reported_values_can_still_be_deleted(agency_a):
    program = ProgramFactory(agency=agency_a)
    IndicatorFactory(program=program)

    program.delete()

    assert not Program.objects.exists()
    assert not Indicator.objects.exists()


# ---- In the admin ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("app_label", "model_name", "record", "protected_text"),
    [
        ("programs", "program", lambda r, **_: r["program"], "Indikator"),
        ("indicators", "indicator", lambda r, **_: r["value"].indicator, "Nilai triwulan"),
        ("bartim", "village", lambda r, village_x, **_: village_x, "Pulau Patai (2024)"),
        ("bartim", "agency", lambda r, agency_a, **_: agency_a, "Bedah Rumah"),
    ],
)
def test_admin_delete_page_refuses_in_indonesian_and_keeps_everything(
    superuser_client, reported, village_x, agency_a, app_label, model_name, record, protected_text
):
    obj = record(reported, village_x=village_x, agency_a=agency_a)
    url = reverse(f"admin:{app_label}_{model_name}_delete", args=[obj.pk])

    page = superuser_client.get(url)
    confirmed = superuser_client.post(url, {"post": "yes"})

    for response in (page, confirmed):
        assert response.status_code == 200
        content = response.content.decode()
        assert PROTECTED_PAGE in content
        assert protected_text in content
    assert type(obj).objects.filter(pk=obj.pk).exists()
    assert _still_there(reported)


def test_admin_refuses_a_programme_with_budget_realisation_and_says_what_to_do(
    superuser_client, agency_a
):
    program = ProgramFactory(agency=agency_a, name="Pelatihan Kerja", budget_realized_q1=7_500)
    url = reverse("admin:programs_program_delete", args=[program.pk])

    response = superuser_client.post(url, {"post": "yes"})

    content = response.content.decode()
    assert response.status_code == 200
    assert PROTECTED_PAGE in content
    assert "Pelatihan Kerja (2024) memiliki realisasi anggaran Rp7.500" in content
    assert "tidak pernah dihapus" in content
    assert Program.objects.filter(pk=program.pk).exists()


def test_admin_bulk_delete_of_programmes_refuses_them_all(superuser_client, reported, agency_a):
    empty = ProgramFactory(agency=agency_a)

    response = superuser_client.post(
        reverse("admin:programs_program_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [reported["program"].pk, empty.pk],
            "post": "yes",
        },
    )

    assert response.status_code == 200
    assert PROTECTED_PAGE in response.content.decode()
    assert Program.objects.count() == 2


def test_admin_refuses_a_village_that_a_programme_targets(superuser_client, agency_a, village_y):
    ProgramFactory(agency=agency_a, name="Air Bersih", target_villages=[village_y])

    response = superuser_client.post(
        reverse("admin:bartim_village_delete", args=[village_y.pk]), {"post": "yes"}
    )

    content = response.content.decode()
    assert PROTECTED_PAGE in content
    assert "Jango adalah desa sasaran program Air Bersih (2024)" in content
    assert Village.objects.filter(pk=village_y.pk).exists()


def test_admin_tells_to_retire_an_agency_instead(superuser_client, reported, agency_a):
    response = superuser_client.get(reverse("admin:bartim_agency_delete", args=[agency_a.pk]))

    assert "Nonaktifkan perangkat daerah terpilih" in response.content.decode()


# ---- The audit trail ---------------------------------------------------------------------


def _last(history_manager, **lookup):
    return history_manager.filter(**lookup).order_by("-history_date", "-history_id").first()


def test_every_save_through_the_services_is_recorded_with_its_user(
    opd_a_user, camat_x_user, agency_a, village_x
):
    program = ProgramFactory(agency=agency_a)
    program_update(program=program, actor=opd_a_user, name="Nama baru")
    indicator = indicator_save(
        program=program,
        actor=opd_a_user,
        name="Rumah diperbaiki",
        unit="unit",
        direction="up",
        aggregation="sum",
        baseline=Decimal(0),
        target=Decimal(40),
    )
    program_report_quarter(
        program=program, quarter=1, actor=opd_a_user, budget_realized=10, realized={indicator.pk: 5}
    )
    data = village_data_save(
        actor=camat_x_user,
        village=village_x,
        year=2024,
        population=100,
        households=30,
        poor_households=3,
        poor_people=9,
        extremely_poor_people=1,
    )

    entries = [
        _last(Program.history, id=program.pk),
        _last(Indicator.history, id=indicator.pk),
        _last(IndicatorValue.history, indicator_id=indicator.pk, quarter=1),
        _last(VillageData.history, id=data.pk),
    ]
    assert [entry.history_user for entry in entries] == [opd_a_user] * 3 + [camat_x_user]
    assert entries[0].budget_realized_q1 == 10
    assert entries[2].realized == 5


def test_admin_saves_and_deletes_are_recorded_with_their_user(
    superuser_client, admin_user, agency_a, village_x
):
    program = ProgramFactory(agency=agency_a)
    indicator = IndicatorFactory(program=program)
    value = IndicatorValueFactory(indicator=indicator, quarter=2, realized=Decimal("4"))
    data = VillageDataFactory(village=village_x)

    change_url = reverse("admin:indicators_indicatorvalue_change", args=[value.pk])
    superuser_client.post(
        change_url,
        {"indicator": indicator.pk, "quarter": 2, "target": "", "realized": "6"},
    )
    for app_label, model_name, pk in [
        ("indicators", "indicatorvalue", value.pk),
        ("villages", "villagedata", data.pk),
        ("programs", "program", program.pk),
    ]:
        response = superuser_client.post(
            reverse(f"admin:{app_label}_{model_name}_delete", args=[pk]), {"post": "yes"}
        )
        assert response.status_code == 302, (model_name, response.content.decode()[:500])

    changed = IndicatorValue.history.filter(id=value.pk, history_type="~").get()
    assert (changed.realized, changed.history_user) == (6, admin_user)
    deletions = [
        _last(IndicatorValue.history, id=value.pk),
        _last(VillageData.history, id=data.pk),
        _last(Program.history, id=program.pk),
        _last(Indicator.history, id=indicator.pk),
    ]
    assert [(d.history_type, d.history_user) for d in deletions] == [("-", admin_user)] * 4


def test_a_deletion_in_the_admin_appears_on_the_audit_page(superuser_client, village_x):
    data = VillageDataFactory(village=village_x, poor_people=77)
    superuser_client.post(
        reverse("admin:villages_villagedata_delete", args=[data.pk]), {"post": "yes"}
    )

    page = superuser_client.get(reverse("review:audit")).content.decode()

    assert "dihapus" in page
    assert "admin" in page


def test_target_villages_changed_in_the_app_are_in_the_history(
    client, opd_a_user, agency_a, village_x, village_y
):
    program = ProgramFactory(agency=agency_a, name="Air Bersih", target_villages=[village_x])
    client.force_login(opd_a_user)
    client.post(
        reverse("programs:program_edit", args=[program.pk]),
        {
            "strategy": program.strategy_id,
            "year": program.year,
            "name": program.name,
            "budget_ceiling": program.budget_ceiling,
            "beneficiary_unit": "kk",
            "target_villages": [village_y.pk],
            "seen_version": program.version,
        },
    )

    row = _last(Program.history, id=program.pk)
    page = client.get(reverse("review:program_history", args=[program.pk])).content.decode()

    assert row.history_user == opd_a_user
    assert [link.village for link in row.target_villages.all()] == [village_y]
    assert Program.history.filter(id=program.pk, history_user=opd_a_user).count() == 1
    assert "Pulau Patai → Jango" in page


def test_target_villages_changed_in_the_admin_are_in_the_history(
    superuser_client, admin_user, agency_a, village_x, village_y
):
    program = ProgramFactory(agency=agency_a, target_villages=[village_x])
    url = reverse("admin:programs_program_change", args=[program.pk])
    form = superuser_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if name != "target_villages"}
    data = {name: "" if value is None else value for name, value in data.items()}
    data.update(
        {
            "target_villages": [village_x.pk, village_y.pk],
            "indicators-TOTAL_FORMS": 0,
            "indicators-INITIAL_FORMS": 0,
            "funding-TOTAL_FORMS": 0,
            "funding-INITIAL_FORMS": 0,
        }
    )

    response = superuser_client.post(url, data)

    assert response.status_code == 302
    rows = list(Program.history.filter(id=program.pk, history_user=admin_user))
    latest = _last(Program.history, id=program.pk)
    # The admin saves through program_update, as the app's form does: one row holds the
    # fields and the new set of villages together.
    assert len(rows) == 1
    assert {link.village for link in latest.target_villages.all()} == {village_x, village_y}
