from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bartim import access
from bartim.access import PeriodLockError, allowed_actions, blocked_actions
from bartim.models import Agency, Quarter
from helpers.concurrency import EditConflict
from helpers.views import FilteredTableView, apply_errors, posted_data
from indicators.models import Indicator, IndicatorValue
from programs.filters import (
    AgencyFilterSet,
    IndicatorFilterSet,
    ProgramFilterSet,
    StrategyFilterSet,
)
from programs.forms import IndicatorForm, ProgramForm, QuarterReportForm
from programs.models import Program, ProgramFunding, QuarterReport, Strategy
from programs.progress import revision_quarter
from programs.quarter_context import indicator_quarters, program_quarters, quarter_entry
from programs.services import (
    BUDGET_FIELDS,
    QUARTER_REPORT_FIELDS,
    indicator_save,
    program_create,
    program_report_quarter,
    program_update,
    quarter_report,
)
from programs.tables import AgencyTable, IndicatorTable, ProgramTable, StrategyTable


class ProgramListView(FilteredTableView):
    table_class = ProgramTable
    filterset_class = ProgramFilterSet
    title = gettext_lazy("Programmes")
    description = gettext_lazy(
        "Every programme of the year with its budget and its indicators' mean achievement "
        "as of the quarter."
    )
    export_name = gettext_lazy("programmes")

    def get_queryset(self):
        queryset = access.readable(self.request.user, Program.objects.all())
        if self.get_export_format() or self.shows_all_columns():
            # The funding column is a secondary one: its query only where it is shown.
            queryset = queryset.prefetch_related(
                Prefetch("funding", ProgramFunding.objects.select_related("source"))
            )
        return (
            queryset.select_related("agency", "strategy")
            .prefetch_related("needs")
            # What the table shows; its computed columns are annotations (ProgramFilterSet).
            .only(
                "name",
                "year",
                "status",
                "budget_ceiling",
                "budget_ceiling_revised",
                "program_code",
                "activity_code",
                "sub_activity_code",
                "agency__name",
                "agency__abbreviation",
                "agency__kind",
                "strategy__name",
            )
            # strategy_id is the strategy's number: the same order as "strategy" without a
            # join, and the order of the index program_year_order_idx.
            .order_by("strategy_id", "name", "pk")
        )


class IndicatorListView(FilteredTableView):
    table_class = IndicatorTable
    filterset_class = IndicatorFilterSet
    title = gettext_lazy("Indicators")
    description = gettext_lazy(
        "Every indicator of the year's programmes: what was realised by the end of the quarter "
        "against what was expected by then."
    )
    export_name = gettext_lazy("indicators")

    def get_queryset(self):
        return (
            access.readable(self.request.user, Indicator.objects.all())
            .select_related("program__agency", "program__strategy")
            .order_by("program__strategy", "program__name", "program_id", "pk")
        )


class StrategyListView(FilteredTableView):
    table_class = StrategyTable
    filterset_class = StrategyFilterSet
    title = gettext_lazy("Strategies")
    description = gettext_lazy(
        "The regent's three strategies in the year: their programmes, agencies, budget and "
        "the mean achievement of their programmes as of the quarter."
    )
    export_name = gettext_lazy("strategies")

    def get_queryset(self):
        # Strategies are public reference data; their figures come from visible programmes.
        return Strategy.objects.order_by("number")


class AgencyListView(FilteredTableView):
    table_class = AgencyTable
    filterset_class = AgencyFilterSet
    title = gettext_lazy("Agencies (OPD)")
    description = gettext_lazy(
        "Agencies ranked by the mean achievement of their programmes as of the quarter, with "
        "their budget absorption and how many of their programmes reported the quarter."
    )
    export_name = gettext_lazy("opd")

    def get_queryset(self):
        # Agencies are listed when they run a programme the user may see (AgencyFilterSet).
        return Agency.objects.order_by("name", "pk")

    def cache_key_parts(self):
        # Who is late changes with the date (programs.deadlines).
        return (timezone.localdate().isoformat(),)


# ---- Programmes ----------------------------------------------------------------------


def get_program_for_read(request, pk) -> Program:
    return access.get_for_read(request, Program.objects.select_related("agency", "strategy"), pk)


def get_program_for_write(request, pk) -> Program:
    return access.get_for_write(
        request,
        Program.objects.select_related("agency", "strategy"),
        pk,
        _("You may not change this programme now."),
    )


