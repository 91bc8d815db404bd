"""Markup of the targeting check that repeats thousands of times at a province's scale."""

from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from helpers.formatting import format_number, format_percent, format_quantity, format_rupiah

register = template.Library()


def _programme_items(refs, figures) -> str:
    """Programmes as a list, each with its agency (the full name on hover), `figures(ref)`
    (already escaped) and the unverified mark."""
    items = []
    mark = f' <span class="badge text-bg-warning unverified-mark">{escape(_("unverified"))}</span>'
    for ref in refs:
        title = f' title="{escape(ref.agency_name)}"' if ref.agency_abbreviation else ""
        items.append(
            f'<li class="mb-1">{escape(ref.name)} '
            f'<span class="text-muted"{title}>({escape(ref.agency_label)})</span>'
            f"{figures(ref)}{mark if ref.unverified else ''}</li>"
        )
    # Every text above went through escape (hence the noqa).
    return mark_safe(f'<ul class="list-unstyled mb-0 small">{"".join(items)}</ul>')  # noqa: S308


@register.filter
def programme_list(refs) -> str:
    """The programmes of one village and strategy as a list, each with its agency.

    Written in Python, not as a template loop: a province's check lists some 20,000
    programme-village pairs, and the loop cost a second per page."""
    return _programme_items(refs, lambda ref: "")


@register.filter
def need_programme_list(refs) -> str:
    """The programmes of one need reaching one village, each with its agency, pagu and
    achievement (reports.targeting.ProgramRef); written in Python for the same reason."""
    return _programme_items(
        refs,
        lambda ref: (
            f" · {escape(format_rupiah(ref.budget_ceiling))}"
            f" · {escape(format_percent(ref.achievement))}"
        ),
    )


@register.filter
def village_need_cells(village) -> str:
    """One village's cells of the basic-needs page's per-village table: each need's deficit,
    per 100 KK, the flag and the programmes answering it (reports.needs.VillageNeeds). In
    Python: a province's table has some 9,000 cells, 1.4 s as a template loop."""
    flag = f' <span class="badge text-bg-danger">{escape(_("flagged"))}</span>'
    cells = []
    for gap in village.gaps:
        rate = format_quantity(gap.rate, 2)
        opening = '<td class="table-danger">' if gap.flagged else "<td>"
        cells.append(
            f"{opening}"
            f"{escape(format_number(gap.deficit))} "
            f'<span class="small text-muted">({escape(rate)}/100 KK)</span>'
            f"{flag if gap.flagged else ''}"
            f"{programme_list(gap.programs) if gap.programs else ''}</td>"
        )
    # Every text above went through escape or programme_list (hence the noqa).
    return mark_safe("".join(cells))  # noqa: S308


@register.filter
def village_family_cells(row) -> str:
    """One village's family cells on the targeting page (reports.targeting.with_families):
    eligible families, those reached with their share, decile 1 families not reached. In
    Python for the same reason as programme_list: a province has thousands of villages."""
    families = row.families
    if families is None:
        return mark_safe('<td class="number"></td>' * 3)  # noqa: S308 (constant markup)
    share = format_percent(families.eligible_reached_share)
    return mark_safe(  # noqa: S308 (every value went through escape)
        f'<td class="number">{escape(format_number(families.eligible))}</td>'
        f'<td class="number">{escape(format_number(families.eligible_reached))}'
        f'<div class="small text-muted">({escape(share)})</div></td>'
        f'<td class="number">{escape(format_number(families.decile1_unreached))}</td>'
    )
