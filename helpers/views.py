from django.contrib import messages
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from helpers import dataversion, exports
from helpers.filters import PAGE_PARAMETERS
from helpers.tables import ALL_COLUMNS, COLUMNS_PARAMETER, PER_PAGE


class FilteredTableView(SingleTableMixin, FilterView):
    """Subclasses set table_class, filterset_class, title, export_name and get_queryset(),
    which scopes the rows with bartim.access.readable: the page, its filters' counts and
    its exports all read through it.

    The filters and the table are rendered once per version of the data for the same URL
    and what the user may see (helpers.dataversion.cached).

    Invalid filter values (year=abc, quarter=7) show the form's errors and no table, never
    an empty table that looks like "no programmes"; an export with invalid filters shows the
    same page instead of a file."""

    template_name = "helpers/table_page.html"
    body_template_name = "helpers/_table_page_body.html"
    export_parameter = "_export"
    export_formats = (exports.CSV, exports.XLSX)
    title = ""
    description = ""

    def get_export_format(self):
        export_format = self.request.GET.get(self.export_parameter)
        return export_format if export_format in self.export_formats else None

    def shows_all_columns(self) -> bool:
        return self.request.GET.get(COLUMNS_PARAMETER) == ALL_COLUMNS

    def get_table_kwargs(self):
        """The page leaves the table's secondary columns out unless asked for all of them,
        or sorted by one of them (a sorted column stays in sight); exports keep every column,
        whatever the page shows."""
        kwargs = super().get_table_kwargs()
        if self.get_export_format() or self.shows_all_columns():
            return kwargs
        sorted_by = self.request.GET.get("sort", "").lstrip("-")
        kwargs["exclude"] = tuple(
            name for name in self.table_class.secondary_columns if name != sorted_by
        )
        return kwargs

    def columns_toggle(self, query):
        """(label, link) that shows every column or the key ones only; None for a table
        without secondary columns."""
        if not self.table_class.secondary_columns:
            return None
        query = query.copy()
        if self.shows_all_columns():
            query.pop(COLUMNS_PARAMETER, None)
            label = _("Show key columns only")
        else:
            query[COLUMNS_PARAMETER] = ALL_COLUMNS
            label = _("Show all columns")
        return label, f"?{query.urlencode()}"

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
            *self.cache_key_parts(),
        )
        context["body"] = dataversion.cached(
            key, lambda: render_to_string(self.body_template_name, context, self.request)
        )
        return super().render_to_response(context, **response_kwargs)

    def cache_key_parts(self) -> tuple:
        """What else than the data the rendered page depends on (a page showing lateness:
        the date)."""
        return ()

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
            columns_toggle=self.columns_toggle(base),
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