def program_detail(request, pk):
    program = get_program_for_read(request, pk)
    indicators = list(
        program.indicators.prefetch_related(
            Prefetch(
                "values",
                # A value's evidence files, by the evidence app's related name (programs
                # sits below evidence).
                queryset=IndicatorValue.objects.order_by("quarter").prefetch_related(
                    "evidence_files"
                ),
            )
        )
    )
    for indicator in indicators:
        indicator.quarters = indicator_quarters(indicator)
    events = program.review_events.select_related("actor")
    latest_reason = next((e for e in events if e.reason), None)
    return render(
        request,
        "programs/program_detail.html",
        {
            "program": program,
            "indicators": indicators,
            "villages": program.target_villages.select_related("district").order_by(
                "district__code", "code"
            ),
            "events": events,
            "latest_reason": latest_reason,
            "actions": allowed_actions(program, request.user),
            "blocked": blocked_actions(program, request.user),
            "can_edit": access.may_change(request.user, program),
            "quarter_reports": quarter_reports(request.user, program),
            "budget_by_quarter": [
                (label, getattr(program, BUDGET_FIELDS[number]))
                for number, label in Quarter.choices
            ],
            "program_quarters": program_quarters(program),
            "funding": program.funding.select_related("source"),
            "revision_quarter_label": (
                Quarter(revision_quarter(program.budget_revised_on)).label
                if program.budget_revised_on
                else ""
            ),
        },
    )


def quarter_reports(user, program) -> list[dict]:
    """Each quarter's report of `program` as the programme and quarter pages show it: its
    status, review steps (the latest first) and the steps and entry `user` may take."""
    stored = {
        report.quarter: report
        for report in QuarterReport.objects.filter(program=program).prefetch_related(
            "review_events__actor"
        )
    }
    writable = access.writable_quarters(user, program.year)
    editable = {
        quarter
        for quarter in writable
        if access.quarter_editable(user, Program.objects.filter(pk=program.pk), quarter).exists()
    }
    rows = []
    for number, label in Quarter.choices:
        report = stored.get(number) or QuarterReport(program=program, quarter=number)
        events = list(report.review_events.all()) if report.pk else []
        rows.append(
            {
                "quarter": number,
                "label": label,
                "report": report,
                "events": events,
                "latest_reason": next((e for e in events if e.reason), None),
                "actions": allowed_actions(report, user),
                "blocked": blocked_actions(report, user),
                "can_edit": number in editable,
            }
        )
    return rows


