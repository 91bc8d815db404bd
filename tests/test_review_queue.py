"""The review queue (/review/): filters, choosing every record shown, the selection and the
reason kept after a refusal, and approving or returning many with one reason, all or none."""

import pytest
from django.urls import reverse

from bartim.models import ReviewAction, ReviewStatus
from programs.models import Program
from programs.services import quarter_report
from review import views
from review.services import review_transition
from tests.factories import PlanFactory, VillageDataFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("review:review_queue")


@pytest.fixture
def waiting(agency_a, agency_b, opd_a_user, opd_b_user, camat_x_user, admin_user, village_x):
    """A submitted plan of each agency (2024 and 2025), a submitted quarter report (TW II of an
    approved plan of agency A) and submitted village data of kecamatan X."""
    plan_a = PlanFactory(agency=agency_a, name="Bedah Rumah", year=2024)
    plan_b = PlanFactory(agency=agency_b, name="Posyandu Keliling", year=2025)
    approved = PlanFactory(agency=agency_a, name="Seragam Sekolah", year=2024)
    review_transition(record=plan_a, action="submit", actor=opd_a_user)
    review_transition(record=plan_b, action="submit", actor=opd_b_user)
    review_transition(record=approved, action="submit", actor=opd_a_user)
    review_transition(record=approved, action="approve", actor=admin_user)
    report = review_transition(
        record=quarter_report(program=approved, quarter=2), action="submit", actor=opd_a_user
    )
    data = VillageDataFactory(village=village_x)
    review_transition(record=data, action="submit", actor=camat_x_user)
    return {"plan_a": plan_a, "plan_b": plan_b, "report": report, "data": data}


def _listed(response):
    """The records the page offers to choose, as (field, pk)."""
    return {(row.field, row.record.pk) for row, _ticked in response.context["rows"]}


@pytest.mark.parametrize(
    "query, expected",
    [
        ({}, {"plan_a", "plan_b", "report", "data"}),
        ({"kind": "plan"}, {"plan_a", "plan_b"}),
        ({"kind": "quarter_report"}, {"report"}),
        ({"kind": "village_data"}, {"data"}),
        ({"year": "2025"}, {"plan_b"}),
        ({"quarter": "2"}, {"report"}),
        ({"quarter": "3"}, set()),
    ],
)
def test_filters_narrow_the_queue(admin_client, waiting, query, expected):
    response = admin_client.get(QUEUE, query)

    assert response.status_code == 200
    assert _listed(response) == {
        (("quarter_report" if name == "report" else "village_data" if name == "data"
          else "program"), waiting[name].pk)
        for name in expected
    }  # fmt: skip


def test_agency_and_district_filters_keep_the_kinds_they_apply_to(
    admin_client, waiting, agency_a, district_x
):
    by_agency = admin_client.get(QUEUE, {"agency": agency_a.pk})
    by_district = admin_client.get(QUEUE, {"district": district_x.pk})

    assert _listed(by_agency) == {
        ("program", waiting["plan_a"].pk),
        ("quarter_report", waiting["report"].pk),
    }
    assert _listed(by_district) == {("village_data", waiting["data"].pk)}


def test_a_contradictory_or_bad_filter_is_a_clear_message(admin_client, waiting, agency_a):
    contradictory = admin_client.get(QUEUE, {"kind": "village_data", "agency": agency_a.pk})
    bad_year = admin_client.get(QUEUE, {"year": "dua ribu"})

    assert contradictory.status_code == 400
    assert "Data desa tidak memiliki perangkat daerah" in contradictory.content.decode()
    assert bad_year.status_code == 400
    assert "Masukkan keseluruhan angka" in bad_year.content.decode()


def test_revision_requests_are_listed_but_not_chosen_in_bulk(
    admin_client, waiting, opd_a_user, admin_user
):
    plan = waiting["plan_a"]
    review_transition(record=plan, action="approve", actor=admin_user)
    review_transition(record=plan, action="revise", actor=opd_a_user, reason="Tambah desa")

    page = admin_client.get(QUEUE, {"kind": "revision"})

    rows = [row for row, _ticked in page.context["rows"]]
    assert [row.record.pk for row in rows] == [plan.pk]
    assert f'name="program" value="{plan.pk}"' not in page.content.decode()


def test_bulk_return_gives_each_record_the_one_reason(admin_client, waiting):
    response = admin_client.post(
        QUEUE,
        {
            "action": "return",
            "reason": "Lampirkan bukti kegiatan",
            "program": [waiting["plan_a"].pk, waiting["plan_b"].pk],
            "village_data": [waiting["data"].pk],
        },
        follow=True,
    )

    for name in ("plan_a", "plan_b", "data"):
        waiting[name].refresh_from_db()
        assert waiting[name].status == ReviewStatus.RETURNED
        assert waiting[name].review_events.latest("pk").reason == "Lampirkan bukti kegiatan"
    assert "3 dikembalikan" in response.content.decode()


