from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/<int:pk>/", views.notification_open, name="open"),
    path("notifications/read-all/", views.mark_all_read, name="mark_all_read"),
    path("my-settings/", views.my_settings, name="my_settings"),
]
