from django.urls import path

from . import report_views, targeting_views, views, village_views

urlpatterns = [
    path("programs/", views.ProgramListView.as_view(), name="program_list"),
    path("indicators/", views.IndicatorListView.as_view(), name="indicator_list"),
    path("strategies/", views.StrategyListView.as_view(), name="strategy_list"),
    path("opd/", views.AgencyListView.as_view(), name="agency_list"),
    path("villages/", village_views.VillageListView.as_view(), name="village_list"),
    path("targeting/", targeting_views.targeting, name="targeting"),
    path("reports/", report_views.latest_report, name="meeting_report_latest"),
    path("reports/<int:year>/", report_views.report, name="meeting_report"),
    path(
        "reports/<int:year>/xlsx/",
        report_views.report,
        {"export": "xlsx"},
        name="meeting_report_xlsx",
    ),
]
