from django.urls import path

from families import views

app_name = "families"

urlpatterns = [
    path("families/", views.index, name="index"),
    path("families/registry/upload/", views.registry_upload, name="registry_upload"),
    path("families/registry/<int:pk>/preview/", views.registry_preview, name="registry_preview"),
    path("families/registry/<int:pk>/edit/", views.snapshot_edit, name="snapshot_edit"),
    path("families/registry/<int:pk>/delete/", views.snapshot_delete, name="snapshot_delete"),
    path("families/measures/", views.measures, name="measures"),
    path("families/unreached/", views.unreached, name="unreached"),
    path("families/programmes/", views.programmes, name="programmes"),
    path("families/programmes/<int:pk>/", views.beneficiaries, name="beneficiaries"),
    path(
        "families/programmes/<int:pk>/template/",
        views.beneficiary_template,
        name="beneficiary_template",
    ),
    path(
        "families/programmes/<int:pk>/upload/",
        views.beneficiary_upload,
        name="beneficiary_upload",
    ),
    path(
        "families/beneficiaries/<int:pk>/delete/",
        views.beneficiary_delete,
        name="beneficiary_delete",
    ),
    path("families/imports/<str:token>/", views.beneficiary_preview, name="beneficiary_preview"),
    path(
        "families/imports/<str:token>/cancel/",
        views.beneficiary_cancel,
        name="beneficiary_cancel",
    ),
    path("families/access-log/", views.access_log, name="access_log"),
]
