from django import template

from helpers import formatting

register = template.Library()


@register.filter
def number(value, decimals=0):
    """A stored figure: at most `decimals` decimals, and none when it is whole ("120 siswa",
    "4,5")."""
    return formatting.format_quantity(value, int(decimals))


@register.filter
def percent(value, decimals=2):
    return formatting.format_percent(value, int(decimals))


@register.filter
def rupiah(value):
    return formatting.format_rupiah(value)
