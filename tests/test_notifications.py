"""Notices in the inbox and by e-mail (notifications app): a record returned with its reason
or verified reaches its reporters, a lock the agencies, and send_reminders reminds of
deadlines once. The e-mails go through Django's SMTP backend to a real SMTP server started
in this process (aiosmtpd)."""

import datetime
import socket
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from bartim.models import ReviewStatus, User
from bartim.services import deadline_set
from notifications.models import Notification
from programs.models import Program, QuarterReport
from review.services import period_lock, review_transition
from tests.factories import PlanFactory, UserFactory, VillageDataFactory

pytestmark = pytest.mark.django_db


class _Inbox:
    """What the SMTP server received: (recipients, parsed message) per e-mail."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=default_policy)
        self.received.append((sorted(envelope.rcpt_tos), message))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = controller.hostname
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "monev@baritotimurkab.go.id"
    settings.SITE_URL = "https://monev.example"
    yield inbox
    controller.stop()


@pytest.fixture
def reporters(opd_a_user, agency_a):
    """Agency A's operator (who submits) and its head, who turned e-mail off."""
    opd_a_user.email = "operator@dinas-a.example"
    opd_a_user.save()
    head = UserFactory(
        username="kepala_a",
        role=User.Role.OPD,
        agency=agency_a,
        email="kepala@dinas-a.example",
        email_notifications=False,
    )
    return opd_a_user, head


@pytest.fixture
def submitted_plan(agency_a, reporters, django_capture_on_commit_callbacks):
    operator, _head = reporters
    program = PlanFactory(agency=agency_a, name="Bedah Rumah", year=2024)
    with django_capture_on_commit_callbacks(execute=True):
        return review_transition(record=program, action="submit", actor=operator)


def test_a_returned_plan_is_emailed_with_its_reason_to_the_operator_and_shown_in_both_inboxes(
    client, smtp, submitted_plan, reporters, admin_user, django_capture_on_commit_callbacks
):
    operator, head = reporters

    with django_capture_on_commit_callbacks(execute=True):
        review_transition(
            record=submitted_plan,
            action="return",
            actor=admin_user,
            reason="Target indikator belum diisi",
        )

    assert len(smtp.received) == 1
    recipients, message = smtp.received[0]
    assert recipients == ["operator@dinas-a.example"]
    assert message["From"] == "monev@baritotimurkab.go.id"
    assert message["Subject"] == "Dikembalikan: rencana Bedah Rumah (2024)"
    body = message.get_content()
    assert "Target indikator belum diisi" in body
    assert f"https://monev.example/programs/{submitted_plan.pk}/" in body
    # The head turned e-mail off, yet his inbox has the notice, as the operator's does.
    for user in (operator, head):
        client.force_login(user)
        page = client.get(reverse("notifications:inbox")).content.decode()
        assert "Dikembalikan: rencana Bedah Rumah (2024)" in page
        assert "Target indikator belum diisi" in page
        assert 'id="nav-unread">1<' in page


