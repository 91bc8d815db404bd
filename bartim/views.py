"""Views shared by the whole project: the list view every table page uses (filters from the
URL, a sortable paginated table and its export, all from one scoped queryset), the health
check and the CSRF failure page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from . import dataversion, exports
from .filters import PAGE_PARAMETERS
from .tables import PER_PAGE


class FilteredTableView(SingleTableMixin, FilterView):
    """Subclasses set table_class, filterset_class, title, export_name and get_queryset(),
    which scopes the rows with visible_to(request.user): the page, its filters' counts and
    its exports all read through it.

    The filters and the table are rendered once per version of the data for the same URL
    and what the user may see (bartim.dataversion.cached).

    Invalid filter values (year=abc, quarter=7) show the form's errors and no table, never
    an empty table that looks like "no programmes"; an export with invalid filters shows the
    same page instead of a file."""

    template_name = "bartim/table_page.html"
    body_template_name = "bartim/_table_page_body.html"
    export_parameter = "_export"
    export_formats = (exports.CSV, exports.XLSX)
    title = ""
    description = ""

    def get_export_format(self):
        export_format = self.request.GET.get(self.export_parameter)
        return export_format if export_format in self.export_formats else None

    def get_table_pagination(self, table):
        if self.get_export_format():
            return False
        return {"per_page": PER_PAGE}

    def render_to_response(self, context, **response_kwargs):
        requested = self.request.GET.get(self.export_parameter)
        export_format = self.get_export_format()
        if export_format and self.filterset.is_valid():
            return exports.table_response(
                context["table"],
                export_format,
                filename=self.get_export_filename(export_format),
                title=str(self.title),
            )
        if requested and not export_format:
            messages.warning(
                self.request,
                _("There is no export as “%(format)s”. Choose CSV or Excel (XLSX).")
                % {"format": requested[:20]},
            )
        key = (
            "table page",
            self.request.get_full_path(),
            *dataversion.visibility_key(self.request.user),
        )
        context["body"] = dataversion.cached(
            key, lambda: render_to_string(self.body_template_name, context, self.request)
        )
        return super().render_to_response(context, **response_kwargs)

    def get_export_filename(self, export_format):
        parts = [slugify(str(self.export_name)), *self.filterset.filename_parts()]
        return "_".join(parts) + "." + export_format

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        base = self.request.GET.copy()
        for parameter in PAGE_PARAMETERS:
            base.pop(parameter, None)
        context.update(
            title=self.title,
            description=self.description,
            active_filters=self.filterset.active_filters(),
            period=self.filterset.period(),
            export_links=[
                (label, f"?{self._with(base, export_format)}")
                for export_format, label in (
                    (exports.CSV, _("CSV")),
                    (exports.XLSX, _("Excel (XLSX)")),
                )
            ],
        )
        return context

    def _with(self, query, export_format):
        query = query.copy()
        query[self.export_parameter] = export_format
        return query.urlencode()


@login_not_required
@never_cache
def healthz(request):
    """For the load balancer: 200 while the database answers, 503 when it does not.

    It says nothing else: no version, no error text, nothing an outsider could use."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@login_not_required
def csrf_failure(request, reason=""):
    # Django's own page names the technical reason; ours says what to do, in Indonesian.
    return render(request, "403_csrf.html", status=403)
