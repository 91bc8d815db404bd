"""An OPD's quarter: each indicator's target and realisation, and each programme's budget
realisation, entered once per programme on its own sheet."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bartim import access
from bartim.models import Quarter
from indicators.models import Indicator, IndicatorValue
from programs import plausibility
from programs.models import Program, QuarterReport
from programs.progress import ceiling_in_force
from programs.services import BUDGET_FIELDS, program_report_quarter
from spreadsheets.kinds.base import (
    CHANGED,
    NEW,
    UNCHANGED,
    TemplateContent,
    TemplateKind,
    TemplateRow,
    status_refusal,
)
from spreadsheets.layout import REQUIRED, Column, SheetSpec, decimal, text, whole, year_column


def _quarter_column() -> Column:
    return Column(
        key="quarter",
        label=gettext_lazy("Quarter (1–4)"),
        parse=whole(1, 4),
        identifying=True,
        blank=REQUIRED,
        width=10,
        number_format="0",
        help=gettext_lazy("Triwulan: 1 to 4."),
    )


def _info(key, label, width=24, number_format="General") -> Column:
    return Column(
        key=key,
        label=label,
        width=width,
        number_format=number_format,
        help=gettext_lazy("For reading only."),
    )


VALUES = SheetSpec(
    key="values",
    title=gettext_lazy("Indicators"),
    columns=(
        Column(
            key="indicator_id",
            label=gettext_lazy("Indicator ID"),
            parse=whole(1),
            identifying=True,
            blank=REQUIRED,
            width=10,
            number_format="0",
            help=gettext_lazy("The application's number for the indicator; do not change it."),
        ),
        _info("agency", gettext_lazy("Agency (OPD)"), 20),
        _info("program", gettext_lazy("Programme"), 32),
        _info("indicator", gettext_lazy("Indicator"), 32),
        _info("unit", gettext_lazy("Unit"), 8),
        _info("aggregation", capfirst(Indicator._meta.get_field("aggregation").verbose_name), 24),
        _info("annual_target", gettext_lazy("Annual target"), 12, "#,##0.##"),
        year_column(identifying=True, help=gettext_lazy("Fiscal year of the programme.")),
        _quarter_column(),
        Column(
            key="target",
            label=gettext_lazy("Target up to this quarter (cumulative)"),
            parse=decimal(2),
            width=18,
            number_format="#,##0.00",
            validation={"type": "decimal"},
            help=gettext_lazy(
                "Optional. Where the indicator should be by the end of the quarter. For a sum "
                "of quarters or a cumulative total: the total since 1 January, not the "
                "quarter's own share; it never goes down from one quarter to the next, and for "
                "a sum of quarters the Q IV target is the annual target. For a latest value: "
                "the level. A blank cell clears the value."
            ),
        ),
        Column(
            key="realized",
            label=capfirst(IndicatorValue._meta.get_field("realized").verbose_name),
            parse=decimal(2, minimum=0),
            required=True,
            width=14,
            number_format="#,##0.00",
            validation={"type": "decimal", "min": 0},
            help=gettext_lazy(
                "What was achieved; for a cumulative indicator the running total. "
                "A blank cell clears the value."
            ),
        ),
    ),
)

# The quarter report's fields on the budget sheet, one row per programme and quarter.
REPORT_COLUMNS = ("physical_progress", "problems", "follow_up")
# The quarter report's texts in a cell: a paragraph or two, as in the form.
REPORT_TEXT_LENGTH = 4000

BUDGET = SheetSpec(
    key="budget",
    title=gettext_lazy("Budget"),
    columns=(
        Column(
            key="program_id",
            label=gettext_lazy("Programme ID"),
            parse=whole(1),
            identifying=True,
            blank=REQUIRED,
            width=10,
            number_format="0",
            help=gettext_lazy("The application's number for the programme; do not change it."),
        ),
        _info("agency", gettext_lazy("Agency (OPD)"), 20),
        _info("program", gettext_lazy("Programme"), 40),
        _info("budget_ceiling", gettext_lazy("Budget ceiling in force (Rp)"), 18, "#,##0"),
        _info("realized_other", gettext_lazy("Realised in the other quarters (Rp)"), 18, "#,##0"),
        year_column(identifying=True, help=gettext_lazy("Fiscal year of the programme.")),
        _quarter_column(),
        Column(
            key="budget_realized",
            label=gettext_lazy("Budget realised this quarter (Rp)"),
            parse=whole(0),
            required=True,
            blank=0,
            width=20,
            number_format="#,##0",
            validation={"type": "whole", "min": 0},
            help=gettext_lazy(
                "Rupiah spent in this quarter alone. A blank cell counts as 0. The four "
                "quarters together may not exceed the budget ceiling."
            ),
        ),
        Column(
            key="physical_progress",
            label=capfirst(QuarterReport._meta.get_field("physical_progress").verbose_name),
            parse=decimal(2, minimum=0, maximum=100, percent=True),
            width=14,
            number_format="0.00",
            validation={"type": "decimal", "min": 0, "max": 100},
            help=gettext_lazy(
                "How far the programme's work stands by the end of the quarter, 0 to 100 "
                "(cumulative). A blank cell clears the value."
            ),
        ),
        Column(
            key="problems",
            label=capfirst(QuarterReport._meta.get_field("problems").verbose_name),
            parse=text(REPORT_TEXT_LENGTH),
            blank="",
            width=40,
            help=gettext_lazy("What held the programme back in this quarter. Optional."),
        ),
        Column(
            key="follow_up",
            label=capfirst(QuarterReport._meta.get_field("follow_up").verbose_name),
            parse=text(REPORT_TEXT_LENGTH),
            blank="",
            width=40,
            help=gettext_lazy("What will be done about the problems, by whom and when. Optional."),
        ),
    ),
)


class QuarterlyKind(TemplateKind):
    slug = "quarterly"
    title = gettext_lazy("Quarterly report")
    description = gettext_lazy(
        "The realisation of your programmes' indicators and budgets for one quarter."
    )
    sheets = (VALUES, BUDGET)
    asks_quarter = True
    instructions = (
        gettext_lazy(
            'Sheet "Indicators" has one row per indicator; sheet "Budget" one row per '
            "programme, so that each programme's budget is entered once, with the quarter's "
            "physical progress, problems (kendala) and follow-up (tindak lanjut)."
        ),
        gettext_lazy(
            "Quarter targets are cumulative: the target of Q II is what should be reached in Q "
            "I and Q II together, so it is never lower than the target of Q I, and for a sum of "
            "quarters the target of Q IV equals the annual target (unless the indicator gives "
            "the reason in the application). For a latest value (a rate) the target is the "
            "level expected at the end of the quarter."
        ),
        gettext_lazy(
            "Only programmes whose report of the quarter is a draft or returned to you are in "
            "the template; a submitted or verified quarter report cannot be changed by an "
            "import."
        ),
    )

    def allowed(self, user) -> bool:
        return access.may_write(user, IndicatorValue)

    def check_download(self, user, *, year, quarter) -> None:
        # An administrator may change a locked quarter, giving a reason on upload.
        refused = access.quarter_refusal(user, year=year, quarter=quarter)
        if isinstance(refused, PermissionDenied):
            raise ValidationError(str(refused))

    def content(self, user, *, year, quarter) -> TemplateContent:
        programs = list(
            access.quarter_editable(user, Program.objects.all(), quarter)
            .filter(year=year)
            .select_related("agency")
            .order_by("agency__name", "name", "pk")
        )
        indicators = Indicator.objects.filter(program__in=programs).order_by("pk")
        by_program = {}
        for indicator in indicators:
            by_program.setdefault(indicator.program_id, []).append(indicator)
        values = {
            value.indicator_id: value
            for value in IndicatorValue.objects.filter(
                indicator__program__in=programs, quarter=quarter
            )
        }
        reports = {
            report.program_id: report
            for report in QuarterReport.objects.filter(program__in=programs, quarter=quarter)
        }
        value_rows, budget_rows = [], []
        for program in programs:
            for indicator in by_program.get(program.pk, []):
                value = values.get(indicator.pk)
                value_rows.append(
                    TemplateRow(
                        {
                            "indicator_id": indicator.pk,
                            "agency": str(program.agency),
                            "program": program.name,
                            "indicator": indicator.name,
                            "unit": indicator.unit,
                            "aggregation": str(indicator.get_aggregation_display()),
                            "annual_target": indicator.target,
                            "year": year,
                            "quarter": quarter,
                            "target": value.target if value else None,
                            "realized": value.realized if value else None,
                        }
                    )
                )
            report = reports.get(program.pk) or QuarterReport()
            budget_rows.append(
                TemplateRow(
                    {
                        "program_id": program.pk,
                        "agency": str(program.agency),
                        "program": program.name,
                        "budget_ceiling": ceiling_in_force(program, quarter),
                        "realized_other": program.budget_realized_total
                        - getattr(program, BUDGET_FIELDS[quarter]),
                        "year": year,
                        "quarter": quarter,
                        "budget_realized": getattr(program, BUDGET_FIELDS[quarter]),
                        **{name: getattr(report, name) for name in REPORT_COLUMNS},
                    }
                )
            )
        return TemplateContent(rows={VALUES.key: value_rows, BUDGET.key: budget_rows})

    def run(self, run) -> None:
        self._run_values(run)
        self._run_budget(run)

    def _lock_refusal(self, run, year, quarter) -> str | None:
        """Why the quarter cannot be changed now, asked once per quarter of the file."""
        refusals = run.memo.setdefault("lock_refusals", {})
        if (year, quarter) not in refusals:
            refused = access.quarter_refusal(
                run.actor, year=year, quarter=quarter, reason=run.reason
            )
            refusals[year, quarter] = refused and (
                getattr(refused, "message", None) or str(refused)
            )
        return refusals[year, quarter]

    def _program_scope(self, run, program_ids):
        """The programmes `run.actor` reports on, the (programme, quarter) pairs whose
        quarter report he may change now, and the stored quarter reports' statuses."""
        reported = set(
            access.reported(run.actor, Program.objects.all())
            .filter(pk__in=program_ids)
            .values_list("pk", flat=True)
        )
        editable = {
            (pk, quarter)
            for quarter in Quarter.values
            for pk in access.quarter_editable(run.actor, Program.objects.all(), quarter)
            .filter(pk__in=program_ids)
            .values_list("pk", flat=True)
        }
        statuses = {
            (pk, quarter): status
            for pk, quarter, status in QuarterReport.objects.filter(
                program_id__in=program_ids
            ).values_list("program_id", "quarter", "status")
        }
        return reported, editable, statuses

    def _check_period(self, run, sheet, row, program) -> bool:
        if row.values["year"] != program.year:
            run.error(
                sheet,
                row,
                "year",
                _("The programme %(program)s is of %(year)d, not %(given)d.")
                % {"program": program.name, "year": program.year, "given": row.values["year"]},
            )
            return False
        return True

    def _run_values(self, run) -> None:
        sheet = run.sheets.get(VALUES.key)
        if sheet is None:
            return
        rows = [r for r in sheet.rows if r.ok("indicator_id", "year", "quarter")]
        indicators = {
            i.pk: i
            for i in Indicator.objects.filter(
                pk__in={r.values["indicator_id"] for r in rows}
            ).select_related("program__agency")
        }
        reported, editable, statuses = self._program_scope(
            run, {i.program_id for i in indicators.values()}
        )
        existing = {
            (v.indicator_id, v.quarter): v
            for v in run.locked(IndicatorValue.objects.filter(indicator_id__in=indicators))
        }
        seen = {}
        for row in rows:
            indicator = indicators.get(row.values["indicator_id"])
            if indicator is None:
                run.error(
                    sheet,
                    row,
                    "indicator_id",
                    _("No indicator has the ID %(id)d.") % {"id": row.values["indicator_id"]},
                )
                continue
            program, quarter = indicator.program, row.values["quarter"]
            if program.pk not in reported:
                run.error(
                    sheet,
                    row,
                    "indicator_id",
                    _("%(indicator)s belongs to a programme of %(agency)s, not of your agency.")
                    % {"indicator": indicator.name, "agency": program.agency},
                )
                continue
            if not self._check_period(run, sheet, row, program):
                continue
            label = f"{program.name} · {indicator.name} · {Quarter(quarter).label} {program.year}"
            if (indicator.pk, quarter) in seen:
                run.error(
                    sheet,
                    row,
                    "indicator_id",
                    _("%(record)s is already in row %(row)d of this file.")
                    % {"record": label, "row": seen[indicator.pk, quarter]},
                )
                continue
            seen[indicator.pk, quarter] = row.number
            if not row.ok():
                continue
            value = existing.get((indicator.pk, quarter))
            current = (
                None if value is None else {"target": value.target, "realized": value.realized}
            )
            changes = run.diff(sheet, row, current)
            if not changes:
                run.result(sheet, row, label, UNCHANGED)
                continue
            if (program.pk, quarter) not in editable:
                run.error(sheet, row, None, _quarter_refusal(program, quarter, statuses))
                continue
            refusal = self._lock_refusal(run, program.year, quarter)
            if refusal:
                run.error(sheet, row, "quarter", refusal)
                continue
            given = {
                key: {indicator.pk: row.values[key]}
                for key in ("target", "realized")
                if key in sheet.present and (current is None or current[key] != row.values[key])
            }
            if "realized" in given:
                target = row.values.get("target") if "target" in sheet.present else None
                if target is None and value is not None:
                    target = value.target
                doubt = plausibility.realisation_doubt(
                    row.values["realized"], target if target is not None else indicator.target
                )
                if doubt:
                    run.doubt(sheet, row, "realized", doubt)
            saved = run.attempt(
                sheet,
                row,
                lambda program=program, quarter=quarter, given=given: program_report_quarter(
                    program=program,
                    quarter=quarter,
                    actor=run.actor,
                    realized=given.get("realized"),
                    targets=given.get("target"),
                    reason=run.reason,
                    change_reason=run.change_reason,
                ),
                model=IndicatorValue,
                default_key="realized",
            )
            if saved is not None:
                run.result(sheet, row, label, NEW if value is None else CHANGED, changes)

    def _run_budget(self, run) -> None:
        sheet = run.sheets.get(BUDGET.key)
        if sheet is None:
            return
        rows = [r for r in sheet.rows if r.ok("program_id", "year", "quarter")]
        programs = {
            p.pk: p
            for p in run.locked(
                Program.objects.filter(pk__in={r.values["program_id"] for r in rows})
            ).select_related("agency")
        }
        reported, editable, statuses = self._program_scope(run, set(programs))
        reports = {
            (report.program_id, report.quarter): report
            for report in QuarterReport.objects.filter(program_id__in=programs)
        }
        seen = {}
        for row in rows:
            program = programs.get(row.values["program_id"])
            if program is None:
                run.error(
                    sheet,
                    row,
                    "program_id",
                    _("No programme has the ID %(id)d.") % {"id": row.values["program_id"]},
                )
                continue
            if program.pk not in reported:
                run.error(
                    sheet,
                    row,
                    "program_id",
                    _("%(program)s is a programme of %(agency)s, not of your agency.")
                    % {"program": program.name, "agency": program.agency},
                )
                continue
            if not self._check_period(run, sheet, row, program):
                continue
            quarter = row.values["quarter"]
            label = f"{program.name} · {Quarter(quarter).label} {program.year}"
            if (program.pk, quarter) in seen:
                run.error(
                    sheet,
                    row,
                    "program_id",
                    _("%(record)s is already in row %(row)d of this file.")
                    % {"record": label, "row": seen[program.pk, quarter]},
                )
                continue
            seen[program.pk, quarter] = row.number
            if not row.ok():
                continue
            field = BUDGET_FIELDS[quarter]
            report = reports.get((program.pk, quarter)) or QuarterReport()
            current = {
                "budget_realized": getattr(program, field),
                **{name: getattr(report, name) for name in REPORT_COLUMNS},
            }
            changes = run.diff(sheet, row, current)
            if not changes:
                run.result(sheet, row, label, UNCHANGED)
                continue
            if (program.pk, quarter) not in editable:
                run.error(sheet, row, None, _quarter_refusal(program, quarter, statuses))
                continue
            refusal = self._lock_refusal(run, program.year, quarter)
            if refusal:
                run.error(sheet, row, "quarter", refusal)
                continue
            # Only what the file holds and changes: a column left out keeps its values.
            given = {
                key: row.values[key]
                for key in ("budget_realized", *REPORT_COLUMNS)
                if key in sheet.present and not _same_value(current[key], row.values[key])
            }
            saved = run.attempt(
                sheet,
                row,
                lambda program=program, quarter=quarter, given=given: program_report_quarter(
                    program=program,
                    quarter=quarter,
                    actor=run.actor,
                    reason=run.reason,
                    change_reason=run.change_reason,
                    **given,
                ),
                model=Program,
                default_key="budget_realized",
                fields={
                    field: "budget_realized",
                    "budget_ceiling": "budget_realized",
                    "budget_ceiling_revised": "budget_realized",
                },
            )
            if saved is not None:
                run.result(sheet, row, label, CHANGED, changes)


def _same_value(old, new) -> bool:
    """Whether a cell leaves a stored value as it is (an empty text is no text)."""
    return (old in (None, "") and new in (None, "")) or old == new


def _quarter_refusal(program, quarter: int, statuses: dict) -> str:
    """Why a row of a quarter whose report the user may not change now is refused."""
    return status_refusal(
        f"{program.name} · {Quarter(quarter).label}", statuses.get((program.pk, quarter), "")
    )
