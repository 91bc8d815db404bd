from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpersConfig(AppConfig):
    name = "helpers"
    verbose_name = _("Helpers")

    def ready(self):
        import django_tables2.utils

        from helpers.tables import memoised_signature

        django_tables2.utils.signature = memoised_signature
