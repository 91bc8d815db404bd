"""What waits for an administrator's review, as one list oldest first: submitted plans,
quarter reports and village data, and the plans whose revision was requested. The review
queue page (`/review/`) and the administrator's home read it through the same filters."""

from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bartim.models import ReviewAction, ReviewStatus
from programs.models import Program, ProgramReviewEvent, QuarterReport, QuarterReportReviewEvent
from villages.models import VillageData, VillageDataReviewEvent


class QueueKind(models.TextChoices):
    PLAN = "plan", _("Plan")
    QUARTER_REPORT = "quarter_report", _("Quarter report")
    VILLAGE_DATA = "village_data", _("Village data")
    REVISION = "revision", _("Revision request")


# The kinds each filter applies to: a kecamatan has village data, an agency programmes, a
# quarter only quarter reports. A filter leaves out the kinds it does not apply to.
AGENCY_KINDS = (QueueKind.PLAN, QueueKind.QUARTER_REPORT, QueueKind.REVISION)
DISTRICT_KINDS = (QueueKind.VILLAGE_DATA,)
QUARTER_KINDS = (QueueKind.QUARTER_REPORT,)
# The kinds approved or returned from the queue; a revision request is granted (reopened) or
# declined with a reason on the programme's page.
BULK_KINDS = (QueueKind.PLAN, QueueKind.QUARTER_REPORT, QueueKind.VILLAGE_DATA)
# The bulk review form's field for each kind it approves or returns (review.forms).
FIELD_OF_KIND = {
    QueueKind.PLAN: "program",
    QueueKind.QUARTER_REPORT: "quarter_report",
    QueueKind.VILLAGE_DATA: "village_data",
}


@dataclass
class QueueRow:
    kind: QueueKind
    record: models.Model
    name: str
    url: str
    owner: str
    year: int
    quarter: str
    submitted_by: str | None
    since: datetime | None
    # A quarter report's evidence files (not removed), its indicator values' included (each
    # holds its report: evidence.EvidenceFile), and the page listing them.
    evidence_count: int | None = None
    evidence_url: str = ""

    @property
    def field(self) -> str:
        """The bulk form's field that chooses this row; "" when it is not chosen in bulk."""
        return FIELD_OF_KIND.get(self.kind, "")


def _latest_step(event_model, field, action, value):
    return Subquery(
        event_model.objects.filter(**{field: OuterRef("pk")}, action=action)
        .order_by("-pk")
        .values(value)[:1]
    )


def _with_submission(queryset, event_model, field, action=ReviewAction.SUBMIT):
    return queryset.annotate(
        since=_latest_step(event_model, field, action, "created_at"),
        submitted_by=_latest_step(event_model, field, action, "actor__username"),
    )


def _applies(kind, filters) -> bool:
    wanted = filters.get("kind")
    if wanted and wanted != kind:
        return False
    if filters.get("agency") and kind not in AGENCY_KINDS:
        return False
    if filters.get("district") and kind not in DISTRICT_KINDS:
        return False
    return not (filters.get("quarter") and kind not in QUARTER_KINDS)


def waiting(filters=None) -> list[QueueRow]:
    """The records waiting for review that match `filters` (the cleaned data of
    review.forms.QueueFilterForm: kind, agency, district, year, quarter; each optional),
    oldest submission first. One query per kind, whatever the number of rows."""
    filters = filters or {}
    agency, district, year = filters.get("agency"), filters.get("district"), filters.get("year")
    rows = []
    if _applies(QueueKind.PLAN, filters) or _applies(QueueKind.REVISION, filters):
        programs = Program.objects.select_related("agency")
        if agency:
            programs = programs.filter(agency=agency)
        if year:
            programs = programs.filter(year=year)
        for kind, status, action in (
            (QueueKind.PLAN, ReviewStatus.SUBMITTED, ReviewAction.SUBMIT),
            (QueueKind.REVISION, ReviewStatus.REVISION, ReviewAction.REQUEST_REVISION),
        ):
            if not _applies(kind, filters):
                continue
            found = _with_submission(
                programs.filter(status=status), ProgramReviewEvent, "program", action
            )
            rows += [
                QueueRow(kind, p, p.name, p.get_absolute_url(), str(p.agency), p.year, "",
                         p.submitted_by, p.since)
                for p in found
            ]  # fmt: skip
    if _applies(QueueKind.QUARTER_REPORT, filters):
        reports = (
            QuarterReport.objects.filter(status=ReviewStatus.SUBMITTED)
            .select_related("program__agency")
            .annotate(
                evidence_count=Count(
                    "evidence_files", filter=Q(evidence_files__removed_at__isnull=True)
                )
            )
        )
        if agency:
            reports = reports.filter(program__agency=agency)
        if year:
            reports = reports.filter(program__year=year)
        if filters.get("quarter"):
            reports = reports.filter(quarter=filters["quarter"])
        rows += [
            QueueRow(QueueKind.QUARTER_REPORT, r, r.program.name, r.get_absolute_url(),
                     str(r.program.agency), r.program.year, r.get_quarter_display(),
                     r.submitted_by, r.since, r.evidence_count,
                     reverse("evidence:quarter_evidence", args=[r.program_id, r.quarter]))
            for r in _with_submission(reports, QuarterReportReviewEvent, "quarter_report")
        ]  # fmt: skip
    if _applies(QueueKind.VILLAGE_DATA, filters):
        data = VillageData.objects.filter(status=ReviewStatus.SUBMITTED).select_related(
            "village__district"
        )
        if district:
            data = data.filter(village__district=district)
        if year:
            data = data.filter(year=year)
        rows += [
            QueueRow(QueueKind.VILLAGE_DATA, d, d.village.name,
                     reverse("villages:village_data_detail", args=[d.pk]),
                     d.village.district.name, d.year, "", d.submitted_by, d.since)
            for d in _with_submission(data, VillageDataReviewEvent, "village_data")
        ]  # fmt: skip
    # Records moved to their status without a logged step (imported, loaded) come first:
    # they have waited longest as far as anyone can tell.
    rows.sort(key=lambda row: (row.since is not None, row.since or datetime.min, row.record.pk))
    return rows


def waiting_counts() -> dict[str, int]:
    """How many records of each kind wait for review (every kind present, zero included)."""
    counts = dict.fromkeys(QueueKind.values, 0)
    counts[QueueKind.PLAN] = Program.objects.filter(status=ReviewStatus.SUBMITTED).count()
    counts[QueueKind.REVISION] = Program.objects.filter(status=ReviewStatus.REVISION).count()
    counts[QueueKind.QUARTER_REPORT] = QuarterReport.objects.filter(
        status=ReviewStatus.SUBMITTED
    ).count()
    counts[QueueKind.VILLAGE_DATA] = VillageData.objects.filter(
        status=ReviewStatus.SUBMITTED
    ).count()
    return counts
