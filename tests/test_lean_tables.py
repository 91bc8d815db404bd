"""helpers.tables.LeanRow and the table_rows tag: django-tables2's cells, computed faster,
must be exactly the cells django-tables2 computes itself."""

import datetime
from decimal import Decimal

import django_tables2 as tables
import pytest
from django.db.models import F
from django.template import Context, Template
from django.template.base import render_value_in_context
from django.test import RequestFactory
from django.utils import translation
from django.utils.safestring import mark_safe
from django_tables2.rows import BoundRow

from bartim.models import ReviewStatus
from helpers.tables import BaseTable, LeanRow, NumberColumn, RecordLinkColumn, RupiahColumn
from programs.models import Program
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db


class SampleTable(BaseTable):
    class Meta(BaseTable.Meta):
        pass

    name = tables.Column()
    status = tables.Column()  # a field with choices: its label, via get_status_display()
    budget_ceiling = RupiahColumn()
    beneficiary_target = NumberColumn()  # empty for some rows: the default
    shout = tables.Column(accessor="name", empty_values=())
    note = tables.Column(accessor="description", default="none")
    agency = tables.Column()  # a foreign key: the related object's str()
    agency_name = tables.Column(accessor="agency__name")  # two steps
    doubled = NumberColumn()  # an annotation, not a field
    total = NumberColumn(accessor="budget_realized_total")  # a property
    url = tables.Column(accessor="get_absolute_url")  # a method: called
    missing = tables.Column(accessor="no_such_attribute", default="?")

    def render_shout(self, value, record):
        return f"{value.upper()} #{record.pk}"

    def value_shout(self, value):
        return value.lower()


def test_lean_rows_give_the_cells_and_export_values_of_django_tables2():
    ProgramFactory(
        name="Bantuan <Pangan>", status=ReviewStatus.APPROVED, budget_ceiling=1_250_000_000
    )
    ProgramFactory(name="Jamban", beneficiary_target=None, description="")
    records = Program.objects.annotate(doubled=F("budget_ceiling") * 2).order_by("pk")
    table = SampleTable(records)

    # Both languages: the choices' labels are kept per language.
    for language in ("id", "en", "id"):
        with translation.override(language):
            for record in records:
                own, lean = BoundRow(record, table=table), LeanRow(record, table=table)
                for column in table.columns:
                    assert lean.get_cell(column.name) == own.get_cell(column.name)
                    assert lean.value_of(column) == own.get_cell_value(column.name)
            assert dict(LeanRow(records[0], table=table).cells_of(list(table.columns))) == {
                column: BoundRow(records[0], table=table).get_cell(column.name)
                for column in table.columns
            }


def test_table_rows_escape_text_and_keep_each_columns_attributes():
    ProgramFactory(name="<script>x</script>", budget_ceiling=5_000)
    table = SampleTable(Program.objects.order_by("pk"))
    table.paginate(per_page=25)
    request = RequestFactory().get("/")

    html = Template("{% load bartim_tables %}{% table_rows table %}").render(
        Context({"table": table, "request": request})
    )

    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<script>" not in html
    assert '<td class="number">Rp5.000</td>' in html


class LinkTable(BaseTable):
    class Meta(BaseTable.Meta):
        pass

    linkified = tables.Column(
        accessor="name", linkify=("programs:program_detail", [tables.A("pk")])
    )
    linked = RecordLinkColumn("programs:program_detail", accessor="name")


def test_a_record_link_is_the_link_linkify_writes():
    ProgramFactory(name="Bantuan <Pangan> & Air")
    ProgramFactory(name="Jamban")
    table = LinkTable(Program.objects.order_by("pk"))

    for row in table.rows:
        assert row.get_cell("linked") == row.get_cell("linkified")
        assert row.get_cell_value("linked") == row.get_cell_value("linkified")
    assert 'href="/' in table.rows[0].get_cell("linked")


def test_table_rows_write_each_kind_of_cell_as_the_template_engine_would():
    cells = [
        mark_safe("<b>safe</b>"),
        "<i>text</i> & more",
        7,
        Decimal("1.5"),
        datetime.date(2024, 3, 31),
        None,
    ]

    class KindsTable(BaseTable):
        class Meta(BaseTable.Meta):
            pass

        cell = tables.Column(empty_values=())

        def render_cell(self, record):
            return record["cell"]

    table = KindsTable([{"cell": cell} for cell in cells])
    table.paginate(per_page=25)
    context = Context({"table": table, "request": RequestFactory().get("/")})

    html = Template("{% load bartim_tables %}{% table_rows table %}").render(context)

    expected = [f"<td >{render_value_in_context(cell, context)}</td>" for cell in cells]
    assert html == "\n".join(f"<tr>{cell}</tr>" for cell in expected)
