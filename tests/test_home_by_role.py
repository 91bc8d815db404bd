"""The home page (/) by role: each starts from its own work, and the dashboard stays open to
everyone at /dashboard/."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from bartim.models import Deadline
from programs.services import quarter_report
from review.services import review_transition
from tests.factories import PlanFactory, ProgramFactory, VillageDataFactory, VillageFactory

pytestmark = pytest.mark.django_db

HOME = reverse("home:home")


@pytest.fixture
def approved_plan(agency_a, opd_a_user, admin_user):
    plan = PlanFactory(agency=agency_a, name="Bedah Rumah", year=2024)
    review_transition(record=plan, action="submit", actor=opd_a_user)
    return review_transition(record=plan, action="approve", actor=admin_user)


def test_an_agency_sees_its_programmes_quarters_and_the_returned_reason(
    client, approved_plan, opd_a_user, admin_user, agency_b
):
    ProgramFactory(agency=agency_b, name="Program Dinas Lain", year=2024)
    q1 = review_transition(
        record=quarter_report(program=approved_plan, quarter=1), action="submit", actor=opd_a_user
    )
    review_transition(record=q1, action="return", actor=admin_user, reason="Foto kegiatan kurang")
    client.force_login(opd_a_user)

    response = client.get(HOME)

    content = response.content.decode()
    assert "Bedah Rumah" in content and "Program Dinas Lain" not in content
    assert "Foto kegiatan kurang" in content
    (item,) = response.context["work"]
    assert [state.label for _label, state in item.quarters] == [
        "Dikembalikan", "Belum dimulai", "Belum dimulai", "Belum dimulai",
    ]  # fmt: skip
    # The next task is the returned quarter, one click away.
    assert item.next_url == reverse(
        "programs:program_quarter", kwargs={"pk": approved_plan.pk, "quarter": 1}
    )
    assert f'href="{item.next_url}"' in content


def test_an_agency_with_a_draft_plan_is_sent_to_the_plan(client, agency_a, opd_a_user):
    plan = ProgramFactory(agency=agency_a, name="Rencana Baru", year=2024)
    client.force_login(opd_a_user)

    (item,) = client.get(HOME).context["work"]

    assert item.next_url == plan.get_absolute_url()


def test_a_camat_sees_his_villages_and_enters_the_missing_data(
    client, camat_x_user, admin_user, village_x, village_y, district_x
):
    other = VillageFactory(district=district_x, code="62.13.01.2004", name="Sarapat")
    data = VillageDataFactory(village=village_x, year=2024)
    review_transition(record=data, action="submit", actor=camat_x_user)
    review_transition(record=data, action="return", actor=admin_user, reason="Jumlah KK keliru")
    client.force_login(camat_x_user)

    response = client.get(HOME)

    content = response.content.decode()
    states = {item.village.name: item.state for item in response.context["work"]}
    assert set(states) == {"Pulau Patai", "Sarapat"}  # not Jango, of another kecamatan
    assert states["Pulau Patai"].url == reverse("villages:village_data_edit", args=[data.pk])
    assert "Jumlah KK keliru" in content
    assert states["Sarapat"].url == (
        reverse("villages:village_data_create") + f"?village={other.code}&year=2024"
    )
    entry = client.get(states["Sarapat"].url)
    assert entry.status_code == 200


def test_the_administrator_sees_what_waits_by_kind_linking_to_the_filtered_queue(
    client, approved_plan, admin_user, opd_a_user, agency_a
):
    review_transition(record=PlanFactory(agency=agency_a), action="submit", actor=opd_a_user)
    client.force_login(admin_user)

    response = client.get(HOME)

    waiting = {url: count for _label, count, url in response.context["waiting"]}
    plans_url = reverse("review:review_queue") + "?kind=plan"
    assert waiting[plans_url] == 1
    assert f'href="{plans_url}"' in response.content.decode()
    assert len(client.get(plans_url).context["rows"]) == 1


def test_a_viewer_gets_the_dashboard_which_stays_open_to_everyone(client, viewer_user, opd_a_user):
    client.force_login(viewer_user)
    viewer_home = client.get(HOME)
    client.force_login(opd_a_user)
    dashboard = client.get(reverse("reports:dashboard"))

    assert "reports/dashboard.html" in [t.name for t in viewer_home.templates]
    assert dashboard.status_code == 200
    assert "reports/dashboard.html" in [t.name for t in dashboard.templates]


@pytest.mark.parametrize("count", [2, 12])
def test_an_agency_home_reads_a_fixed_number_of_queries(
    client, agency_a, opd_a_user, admin_user, count, django_assert_max_num_queries
):
    for number in range(count):
        plan = PlanFactory(agency=agency_a, name=f"Program {number}", year=2024)
        review_transition(record=plan, action="submit", actor=opd_a_user)
        review_transition(record=plan, action="approve", actor=admin_user)
        review_transition(
            record=quarter_report(program=plan, quarter=1), action="submit", actor=opd_a_user
        )
    client.force_login(opd_a_user)

    with django_assert_max_num_queries(12):
        response = client.get(HOME)

    assert len(response.context["work"]) == count


def test_an_agency_sees_the_next_deadline_that_has_not_passed(
    client, approved_plan, opd_a_user, admin_user
):
    client.force_login(opd_a_user)
    all_passed = client.get(HOME).content.decode()
    soon = timezone.localdate() + datetime.timedelta(days=12)
    Deadline.objects.create(year=2024, quarter=4, due_date=soon, updated_by=admin_user)

    page = client.get(HOME).content.decode()

    # 2024's default deadlines (the 10th day after each quarter) have all passed.
    assert 'id="next-deadline"' not in all_passed
    assert date_format(soon, "j F Y") in page
