"""Data entry and review pages for OPD heads, camat and administrators.

Every write goes through the services (programs.services, indicators.services, bartim.review,
bartim.periods), which apply the access, review and period-lock rules; these views only turn
their refusals into messages."""

from itertools import chain

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bartim.concurrency import EditConflict
from bartim.models import PeriodLock, Quarter, ReviewAction, ReviewStatus, User, Village
from bartim.periods import PeriodLockError, period_lock, period_unlock
from bartim.review import ReviewError, allowed_actions, review_transition
from indicators.models import Indicator, IndicatorValue, VillageData, VillageDataReviewEvent
from indicators.services import indicator_save, program_report_quarter, village_data_save
from programs.models import Program, ProgramReviewEvent
from programs.services import BUDGET_FIELDS, program_create, program_update

from . import access
from .audit import audit_entries
from .forms import (
    VILLAGE_DATA_FIELDS,
    IndicatorForm,
    PeriodLockForm,
    ProgramForm,
    QuarterReportForm,
    ReasonForm,
    VillageDataForm,
)

# Lazy: translated in each request's language, not once in the language active at import.
ACTION_MESSAGES = {
    ReviewAction.SUBMIT: gettext_lazy("Submitted for review."),
    ReviewAction.APPROVE: gettext_lazy("Approved."),
    ReviewAction.RETURN: gettext_lazy("Returned to the reporter with your reason."),
    ReviewAction.REOPEN: gettext_lazy("Reopened; the reporter can change it again."),
}


def _posted(request):
    """The submitted data, or None for a GET; an empty POST is still a POST to validate."""
    return request.POST if request.method == "POST" else None


