from django.urls import path

from villages import views

app_name = "villages"

urlpatterns = [
    path("villages/", views.VillageListView.as_view(), name="village_list"),
    path("village-data/", views.village_data_list, name="village_data_list"),
    path("village-data/new/", views.village_data_edit, name="village_data_create"),
    path("village-data/<int:pk>/", views.village_data_detail, name="village_data_detail"),
    path("village-data/<int:pk>/edit/", views.village_data_edit, name="village_data_edit"),
]
