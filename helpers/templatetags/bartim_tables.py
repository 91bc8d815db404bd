"""The body of a django-tables2 table, written in Python rather than by template loops."""

from django import template
from django.template.base import render_value_in_context
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from helpers.tables import LeanRow

register = template.Library()


def _static_td(bound_column) -> bool:
    attrs = bound_column.column.attrs
    return not any(callable(value) for value in attrs.get("td", attrs.get("cell", {})).values())


def _cell_html(cell, context) -> str:
    """render_value_in_context(cell, context), which leaves safe text as it is and escapes
    other text, without its date and number checks for the two kinds most cells are."""
    if context.autoescape:
        if type(cell) is SafeString:
            return cell
        if type(cell) is str:
            return escape(cell)
    return render_value_in_context(cell, context)


@register.simple_tag(takes_context=True)
def table_rows(context, table) -> str:
    """The <tr> of the table's current page, as django-tables2 renders its cells.

    Two loops of template nodes per cell, and the column's cell attributes computed again
    for every cell, were most of a table page's time (docs/performance.md). The attributes
    are computed once per column here unless one of them depends on the cell."""
    columns = list(table.columns)
    fixed = {column.name: column.attrs["td"].as_html() for column in columns if _static_td(column)}
    rows = []
    for row in table.paginated_rows:
        row = LeanRow(row.record, table=table)
        cells = []
        for column, cell in row.cells_of(columns):
            attrs = fixed.get(column.name)
            if attrs is None:
                attrs = column.attrs["td"].as_html()
            cells.append(f"<td {attrs}>{_cell_html(cell, context)}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    # Every cell went through render_value_in_context, which escapes (hence the noqa).
    return mark_safe("\n".join(rows))  # noqa: S308
