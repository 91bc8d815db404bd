"""The public page, the open data downloads and their data dictionary (no login), and the
administrator's page that publishes years.

Every public view reads as bartim.access.PUBLIC (published years, verified records only)
and is rate-limited per client address (django-ratelimit; settings.PUBLIC_RATE_LIMIT): the
pages are open to anyone, so one client must not be able to keep the server busy."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit

from bartim import access
from bartim.access import admin_required
from bartim.client_address import client_address
from bartim.models import PublishedYear
from bartim.services import published_year_publish, published_year_withdraw
from helpers import charts
from helpers.exports import CSV, XLSX, csv_rows_response, workbook_response, write_sheet
from helpers.views import apply_errors, posted_data
from reports import maps
from transparency import datasets
from transparency.forms import PublishYearForm
from transparency.selectors import village_map, year_figures, years_for
from villages.models import PovertyStatistic

JSON = "json"
DOWNLOAD_FORMATS = (CSV, XLSX, JSON)


def client_key(group, request) -> str:
    """Rate limits count per client address (behind the documented proxy, the forwarded one)."""
    return client_address(request) or ""


def public_view(view):
    """A page anyone may open, read-only, rate-limited per client."""
    limited = ratelimit(key=client_key, rate=lambda group, request: settings.PUBLIC_RATE_LIMIT)(
        view
    )
    return login_not_required(require_GET(limited))


def too_many_requests(request, exception):
    """What a rate-limited client gets (django-ratelimit's RATELIMIT_VIEW)."""
    return render(request, "transparency/429.html", status=429)


def _year(request, years) -> int | None:
    """The year asked for by `?year=`, or the latest published; 404 for one not published,
    so that the page says nothing of an unpublished year, not even that it exists."""
    asked = request.GET.get("year", "")
    if not asked:
        return years[0] if years else None
    if not asked.isdigit() or int(asked) not in years:
        raise Http404(_("This year is not published."))
    return int(asked)


def _bps_charts():
    statistics = list(
        access.readable(access.PUBLIC, PovertyStatistic.objects.all()).order_by("year")
    )
    if not statistics:
        return []
    return [
        charts.bar_chart(
            charts.yearly_points((s.year, s.poor_people) for s in statistics),
            chart_id="chart-public-poor-people",
            title=_("Poor people (BPS)"),
            description=_("Number of poor people in Barito Timur per year, BPS."),
        ),
        charts.line_chart(
            charts.yearly_points((s.year, s.poverty_rate) for s in statistics),
            chart_id="chart-public-poverty-rate",
            title=_("Poverty rate (BPS)"),
            description=_("Share of the population of Barito Timur below the poverty line."),
            unit=charts.PERCENT,
            value_decimals=2,
        ),
    ]


@public_view
def page(request):
    years = years_for(access.PUBLIC)
    year = _year(request, years)
    figures = year_figures(access.PUBLIC, year) if year is not None else None
    layer, wrong_layer = maps.layer_from(request.GET.get("map"), maps.REACH, maps.PUBLIC_LAYERS)
    if wrong_layer:
        messages.warning(request, wrong_layer)
    return render(
        request,
        "transparency/page.html",
        {
            "years": years,
            "year": year,
            "figures": figures,
            "village_map": village_map(year, layer)
            if figures and figures.villages_with_data
            else None,
            "bps_charts": _bps_charts(),
            "datasets": datasets.DATASETS.values(),
            "formats": DOWNLOAD_FORMATS,
        },
    )


@public_view
def dictionary(request):
    return render(
        request,
        "transparency/dictionary.html",
        {
            "datasets": datasets.DATASETS.values(),
            "years": years_for(access.PUBLIC),
            "formats": DOWNLOAD_FORMATS,
        },
    )


@public_view
def download(request, year: int, dataset: str, export_format: str):
    if dataset not in datasets.DATASETS or export_format not in DOWNLOAD_FORMATS:
        raise Http404
    figures = year_figures(access.PUBLIC, year)
    if figures is None:
        raise Http404(_("This year is not published."))
    chosen = datasets.DATASETS[dataset]
    filename = f"bartim-{chosen.slug}-{year}.{export_format}"
    if export_format == JSON:
        body = {
            "year": year,
            "as_of_quarter": figures.quarter,
            "dataset": chosen.slug,
            "rows": datasets.records(chosen, figures),
        }
        response = HttpResponse(
            json.dumps(body, ensure_ascii=False, indent=1),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    header, rows = datasets.table(chosen, figures)
    if export_format == CSV:
        return csv_rows_response([header, *rows], filename)
    formats = {
        index: column.number_format
        for index, column in enumerate(chosen.columns, start=1)
        if column.number_format
    }
    return workbook_response(
        lambda workbook: write_sheet(workbook, str(chosen.title), header, rows, formats), filename
    )


@admin_required
def published_years(request):
    """Publish a year (its verified figures go public) or withdraw one."""
    form = PublishYearForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            published_year_publish(year=form.cleaned_data["year"], actor=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The year is published."))
            return redirect("transparency:published_years")
    return render(
        request,
        "transparency/published_years.html",
        {"form": form, "published": PublishedYear.objects.select_related("published_by")},
    )


@require_POST
@admin_required
def withdraw_year(request, year: int):
    published = get_object_or_404(PublishedYear, year=year)
    published_year_withdraw(published=published, actor=request.user)
    messages.success(request, _("The year is withdrawn from the public page."))
    return redirect("transparency:published_years")
