"""Programmes and their indicators in bulk, for the administrator at the start of a fiscal
year. A programme is matched by its OPD, year and name; an indicator by its programme and
name. The import adds and changes; it never deletes."""

import dataclasses
import re

from django.db.models import Q
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bartim import access
from bartim.models import Agency, Village
from indicators.models import Indicator
from programs import nomenclature, plausibility
from programs.funding import funding_total_error
from programs.models import FundingSource, NeedDimension, Program, ProgramFunding, Strategy
from programs.services import indicator_save, program_create, program_update
from spreadsheets import cells
from spreadsheets.kinds.base import (
    CHANGED,
    NEW,
    UNCHANGED,
    TemplateContent,
    TemplateKind,
    TemplateRow,
    status_refusal,
)
from spreadsheets.layout import (
    REQUIRED,
    Choice,
    Column,
    SheetSpec,
    choice,
    date,
    decimal,
    normalize,
    text,
    whole,
    year_column,
)

CODE_SEPARATORS = re.compile(r"[\s,;]+")


def _choices(choices) -> tuple[Choice, ...]:
    return tuple(Choice(value, label) for value, label in choices)


def _label(model, name):
    return capfirst(model._meta.get_field(name).verbose_name)


def village_codes(value, percent_cell=False) -> frozenset:
    return frozenset(code for code in CODE_SEPARATORS.split(cells.clean_text(value)) if code)


def need_codes(value, percent_cell=False) -> frozenset:
    return frozenset(
        code.lower() for code in CODE_SEPARATORS.split(cells.clean_text(value)) if code
    )


def planning_code(value, percent_cell=False) -> str:
    """A nomenclature code as typed, spaces dropped; its format is the model's to check
    (programs/nomenclature.py), so the message is the form's."""
    code = nomenclature.normalize_code(cells.clean_text(value))
    if len(code) > nomenclature.CODE_MAX_LENGTH:
        raise cells.CellError(
            _("The text is %(length)d characters long; at most %(max)d are allowed.")
            % {"length": len(code), "max": nomenclature.CODE_MAX_LENGTH}
        )
    return code


def funding_amount(value, percent_cell=False) -> int | None:
    """Rupiah from one source; 0, like a blank cell, means the programme has none from it."""
    return cells.parse_whole(value, minimum=0) or None


def _code_column(key) -> Column:
    return Column(
        key=key,
        label=_label(Program, key),
        parse=planning_code,
        blank="",
        width=18,
        number_format="@",
        help=format_lazy(
            "{} {}", Program._meta.get_field(key).help_text, gettext_lazy("Optional.")
        ),
    )


def _agency_column() -> Column:
    return Column(
        key="agency",
        label=gettext_lazy("Agency (OPD)"),
        parse=text(200),
        identifying=True,
        blank=REQUIRED,
        width=40,
        validation={"type": "list", "list": "agencies"},
        help=gettext_lazy("Full name of the OPD, as in the drop-down list."),
    )


def _choice_column(key, label, options, width, help_text) -> Column:
    return Column(
        key=key,
        label=label,
        parse=choice(options),
        required=True,
        blank=REQUIRED,
        width=width,
        choices=options,
        validation={"type": "list", "list": key},
        help=help_text,
        show=lambda value: str(next((o.label for o in options if o.code == value), value)),
    )


BENEFICIARY_UNITS = _choices(Program.BeneficiaryUnit.choices)
DIRECTIONS = _choices(Indicator.Direction.choices)
AGGREGATIONS = _choices(Indicator.Aggregation.choices)

