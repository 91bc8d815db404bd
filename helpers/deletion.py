"""Reported data is never removed by deleting what it hangs off.

Foreign keys do most of it: quarterly values, village data and programmes point at their
indicator, village and agency with on_delete=PROTECT, so deleting those raises
ProtectedError and the admin shows its "protected objects" page. Two kinds of reported data
are not behind a foreign key of their own: a programme's budget realisation (fields of the
programme itself) and a programme's target villages (a many-to-many row that Django would
remove with the village). Models holding them use these bases, whose `delete()`, for one
record or a whole queryset, refuses the same way as PROTECT does.
"""

from django.db import models
from django.db.models import ProtectedError
from django.utils.translation import gettext as _


class ReportKeepingQuerySet(models.QuerySet):
    def reports_blocking_deletion(self) -> list[tuple[models.Model, str]]:
        """(object, description) for each reported value that deleting these rows would
        remove; subclasses say what their rows hold."""
        return []

    def delete(self):
        refuse_deleting_reports(self)
        return super().delete()


class ReportKeepingModel(models.Model):
    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        refuse_deleting_reports(type(self)._default_manager.filter(pk=self.pk))
        return super().delete(*args, **kwargs)


def refuse_deleting_reports(queryset) -> None:
    blocking = queryset.reports_blocking_deletion()
    if blocking:
        raise ProtectedError(
            _("Reported data is never deleted: %(reports)s")
            % {"reports": "; ".join(text for _obj, text in blocking)},
            {obj for obj, _text in blocking},
        )
