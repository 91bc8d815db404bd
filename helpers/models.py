from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DataVersion(models.Model):
    """A row whose stamp changes with every write to the data the summary pages show, and
    one for the family measures' inputs only (helpers/dataversion.py): cached summaries are
    keyed by them, so a write makes them stale."""

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    stamp = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data version")
        constraints = [
            models.CheckConstraint(condition=Q(id__in=[1, 2]), name="dataversion_known_rows")
        ]

    def __str__(self):
        return str(self.stamp)