PROGRAMS = SheetSpec(
    key="programs",
    title=gettext_lazy("Programmes"),
    columns=(
        _agency_column(),
        year_column(identifying=True, label=_label(Program, "year")),
        Column(
            key="name",
            label=gettext_lazy("Programme"),
            parse=text(300),
            identifying=True,
            blank=REQUIRED,
            width=40,
            help=gettext_lazy(
                "Name of the programme. With the OPD and the year it identifies the programme: "
                "a new name makes a new programme."
            ),
        ),
        _code_column("program_code"),
        _code_column("activity_code"),
        _code_column("sub_activity_code"),
        Column(
            key="strategy",
            label=gettext_lazy("Strategy (1–3)"),
            parse=whole(1, 3),
            required=True,
            blank=REQUIRED,
            width=10,
            number_format="0",
            validation={"type": "whole", "min": 1, "max": 3},
            help=gettext_lazy("Number of the regent's strategy; see the list below."),
        ),
        Column(
            key="budget_ceiling",
            label=_label(Program, "budget_ceiling"),
            parse=whole(0),
            required=True,
            blank=REQUIRED,
            width=18,
            number_format="#,##0",
            validation={"type": "whole", "min": 0},
            help=gettext_lazy("Rupiah, a whole number."),
        ),
        Column(
            key="budget_ceiling_revised",
            label=_label(Program, "budget_ceiling_revised"),
            parse=whole(0),
            width=18,
            number_format="#,##0",
            validation={"type": "whole", "min": 0},
            help=gettext_lazy(
                "Only once the budget is revised (APBD-P): Rupiah, a whole number, with the "
                "date and the reason of the revision. The original ceiling stays as it is."
            ),
        ),
        Column(
            key="budget_revised_on",
            label=_label(Program, "budget_revised_on"),
            parse=date(),
            width=14,
            number_format="DD-MM-YYYY",
            help=gettext_lazy(
                "Date of the APBD-P regulation, day-month-year (30-09-2025), in the "
                "programme's year."
            ),
        ),
        Column(
            key="budget_revision_reason",
            label=_label(Program, "budget_revision_reason"),
            parse=text(1000),
            blank="",
            width=30,
            help=gettext_lazy("Why the ceiling changed; required with a revised ceiling."),
        ),
        Column(
            key="beneficiary_target",
            label=_label(Program, "beneficiary_target"),
            parse=whole(0),
            width=14,
            number_format="#,##0",
            validation={"type": "whole", "min": 0},
            help=gettext_lazy("Optional; a whole number."),
        ),
        _choice_column(
            "beneficiary_unit",
            _label(Program, "beneficiary_unit"),
            BENEFICIARY_UNITS,
            16,
            gettext_lazy("Households (KK) or people (jiwa)."),
        ),
        Column(
            key="target_villages",
            label=gettext_lazy("Target villages (codes)"),
            parse=village_codes,
            blank=frozenset(),
            width=30,
            number_format="@",
            help=gettext_lazy(
                "Kemendagri codes of the target desa/kelurahan, separated by semicolons, "
                "e.g. 62.13.01.2003; 62.13.01.2004. Blank: none."
            ),
        ),
        Column(
            key="needs",
            label=gettext_lazy("Basic needs (codes)"),
            parse=need_codes,
            blank=frozenset(),
            width=24,
            number_format="@",
            help=gettext_lazy(
                "Codes of the basic needs the programme answers, separated by semicolons, "
                "e.g. housing; water. The codes are listed below. Blank: none."
            ),
        ),
        Column(
            key="description",
            label=_label(Program, "description"),
            parse=text(5000),
            blank="",
            width=40,
            help=gettext_lazy("Optional."),
        ),
    ),
    allow_new_rows=True,
)

INDICATORS = SheetSpec(
    key="indicators",
    title=gettext_lazy("Indicators"),
    columns=(
        _agency_column(),
        year_column(identifying=True, label=_label(Program, "year")),
        Column(
            key="program_name",
            label=gettext_lazy("Programme"),
            parse=text(300),
            identifying=True,
            blank=REQUIRED,
            width=40,
            help=gettext_lazy(
                'The programme\'s name exactly as in sheet "Programmes" or in the application.'
            ),
        ),
        Column(
            key="name",
            label=gettext_lazy("Indicator"),
            parse=text(300),
            identifying=True,
            blank=REQUIRED,
            width=40,
            help=gettext_lazy("Name of the indicator; a new name makes a new indicator."),
        ),
        Column(
            key="unit",
            label=_label(Indicator, "unit"),
            parse=text(30),
            required=True,
            blank=REQUIRED,
            width=8,
            help=gettext_lazy("For example KK, jiwa, %, Rp, unit."),
        ),
        _choice_column(
            "direction",
            _label(Indicator, "direction"),
            DIRECTIONS,
            22,
            gettext_lazy("Whether a higher or a lower value is better."),
        ),
        _choice_column(
            "aggregation",
            _label(Indicator, "aggregation"),
            AGGREGATIONS,
            30,
            gettext_lazy("How the four quarters add up to the year."),
        ),
        Column(
            key="baseline",
            label=_label(Indicator, "baseline"),
            parse=decimal(2),
            width=12,
            number_format="#,##0.00",
            validation={"type": "decimal"},
            help=gettext_lazy("Required when lower is better."),
        ),
        Column(
            key="target",
            label=_label(Indicator, "target"),
            parse=decimal(2),
            required=True,
            blank=REQUIRED,
            width=12,
            number_format="#,##0.00",
            validation={"type": "decimal"},
            help=gettext_lazy("Required."),
        ),
        Column(
            key="q4_target_reason",
            label=_label(Indicator, "q4_target_reason"),
            parse=text(300),
            blank="",
            width=30,
            help=gettext_lazy(
                "Only for a sum of quarters whose Q IV target is not the annual target: why."
            ),
        ),
    ),
    allow_new_rows=True,
)

