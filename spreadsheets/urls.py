from django.urls import path

from spreadsheets import views

app_name = "spreadsheets"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/template/", views.download, name="template"),
    path("<slug:slug>/upload/", views.upload, name="upload"),
    path("imports/<str:token>/", views.preview, name="preview"),
    path("imports/<str:token>/cancel/", views.cancel, name="cancel"),
]
