"""Markup of the targeting check that repeats thousands of times at a province's scale."""

from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from helpers.formatting import format_percent, format_rupiah

register = template.Library()


@register.filter
def programme_list(refs) -> str:
    """The programmes of one village and strategy as a list, each with its agency.

    Written in Python, not as a template loop: a province's check lists some 20,000
    programme-village pairs, and the loop cost a second per page."""
    items = []
    mark = f' <span class="badge text-bg-warning unverified-mark">{escape(_("unverified"))}</span>'
    for ref in refs:
        title = f' title="{escape(ref.agency_name)}"' if ref.agency_abbreviation else ""
        items.append(
            f'<li class="mb-1">{escape(ref.name)} '
            f'<span class="text-muted"{title}>({escape(ref.agency_label)})</span>'
            f"{mark if ref.unverified else ''}</li>"
        )
    # Every text above went through escape (hence the noqa).
    return mark_safe(f'<ul class="list-unstyled mb-0 small">{"".join(items)}</ul>')  # noqa: S308


@register.filter
def need_programme_list(refs) -> str:
    """The programmes of one need reaching one village, each with its agency, pagu and
    achievement (reports.needs.NeedProgram); written in Python for the same reason."""
    items = []
    mark = f' <span class="badge text-bg-warning unverified-mark">{escape(_("unverified"))}</span>'
    for ref in refs:
        title = f' title="{escape(ref.agency_name)}"' if ref.agency_abbreviation else ""
        items.append(
            f'<li class="mb-1">{escape(ref.name)} '
            f'<span class="text-muted"{title}>({escape(ref.agency_label)})</span> '
            f"· {escape(format_rupiah(ref.budget_ceiling))} "
            f"· {escape(format_percent(ref.achievement))}"
            f"{mark if ref.unverified else ''}</li>"
        )
    # Every text above went through escape (hence the noqa).
    return mark_safe(f'<ul class="list-unstyled mb-0 small">{"".join(items)}</ul>')  # noqa: S308