PROGRAM_FIELDS = (
    "program_code",
    "activity_code",
    "sub_activity_code",
    "strategy",
    "budget_ceiling",
    "budget_ceiling_revised",
    "budget_revised_on",
    "budget_revision_reason",
    "beneficiary_target",
    "beneficiary_unit",
    "target_villages",
    "needs",
    "description",
)
# The fields read from the programme itself (the others are relations).
PROGRAM_SCALAR_FIELDS = tuple(
    name for name in PROGRAM_FIELDS if name not in ("strategy", "target_villages", "needs")
)
INDICATOR_FIELDS = ("unit", "direction", "aggregation", "baseline", "target", "q4_target_reason")

# The funding sources are columns of sheet "Programmes", one per source with its amount,
# after the revision's columns: one row per programme, its amounts beside its ceiling, so
# the sum rule (programs/funding.py) is checked, and reported, on the programme's own row.
FUNDING_AFTER = "budget_revision_reason"


def funding_key(source: FundingSource) -> str:
    return f"funding_{source.pk}"


def funding_column(source: FundingSource) -> Column:
    return Column(
        key=funding_key(source),
        label=format_lazy("{}: {} (Rp)", capfirst(gettext_lazy("funding source")), source.name),
        parse=funding_amount,
        width=16,
        number_format="#,##0",
        validation={"type": "whole", "min": 0},
        help=gettext_lazy(
            "Rupiah from this source; blank or 0: none. The sources of a programme add up to "
            "its ceiling in force (the revised one once the budget is revised)."
        ),
    )


def funding_sources() -> list[FundingSource]:
    """The sources with a column: the active ones and the retired ones still listed."""
    return list(
        FundingSource.objects.filter(
            Q(active=True) | Q(pk__in=ProgramFunding.objects.values("source_id"))
        )
    )


def programs_sheet(sources) -> SheetSpec:
    columns = list(PROGRAMS.columns)
    at = next(i for i, c in enumerate(columns) if c.key == FUNDING_AFTER) + 1
    columns[at:at] = [funding_column(source) for source in sources]
    return dataclasses.replace(PROGRAMS, columns=tuple(columns))


class AgencyLookup:
    """OPD by name, reference code or abbreviation, read once per run."""

    def __init__(self):
        self.by_name = {}
        abbreviations = {}
        for agency in Agency.objects.all():
            self.by_name[normalize(agency.name)] = agency
            if agency.code:
                self.by_name.setdefault(normalize(agency.code), agency)
            if agency.abbreviation:
                abbreviations.setdefault(normalize(agency.abbreviation), []).append(agency)
        for name, agencies in abbreviations.items():
            if len(agencies) == 1:
                self.by_name.setdefault(name, agencies[0])

    def find(self, run, sheet, row):
        agency = self.by_name.get(normalize(row.values["agency"]))
        if agency is None:
            run.error(
                sheet,
                row,
                "agency",
                _('No agency (OPD) is named "%(name)s". Choose a name from the list.')
                % {"name": row.values["agency"]},
            )
        return agency


