"""Running an import: read the file, check every row, and write through the services.

The preview and the confirmation run the very same code inside one transaction: the preview
rolls it back, the confirmation commits it only when there is no error and the result is the
one the person saw. So the preview finds every error the services would raise (scope, review
status, period locks, database constraints), and nothing can be half-imported.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from bartim.access import PeriodLockError, ReviewError
from spreadsheets.kinds import KINDS
from spreadsheets.kinds.base import CHANGED, NEW, UNCHANGED
from spreadsheets.layout import (
    REQUIRED,
    ParsedRow,
    ParsedSheet,
    Problem,
    SheetSpec,
    find_header,
    normalize,
    parse_table,
)
from spreadsheets.reading import Upload, UploadRefused, read_upload

REFUSALS = (ValidationError, PermissionDenied, PeriodLockError, ReviewError)
# simple_history keeps the reason in a 100-character column.
CHANGE_REASON_LENGTH = 100


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class RowResult:
    sheet: str
    row: int
    label: str
    action: str
    changes: list[Change] = field(default_factory=list)


@dataclass
class Report:
    kind: object
    filename: str
    marker: dict
    rows: list[RowResult]
    errors: list[Problem]
    notices: list[str]
    # Values far off their peers (programs.plausibility): applied only once confirmed.
    doubts: list[Problem] = field(default_factory=list)
    applied: bool = False
    # The confirmation found a different result from the preview the person saw.
    stale: bool = False
    # Confirmed without ticking that the unusual values are right.
    unconfirmed_doubts: bool = False

    def count(self, action) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def new(self) -> int:
        return self.count(NEW)

    @property
    def changed(self) -> int:
        return self.count(CHANGED)

    @property
    def unchanged(self) -> int:
        return self.count(UNCHANGED)

    @property
    def has_changes(self) -> bool:
        return bool(self.new or self.changed)

    @property
    def digest(self) -> str:
        payload = [
            [r.sheet, r.row, r.action, [[c.field, c.old, c.new] for c in r.changes]]
            for r in self.rows
        ] + [[e.sheet, e.row, e.column, e.message] for e in [*self.errors, *self.doubts]]
        return hashlib.sha256(json.dumps(payload).encode()).hexdigest()


def _constraint_field(model, message: str) -> str | None:
    """The field a model constraint's violation message is about, to point at its column."""
    for constraint in model._meta.constraints:
        if str(constraint.violation_error_message) != message:
            continue
        if isinstance(constraint, models.UniqueConstraint):
            return constraint.fields[-1] if constraint.fields else None
        condition = getattr(constraint, "condition", None)
        while condition is not None and hasattr(condition, "children"):
            condition = condition.children[0] if condition.children else None
        if isinstance(condition, tuple):
            return condition[0].split("__")[0]
    return None


