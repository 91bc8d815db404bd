from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo year (docs/demo-data.md): the `load_demo` command; no models, no pages, and
    not installed on a production server (bartim/settings.py)."""

    name = "demo"
