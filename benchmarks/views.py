from django.shortcuts import render

from programs.models import Program

FLOOR_ROWS = 25


def floor(request):
    """The least a programme list can cost in this stack: one query, walking the primary key
    index backwards, for 25 programmes with their OPD and strategy, in a template without
    the site layout. The benchmark reports every page's time as a multiple of this one."""
    programmes = (
        Program.objects.select_related("agency", "strategy")
        .only("name", "year", "budget_ceiling", "agency__name", "strategy__name")
        .order_by("-pk")[:FLOOR_ROWS]
    )
    fields = [Program._meta.get_field(name) for name in ("name", "agency", "strategy", "year")]
    return render(
        request,
        "benchmarks/floor.html",
        {"programmes": programmes, "headers": [field.verbose_name for field in fields]},
    )
