"""Programme owners beyond the OPDs: village governments (a village operator's Dana Desa
programmes for his own village only), businesses (CSR) and community organisations, under
the same review, locks and access policy, and shown by kind in the leaders' pages."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from bartim.models import Agency, ReviewStatus, User
from programs.models import Program
from programs.services import program_create, program_update
from reports.targeting import targeting_check
from review.services import period_lock, review_transition
from tests.factories import (
    PlanFactory,
    PovertyStatisticFactory,
    ProgramFactory,
    StrategyFactory,
    UserFactory,
    VillageDataFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def government(village_x):
    return Agency.objects.create(
        name="Pemerintah Desa Uji", kind=Agency.Kind.VILLAGE, village=village_x
    )


@pytest.fixture
def operator(government):
    return UserFactory(username="desa_uji", role=User.Role.OPD, agency=government)


def _form(strategy, **extra):
    return {
        "strategy": strategy.pk,
        "year": 2024,
        "name": "BLT-Desa",
        "budget_ceiling": "108.000.000",
        "beneficiary_unit": "kk",
        **extra,
    }


# The organisation


def test_a_village_government_needs_its_village_and_only_it_has_one(village_x):
    with pytest.raises(ValidationError) as missing:
        Agency(name="Pemdes Tanpa Desa", kind=Agency.Kind.VILLAGE).full_clean()
    with pytest.raises(ValidationError) as extra:
        Agency(name="PT Uji", kind=Agency.Kind.BUSINESS, village=village_x).full_clean()

    assert set(missing.value.message_dict) == {"village"}
    assert set(extra.value.message_dict) == {"village"}
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.create(name="Pemdes Tanpa Desa", kind=Agency.Kind.VILLAGE)


def test_the_admin_registers_a_village_government_with_its_village(admin_client, village_x):
    url = reverse("admin:bartim_agency_add")
    base = {"name": "Pemerintah Desa Baru", "abbreviation": "", "code": "", "is_active": "on"}

    refused = admin_client.post(url, {**base, "kind": "village", "village": ""})
    saved = admin_client.post(url, {**base, "kind": "village", "village": village_x.pk})

    assert refused.status_code == 200
    assert "village" in refused.context["adminform"].form.errors
    assert saved.status_code == 302
    assert Agency.objects.get(name="Pemerintah Desa Baru").village == village_x


# A village operator's programmes


def test_a_village_operators_new_programme_starts_with_his_village(client, operator, village_x):
    client.force_login(operator)

    response = client.get(reverse("programs:program_create"))

    assert response.context["form"]["target_villages"].value() == [village_x.pk]


def test_a_village_operator_reports_a_programme_for_his_own_village_only(
    client, operator, government, village_x, village_y, agency_a
):
    strategy = StrategyFactory(number=1)
    client.force_login(operator)
    url = reverse("programs:program_create")

    refused = client.post(url, _form(strategy, target_villages=[village_x.pk, village_y.pk]))
    saved = client.post(url, _form(strategy, agency=agency_a.pk, target_villages=[village_x.pk]))

    assert refused.status_code == 200
    assert "target_villages" in refused.context["form"].errors
    assert saved.status_code == 302
    program = Program.objects.get()
    # His own organisation, whatever was posted, and his own village.
    assert program.agency == government
    assert list(program.target_villages.all()) == [village_x]


def test_the_services_refuse_another_village_for_any_entry_path(
    government, admin_user, agency_a, village_x, village_y
):
    strategy = StrategyFactory(number=1)
    with pytest.raises(ValidationError) as created:
        program_create(
            actor=admin_user,
            agency=government,
            strategy=strategy,
            year=2024,
            name="BLT-Desa",
            target_villages=[village_y],
        )
    opd_programme = ProgramFactory(agency=agency_a, target_villages=[village_y])
    with pytest.raises(ValidationError) as moved:
        program_update(program=opd_programme, actor=admin_user, agency=government)

    assert "target_villages" in created.value.message_dict
    assert "target_villages" in moved.value.message_dict
    assert not Program.objects.filter(agency=government).exists()


def test_the_admin_refuses_another_village_for_a_village_government(
    admin_client, government, village_y
):
    strategy = StrategyFactory(number=1)
    response = admin_client.post(
        reverse("admin:programs_program_add"),
        {
            "agency": government.pk,
            "strategy": strategy.pk,
            "year": 2024,
            "name": "BLT-Desa",
            "budget_ceiling": "0",
            "beneficiary_unit": "kk",
            "status": "draft",
            "target_villages": [village_y.pk],
            **{f"budget_realized_q{q}": "0" for q in (1, 2, 3, 4)},
            **{
                f"{prefix}-{name}": value
                for prefix in ("funding", "indicators")
                for name, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0))
            },
        },
    )

    assert response.status_code == 200
    assert "target_villages" in response.context["adminform"].form.errors
    assert not Program.objects.exists()


def test_a_business_programme_targets_any_village(admin_user, village_x, village_y):
    business = Agency.objects.create(name="PT Uji Lestari", kind=Agency.Kind.BUSINESS)

    program = program_create(
        actor=admin_user,
        agency=business,
        strategy=StrategyFactory(number=2),
        year=2024,
        name="CSR",
        target_villages=[village_x, village_y],
    )

    assert program.target_villages.count() == 2


# The same review and locks


def test_a_village_operators_submitted_plan_waits_in_the_reviewers_queue(
    admin_client, operator, government
):
    plan = PlanFactory(agency=government, name="BLT-Desa")
    review_transition(record=plan, action="submit", actor=operator)

    response = admin_client.get(reverse("review:review_queue"))

    assert plan.pk in {row.record.pk for row, _ticked in response.context["rows"]}
    plan.refresh_from_db()
    assert plan.status == ReviewStatus.SUBMITTED


def test_a_locked_quarter_refuses_a_village_operators_report(
    client, operator, government, admin_user
):
    program = ProgramFactory(agency=government)
    period_lock(year=2024, quarter=1, actor=admin_user)
    client.force_login(operator)

    response = client.post(
        reverse("programs:program_quarter", args=[program.pk, 1]), {"budget_realized": 5}
    )

    assert response.status_code == 403
    program.refresh_from_db()
    assert program.budget_realized_q1 == 0
    with pytest.raises(PermissionDenied):
        program_update(program=program, actor=operator, budget_realized_q1=5)


# The leaders' pages


def test_a_village_government_programme_reaching_a_pocket_counts_in_the_targeting_check(
    government, village_x, viewer_user
):
    StrategyFactory(number=1)
    PovertyStatisticFactory(year=2024, poverty_rate=Decimal("6.66"))
    VillageDataFactory(
        verified=True,
        village=village_x,
        year=2024,
        population=1000,
        households=300,
        poor_people=200,
        poor_households=50,
        extremely_poor_people=0,
    )
    ProgramFactory(
        verified=True,
        name="BLT-Desa",
        agency=government,
        strategy_id=1,
        target_villages=[village_x],
    )

    check = targeting_check(user=viewer_user, year=2024)

    (row,) = check.pockets
    assert row.reached
    assert [ref.name for ref in row.by_strategy[0].programs] == ["BLT-Desa"]


@pytest.fixture
def two_kinds(government, agency_a, village_x):
    strategy = StrategyFactory(number=1)
    for number in (2, 3):
        StrategyFactory(number=number)
    ProgramFactory(
        verified=True,
        name="BLT-Desa",
        agency=government,
        strategy=strategy,
        budget_ceiling=108_000_000,
        target_villages=[village_x],
    )
    for name in ("Bantuan pangan", "Seragam"):
        ProgramFactory(verified=True, name=name, agency=agency_a, strategy=strategy)
    PovertyStatisticFactory(year=2024)


def test_the_dashboard_shows_each_strategys_programmes_by_kind_of_owner(viewer_client, two_kinds):
    with translation.override("en"):
        response = viewer_client.get(reverse("reports:dashboard"), {"year": 2024, "quarter": 4})

    content = " ".join(response.content.decode().split())
    assert 'data-strategy="1" data-kind="opd"' in content
    assert 'data-strategy="1" data-kind="village"' in content
    rows = content.split('data-kind="')[1:]
    village = next(row for row in rows if row.startswith("village"))
    assert '<td class="number" data-figure="programs">1</td>' in village
    assert "Rp108.000.000" in village


def test_the_meeting_workbook_has_the_sheet_by_kind_of_owner(viewer_client, two_kinds):
    viewer_client.post(reverse("set_language"), {"language": "en"})

    response = viewer_client.get(reverse("reports:meeting_report_xlsx", args=[2024]))

    sheet = load_workbook(BytesIO(response.content))["By kind of owner"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[1], row[2], row[3]) for row in rows] == [
        (1, "Regency agency (OPD)", 2, 200_000_000),
        (1, "Village government (pemerintah desa)", 1, 108_000_000),
    ]


def test_the_programmes_table_filters_by_kind_of_owner(viewer_client, two_kinds):
    response = viewer_client.get(
        reverse("programs:program_list"), {"year": 2024, "owner": "village"}
    )
    refused = viewer_client.get(reverse("programs:program_list"), {"year": 2024, "owner": "bank"})

    assert [row.record.name for row in response.context["table"].page.object_list] == ["BLT-Desa"]
    assert "owner" in refused.context["filter"].form.errors
