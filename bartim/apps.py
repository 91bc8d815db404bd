from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BartimConfig(AppConfig):
    name = "bartim"
    verbose_name = _("Regency")

    def ready(self):
        from bartim.models import Agency, District, Regency, Village
        from helpers import dataversion

        dataversion.watch(Regency, District, Village, Agency)
