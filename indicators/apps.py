from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Indicators and village data")

    def ready(self):
        from . import (
            admin_pockets,  # noqa: F401  (registers the poverty-pocket rule)
            signals,  # noqa: F401  (keeps the stored programme progress current)
        )
