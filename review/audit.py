"""The audit trail as people read it: each django-simple-history row with the fields it
changed, old -> new, in words ("Dinas Sosial", "Diajukan", "Rp75.000.000", "TW II") and
the record named ("Seragam Sekolah Gratis, 2024, TW II"), without a query per row: the
previous versions are read in one query per kind of record, the names in one per model."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from bartim import access
from bartim.models import PeriodLock, Quarter
from evidence.models import EvidenceFile
from helpers.formatting import format_number, format_quantity, format_rupiah
from indicators.models import Indicator, IndicatorValue
from programs.models import Program, QuarterReport
from villages.models import VillageData

SKIPPED_FIELDS = {"id", "updated_at", "created_at"}
CHANGE_TYPES = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
# The audit trail lists the latest changes of each kind that match its filters, so that one
# busy kind cannot push the others off the list.
LATEST_PER_KIND = 500


def histories():
    """The kinds of record the audit trail follows, by the key its filter uses."""
    return {
        "program": Program.history,
        "indicator": Indicator.history,
        "indicatorvalue": IndicatorValue.history,
        "quarterreport": QuarterReport.history,
        "villagedata": VillageData.history,
        "periodlock": PeriodLock.history,
        # Added and removed evidence files (a removal is a change: removed_at set).
        "evidencefile": EvidenceFile.history,
    }


def filtered_rows(filters: dict) -> list:
    """The history rows matching `filters` (an AuditFilterForm's cleaned data), newest first,
    up to LATEST_PER_KIND of each kind. An agency or a district keeps the kinds of record
    the access policy ties to one (access.KINDS) and their rows of that owner."""
    rows = []
    for key, manager in histories().items():
        if filters.get("kind") and filters["kind"] != key:
            continue
        queryset = manager.select_related("history_user")
        kind = access.KINDS.get(manager.model.instance_type._meta.label_lower)
        for owner, chosen in ((access.AGENCY, "agency"), (access.DISTRICT, "district")):
            if filters.get(chosen):
                if kind is None or kind.owner != owner:
                    queryset = queryset.none()
                else:
                    queryset = queryset.filter(**{kind.owner_path: filters[chosen].pk})
        if filters.get("user"):
            queryset = queryset.filter(history_user=filters["user"])
        if filters.get("date_from"):
            queryset = queryset.filter(history_date__date__gte=filters["date_from"])
        if filters.get("date_to"):
            queryset = queryset.filter(history_date__date__lte=filters["date_to"])
        rows.extend(queryset.order_by("-history_date")[:LATEST_PER_KIND])
    return sorted(rows, key=lambda h: (h.history_date, h.history_id), reverse=True)


@dataclass
class AuditEntry:
    record: object
    kind: str
    object_label: str
    change_type: str
    changes: list[tuple[str, str | None, str | None]]

    @property
    def user(self):
        return self.record.history_user

    @property
    def date(self):
        return self.record.history_date

    @property
    def reason(self):
        return self.record.history_change_reason


def _tracked_fields(history_model):
    # Fields a history leaves out (bookkeeping such as `version`) have nothing to compare.
    kept = {field.attname for field in history_model._meta.concrete_fields}
    return [
        field
        for field in history_model.instance_type._meta.concrete_fields
        if field.attname not in SKIPPED_FIELDS and field.attname in kept
    ]


class _Names:
    """The names of the records that history rows point at, read in one query per model
    once every row has asked for the ones it needs."""

    # How a record that others point at is named; str() for every other model.
    LABELS = {
        "programs.program": (("agency",), lambda p: f"{p.name}, {p.year}"),
        "indicators.indicator": (
            ("program",),
            lambda i: f"{i.name} ({i.program.name}, {i.program.year})",
        ),
        "programs.quarterreport": (("program",), str),
        "bartim.user": ((), lambda u: u.get_full_name() or u.username),
        # Tables show an agency's abbreviation; a trail read months later needs its name.
        "bartim.agency": ((), lambda a: a.name),
    }

    def __init__(self):
        self.wanted = defaultdict(set)
        self.names = {}

    def want(self, model, pk):
        if pk is not None:
            self.wanted[model].add(pk)

    def read(self):
        for model, pks in self.wanted.items():
            related, label = self.LABELS.get(model._meta.label_lower, ((), str))
            records = model._default_manager.select_related(*related).in_bulk(pks)
            for pk in pks:
                record = records.get(pk)
                # A record deleted since: its kind and number are all that is left.
                self.names[(model, pk)] = (
                    label(record)
                    if record is not None
                    else _("%(kind)s no. %(pk)s (deleted)")
                    % {"kind": model._meta.verbose_name, "pk": pk}
                )

    def name(self, model, pk):
        return None if pk is None else self.names[(model, pk)]


def _shown(field, value, names: _Names):
    """`value` of `field` as a reader expects it, or None when empty."""
    if value is None or value == "":
        return None
    if field.is_relation:
        return names.name(field.related_model, value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return str(_("yes") if value else _("no"))
    if isinstance(value, Decimal):
        return format_quantity(value)
    if isinstance(value, int):
        return format_rupiah(value) if field.name.startswith("budget") else format_number(value)
    if isinstance(value, (date, datetime)):
        return formats.date_format(value, "j M Y")
    return str(value)


# The record a history row is about is named after what it belongs to.
BELONGS_TO = ("program", "indicator", "village", "report")


def _owner_name(row, names: _Names):
    for name in BELONGS_TO:
        if hasattr(row, f"{name}_id"):
            model = row.instance_type._meta.get_field(name).related_model
            return names.name(model, getattr(row, f"{name}_id"))
    return None


def _label(row, names: _Names) -> str:
    """The record a history row is about, named as its pages name it."""
    label = row.instance_type._meta.label_lower
    quarter = Quarter(row.quarter).label if getattr(row, "quarter", None) else None
    if label == "programs.program":
        return f"{row.name}, {row.year}"
    if label == "indicators.indicator":
        return f"{row.name} ({_owner_name(row, names)})"
    if label in ("indicators.indicatorvalue", "programs.quarterreport"):
        return f"{_owner_name(row, names)}, {quarter}"
    if label == "villages.villagedata":
        return f"{_owner_name(row, names)}, {row.year}"
    if label == "evidence.evidencefile":
        return f"{row.original_name} ({_owner_name(row, names)})"
    if quarter and hasattr(row, "year"):
        return f"{quarter} {row.year}"
    return str(getattr(row, "name", "") or row.instance)


def _label_needs(row, names: _Names) -> None:
    for name in BELONGS_TO:
        if hasattr(row, f"{name}_id"):
            model = row.instance_type._meta.get_field(name).related_model
            names.want(model, getattr(row, f"{name}_id"))


def audit_entries(history_rows) -> list[AuditEntry]:
    """Each history row with the fields it changed, old -> new, newest first."""
    rows = list(history_rows)
    by_model = defaultdict(list)
    for row in rows:
        by_model[type(row)].append(row)
    previous = {}
    related_sets = {}
    for history_model, model_rows in by_model.items():
        ids = {row.id for row in model_rows}
        versions = defaultdict(list)
        for version in history_model.objects.filter(id__in=ids).order_by(
            "history_date", "history_id"
        ):
            versions[version.id].append(version)
        related_sets[history_model] = _related_sets(
            history_model, [v.history_id for chain in versions.values() for v in chain]
        )
        for row in model_rows:
            chain = versions[row.id]
            position = next(i for i, v in enumerate(chain) if v.history_id == row.history_id)
            previous[(history_model, row.history_id)] = chain[position - 1] if position else None

    names = _Names()
    raw = []
    for row in sorted(rows, key=lambda r: (r.history_date, r.history_id), reverse=True):
        history_model = type(row)
        before = previous[(history_model, row.history_id)]
        changes = []
        for field in _tracked_fields(history_model):
            new = getattr(row, field.attname)
            old = getattr(before, field.attname) if before else None
            if row.history_type == "+" and new in (None, "", 0):
                continue
            if before is None or old != new:
                changes.append((field, old, new))
                if field.is_relation:
                    names.want(field.related_model, old)
                    names.want(field.related_model, new)
        _label_needs(row, names)
        raw.append((row, before, changes))
    names.read()

    entries = []
    for row, before, changes in raw:
        history_model = type(row)
        shown = [
            (str(field.verbose_name), _shown(field, old, names), _shown(field, new, names))
            for field, old, new in changes
        ]
        for label, sets in related_sets[history_model]:
            new = sets.get(row.history_id, ())
            old = sets.get(before.history_id, ()) if before else ()
            if new != old and not (row.history_type == "+" and not new):
                shown.append((label, ", ".join(old) or None, ", ".join(new) or None))
        entries.append(
            AuditEntry(
                record=row,
                kind=str(history_model.instance_type._meta.verbose_name),
                object_label=_label(row, names),
                change_type=str(CHANGE_TYPES.get(row.history_type, row.history_type)),
                changes=shown,
            )
        )
    return entries


def _related_sets(history_model, history_ids) -> list[tuple[str, dict]]:
    """For each many-to-many field the history keeps (a programme's target villages): its
    label and, per history row, the sorted names it held; one query per field."""
    result = []
    for field in getattr(history_model, "_history_m2m_fields", ()):
        m2m_history = history_model.__dict__[field.name].model
        target = field.m2m_reverse_field_name()
        names = defaultdict(list)
        for history_id, name in (
            m2m_history.objects.filter(history_id__in=history_ids)
            .order_by(f"{target}__name")
            .values_list("history_id", f"{target}__name")
        ):
            names[history_id].append(name)
        result.append((str(field.verbose_name), {k: tuple(v) for k, v in names.items()}))
    return result
