"""The dashboard (/) and the evaluation meeting report (/reports/<year>/): two views of the
same selector, indicators/meeting.py."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from bartim.models import Quarter
from families.sections import family_section
from helpers import exports
from programs.models import Program
from reports import maps
from reports import meeting as meeting_selector
from reports.meeting_export import meeting_xlsx_response
from reports.verification import includes_unverified, switch


def _period_filterset(request, data):
    return meeting_selector.MeetingPeriodFilterSet(
        data, queryset=Program.objects.none(), request=request
    )


def _map_layer(request) -> str:
    """The map's layer from `?map=`; a wrong one is said, and the default shown."""
    layer, problem = maps.layer_from(request.GET.get("map"), maps.RATE)
    if problem:
        messages.warning(request, problem)
    return layer


def dashboard(request):
    filterset = _period_filterset(request, request.GET)
    context = {"filter": filterset, "active_filters": [], "verification": switch(request)}
    if filterset.is_valid():
        year, quarter = filterset.year_value, filterset.quarter_value
        context.update(
            year=year,
            quarter=quarter,
            dashboard=meeting_selector.rendered_meeting(
                user=request.user,
                year=year,
                quarter=quarter,
                template=meeting_selector.DASHBOARD,
                list_limit=meeting_selector.DASHBOARD_ROWS,
                unverified=includes_unverified(request),
                map_layer=_map_layer(request),
            ).html,
        )
    status = 200 if filterset.is_valid() else 400
    return render(request, "reports/dashboard.html", context, status=status)


def latest_report(request):
    """The navigation's link: the report of the year the dashboard opens on."""
    filterset = _period_filterset(request, {})
    return redirect("reports:meeting_report", year=filterset.default_year)


def report(request, year: int, export: str | None = None):
    data = request.GET.copy()
    data["year"] = str(year)
    filterset = _period_filterset(request, data)
    unverified = includes_unverified(request)
    context = {
        "filter": filterset,
        "year": year,
        "years": filterset.years,
        "verification": switch(request),
    }
    if not filterset.is_valid():
        # An unknown year is a page that does not exist; a bad quarter is a bad link to one
        # that does. Both say what is wrong and which values there are.
        status = 404 if "year" in filterset.form.errors else 400
        return render(request, "reports/report.html", context, status=status)

    quarter = filterset.quarter_value
    requested = export or request.GET.get("_export")
    if requested == exports.XLSX:
        return meeting_xlsx_response(
            meeting_selector.meeting_for(
                user=request.user, year=year, quarter=quarter, unverified=unverified
            )
        )
    if requested:
        messages.warning(
            request,
            gettext("There is no export as “%(format)s” on this page. Choose Excel (XLSX).")
            % {"format": requested[:20]},
        )
    rendered = meeting_selector.rendered_meeting(
        user=request.user,
        year=year,
        quarter=quarter,
        template=meeting_selector.REPORT,
        unverified=unverified,
        map_layer=_map_layer(request),
    )
    context.update(
        sections=rendered.html,
        family_section=family_section(user=request.user, year=year),
        program_count=rendered.program_count,
        quarter=quarter,
        quarter_label=Quarter(quarter).label,
        period=filterset.period(),
    )
    return render(request, "reports/report.html", context)
