"""The evidence section of a quarter's page (programs' quarter template loads it, since
programs sits below evidence and its views cannot import it)."""

from django import template

from evidence.views import evidence_context

register = template.Library()


@register.inclusion_tag("evidence/_evidence.html", takes_context=True)
def quarter_evidence(context, program, quarter):
    return {
        **evidence_context(context["request"].user, program, quarter, back="quarter"),
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }
