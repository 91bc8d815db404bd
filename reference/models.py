from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferenceSnapshot(models.Model):
    """What a reference data file said the last time load_bartim read it.

    Comparing a file with its snapshot tells a value changed in the file (which the loader
    applies) from a value changed in the application (which the loader keeps).
    """

    dataset = models.CharField(_("dataset"), max_length=50, unique=True)
    rows = models.JSONField(_("rows"), default=dict)
    loaded_at = models.DateTimeField(_("loaded"), auto_now=True)

    class Meta:
        verbose_name = _("reference data snapshot")
        verbose_name_plural = _("reference data snapshots")

    def __str__(self):
        return self.dataset
