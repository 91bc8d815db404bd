from django.urls import path

from . import views

app_name = "entry"

urlpatterns = [
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
    path("programs/<int:pk>/history/", views.program_history, name="program_history"),
    path(
        "programs/<int:pk>/<str:action>/",
        views.program_transition,
        name="program_transition",
    ),
    path("village-data/", views.village_data_list, name="village_data_list"),
    path("village-data/new/", views.village_data_edit, name="village_data_create"),
    path("village-data/<int:pk>/", views.village_data_detail, name="village_data_detail"),
    path("village-data/<int:pk>/edit/", views.village_data_edit, name="village_data_edit"),
    path("village-data/<int:pk>/history/", views.village_data_history, name="village_data_history"),
    path(
        "village-data/<int:pk>/<str:action>/",
        views.village_data_transition,
        name="village_data_transition",
    ),
    path("review/", views.review_queue, name="review_queue"),
    path("locks/", views.period_locks, name="period_locks"),
    path("audit/", views.audit, name="audit"),
]
