"""Data entry and review pages for OPD heads, camat and administrators.

Every write goes through the services (programs.services, indicators.services, bartim.review,
review.locks), which apply the access, review and period-lock rules; these views only turn
their refusals into messages."""

from itertools import chain

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bartim.access import (
    TRANSITIONS,
    PeriodLockError,
    ReviewError,
    admin_required,
    allowed_actions,
    get_for_read,
)
from bartim.models import Deadline, PeriodLock, Quarter, ReviewAction
from bartim.services import deadline_set
from helpers.exports import CSV
from helpers.views import apply_errors, posted_data
from indicators.models import Indicator, IndicatorValue
from programs.models import Program, QuarterReport
from programs.services import quarter_report
from review.audit import LATEST_PER_KIND, audit_entries, filtered_rows, histories
from review.exports import audit_csv_response
from review.forms import (
    AuditFilterForm,
    BulkReviewForm,
    DeadlineForm,
    PeriodLockForm,
    QueueFilterForm,
    ReasonForm,
)
from review.queue import waiting
from review.services import period_lock, period_unlock, review_transition
from villages.models import VillageData

# Lazy: translated in each request's language, not once in the language active at import.
ACTION_MESSAGES = {
    ReviewAction.SUBMIT: gettext_lazy("Submitted for review."),
    ReviewAction.APPROVE: gettext_lazy("Approved."),
    ReviewAction.RETURN: gettext_lazy("Returned to the reporter with your reason."),
    ReviewAction.REOPEN: gettext_lazy("Reopened; the reporter can change it again."),
    ReviewAction.REQUEST_REVISION: gettext_lazy(
        "Revision requested; an administrator will reopen the plan or decline the request."
    ),
    ReviewAction.DECLINE_REVISION: gettext_lazy(
        "Revision declined; the plan stays approved as it was."
    ),
}


# ---- Review steps --------------------------------------------------------------------


