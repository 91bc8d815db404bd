from django import template

from helpers import formatting

register = template.Library()


@register.filter
def number(value, decimals=0):
    return formatting.format_number(value, int(decimals))


@register.filter
def percent(value, decimals=2):
    return formatting.format_percent(value, int(decimals))


@register.filter
def rupiah(value):
    return formatting.format_rupiah(value)
