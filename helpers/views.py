from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin

from helpers import exports
from helpers.filters import PAGE_PARAMETERS
from helpers.tables import PER_PAGE


class FilteredTableView(ExportMixin, SingleTableMixin, FilterView):
    """Subclasses set table_class, filterset_class, title, export_name and get_queryset(),
    which scopes the rows with visible_to(request.user): the page, its filters' counts and
    its exports all read through it.

    Invalid filter values (year=abc, quarter=7) show the form's errors and no table, never
    an empty table that looks like "no programmes"; an export with invalid filters shows the
    same page instead of a file."""

    template_name = "helpers/table_page.html"
    export_formats = (exports.CSV, exports.XLSX)
    title = ""
    description = ""

    def get_export_format(self):
        export_format = self.request.GET.get(self.export_trigger_param)
        return export_format if export_format in self.export_formats else None

    def get_table_pagination(self, table):
        if self.get_export_format():
            return False
        return {"per_page": PER_PAGE}

    def render_to_response(self, context, **response_kwargs):
        requested = self.request.GET.get(self.export_trigger_param)
        export_format = self.get_export_format()
        if export_format and self.filterset.is_valid():
            return self.create_export(export_format, context["table"])
        if requested and not export_format:
            messages.warning(
                self.request,
                _("There is no export as “%(format)s”. Choose CSV or Excel (XLSX).")
                % {"format": requested[:20]},
            )
        # Past ExportMixin, whose own export would build the whole file in memory.
        return super(ExportMixin, self).render_to_response(context, **response_kwargs)

    def create_export(self, export_format, table=None):
        table = table or self.get_table(**self.get_table_kwargs())
        return exports.table_response(
            table,
            export_format,
            filename=self.get_export_filename(export_format),
            title=str(self.title),
        )

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
        query[self.export_trigger_param] = export_format
        return query.urlencode()


def posted_data(request):
    """The submitted data, or None for a GET; an empty POST is still a POST to validate."""
    return request.POST if request.method == "POST" else None


def apply_errors(form, error: ValidationError):
    """Put a model's validation errors on the form fields they name (or on the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
