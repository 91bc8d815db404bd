"""Evidence files (*bukti dukung*): photos, SP2D, *berita acara* attached to a quarter's
report of a programme, or to one of its indicators' values of that quarter. A file is
checked before it is stored (evidence/validation.py) and is never changed afterwards;
removing it marks the record removed and keeps both the record and the stored file, so the
history still shows and serves it."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class FileType(models.TextChoices):
    """The accepted types, told from a file's content (evidence/validation.py)."""

    PDF = "pdf", "PDF"
    JPG = "jpg", "JPG"
    PNG = "png", "PNG"
    XLSX = "xlsx", "XLSX"
    DOCX = "docx", "DOCX"


def evidence_path(record, filename: str) -> str:
    """Where the storage keeps a file: a random name under the year, so that a stored name
    tells nothing and two files of the same name never meet. The sanitised name people gave
    it is kept in `original_name` and given back on download."""
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"evidence/{record.report.program.year}/{uuid.uuid4().hex}.{extension}"


class EvidenceFileQuerySet(models.QuerySet):
    def present(self):
        """The files not removed: those the quarter's report counts as its evidence."""
        return self.filter(removed_at__isnull=True)


class EvidenceFile(models.Model):
    """One evidence file of a quarter's report. `report` is always set: the quarter report
    reviews the quarter's data, so its status, its period and its reporters govern every
    file of the quarter. `indicator_value`, when set, narrows what the file is about to one
    indicator's value of that quarter (evidence_add sets it with the value's own report;
    docs/evidence.md tells why this is not a second, exclusive link)."""

    report = models.ForeignKey(
        "programs.QuarterReport",
        on_delete=models.PROTECT,
        related_name="evidence_files",
        verbose_name=_("quarter report"),
    )
    indicator_value = models.ForeignKey(
        "indicators.IndicatorValue",
        # A value with files (removed ones included: they stay in the history) is kept.
        on_delete=models.PROTECT,
        related_name="evidence_files",
        null=True,
        blank=True,
        verbose_name=_("indicator value"),
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=150)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    file_type = models.CharField(_("type"), max_length=4, choices=FileType.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("removed by"),
    )
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    history = HistoricalRecords()
    objects = EvidenceFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["report", "uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("evidence:download", kwargs={"pk": self.pk})

    def clean(self):
        # What evidence_add guarantees, for any other path: a value's file belongs to the
        # report of the value's own programme and quarter.
        value = self.indicator_value
        if (
            value is not None
            and self.report_id is not None
            and (
                value.indicator.program_id != self.report.program_id
                or value.quarter != self.report.quarter
            )
        ):
            raise ValidationError(
                {
                    "indicator_value": _(
                        "An indicator value's evidence belongs to the report of that value's "
                        "programme and quarter."
                    )
                }
            )

    @property
    def removed(self) -> bool:
        return self.removed_at is not None