def _apply_errors(form, error: ValidationError):
    """Put a model's validation errors on the form fields they name (or on the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# ---- Programmes ----------------------------------------------------------------------


def program_detail(request, pk):
    program = access.get_program_for_read(request, pk)
    indicators = program.indicators.prefetch_related(
        Prefetch("values", queryset=IndicatorValue.objects.order_by("quarter"))
    )
    events = program.review_events.select_related("actor")
    latest_reason = next((e for e in events if e.reason), None)
    return render(
        request,
        "entry/program_detail.html",
        {
            "program": program,
            "indicators": indicators,
            "villages": program.target_villages.select_related("district").order_by(
                "district__code", "code"
            ),
            "events": events,
            "latest_reason": latest_reason,
            "actions": allowed_actions(program, request.user),
            "can_edit": Program.objects.editable_by(request.user).filter(pk=pk).exists(),
            "quarters": Quarter.choices,
            "budget_by_quarter": [
                (label, getattr(program, BUDGET_FIELDS[number]))
                for number, label in Quarter.choices
            ],
            "locked_quarters": PeriodLock.objects.locked_quarters(program.year),
        },
    )


def program_create_view(request):
    if not access.can_create_programs(request.user):
        raise PermissionDenied(_("Your account may not create programmes."))
    form = ProgramForm(_posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        villages = fields.pop("target_villages")
        try:
            program = program_create(actor=request.user, target_villages=villages, **fields)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Programme saved as a draft."))
            return redirect("entry:program_detail", pk=program.pk)
    return render(request, "entry/program_form.html", {"form": form, "program": None})


def program_edit(request, pk):
    program = access.get_program_for_write(request, pk)
    form = ProgramForm(_posted(request), instance=program, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.fields}
        villages = fields.pop("target_villages")
        seen_version = fields.pop("seen_version")
        try:
            program_update(
                program=Program.objects.get(pk=pk),
                actor=request.user,
                target_villages=villages,
                seen_version=seen_version,
                **fields,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        except EditConflict as conflict:
            current = Program.objects.get(pk=pk)
            form.show_conflict(
                conflict,
                {
                    **{name: getattr(current, name) for name in fields},
                    "target_villages": list(current.target_villages.order_by("code")),
                },
            )
        else:
            messages.success(request, _("Programme saved."))
            return redirect("entry:program_detail", pk=pk)
    return render(request, "entry/program_form.html", {"form": form, "program": program})


def indicator_edit(request, pk, indicator_pk=None):
    program = access.get_program_for_write(request, pk)
    indicator = (
        get_object_or_404(Indicator, pk=indicator_pk, program=program) if indicator_pk else None
    )
    form = IndicatorForm(_posted(request), instance=indicator, program=program)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.fields}
        seen_version = fields.pop("seen_version", None)
        try:
            indicator_save(
                program=program,
                actor=request.user,
                indicator=indicator,
                seen_version=seen_version,
                **fields,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        except EditConflict as conflict:
            current = Indicator.objects.get(pk=indicator.pk)
            form.show_conflict(conflict, {name: getattr(current, name) for name in fields})
        else:
            messages.success(request, _("Indicator saved."))
            return redirect("entry:program_detail", pk=pk)
    return render(
        request,
        "entry/indicator_form.html",
        {"form": form, "program": program, "indicator": indicator},
    )


def program_quarter(request, pk, quarter):
    if quarter not in Quarter.values:
        raise Http404
    program = access.get_program_for_write(request, pk)
    locked = PeriodLock.objects.filter(year=program.year, quarter=quarter).exists()
    if locked and not request.user.is_regency_admin:
        raise PermissionDenied(_("This quarter is locked; only an administrator can change it."))
    indicators = program.indicators.order_by("pk")
    values = {
        value.indicator_id: value
        for value in IndicatorValue.objects.filter(indicator__program=program, quarter=quarter)
    }
    form = QuarterReportForm(
        _posted(request),
        program=program,
        indicators=indicators,
        values=values,
        initial={"budget_realized": getattr(program, BUDGET_FIELDS[quarter])},
    )
    if request.method == "POST" and form.is_valid():
        try:
            program_report_quarter(
                program=program,
                quarter=quarter,
                actor=request.user,
                budget_realized=form.cleaned_data["budget_realized"],
                realized=form.realized(),
                targets=form.targets(),
                reason=form.cleaned_data["reason"],
                seen_version=form.cleaned_data["seen_version"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        except EditConflict as conflict:
            form.show_conflict(conflict, _quarter_values(program.pk, quarter))
        except PeriodLockError as error:
            form.add_error("reason", error.message)
        else:
            messages.success(request, _("Quarter saved."))
            return redirect("entry:program_detail", pk=pk)
    return render(
        request,
        "entry/program_quarter.html",
        {
            "form": form,
            "program": program,
            "quarter": quarter,
            "quarter_label": Quarter(quarter).label,
            "locked": locked,
        },
    )


def _quarter_values(program_pk, quarter) -> dict:
    """A quarter's current values under the quarter form's field names."""
    program = Program.objects.get(pk=program_pk)
    current = {"budget_realized": getattr(program, BUDGET_FIELDS[quarter])}
    for indicator_id in program.indicators.values_list("pk", flat=True):
        current[f"realized_{indicator_id}"] = current[f"target_{indicator_id}"] = None
    for value in IndicatorValue.objects.filter(indicator__program=program, quarter=quarter):
        current[f"realized_{value.indicator_id}"] = value.realized
        current[f"target_{value.indicator_id}"] = value.target
    return current


# ---- Village data --------------------------------------------------------------------


def village_data_list(request):
    if not access.can_keep_village_data(request.user):
        raise PermissionDenied(_("Your account does not keep village data."))
    try:
        year = int(request.GET.get("year") or 0) or None
    except ValueError:
        year = None
        messages.error(request, _("The year must be a whole number."))
    latest = VillageData.objects.order_by("-year").values_list("year", flat=True).first()
    year = year if year and 2000 <= year <= 2100 else (latest or 2024)
    villages = Village.objects.select_related("district").order_by("district__code", "code")
    if not request.user.is_regency_admin:
        villages = villages.filter(district_id=request.user.district_id)
    records = {
        record.village_id: record
        for record in VillageData.objects.filter(year=year, village__in=villages).annotate(
            last_reason=Subquery(
                VillageDataReviewEvent.objects.filter(village_data=OuterRef("pk"))
                .exclude(reason="")
                .order_by("-pk")
                .values("reason")[:1]
            )
        )
    }
    rows = [(village, records.get(village.pk)) for village in villages]
    return render(request, "entry/village_data_list.html", {"rows": rows, "year": year})


def village_data_detail(request, pk):
    record = access.get_village_data_for_read(request, pk)
    events = record.review_events.select_related("actor")
    return render(
        request,
        "entry/village_data_detail.html",
        {
            "record": record,
            "fields": [
                (VillageData._meta.get_field(name).verbose_name, getattr(record, name))
                for name in VILLAGE_DATA_FIELDS
            ],
            "events": events,
            "latest_reason": next((e for e in events if e.reason), None),
            "actions": allowed_actions(record, request.user),
            "can_edit": VillageData.objects.editable_by(request.user).filter(pk=pk).exists(),
        },
    )


def village_data_edit(request, pk=None):
    if not access.can_keep_village_data(request.user):
        raise PermissionDenied(_("Your account does not keep village data."))
    record = access.get_village_data_for_write(request, pk) if pk else None
    initial = {}
    if record is None:
        initial = {"year": request.GET.get("year")}
        code = request.GET.get("village")
        if code:
            initial["village"] = Village.objects.filter(code=code).first()
    form = VillageDataForm(_posted(request), instance=record, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in VILLAGE_DATA_FIELDS}
        try:
            saved = village_data_save(
                actor=request.user,
                village=form.cleaned_data["village"],
                year=form.cleaned_data["year"],
                record=VillageData.objects.get(pk=pk) if pk else None,
                seen_version=form.cleaned_data.get("seen_version"),
                **fields,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        except EditConflict as conflict:
            current = VillageData.objects.get(pk=pk)
            form.show_conflict(
                conflict,
                {name: getattr(current, name) for name in ["village", "year", *fields]},
            )
        else:
            messages.success(request, _("Village data saved."))
            return redirect("entry:village_data_detail", pk=saved.pk)
    return render(request, "entry/village_data_form.html", {"form": form, "record": record})


# ---- Review steps --------------------------------------------------------------------


def _transition(request, record, action, detail_url):
    if action not in ReviewAction.values:
        raise Http404
    form = ReasonForm(_posted(request))
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
        "entry/transition.html",
        {
            "form": form,
            "record": record,
            "action": ReviewAction(action),
            "needs_reason": action in (ReviewAction.RETURN, ReviewAction.REOPEN),
            "detail_url": detail_url,
        },
    )


def program_transition(request, pk, action):
    program = access.get_program_for_read(request, pk)
    return _transition(request, program, action, reverse("entry:program_detail", kwargs={"pk": pk}))


def village_data_transition(request, pk, action):
    record = access.get_village_data_for_read(request, pk)
    return _transition(
        request, record, action, reverse("entry:village_data_detail", kwargs={"pk": pk})
    )


# ---- History -------------------------------------------------------------------------


def program_history(request, pk):
    program = access.get_program_for_read(request, pk)
    histories = chain(
        Program.history.filter(id=program.pk),
        Indicator.history.filter(program_id=program.pk),
        IndicatorValue.history.filter(
            indicator_id__in=Indicator.history.filter(program_id=program.pk).values("id")
        ),
    )
    return render(
        request,
        "entry/history.html",
        {
            "title": str(program),
            "back_url": reverse("entry:program_detail", kwargs={"pk": pk}),
            "entries": audit_entries(histories),
            "events": program.review_events.select_related("actor"),
        },
    )


def village_data_history(request, pk):
    record = access.get_village_data_for_read(request, pk)
    return render(
        request,
        "entry/history.html",
        {
            "title": str(record),
            "back_url": reverse("entry:village_data_detail", kwargs={"pk": pk}),
            "entries": audit_entries(VillageData.history.filter(id=record.pk)),
            "events": record.review_events.select_related("actor"),
        },
    )


# ---- Administrators ------------------------------------------------------------------


def _submitted_since(event_model, field):
    return Subquery(
        event_model.objects.filter(**{field: OuterRef("pk")}, action=ReviewAction.SUBMIT)
        .order_by("-pk")
        .values("created_at")[:1]
    )


def _submitted_by(event_model, field):
    return Subquery(
        event_model.objects.filter(**{field: OuterRef("pk")}, action=ReviewAction.SUBMIT)
        .order_by("-pk")
        .values("actor__username")[:1]
    )


@access.admin_required
def review_queue(request):
    if request.method == "POST":
        return _review_many(request)
    programs = (
        Program.objects.filter(status=ReviewStatus.SUBMITTED)
        .select_related("agency", "strategy")
        .annotate(
            submitted_at=_submitted_since(ProgramReviewEvent, "program"),
            submitted_by=_submitted_by(ProgramReviewEvent, "program"),
        )
        .order_by("submitted_at", "pk")
    )
    village_data = (
        VillageData.objects.filter(status=ReviewStatus.SUBMITTED)
        .select_related("village__district")
        .annotate(
            submitted_at=_submitted_since(VillageDataReviewEvent, "village_data"),
            submitted_by=_submitted_by(VillageDataReviewEvent, "village_data"),
        )
        .order_by("submitted_at", "pk")
    )
    return render(
        request,
        "entry/review_queue.html",
        {"programs": programs, "village_data": village_data, "form": ReasonForm()},
    )


def _review_many(request):
    """Approve or return the chosen records one by one: a refusal for one (say, the admin's
    own submission) is reported for that one, and the others still go through."""
    action = request.POST.get("action")
    if action not in (ReviewAction.APPROVE, ReviewAction.RETURN):
        messages.error(request, _("Choose to approve or to return."))
        return redirect("entry:review_queue")
    reason = request.POST.get("reason", "")
    chosen = [
        *Program.objects.filter(pk__in=_ids(request.POST.getlist("program"))),
        *VillageData.objects.filter(pk__in=_ids(request.POST.getlist("village_data"))),
    ]
    if not chosen:
        messages.error(request, _("Choose at least one record."))
        return redirect("entry:review_queue")
    done = 0
    for record in chosen:
        try:
            review_transition(record=record, action=action, actor=request.user, reason=reason)
        except (ReviewError, PermissionDenied) as error:
            messages.error(request, f"{record}: {getattr(error, 'message', error)}")
        else:
            done += 1
    if done:
        messages.success(
            request,
            _("%(count)s records done: %(action)s.")
            % {"count": done, "action": ReviewAction(action).label},
        )
    return redirect("entry:review_queue")


def _ids(values):
    return [int(value) for value in values if value.isdigit()]


@access.admin_required
def period_locks(request):
    form = PeriodLockForm(_posted(request))
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
            _apply_errors(form, error)
        else:
            return redirect("entry:period_locks")
    return render(
        request,
        "entry/period_locks.html",
        {
            "form": form,
            "locks": PeriodLock.objects.select_related("locked_by"),
            "history": PeriodLock.history.select_related("history_user")[:50],
        },
    )


@access.admin_required
def audit(request):
    histories = {
        "program": Program.history,
        "indicator": Indicator.history,
        "indicatorvalue": IndicatorValue.history,
        "villagedata": VillageData.history,
        "periodlock": PeriodLock.history,
    }
    user_id = request.GET.get("user", "")
    date_from = request.GET.get("from", "")
    date_to = request.GET.get("to", "")
    querysets = []
    errors = []
    for manager in histories.values():
        queryset = manager.select_related("history_user")
        if user_id.isdigit():
            queryset = queryset.filter(history_user_id=int(user_id))
        try:
            if date_from:
                queryset = queryset.filter(history_date__date__gte=date_from)
            if date_to:
                queryset = queryset.filter(history_date__date__lte=date_to)
        except ValidationError:
            errors = [_("Dates are written as YYYY-MM-DD.")]
            queryset = queryset.none()
        querysets.append(queryset.order_by("-history_date")[:500])
    rows = sorted(chain.from_iterable(querysets), key=lambda h: h.history_date, reverse=True)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "entry/audit.html",
        {
            "page": page,
            "entries": audit_entries(page.object_list),
            "users": User.objects.order_by("username"),
            "errors": errors,
            "filters": {"user": user_id, "from": date_from, "to": date_to},
        },
    )
