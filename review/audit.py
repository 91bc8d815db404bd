"""Field-level changes from django-simple-history rows, without a query per row."""

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

SKIPPED_FIELDS = {"id", "updated_at", "created_at"}
CHANGE_TYPES = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


@dataclass
class AuditEntry:
    record: object
    kind: str
    object_label: str
    change_type: str
    changes: list[tuple[str, object, object]]

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


def audit_entries(history_rows) -> list[AuditEntry]:
    """Each history row with the fields it changed, old -> new, newest first.

    The previous version of every object is fetched in one query per kind of record."""
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
    entries = []
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
                changes.append((str(field.verbose_name), old, new))
        for label, sets in related_sets[history_model]:
            new = sets.get(row.history_id, ())
            old = sets.get(before.history_id, ()) if before else ()
            if new != old and not (row.history_type == "+" and not new):
                changes.append((label, ", ".join(old) or None, ", ".join(new) or None))
        entries.append(
            AuditEntry(
                record=row,
                kind=str(history_model.instance_type._meta.verbose_name),
                object_label=_label(row),
                change_type=str(CHANGE_TYPES.get(row.history_type, row.history_type)),
                changes=changes,
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


def _label(row):
    name = getattr(row, "name", None)
    if name:
        return name
    if hasattr(row, "quarter") and hasattr(row, "indicator_id"):
        return f"#{row.indicator_id} · TW {row.quarter}"
    if hasattr(row, "village_id") and hasattr(row, "year"):
        return f"#{row.village_id} · {row.year}"
    if hasattr(row, "quarter") and hasattr(row, "year"):
        return f"{row.year} TW {row.quarter}"
    return f"#{row.id}"
