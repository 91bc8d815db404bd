"""What each reporting role has to do: the state of each quarter of an agency's programmes
and of a kecamatan's village data for a year, and the one link to the next step."""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from bartim.models import Quarter, ReviewAction, ReviewStatus, Village
from programs.models import Program, QuarterReport, QuarterReportReviewEvent
from programs.periods import today
from villages.models import VillageData, VillageDataReviewEvent

# The states a home page shows for a quarter's report or a year's village data. A stored
# draft and data typed but never submitted are both a draft; nothing typed is not started.
NOT_STARTED = "not_started"
STATE_LABELS = {
    NOT_STARTED: _("Not started"),
    ReviewStatus.DRAFT: _("Draft"),
    ReviewStatus.SUBMITTED: _("Submitted"),
    ReviewStatus.RETURNED: _("Returned"),
    ReviewStatus.APPROVED: _("Verified"),
}
# Still the reporter's to do: typed (or not) but not yet with the reviewer.
OPEN_STATES = (NOT_STARTED, ReviewStatus.DRAFT, ReviewStatus.RETURNED)
# The steps whose reason the reporter must read: a return, and a reopening of approved data.
REASONED = (ReviewAction.RETURN, ReviewAction.REOPEN)


@dataclass
class State:
    state: str
    url: str
    reason: str = ""

    @property
    def label(self):
        return STATE_LABELS[self.state]

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


@dataclass
class ProgramWork:
    program: Program
    quarters: list[tuple[str, State]] = field(default_factory=list)
    next_label: str = ""
    next_url: str = ""


def _reason(events) -> str:
    """The reason of the latest return or reopening, if that is the record's last step."""
    latest = events[0] if events else None
    return latest.reason if latest and latest.action in REASONED else ""


def agency_work(agency_id: int, year: int) -> list[ProgramWork]:
    """The agency's programmes of `year` with each quarter's state and the next step: the
    plan while it is a draft or returned (quarters are submitted once it is approved), else
    the first quarter still open."""
    programs = (
        Program.objects.filter(agency_id=agency_id, year=year)
        .order_by("name", "pk")
        .prefetch_related(
            Prefetch(
                "quarter_reports",
                QuarterReport.objects.prefetch_related(
                    Prefetch(
                        "review_events",
                        QuarterReportReviewEvent.objects.order_by("-pk"),
                        to_attr="latest_events",
                    )
                ),
            )
        )
    )
    work = []
    for program in programs:
        reports = {report.quarter: report for report in program.quarter_reports.all()}
        item = ProgramWork(program)
        for quarter in Quarter:
            url = reverse("programs:program_quarter", kwargs={"pk": program.pk, "quarter": quarter})
            report = reports.get(quarter)
            if report is not None and report.status != ReviewStatus.DRAFT:
                state = State(report.status, url, _reason(report.latest_events))
            elif report is not None or getattr(program, f"reported_q{quarter}"):
                state = State(ReviewStatus.DRAFT, url)
            else:
                state = State(NOT_STARTED, url)
            item.quarters.append((quarter.label, state))
        if program.status in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
            item.next_label, item.next_url = (
                _("Complete and submit the plan"),
                (program.get_absolute_url()),
            )
        else:
            first_open = next(
                ((label, state) for label, state in item.quarters if state.is_open), None
            )
            if first_open:
                item.next_label = _("Report %(quarter)s") % {"quarter": first_open[0]}
                item.next_url = first_open[1].url
        work.append(item)
    return work


@dataclass
class VillageWork:
    village: Village
    state: State


def district_work(district_id: int, year: int) -> list[VillageWork]:
    """The kecamatan's villages with the state of their data for `year` and the one link to
    enter it (none yet), change it (draft or returned) or read it."""
    records = {
        record.village_id: record
        for record in VillageData.objects.filter(
            village__district_id=district_id, year=year
        ).prefetch_related(
            Prefetch(
                "review_events",
                VillageDataReviewEvent.objects.order_by("-pk"),
                to_attr="latest_events",
            )
        )
    }
    work = []
    for village in Village.objects.filter(district_id=district_id).order_by("name"):
        record = records.get(village.pk)
        if record is None:
            url = (
                reverse("villages:village_data_create")
                + "?"
                + urlencode({"village": village.code, "year": year})
            )
            state = State(NOT_STARTED, url)
        elif record.status in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
            url = reverse("villages:village_data_edit", args=[record.pk])
            state = State(record.status, url, _reason(record.latest_events))
        else:
            url = reverse("villages:village_data_detail", args=[record.pk])
            state = State(record.status, url)
        work.append(VillageWork(village, state))
    return work


def village_data_year() -> int:
    """The year a camat's home opens on: the latest year with village data, else this one."""
    latest = VillageData.objects.order_by("-year").values_list("year", flat=True).first()
    return latest or today().year
