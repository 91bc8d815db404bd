"""Notices to accounts: made in the transaction of what they tell of (a review step, a
period lock) or by the reminders (send_reminders), then e-mailed after the commit or by the
command. The texts are in the project's language (Indonesian): accounts store none of their
own."""

import datetime
import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bartim import access
from bartim.models import Deadline, Quarter, ReviewAction, User
from notifications.models import Notification
from programs import deadlines
from programs.models import Program, QuarterReport

logger = logging.getLogger(__name__)

# Reminders for a deadline: the kind, and the days before the due date (negative: after)
# within which it is made. A deadline passed longer ago than OVERDUE_DAYS gets no reminder,
# so that the first run on an existing database does not remind of long-gone quarters.
OVERDUE_DAYS = 30
REMINDER_WINDOWS = (
    (Notification.Kind.DUE_IN_7_DAYS, 2, 7),
    (Notification.Kind.DUE_IN_1_DAY, 0, 1),
    (Notification.Kind.OVERDUE, -OVERDUE_DAYS, -1),
)


def notify(*, users, kind: str, subject: str, body: str, url: str = "", period: str = "") -> None:
    """A notice to each of `users`, in the inbox at once and by e-mail after the commit.
    With a `period`, a user who already has this kind of notice for it gets none again."""
    notices = [
        Notification(user=user, kind=kind, subject=subject[:200], body=body, url=url, period=period)
        for user in {user.pk: user for user in users}.values()
    ]
    Notification.objects.bulk_create(notices, ignore_conflicts=bool(period))
    if notices:
        _recount_unread([notice.user.pk for notice in notices])
        transaction.on_commit(send_pending)


