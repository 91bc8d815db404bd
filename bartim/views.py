"""Views shared by the whole project: the list view every table page uses (filters from the
URL, a sortable paginated table and its export, all from one scoped queryset), the health
check, the CSRF failure page and the throttled password change."""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_login_failed
from django.db import DatabaseError, connection
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
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


class ThrottledPasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, throttled like the login. A wrong old password is recorded
    as a failed login (django-axes, in the database, so every worker counts it), and after
    AXES_FAILURE_LIMIT failures within the cool-off the form is refused with the login's 429
    page: counted per address by axes itself (a lockout there also blocks logging in from it),
    and per user over every address, since whoever guesses here already holds the user's
    session and may change address at will."""

    def post(self, request, *args, **kwargs):
        if self._locked_out():
            return self._lockout()
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if form.has_error("old_password", "password_incorrect"):
            user_login_failed.send(
                sender=type(self), credentials=self._credentials(), request=self.request
            )
            if self._locked_out():
                return self._lockout()
        return super().form_invalid(form)

    def _credentials(self) -> dict:
        return {"username": self.request.user.get_username()}

    def _locked_out(self) -> bool:
        if not AxesProxyHandler.is_allowed(self.request, self._credentials()):
            return True
        failures = AccessAttempt.objects.filter(
            username=self.request.user.get_username(),
            path_info=self.request.path,
            attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
        ).aggregate(total=Sum("failures_since_start"))["total"]
        return (failures or 0) >= settings.AXES_FAILURE_LIMIT

    def _lockout(self):
        return get_lockout_response(self.request, credentials=self._credentials())
