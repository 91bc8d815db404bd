from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """Synthetic data and the benchmark (docs/performance.md); no models, no pages in
    production: its floor view is routed only when BENCHMARK_FLOOR is on."""

    name = "benchmarks"
