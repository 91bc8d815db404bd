"""Views shared by the whole project: the list view every table page uses (filters from the
URL, a sortable paginated table and its export, all from one scoped queryset), the health
check and the CSRF failure page."""

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


@login_not_required
@never_cache
def healthz(request):
    """For the load balancer: 200 while the database answers, 503 when it does not.

    It says nothing else: no version, no error text, nothing an outsider could use."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@login_not_required
def csrf_failure(request, reason=""):
    # Django's own page names the technical reason; ours says what to do, in Indonesian.
    return render(request, "403_csrf.html", status=403)
