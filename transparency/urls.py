from django.urls import path

from transparency import views

app_name = "transparency"

urlpatterns = [
    path("open/", views.page, name="page"),
    path("open/data/", views.dictionary, name="dictionary"),
    path(
        "open/data/<int:year>/<slug:dataset>.<slug:export_format>",
        views.download,
        name="download",
    ),
    path("published-years/", views.published_years, name="published_years"),
    path("published-years/<int:year>/withdraw/", views.withdraw_year, name="withdraw_year"),
]