def program_create_view(request):
    if not access.may_create(request.user, Program):
        raise PermissionDenied(_("Your account may not create programmes."))
    form = ProgramForm(posted_data(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        villages = fields.pop("target_villages")
        needs = fields.pop("needs")
        try:
            program = program_create(
                actor=request.user,
                target_villages=villages,
                funding=form.funding(),
                needs=needs,
                **fields,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Programme saved as a draft."))
            return redirect("programs:program_detail", pk=program.pk)
    return render(request, "programs/program_form.html", {"form": form, "program": None})


def program_edit(request, pk):
    program = get_program_for_write(request, pk)
    form = ProgramForm(posted_data(request), instance=program, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.fields}
        villages = fields.pop("target_villages")
        needs = fields.pop("needs")
        seen_version = fields.pop("seen_version")
        reason = fields.pop("reason", "")
        try:
            program_update(
                program=Program.objects.get(pk=pk),
                actor=request.user,
                target_villages=villages,
                funding=form.funding(),
                needs=needs,
                seen_version=seen_version,
                reason=reason,
                **fields,
            )
        except ValidationError as error:
            apply_errors(form, error)
        except (PermissionDenied, PeriodLockError) as refused:
            form.add_error(None, getattr(refused, "message", None) or str(refused))
        except EditConflict as conflict:
            current = Program.objects.get(pk=pk)
            form.show_conflict(
                conflict,
                {
                    **{name: getattr(current, name) for name in fields},
                    "target_villages": list(current.target_villages.order_by("code")),
                    "needs": list(current.needs.all()),
                },
            )
        else:
            messages.success(request, _("Programme saved."))
            return redirect("programs:program_detail", pk=pk)
    return render(request, "programs/program_form.html", {"form": form, "program": program})


def indicator_edit(request, pk, indicator_pk=None):
    program = get_program_for_write(request, pk)
    indicator = (
        get_object_or_404(Indicator, pk=indicator_pk, program=program) if indicator_pk else None
    )
    form = IndicatorForm(posted_data(request), instance=indicator, program=program)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.fields}
        seen_version = fields.pop("seen_version", None)
        reason = fields.pop("reason", "")
        try:
            indicator_save(
                program=program,
                actor=request.user,
                indicator=indicator,
                seen_version=seen_version,
                reason=reason,
                **fields,
            )
        except ValidationError as error:
            apply_errors(form, error)
        except (PermissionDenied, PeriodLockError) as refused:
            form.add_error(None, getattr(refused, "message", None) or str(refused))
        except EditConflict as conflict:
            current = Indicator.objects.get(pk=indicator.pk)
            form.show_conflict(conflict, {name: getattr(current, name) for name in fields})
        else:
            messages.success(request, _("Indicator saved."))
            return redirect("programs:program_detail", pk=pk)
    return render(
        request,
        "programs/indicator_form.html",
        {"form": form, "program": program, "indicator": indicator},
    )


def program_quarter(request, pk, quarter):
    """A quarter's report of a programme: its status and review steps for whoever reports
    on the programme, and the entry form while the quarter's report may be changed."""
    if quarter not in Quarter.values:
        raise Http404
    program = get_program_for_read(request, pk)
    if not access.reports_on(request.user, program):
        raise PermissionDenied(_("You may not report on this programme."))
    refused = access.quarter_refusal(request.user, year=program.year, quarter=quarter)
    if isinstance(refused, PermissionDenied):
        raise PermissionDenied(_("This quarter is locked; only an administrator can change it."))
    locked = isinstance(refused, PeriodLockError)
    report = next(
        row for row in quarter_reports(request.user, program) if row["quarter"] == quarter
    )
    if request.method == "POST" and not report["can_edit"]:
        raise PermissionDenied(
            _("You may not change the report of this quarter now: it is submitted or verified.")
        )
    indicators = program.indicators.order_by("pk")
    values = {
        value.indicator_id: value
        for value in IndicatorValue.objects.filter(indicator__program=program, quarter=quarter)
    }
    form = QuarterReportForm(
        posted_data(request),
        program=program,
        indicators=indicators,
        values=values,
        quarter=quarter,
        initial={
            "budget_realized": getattr(program, BUDGET_FIELDS[quarter]),
            **{name: getattr(report["report"], name) for name in QUARTER_REPORT_FIELDS},
        },
    )
    # "Preview" validates and shows what the entry would produce (quarter_entry), unsaved.
    if request.method == "POST" and form.is_valid() and "preview" not in request.POST:
        try:
            program_report_quarter(
                program=program,
                quarter=quarter,
                actor=request.user,
                budget_realized=form.cleaned_data["budget_realized"],
                realized=form.realized(),
                targets=form.targets(),
                **{name: form.cleaned_data[name] for name in QUARTER_REPORT_FIELDS},
                reason=form.cleaned_data["reason"],
                seen_version=form.cleaned_data["seen_version"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        except EditConflict as conflict:
            form.show_conflict(conflict, _quarter_values(program.pk, quarter))
        except PeriodLockError as error:
            form.add_error("reason", error.message)
        except PermissionDenied as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Quarter saved."))
            return redirect("programs:program_detail", pk=pk)
    return render(
        request,
        "programs/program_quarter.html",
        {
            "form": form,
            "program": program,
            "quarter": quarter,
            "quarter_label": Quarter(quarter).label,
            "locked": locked,
            "entry": quarter_entry(program, quarter, form),
            "row": report,
        },
    )


def _quarter_values(program_pk, quarter) -> dict:
    """A quarter's current values under the quarter form's field names."""
    program = Program.objects.get(pk=program_pk)
    current = {
        "budget_realized": getattr(program, BUDGET_FIELDS[quarter]),
    }
    report = quarter_report(program=program, quarter=quarter)
    current.update({name: getattr(report, name) for name in QUARTER_REPORT_FIELDS})
    for indicator_id in program.indicators.values_list("pk", flat=True):
        current[f"realized_{indicator_id}"] = current[f"target_{indicator_id}"] = None
    for value in IndicatorValue.objects.filter(indicator__program=program, quarter=quarter):
        current[f"realized_{value.indicator_id}"] = value.realized
        current[f"target_{value.indicator_id}"] = value.target
    return current