class ProgramsKind(TemplateKind):
    slug = "programs"
    title = gettext_lazy("Programmes and indicators")
    description = gettext_lazy(
        "All programmes of a fiscal year with their indicators, for the start of the year."
    )
    sheets = (PROGRAMS, INDICATORS)

    def specs(self):
        return (programs_sheet(funding_sources()), INDICATORS)

    instructions = (
        gettext_lazy(
            'Add a programme as a new row in sheet "Programmes" and its indicators as rows in '
            'sheet "Indicators" with the same OPD, year and programme name.'
        ),
        gettext_lazy(
            "The import adds and changes programmes and indicators; it never deletes. "
            "Approved programmes are not in the template and cannot be changed by an import."
        ),
    )

    def allowed(self, user) -> bool:
        # Every agency's programmes in one file, for the start of the year: the
        # administrators' template; an agency enters its own on the programme pages.
        return access.is_admin(user)

    def content(self, user, *, year, quarter) -> TemplateContent:
        programs = list(
            access.editable(user, Program.objects.all())
            .filter(year=year)
            .select_related("agency")
            .prefetch_related("target_villages", "needs", "funding")
            .order_by("agency__name", "name")
        )
        indicators = Indicator.objects.filter(program__in=programs).order_by("pk")
        by_program = {}
        for indicator in indicators:
            by_program.setdefault(indicator.program_id, []).append(indicator)
        program_rows, indicator_rows = [], []
        for program in programs:
            program_rows.append(
                TemplateRow(
                    {
                        "agency": program.agency.name,
                        "year": program.year,
                        "name": program.name,
                        "strategy": program.strategy_id,
                        "budget_ceiling": program.budget_ceiling,
                        "beneficiary_target": program.beneficiary_target,
                        "beneficiary_unit": str(program.get_beneficiary_unit_display()),
                        "target_villages": "; ".join(
                            sorted(v.code for v in program.target_villages.all())
                        ),
                        "needs": "; ".join(sorted(n.code for n in program.needs.all())),
                        "description": program.description,
                        **{
                            name: getattr(program, name)
                            for name in (
                                "program_code",
                                "activity_code",
                                "sub_activity_code",
                                "budget_ceiling_revised",
                                "budget_revised_on",
                                "budget_revision_reason",
                            )
                        },
                        **{f"funding_{row.source_id}": row.amount for row in program.funding.all()},
                    }
                )
            )
            for indicator in by_program.get(program.pk, []):
                indicator_rows.append(
                    TemplateRow(
                        {
                            "agency": program.agency.name,
                            "year": program.year,
                            "program_name": program.name,
                            "name": indicator.name,
                            "unit": indicator.unit,
                            "direction": str(indicator.get_direction_display()),
                            "aggregation": str(indicator.get_aggregation_display()),
                            "baseline": indicator.baseline,
                            "target": indicator.target,
                            "q4_target_reason": indicator.q4_target_reason,
                        }
                    )
                )
        return TemplateContent(
            rows={PROGRAMS.key: program_rows, INDICATORS.key: indicator_rows},
            notes=[
                _("Strategies:"),
                *(f"{s.number}. {s.name}" for s in Strategy.objects.order_by("number")),
                _("Basic needs (code: name):"),
                *(f"{n.code}: {n.name}" for n in NeedDimension.objects.all()),
            ],
            lists={
                "agencies": list(
                    Agency.objects.active().order_by("name").values_list("name", flat=True)
                ),
                "beneficiary_unit": [str(o.label) for o in BENEFICIARY_UNITS],
                "direction": [str(o.label) for o in DIRECTIONS],
                "aggregation": [str(o.label) for o in AGGREGATIONS],
            },
        )

    def run(self, run) -> None:
        agencies = AgencyLookup()
        programs_sheet = run.sheets.get(PROGRAMS.key)
        indicators_sheet = run.sheets.get(INDICATORS.key)
        program_rows, indicator_rows = [], []
        for sheet, rows, name_key in (
            (programs_sheet, program_rows, "name"),
            (indicators_sheet, indicator_rows, "program_name"),
        ):
            if sheet is None:
                continue
            for row in sheet.rows:
                if not row.ok("agency", "year", name_key):
                    continue
                agency = agencies.find(run, sheet, row)
                if agency is not None:
                    key = (agency.pk, row.values["year"], row.values[name_key])
                    rows.append((row, key, agency))
        keys = {key for _row, key, _agency in program_rows + indicator_rows}
        existing = {
            (p.agency_id, p.year, p.name): p
            for p in run.locked(
                Program.objects.filter(
                    agency_id__in={k[0] for k in keys},
                    year__in={k[1] for k in keys},
                    name__in={k[2] for k in keys},
                )
            ).select_related("agency")
        }
        editable = set(
            access.editable(run.actor, Program.objects.all())
            .filter(pk__in=[p.pk for p in existing.values()])
            .values_list("pk", flat=True)
        )
        programs, failed = dict(existing), set()
        if programs_sheet is not None:
            self._run_programs(run, programs_sheet, program_rows, programs, editable, failed)
        if indicators_sheet is not None:
            self._run_indicators(run, indicators_sheet, indicator_rows, programs, editable, failed)

    def _run_programs(self, run, sheet, rows, programs, editable, failed):
        villages = {v.code: v for v in Village.objects.all()}
        needs = {n.code: n for n in NeedDimension.objects.all()}
        strategies = {s.number: s for s in Strategy.objects.all()}
        current_villages, current_needs = {}, {}
        for program_id, code in Program.target_villages.through.objects.filter(
            program_id__in=[p.pk for p in programs.values()]
        ).values_list("program_id", "village__code"):
            current_villages.setdefault(program_id, set()).add(code)
        for program_id, code in Program.needs.through.objects.filter(
            program_id__in=[p.pk for p in programs.values()]
        ).values_list("program_id", "needdimension__code"):
            current_needs.setdefault(program_id, set()).add(code)
        sources = {funding_key(source): source for source in FundingSource.objects.all()}
        funding_keys = [k for k in sources if k in sheet.present]
        current_funding = {}
        for program_id, source_id, amount in ProgramFunding.objects.filter(
            program_id__in=[p.pk for p in programs.values()]
        ).values_list("program_id", "source_id", "amount"):
            current_funding.setdefault(program_id, {})[f"funding_{source_id}"] = amount
        seen = {}
        for row, key, agency in rows:
            label = f"{row.values['name']} · {agency} · {key[1]}"
            if key in seen:
                run.error(
                    sheet,
                    row,
                    "name",
                    _("%(record)s is already in row %(row)d of this file.")
                    % {"record": label, "row": seen[key]},
                )
                failed.add(key)
                continue
            seen[key] = row.number
            if not row.ok():
                failed.add(key)
                continue
            unknown = sorted(row.values.get("target_villages", frozenset()) - set(villages))
            if unknown:
                run.error(
                    sheet,
                    row,
                    "target_villages",
                    _("No village has the code %(code)s.") % {"code": ", ".join(unknown)},
                )
                failed.add(key)
                continue
            unknown = sorted(row.values.get("needs", frozenset()) - set(needs))
            if unknown:
                run.error(
                    sheet,
                    row,
                    "needs",
                    _("There is no basic need with the code %(code)s. The codes are listed below.")
                    % {"code": ", ".join(unknown)},
                )
                failed.add(key)
                continue
            program = programs.get(key)
            current = None
            if program is not None:
                current = {
                    **{name: getattr(program, name) for name in PROGRAM_SCALAR_FIELDS},
                    "strategy": program.strategy_id,
                    "target_villages": frozenset(current_villages.get(program.pk, ())),
                    "needs": frozenset(current_needs.get(program.pk, ())),
                    **current_funding.get(program.pk, {}),
                }
            changes = run.diff(sheet, row, current)
            if not changes:
                run.result(sheet, row, label, UNCHANGED)
                continue
            if program is not None and program.pk not in editable:
                run.error(sheet, row, None, status_refusal(program.name, program.status))
                failed.add(key)
                continue
            fields = {
                name: row.values[name]
                for name in PROGRAM_FIELDS
                if name in sheet.present and (current is None or current[name] != row.values[name])
            }

            def value_of(name, sheet=sheet, row=row, program=program):
                """The value the programme will have: the file's, else the stored one."""
                if name in sheet.present:
                    return row.values[name]
                return getattr(program, name) if program is not None else None

            funding = None
            stored = current_funding.get(program.pk, {}) if program is not None else {}
            given = {k: row.values[k] for k in funding_keys if stored.get(k) != row.values[k]}
            if given:
                funding = {
                    sources[k]: amount for k, amount in {**stored, **given}.items() if amount
                }
                probe = Program(
                    budget_ceiling=value_of("budget_ceiling") or 0,
                    budget_ceiling_revised=value_of("budget_ceiling_revised"),
                    budget_revised_on=value_of("budget_revised_on"),
                )
                error = funding_total_error(probe, funding.values())
                if error:
                    run.error(sheet, row, next(iter(given)), error)
                    failed.add(key)
                    continue
            revision_changed = {"budget_ceiling", "budget_ceiling_revised"} & set(fields)
            for column, doubt in plausibility.program_doubts(
                budget_ceiling=fields.get("budget_ceiling"),
                budget_ceiling_revised=(
                    value_of("budget_ceiling_revised") if revision_changed else None
                ),
                original_ceiling=value_of("budget_ceiling"),
            ).items():
                run.doubt(sheet, row, column, doubt)
            if "strategy" in fields:
                fields["strategy"] = strategies[fields["strategy"]]
            if "target_villages" in fields:
                fields["target_villages"] = [villages[c] for c in sorted(fields["target_villages"])]
            if "needs" in fields:
                fields["needs"] = [needs[c] for c in sorted(fields["needs"])]
            if program is None:
                saved = run.attempt(
                    sheet,
                    row,
                    lambda agency=agency, key=key, fields=fields, funding=funding: program_create(
                        actor=run.actor,
                        agency=agency,
                        year=key[1],
                        name=key[2],
                        change_reason=run.change_reason,
                        funding=funding,
                        **fields,
                    ),
                    model=Program,
                    default_key="name",
                )
            else:
                saved = run.attempt(
                    sheet,
                    row,
                    lambda program=program, fields=fields, funding=funding: program_update(
                        program=program,
                        actor=run.actor,
                        change_reason=run.change_reason,
                        funding=funding,
                        **fields,
                    ),
                    model=Program,
                    default_key="name",
                )
            if saved is None:
                failed.add(key)
                continue
            programs[key] = saved
            editable.add(saved.pk)
            run.result(sheet, row, label, NEW if program is None else CHANGED, changes)

    def _run_indicators(self, run, sheet, rows, programs, editable, failed):
        existing = {}
        for indicator in run.locked(
            Indicator.objects.filter(program__in=[p.pk for p in programs.values()])
        ):
            existing.setdefault((indicator.program_id, indicator.name), []).append(indicator)
        seen = {}
        for row, key, _agency in rows:
            label = f"{row.values['program_name']} · {row.values['name']}"
            if key in failed:
                run.error(
                    sheet,
                    row,
                    "program_name",
                    _('The programme of this row has errors in sheet "%(sheet)s".')
                    % {"sheet": run.sheets[PROGRAMS.key].display_name},
                )
                continue
            program = programs.get(key)
            if program is None:
                run.error(
                    sheet,
                    row,
                    "program_name",
                    _(
                        'There is no programme "%(program)s" of this OPD in %(year)d, neither '
                        'in the application nor in sheet "Programmes".'
                    )
                    % {"program": key[2], "year": key[1]},
                )
                continue
            if not row.ok("name"):
                continue
            indicator_key = (program.pk, row.values["name"])
            if indicator_key in seen:
                run.error(
                    sheet,
                    row,
                    "name",
                    _("%(record)s is already in row %(row)d of this file.")
                    % {"record": label, "row": seen[indicator_key]},
                )
                continue
            seen[indicator_key] = row.number
            matches = existing.get(indicator_key, [])
            if len(matches) > 1:
                run.error(
                    sheet,
                    row,
                    "name",
                    _(
                        "The programme has %(count)d indicators with this name; rename them in "
                        "the application first."
                    )
                    % {"count": len(matches)},
                )
                continue
            if not row.ok():
                continue
            indicator = matches[0] if matches else None
            current = (
                None
                if indicator is None
                else {name: getattr(indicator, name) for name in INDICATOR_FIELDS}
            )
            changes = run.diff(sheet, row, current)
            if not changes:
                run.result(sheet, row, label, UNCHANGED)
                continue
            if program.pk not in editable:
                run.error(sheet, row, None, status_refusal(program.name, program.status))
                continue
            fields = {
                name: row.values[name]
                for name in INDICATOR_FIELDS
                if name in sheet.present and (current is None or current[name] != row.values[name])
            }
            if indicator is None:
                fields["name"] = row.values["name"]
            saved = run.attempt(
                sheet,
                row,
                lambda program=program, indicator=indicator, fields=fields: indicator_save(
                    program=program,
                    actor=run.actor,
                    indicator=indicator,
                    change_reason=run.change_reason,
                    **fields,
                ),
                model=Indicator,
                default_key="name",
            )
            if saved is not None:
                run.result(sheet, row, label, NEW if indicator is None else CHANGED, changes)
