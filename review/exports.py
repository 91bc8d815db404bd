"""The audit trail as CSV: one line per changed field, for an auditor's own spreadsheet."""

from django.utils import timezone
from django.utils.translation import gettext as _

from helpers.exports import csv_rows_response


def audit_csv_response(entries):
    def rows():
        yield [
            _("When"), _("Who"), _("Kind of record"), _("Record"), _("Kind of change"),
            _("Field"), _("Before"), _("After"), _("Reason"),
        ]  # fmt: skip
        for entry in entries:
            common = [
                timezone.localtime(entry.date).strftime("%Y-%m-%d %H:%M"),
                str(entry.user or ""),
                entry.kind,
                entry.object_label,
                entry.change_type,
            ]
            for label, old, new in entry.changes or [("", None, None)]:
                yield [*common, label, old or "", new or "", entry.reason or ""]

    return csv_rows_response(rows(), "jejak-audit.csv")