def test_an_approved_plan_is_emailed_as_verified(
    smtp, submitted_plan, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review_transition(record=submitted_plan, action="approve", actor=admin_user)

    assert [(to, m["Subject"]) for to, m in smtp.received] == [
        (["operator@dinas-a.example"], "Terverifikasi: rencana Bedah Rumah (2024)")
    ]


def test_opening_a_notice_marks_it_read_and_leads_to_the_record(
    client, submitted_plan, reporters, admin_user
):
    operator, _head = reporters
    review_transition(record=submitted_plan, action="return", actor=admin_user, reason="Kurang")
    notice = Notification.objects.get(user=operator)
    client.force_login(operator)

    opened = client.get(reverse("notifications:open", args=[notice.pk]))

    assert opened.url == reverse("programs:program_detail", args=[submitted_plan.pk])
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert 'id="nav-unread"' not in client.get(reverse("notifications:inbox")).content.decode()


def test_another_accounts_notice_is_not_found_and_stays_unread(
    client, submitted_plan, reporters, admin_user, opd_b_user
):
    operator, _head = reporters
    review_transition(record=submitted_plan, action="return", actor=admin_user, reason="Kurang")
    notice = Notification.objects.get(user=operator)
    client.force_login(opd_b_user)

    assert client.get(reverse("notifications:open", args=[notice.pk])).status_code == 404
    client.post(reverse("notifications:mark_all_read"))

    notice.refresh_from_db()
    assert notice.read_at is None


def test_mark_all_read_clears_the_count(client, submitted_plan, reporters, admin_user):
    operator, _head = reporters
    review_transition(record=submitted_plan, action="return", actor=admin_user, reason="Kurang")
    period_lock(year=2024, quarter=1, actor=admin_user)
    client.force_login(operator)
    assert 'id="nav-unread">2<' in client.get(reverse("notifications:inbox")).content.decode()

    client.post(reverse("notifications:mark_all_read"))

    assert not Notification.objects.filter(user=operator, read_at__isnull=True).exists()


def test_a_locked_quarter_is_emailed_to_the_agencies_reporters(
    smtp, reporters, opd_b_user, admin_user, django_capture_on_commit_callbacks
):
    opd_b_user.email = "operator@dinas-b.example"
    opd_b_user.save()

    with django_capture_on_commit_callbacks(execute=True):
        period_lock(year=2024, quarter=2, actor=admin_user, reason="Rapat evaluasi")

    assert sorted(to[0] for to, _m in smtp.received) == [
        "operator@dinas-a.example",
        "operator@dinas-b.example",
    ]
    _to, message = smtp.received[0]
    assert message["Subject"] == "TW II 2024 dikunci"
    assert "Rapat evaluasi" in message.get_content()


def test_send_reminders_reminds_once_of_an_unsubmitted_quarter_and_respects_the_opt_out(
    client, smtp, reporters, agency_b, opd_b_user, admin_user
):
    today = timezone.localdate()
    PlanFactory(agency=reporters[0].agency, name="Bedah Rumah", year=today.year)
    submitted = PlanFactory(agency=agency_b, name="Air Bersih", year=today.year, verified=True)
    opd_b_user.email = "operator@dinas-b.example"
    opd_b_user.save()
    deadline_set(
        year=today.year, quarter=1, due_date=today + datetime.timedelta(days=7), actor=admin_user
    )

    call_command("send_reminders", verbosity=0)
    call_command("send_reminders", verbosity=0)

    # Agency B verified its report: only agency A's operator hears, once; its head opted out.
    assert len(smtp.received) == 1
    recipients, message = smtp.received[0]
    assert recipients == ["operator@dinas-a.example"]
    with translation.override("id"):
        seventh_day = date_format(today + datetime.timedelta(days=7), "j F Y")
    assert message["Subject"] == f"Tenggat {seventh_day}: laporan TW I {today.year}"
    assert "- Bedah Rumah" in message.get_content()
    assert "Air Bersih" not in message.get_content()
    assert submitted.quarter_reports.get(quarter=1).status == "approved"
    client.force_login(reporters[1])
    assert f"Tenggat {seventh_day}: laporan TW I {today.year}" in (
        client.get(reverse("notifications:inbox")).content.decode()
    )

    # The deadline moved to tomorrow: the one-day reminder, again once.
    deadline_set(
        year=today.year, quarter=1, due_date=today + datetime.timedelta(days=1), actor=admin_user
    )
    call_command("send_reminders", verbosity=0)
    call_command("send_reminders", verbosity=0)
    assert [m["Subject"] for _to, m in smtp.received] == [
        f"Tenggat {seventh_day}: laporan TW I {today.year}",
        f"Tenggat besok: laporan TW I {today.year}",
    ]


def test_an_overdue_quarter_is_reminded_once_and_a_failed_send_waits_for_the_next_run(
    settings, reporters, admin_user
):
    today = timezone.localdate()
    PlanFactory(agency=reporters[0].agency, name="Bedah Rumah", year=today.year)
    deadline_set(
        year=today.year, quarter=1, due_date=today - datetime.timedelta(days=2), actor=admin_user
    )
    # No SMTP server listens here.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", 9, False

    call_command("send_reminders", verbosity=0)

    notice = Notification.objects.get(user=reporters[0], kind="overdue")
    assert notice.email_pending
    assert notice.subject == f"Terlambat: laporan TW I {today.year}"


def test_the_opt_out_is_kept_on_my_settings(client, reporters):
    operator, _head = reporters
    client.force_login(operator)

    response = client.post(reverse("notifications:my_settings"), {})

    assert response.status_code == 302
    operator.refresh_from_db()
    assert operator.email_notifications is False


def test_a_verified_quarter_report_and_returned_village_data_reach_their_own_reporters(
    agency_a, reporters, camat_x_user, camat_y_user, village_x, admin_user
):
    operator, head = reporters
    plan = PlanFactory(agency=agency_a, name="Bedah Rumah", year=2024)
    Program.objects.filter(pk=plan.pk).update(status=ReviewStatus.APPROVED)
    report = review_transition(
        record=QuarterReport(program=plan, quarter=3), action="submit", actor=operator
    )
    data = VillageDataFactory(village=village_x, year=2024)
    review_transition(record=data, action="submit", actor=camat_x_user)

    review_transition(record=report, action="approve", actor=admin_user)
    review_transition(record=data, action="return", actor=admin_user, reason="Angka KK ganda")

    assert sorted(
        (notice.user.username, notice.subject) for notice in Notification.objects.all()
    ) == [
        ("camat_x", f"Dikembalikan: data desa {village_x.name} (2024)"),
        ("kepala_a", "Terverifikasi: laporan TW III Bedah Rumah (2024)"),
        ("opd_a", "Terverifikasi: laporan TW III Bedah Rumah (2024)"),
    ]
    assert "Angka KK ganda" in Notification.objects.get(user=camat_x_user).body