class ImportRun:
    """The state of one pass over a file: its parsed sheets, errors and row results."""

    def __init__(self, *, kind, actor, filename, reason, sheets, errors, lock_rows):
        self.kind = kind
        self.actor = actor
        self.filename = filename
        self.reason = reason
        self.sheets: dict[str, ParsedSheet] = sheets
        self.errors: list[Problem] = errors
        self.doubts: list[Problem] = []
        self.rows: list[RowResult] = []
        self.notices: list[str] = []
        # What a kind looks up once per run (the state of a quarter's lock, say).
        self.memo: dict = {}
        # On confirmation the rows read for the comparison are locked until the commit, so
        # that what is written is compared with what is there.
        self.lock_rows = lock_rows

    @property
    def change_reason(self) -> str:
        reason = _("Excel import: %(file)s") % {"file": self.filename}
        if self.reason:
            reason = f"{reason} ({self.reason})"
        return reason[:CHANGE_REASON_LENGTH]

    def locked(self, queryset):
        return queryset.select_for_update() if self.lock_rows else queryset

    def error(self, sheet: ParsedSheet, row: ParsedRow | None, key: str | None, message):
        self.errors.append(
            Problem(
                sheet.display_name,
                row.number if row else sheet.header_row,
                sheet.column_name(key),
                str(message),
            )
        )

    def doubt(self, sheet: ParsedSheet, row: ParsedRow, key: str, message) -> None:
        """A value that is allowed but looks like a slip: listed in the preview, and the
        import is applied only once the person confirms it."""
        self.doubts.append(
            Problem(sheet.display_name, row.number, sheet.column_name(key), str(message))
        )

    def notice(self, message):
        self.notices.append(str(message))

    def skipped_without_values(self, sheet: ParsedSheet, numbers: list[int]) -> None:
        if numbers:
            self.notice(
                _(
                    'Sheet "%(sheet)s": %(count)d rows without any values were left out '
                    "(rows %(rows)s)."
                )
                % {
                    "sheet": sheet.display_name,
                    "count": len(numbers),
                    "rows": _ranges(numbers),
                }
            )

    def has_columns_for_new(self, sheet: ParsedSheet, row: ParsedRow, key: str) -> bool:
        """A file may leave out columns it does not change, but a new record needs every
        column whose cells must be filled in."""
        missing = [
            str(column.label)
            for column in sheet.spec.columns
            if column.imported and column.blank is REQUIRED and column.key not in sheet.present
        ]
        if missing:
            self.error(
                sheet,
                row,
                key,
                _("This row is new, so the file needs the columns %(columns)s.")
                % {"columns": ", ".join(missing)},
            )
        return not missing

    def diff(self, sheet: ParsedSheet, row: ParsedRow, current: dict | None) -> list[Change]:
        """Per value column present in the file: old -> new where they differ; for a new
        record (`current` is None), every value given."""
        changes = []
        for column, label in self._value_columns(sheet):
            new = row.values.get(column.key)
            if current is None:
                if new not in (None, "", frozenset()):
                    changes.append(Change(label, "–", column.show(new)))
                continue
            old = current.get(column.key)
            if not _same(old, new):
                changes.append(Change(label, column.show(old), column.show(new)))
        return changes

    def _value_columns(self, sheet: ParsedSheet) -> list:
        """The sheet's value columns present in the file, with their labels translated once."""
        key = ("value columns", sheet.spec.key)
        if key not in self.memo:
            self.memo[key] = [
                (column, str(column.label))
                for column in sheet.spec.columns
                if column.imported and not column.identifying and column.key in sheet.present
            ]
        return self.memo[key]

    def result(self, sheet, row, label, action, changes=()):
        self.rows.append(
            RowResult(sheet.display_name, row.number, str(label), action, list(changes))
        )

    def attempt(self, sheet, row, write, *, model, default_key, fields=None):
        """Call a write service for one row; its refusal becomes the row's error."""
        try:
            return write()
        except REFUSALS as error:
            self.refused(sheet, row, error, model=model, default_key=default_key, fields=fields)
        return None

    def refused(self, sheet, row, error, *, model, default_key, fields=None):
        """A service's refusal as the row's errors, each in the column it is about: a field
        error in the field's column (`fields` maps other field names to column keys), a
        broken model constraint in the column of the constraint's first field."""
        fields = fields or {}
        imported = {c.key for c in sheet.spec.columns if c.imported and c.key in sheet.present}

        def column_of(name):
            key = fields.get(name, name)
            return key if key in imported else default_key

        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                for message in messages:
                    if name == NON_FIELD_ERRORS:
                        name = _constraint_field(model, message) or default_key
                    self.error(sheet, row, column_of(name), message)
        elif isinstance(error, ValidationError):
            for message in error.messages:
                self.error(sheet, row, default_key, message)
        else:
            message = getattr(error, "message", None) or str(error)
            self.error(sheet, row, default_key, message or _("You may not change this record."))


def _same(old, new) -> bool:
    if old in (None, "") and new in (None, ""):
        return True
    if old is None or new is None:
        return False
    return old == new


def _ranges(numbers: list[int]) -> str:
    """2, 3, 4, 7 -> "2–4, 7"."""
    parts, start, previous = [], None, None
    for number in sorted(numbers):
        if start is None:
            start = previous = number
        elif number == previous + 1:
            previous = number
        else:
            parts.append(f"{start}–{previous}" if previous > start else str(start))
            start = previous = number
    if start is not None:
        parts.append(f"{start}–{previous}" if previous > start else str(start))
    return ", ".join(parts)


