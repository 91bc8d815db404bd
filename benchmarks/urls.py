"""The project's URLs plus the benchmark's floor view; the root URLconf only when
BENCHMARK_FLOOR=1 (bartim/settings.py), so the floor view does not exist otherwise."""

from django.urls import include, path

from benchmarks import views

urlpatterns = [
    path("benchmark/floor/", views.floor, name="benchmark_floor"),
    path("", include("bartim.urls")),
]
