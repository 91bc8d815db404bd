from django.urls import path

from review import views

app_name = "review"

urlpatterns = [
    path("programs/<int:pk>/history/", views.program_history, name="program_history"),
    path(
        "programs/<int:pk>/<str:action>/",
        views.program_transition,
        name="program_transition",
    ),
    path(
        "programs/<int:pk>/quarter/<int:quarter>/<str:action>/",
        views.quarter_report_transition,
        name="quarter_report_transition",
    ),
    path("village-data/<int:pk>/history/", views.village_data_history, name="village_data_history"),
    path(
        "village-data/<int:pk>/<str:action>/",
        views.village_data_transition,
        name="village_data_transition",
    ),
    path("review/", views.review_queue, name="review_queue"),
    path("locks/", views.period_locks, name="period_locks"),
    path("deadlines/", views.deadlines, name="deadlines"),
    path("audit/", views.audit, name="audit"),
]
