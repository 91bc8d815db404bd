from django.urls import path

from programs import views

app_name = "programs"

urlpatterns = [
    path("programs/", views.ProgramListView.as_view(), name="program_list"),
    path("indicators/", views.IndicatorListView.as_view(), name="indicator_list"),
    path("strategies/", views.StrategyListView.as_view(), name="strategy_list"),
    path("opd/", views.AgencyListView.as_view(), name="agency_list"),
    path("programs/new/", views.program_create_view, name="program_create"),
    path("programs/<int:pk>/", views.program_detail, name="program_detail"),
    path("programs/<int:pk>/edit/", views.program_edit, name="program_edit"),
    path("programs/<int:pk>/indicators/new/", views.indicator_edit, name="indicator_create"),
    path(
        "programs/<int:pk>/indicators/<int:indicator_pk>/edit/",
        views.indicator_edit,
        name="indicator_edit",
    ),
    path("programs/<int:pk>/quarter/<int:quarter>/", views.program_quarter, name="program_quarter"),
]