def test_apply_to_all_shown_approves_exactly_the_records_the_page_showed(admin_client, waiting):
    page = admin_client.get(QUEUE, {"kind": "plan"})
    shown = [row.record.pk for row, _ticked in page.context["rows"]]

    response = admin_client.post(
        f"{QUEUE}?kind=plan",
        {"action": "approve", "all_shown": "on", "shown_program": shown},
        follow=True,
    )

    statuses = dict(Program.objects.values_list("pk", "status"))
    assert {statuses[pk] for pk in shown} == {ReviewStatus.APPROVED}
    waiting["report"].refresh_from_db()
    waiting["data"].refresh_from_db()
    assert waiting["report"].status == waiting["data"].status == ReviewStatus.SUBMITTED
    assert "2 disetujui" in response.content.decode()
    # The filters stay as they were after the step.
    assert response.request["QUERY_STRING"] == "kind=plan"


def test_the_header_box_and_the_no_javascript_choice_are_on_the_page(admin_client, waiting):
    page = admin_client.get(QUEUE).content.decode()

    assert "data-select-all" in page
    assert 'name="all_shown"' in page
    assert page.count('name="shown_program"') == 2


def test_return_without_reason_keeps_the_ticked_boxes_and_saves_nothing(admin_client, waiting):
    plan_a, data = waiting["plan_a"], waiting["data"]

    response = admin_client.post(
        QUEUE, {"action": "return", "program": [plan_a.pk], "village_data": [data.pk]}
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert "Berikan alasan pengembalian" in content
    ticked = {
        (row.field, row.record.pk) for row, is_ticked in response.context["rows"] if is_ticked
    }
    assert ticked == {("program", plan_a.pk), ("village_data", data.pk)}
    plan_a.refresh_from_db()
    assert plan_a.status == ReviewStatus.SUBMITTED


def test_one_refusal_saves_nothing_and_keeps_selection_and_reason(
    admin_client, waiting, admin_user, agency_a
):
    # The administrator's own submission: he may not review it, so nothing chosen moves.
    own = PlanFactory(agency=agency_a, name="Rumah Layak Huni")
    review_transition(record=own, action="submit", actor=admin_user)

    response = admin_client.post(
        QUEUE,
        {
            "action": "return",
            "reason": "Data belum lengkap",
            "program": [waiting["plan_a"].pk, own.pk],
        },
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert "Rumah Layak Huni" in content and "Tidak ada yang disimpan" in content
    assert "Data belum lengkap</textarea>" in content
    ticked = {row.record.pk for row, is_ticked in response.context["rows"] if is_ticked}
    assert ticked == {waiting["plan_a"].pk, own.pk}
    assert set(Program.objects.filter(pk__in=[own.pk, waiting["plan_a"].pk]).values_list(
        "status", flat=True)) == {ReviewStatus.SUBMITTED}  # fmt: skip
    assert not waiting["plan_a"].review_events.filter(action=ReviewAction.RETURN).exists()


def test_nothing_chosen_is_a_message(admin_client, waiting):
    response = admin_client.post(QUEUE, {"action": "approve"})

    assert response.status_code == 400
    assert "Pilih setidaknya satu" in response.content.decode()


def test_a_long_queue_is_paged_and_the_filters_follow_the_pages(
    admin_client, opd_a_user, agency_a, monkeypatch
):
    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 3)
    for number in range(4):
        review_transition(
            record=PlanFactory(agency=agency_a, name=f"Program {number}"),
            action="submit",
            actor=opd_a_user,
        )

    first = admin_client.get(QUEUE, {"kind": "plan"})
    second = admin_client.get(QUEUE, {"kind": "plan", "page": 2})

    assert len(first.context["rows"]) == 3
    assert len(second.context["rows"]) == 1
    assert "?kind=plan&amp;page=2" in first.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_only_an_administrator_opens_the_queue(client, waiting, opd_a_user, method):
    client.force_login(opd_a_user)

    response = getattr(client, method)(
        QUEUE, {"action": "approve", "program": [waiting["plan_a"].pk]}
    )

    assert response.status_code == 403
    waiting["plan_a"].refresh_from_db()
    assert waiting["plan_a"].status == ReviewStatus.SUBMITTED


def test_a_record_that_no_longer_exists_is_a_message(admin_client, waiting):
    gone = waiting["plan_b"].pk
    Program.objects.filter(pk=gone).delete()

    response = admin_client.post(
        QUEUE, {"action": "approve", "program": [waiting["plan_a"].pk, gone]}
    )

    assert response.status_code == 400
    assert "sudah tidak ada" in response.content.decode()
    waiting["plan_a"].refresh_from_db()
    assert waiting["plan_a"].status == ReviewStatus.SUBMITTED
