"""Each account's own inbox and settings: nobody sees another's notices."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from helpers.views import posted_data
from notifications.forms import MySettingsForm
from notifications.models import Notification
from notifications.services import mark_read, settings_save


@require_GET
def inbox(request):
    notices = Notification.objects.filter(user=request.user)
    page = Paginator(notices, 50).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@require_GET
def notification_open(request, pk):
    """Opening a notice marks it read and goes on to what it is about."""
    notice = get_object_or_404(Notification, pk=pk, user=request.user)
    mark_read(user=request.user, notices=Notification.objects.filter(pk=notice.pk))
    return redirect(notice.url or "notifications:inbox")


@require_POST
def mark_all_read(request):
    mark_read(user=request.user, notices=Notification.objects.all())
    messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:inbox")


def my_settings(request):
    form = MySettingsForm(posted_data(request), instance=request.user)
    if request.method == "POST" and form.is_valid():
        settings_save(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your settings are saved."))
        return redirect("notifications:my_settings")
    return render(request, "notifications/my_settings.html", {"form": form})
