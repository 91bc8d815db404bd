from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BartimConfig(AppConfig):
    name = "bartim"
    verbose_name = _("Regency")
