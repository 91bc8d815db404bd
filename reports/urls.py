from django.urls import path

from reports import needs_views, targeting_views, views

app_name = "reports"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("targeting/", targeting_views.targeting, name="targeting"),
    path("needs/", needs_views.needs, name="needs"),
    path("reports/", views.latest_report, name="meeting_report_latest"),
    path("reports/<int:year>/", views.report, name="meeting_report"),
    path("reports/<int:year>/xlsx/", views.report, {"export": "xlsx"}, name="meeting_report_xlsx"),
]