def _recount_unread(user_ids) -> None:
    """Store each account's unread count (User.unread_notifications) from its notices, in
    one UPDATE: counted, not incremented, so it cannot drift."""
    unread = (
        Notification.objects.filter(user=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("user")
        .annotate(count=Count("pk"))
        .values("count")
    )
    User.objects.filter(pk__in=user_ids).update(unread_notifications=Coalesce(Subquery(unread), 0))


def _record_label(record) -> str:
    if isinstance(record, Program):
        return _("the plan of %(programme)s") % {"programme": record}
    if isinstance(record, QuarterReport):
        return _("the %(quarter)s report of %(programme)s") % {
            "quarter": record.get_quarter_display(),
            "programme": record.program,
        }
    return _("the village data of %(village)s") % {"village": record}


def _record_url(record) -> str:
    if hasattr(record, "get_absolute_url"):
        return record.get_absolute_url()
    return reverse("villages:village_data_detail", args=[record.pk])


def notify_review_step(*, record, action: str, actor, reason: str) -> None:
    """Tell the reporters of `record` (its owner's accounts and who submitted it) that it was
    returned (with the reason) or verified. Other steps tell nobody."""
    if action in (ReviewAction.RETURN, ReviewAction.REOPEN):
        kind = Notification.Kind.RETURNED
    elif action == ReviewAction.APPROVE:
        kind = Notification.Kind.VERIFIED
    else:
        return
    submitter = access.last_submitter_id(record)
    users = [
        user
        for user in User.objects.filter(pk=submitter).union(access.reporters_of(record))
        if user.pk != actor.pk and user.is_active
    ]
    with translation.override(settings.LANGUAGE_CODE):
        label = _record_label(record)
        who = actor.get_full_name() or actor.username
        if kind == Notification.Kind.RETURNED:
            subject = _("Returned: %(record)s") % {"record": label}
            body = "\n\n".join(
                [
                    _("%(who)s returned %(record)s for correction.")
                    % {"who": who, "record": label},
                    _("Reason: %(reason)s") % {"reason": reason},
                    _("Please correct it and submit it again."),
                ]
            )
        else:
            subject = _("Verified: %(record)s") % {"record": label}
            body = _("%(who)s verified %(record)s.") % {"who": who, "record": label}
    notify(users=users, kind=kind, subject=subject, body=body, url=_record_url(record))


def _reporting_accounts():
    return User.objects.filter(is_active=True, role=User.Role.OPD, agency__is_active=True)


def notify_period_locked(*, lock) -> None:
    """Tell the agencies' reporters that a quarter is locked."""
    with translation.override(settings.LANGUAGE_CODE):
        period = f"{Quarter(lock.quarter).label} {lock.year}"
        subject = _("%(period)s is locked") % {"period": period}
        body = _(
            "An administrator locked %(period)s. From now on only an administrator changes "
            "its figures, giving a reason."
        ) % {"period": period}
        if lock.reason:
            body += "\n\n" + _("Reason: %(reason)s") % {"reason": lock.reason}
    notify(
        users=_reporting_accounts(),
        kind=Notification.Kind.LOCKED,
        subject=subject,
        body=body,
        url=reverse("programs:program_list") + f"?year={lock.year}",
    )


def _reminder_text(
    kind, *, period: str, due: datetime.date, today: datetime.date, programmes: list[str]
):
    day = date_format(due, "j F Y")
    listed = "\n".join(f"- {name}" for name in sorted(programmes))
    if kind == Notification.Kind.OVERDUE:
        subject = _("Overdue: the reports of %(period)s") % {"period": period}
        opening = _("The reports of %(period)s were due on %(date)s.")
    elif kind == Notification.Kind.DUE_IN_1_DAY and due == today:
        subject = _("Due today: the reports of %(period)s") % {"period": period}
        opening = _("The reports of %(period)s are due on %(date)s.")
    elif kind == Notification.Kind.DUE_IN_1_DAY:
        subject = _("Due tomorrow: the reports of %(period)s") % {"period": period}
        opening = _("The reports of %(period)s are due on %(date)s.")
    else:
        # Made up to 7 days before: the first hourly run in that window may be later than
        # the 7th day (a deadline set late), so the subject names the day, not the count.
        subject = _("Due on %(date)s: the reports of %(period)s") % {
            "period": period,
            "date": day,
        }
        opening = _("The reports of %(period)s are due on %(date)s.")
    body = (
        opening % {"period": period, "date": day} + "\n\n" + _("Not yet submitted:") + "\n" + listed
    )
    return subject, body


def create_reminders(today: datetime.date | None = None) -> int:
    """The deadline reminders due `today` for the accounts of agencies whose quarter reports
    are not submitted: 7 days before, 1 day before, and once overdue. Each at most once per
    account, kind and quarter (the database's unique key). Returns how many were made."""
    today = today or timezone.localdate()
    due_dates = Deadline.objects.due_dates([today.year - 1, today.year])
    made = 0
    for (year, quarter), due in sorted(due_dates.items()):
        days_left = (due - today).days
        kind = next(
            (kind for kind, low, high in REMINDER_WINDOWS if low <= days_left <= high), None
        )
        if kind is None:
            continue
        missing = deadlines.programs_not_submitted(
            Program.objects.filter(year=year, agency__is_active=True), quarter
        ).values_list("agency_id", "name")
        by_agency = defaultdict(list)
        for agency_id, name in missing:
            by_agency[agency_id].append(name)
        if not by_agency:
            continue
        period_key = f"{year}-Q{quarter}"
        url = reverse("programs:program_list") + f"?year={year}&quarter={quarter}"
        already = set(
            Notification.objects.filter(kind=kind, period=period_key).values_list(
                "user_id", flat=True
            )
        )
        with translation.override(settings.LANGUAGE_CODE):
            period = f"{Quarter(quarter).label} {year}"
            for user in _reporting_accounts().filter(agency_id__in=by_agency):
                if user.pk in already:
                    continue
                subject, body = _reminder_text(
                    kind,
                    period=period,
                    due=due,
                    today=today,
                    programmes=by_agency[user.agency_id],
                )
                notify(
                    users=[user],
                    kind=kind,
                    subject=subject,
                    body=body,
                    url=url,
                    period=period_key,
                )
                made += 1
    return made


def _email(notice: Notification, connection) -> EmailMessage:
    body = notice.body
    if notice.url:
        body += "\n\n" + settings.SITE_URL.rstrip("/") + notice.url
    return EmailMessage(
        subject=notice.subject,
        body=body,
        to=[notice.user.email],
        connection=connection,
    )


def send_pending() -> int:
    """E-mail every notice still waiting for it, each once: a notice is marked sent in the
    transaction that sends it, and one being sent by another run is skipped. A failed send
    stays pending for the next run. Returns how many were sent."""
    pending = Notification.objects.filter(email_pending=True)
    # Nobody to send to: an account without an address, or one that turned e-mail off.
    pending.filter(user__email_notifications=False).update(email_pending=False)
    pending.filter(user__email="").update(email_pending=False)
    pending.filter(user__is_active=False).update(email_pending=False)
    sent = 0
    connection = get_connection()
    try:
        for pk in list(pending.order_by("pk").values_list("pk", flat=True)):
            try:
                with transaction.atomic():
                    notice = (
                        Notification.objects.select_for_update(skip_locked=True, of=("self",))
                        .select_related("user")
                        .filter(pk=pk, email_pending=True)
                        .first()
                    )
                    if notice is None:
                        continue
                    _email(notice, connection).send()
                    notice.email_pending = False
                    notice.emailed_at = timezone.now()
                    notice.save(update_fields=["email_pending", "emailed_at"])
                    sent += 1
            except OSError:
                # The SMTP server is down or refused: the notice stays pending for the
                # next run; the inbox has it already. No personal data is logged.
                logger.exception("Sending notification %s failed", pk)
    finally:
        connection.close()
    return sent


def mark_read(*, user, notices) -> None:
    """Mark `user`'s own notices among `notices` as read (another's are left alone)."""
    with transaction.atomic():
        notices.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
        _recount_unread([user.pk])


def settings_save(*, user, email_notifications: bool) -> None:
    """An account's own notification settings: each account keeps its own (bartim.access)."""
    access.check_own_settings(user)
    User.objects.filter(pk=user.pk).update(email_notifications=email_notifications)
    user.email_notifications = email_notifications