def _transition(request, record, action, detail_url):
    if action not in ReviewAction.values:
        raise Http404
    form = ReasonForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            review_transition(
                record=record,
                action=action,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ReviewError as error:
            form.add_error("reason", error.message)
        else:
            messages.success(request, ACTION_MESSAGES[action])
            return redirect(detail_url)
    elif request.method == "GET" and action not in allowed_actions(record, request.user):
        raise PermissionDenied(_("You may not take this step now."))
    return render(
        request,
        "review/transition.html",
        {
            "form": form,
            "record": record,
            "action": ReviewAction(action),
            "needs_reason": TRANSITIONS[ReviewAction(action)].needs_reason,
            "detail_url": detail_url,
        },
    )


def program_transition(request, pk, action):
    program = get_for_read(request, Program.objects.select_related("agency", "strategy"), pk)
    return _transition(
        request, program, action, reverse("programs:program_detail", kwargs={"pk": pk})
    )


def quarter_report_transition(request, pk, quarter, action):
    if quarter not in Quarter.values:
        raise Http404
    program = get_for_read(request, Program.objects.select_related("agency", "strategy"), pk)
    return _transition(
        request,
        quarter_report(program=program, quarter=quarter),
        action,
        reverse("programs:program_detail", kwargs={"pk": pk}) + "#quarter-reports",
    )


def village_data_transition(request, pk, action):
    record = get_for_read(request, VillageData.objects.select_related("village__district"), pk)
    return _transition(
        request, record, action, reverse("villages:village_data_detail", kwargs={"pk": pk})
    )


# ---- History -------------------------------------------------------------------------


def program_history(request, pk):
    program = get_for_read(request, Program.objects.select_related("agency", "strategy"), pk)
    histories = chain(
        Program.history.filter(id=program.pk),
        Indicator.history.filter(program_id=program.pk),
        IndicatorValue.history.filter(
            indicator_id__in=Indicator.history.filter(program_id=program.pk).values("id")
        ),
        QuarterReport.history.filter(program_id=program.pk),
    )
    return render(
        request,
        "review/history.html",
        {
            "title": str(program),
            "back_url": reverse("programs:program_detail", kwargs={"pk": pk}),
            "entries": audit_entries(histories),
            "events": program.review_events.select_related("actor"),
        },
    )


def village_data_history(request, pk):
    record = get_for_read(request, VillageData.objects.select_related("village__district"), pk)
    return render(
        request,
        "review/history.html",
        {
            "title": str(record),
            "back_url": reverse("villages:village_data_detail", kwargs={"pk": pk}),
            "entries": audit_entries(VillageData.history.filter(id=record.pk)),
            "events": record.review_events.select_related("actor"),
        },
    )


# ---- Administrators ------------------------------------------------------------------


QUEUE_PAGE_SIZE = 50


@admin_required
def review_queue(request):
    """The records waiting for review, filtered (GET) and approved or returned in bulk (POST,
    to the same address with the filters and page kept in its query string)."""
    filters = QueueFilterForm(request.GET or None)
    bulk = BulkReviewForm(posted_data(request))
    if request.method == "POST" and bulk.is_valid():
        refusals = _review_all_or_nothing(request, bulk)
        if not refusals:
            return redirect(request.get_full_path())
        for record, message in refusals:
            bulk.add_error(None, f"{record}: {message}")
        bulk.add_error(
            None,
            _(
                "Nothing was saved: untick these records, or deal with them on their own "
                "pages, and try again."
            ),
        )
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    rows = waiting(cleaned) if cleaned or not filters.is_bound else []
    page = Paginator(rows, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # The boxes ticked before a refusal stay ticked, as the reason stays typed.
    ticked = set()
    if bulk.is_bound:
        ticked = {(name, pk) for name in BulkReviewForm.KINDS for pk in bulk.data.getlist(name)}
    invalid = (filters.is_bound and not filters.is_valid()) or (bulk.is_bound and bulk.errors)
    return render(
        request,
        "review/review_queue.html",
        {
            "filters": filters,
            "bulk": bulk,
            "page": page,
            "rows": [(row, (row.field, str(row.record.pk)) in ticked) for row in page.object_list],
            "query": query.urlencode(),
        },
        status=400 if invalid else 200,
    )


def _review_all_or_nothing(request, bulk):
    """Approve or return every chosen record with the one reason, in one transaction: either
    all of them move, or none does and each refusal is listed (say, the administrator's own
    submission, or a record someone else reviewed meanwhile), so that the administrator
    never has to work out which half of his selection went through."""
    action = bulk.cleaned_data["action"]
    records = bulk.chosen()
    refusals = []
    with transaction.atomic():
        for record in records:
            try:
                review_transition(
                    record=record,
                    action=action,
                    actor=request.user,
                    reason=bulk.cleaned_data["reason"],
                )
            except (ReviewError, PermissionDenied) as error:
                refusals.append((record, getattr(error, "message", error)))
        if refusals:
            transaction.set_rollback(True)
            return refusals
    # "12 disetujui": one form for any count, as Indonesian has.
    message = (
        _("%(count)s approved.")
        if action == ReviewAction.APPROVE
        else _("%(count)s returned with your reason.")
    )
    messages.success(request, message % {"count": len(records)})
    return []


@admin_required
def period_locks(request):
    form = PeriodLockForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("operation") == "unlock":
                period_unlock(
                    year=data["year"],
                    quarter=data["quarter"],
                    actor=request.user,
                    reason=data["reason"],
                )
                messages.success(request, _("The quarter is unlocked."))
            else:
                period_lock(
                    year=data["year"],
                    quarter=data["quarter"],
                    actor=request.user,
                    reason=data["reason"],
                )
                messages.success(request, _("The quarter is locked."))
        except PeriodLockError as error:
            form.add_error("reason", error.message)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("review:period_locks")
    return render(
        request,
        "review/period_locks.html",
        {
            "form": form,
            "locks": PeriodLock.objects.select_related("locked_by"),
            "history": PeriodLock.history.select_related("history_user")[:50],
        },
    )


@admin_required
def deadlines(request):
    """The reporting deadline of each quarter: set by an administrator, or the default."""
    form = DeadlineForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            deadline_set(**form.cleaned_data, actor=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The deadline is saved."))
            return redirect("review:deadlines")
    this_year = timezone.localdate().year
    years = sorted({this_year, this_year + 1, *Deadline.objects.values_list("year", flat=True)})
    set_dates = {(d.year, d.quarter): d for d in Deadline.objects.select_related("updated_by")}
    due = Deadline.objects.due_dates(years)
    rows = [
        {
            "year": year,
            "quarter": Quarter(quarter).label,
            "due_date": due[(year, quarter)],
            "set": set_dates.get((year, quarter)),
        }
        for year in reversed(years)
        for quarter in Quarter.values
    ]
    return render(request, "review/deadlines.html", {"form": form, "rows": rows})


@admin_required
def audit(request):
    form = AuditFilterForm(request.GET or None, kinds=histories())
    filters = form.cleaned_data if form.is_valid() else {}
    rows = filtered_rows(filters) if filters or not form.is_bound else []
    if request.GET.get("export") == CSV:
        return audit_csv_response(audit_entries(rows))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "review/audit.html",
        {
            "form": form,
            "page": page,
            "entries": audit_entries(page.object_list),
            "query": query.urlencode(),
            "latest_per_kind": LATEST_PER_KIND,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
