from django.urls import path

from evidence import views

app_name = "evidence"

urlpatterns = [
    path(
        "programs/<int:pk>/quarter/<int:quarter>/evidence/",
        views.quarter_evidence,
        name="quarter_evidence",
    ),
    path("evidence/<int:pk>/", views.download, name="download"),
    path("evidence/<int:pk>/remove/", views.remove, name="remove"),
]