def match_upload(upload: Upload, kind) -> dict[str, object]:
    """Which table of the file holds which sheet of `kind`; refuses a file of another kind."""
    if upload.marker:
        found = upload.marker.get("kind")
        if found != kind.slug:
            other = KINDS.get(found)
            raise UploadRefused(
                _(
                    'This file is the template for "%(found)s", but here you import '
                    '"%(expected)s". Upload it on its own page, or download the right template.'
                )
                % {"found": other.title if other else found, "expected": kind.title}
            )
        if upload.marker.get("version") != str(kind.version):
            raise UploadRefused(
                _(
                    "This file was made from an older version of the template. Download the "
                    "template again and copy your values into it."
                )
            )
    matched, used = {}, set()
    for spec in kind.sheets:
        candidates = [t for t in upload.tables if id(t) not in used]
        table = next(
            (t for t in candidates if t.name and normalize(t.name) in spec.names()), None
        ) or next((t for t in candidates if _fits(t, spec)), None)
        if table is not None:
            matched[spec.key] = table
            used.add(id(table))
    if matched:
        return matched
    for other in KINDS.values():
        if other is kind:
            continue
        for spec in other.sheets:
            if any(_fits(t, spec) for t in upload.tables):
                raise UploadRefused(
                    _(
                        'This file looks like the template for "%(found)s", but here you '
                        'import "%(expected)s". Upload it on its own page, or download the '
                        "right template."
                    )
                    % {"found": other.title, "expected": kind.title}
                )
    expected = ", ".join(str(c.label) for c in kind.sheets[0].columns if c.header_required)
    raise UploadRefused(
        _(
            'The file does not have the columns of the template "%(kind)s" (expected at '
            "least: %(columns)s). Download the template and copy your values into it."
        )
        % {"kind": kind.title, "columns": expected}
    )


def _fits(table, spec: SheetSpec) -> bool:
    header_row, _positions, missing, _ignored = find_header(table, spec)
    return header_row is not None and not missing


def identify(content: bytes, kind) -> Upload:
    """Read the file and make sure it is a file of `kind`; raises UploadRefused otherwise."""
    upload = read_upload(content)
    match_upload(upload, kind)
    return upload


def run_import(
    *,
    kind,
    actor,
    filename,
    upload: Upload,
    reason="",
    commit=False,
    expected_digest="",
    unusual_confirmed=False,
) -> Report:
    """Check the file, read once at upload (`upload`), and, when `commit` is set, apply it:
    only if there is no error, the result is the one the person previewed
    (`expected_digest`) and, where values look unusual, the person confirmed them
    (`unusual_confirmed`)."""
    tables = match_upload(upload, kind)
    errors: list[Problem] = []
    sheets = {}
    specs = kind.specs()
    for spec in specs:
        if spec.key in tables:
            parsed = parse_table(tables[spec.key], spec, errors)
            if parsed is not None:
                sheets[spec.key] = parsed
    with transaction.atomic():
        run = ImportRun(
            kind=kind,
            actor=actor,
            filename=filename,
            reason=reason,
            sheets=sheets,
            errors=errors,
            lock_rows=commit,
        )
        kind.run(run)
        for sheet in sheets.values():
            if sheet.ignored_headers:
                run.notice(
                    _(
                        'Sheet "%(sheet)s": these columns are not part of the template and were '
                        "ignored: %(columns)s."
                    )
                    % {"sheet": sheet.display_name, "columns": ", ".join(sheet.ignored_headers)}
                )
        report = Report(
            kind=kind,
            filename=filename,
            marker=upload.marker,
            rows=sorted(run.rows, key=lambda r: (_sheet_order(specs, r.sheet, sheets), r.row)),
            errors=sorted(
                run.errors,
                key=lambda e: (_sheet_order(specs, e.sheet, sheets), e.row or 0, e.column),
            ),
            notices=run.notices,
            doubts=sorted(
                run.doubts,
                key=lambda e: (_sheet_order(specs, e.sheet, sheets), e.row or 0, e.column),
            ),
        )
        if commit and report.digest != expected_digest:
            report.stale = True
        report.unconfirmed_doubts = bool(
            commit and not report.stale and report.doubts and not unusual_confirmed
        )
        report.applied = (
            commit
            and not report.stale
            and not report.errors
            and not report.unconfirmed_doubts
            and report.has_changes
        )
        if not report.applied:
            transaction.set_rollback(True)
    return report


def _sheet_order(specs, name, sheets) -> int:
    for index, spec in enumerate(specs):
        sheet = sheets.get(spec.key)
        if (sheet and sheet.display_name == name) or str(spec.title) == name:
            return index
    return len(specs)
