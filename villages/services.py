from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from bartim import access
from bartim.models import Village
from bartim.services import record_delete, record_save
from helpers import dataversion
from helpers.history import checked_save
from villages.models import NeedRule, PocketRule, PovertyStatistic, VillageData


def village_data_save(
    *,
    actor,
    village: Village,
    year: int,
    record: VillageData | None = None,
    change_reason: str = "",
    seen_version: int | None = None,
    **fields,
) -> VillageData:
    """Create or change a village's data for a year. A camat keeps only his own district's,
    and only an administrator moves existing data to another village or year.
    `seen_version`: the version the form was opened at (helpers.concurrency)."""
    if record is None:
        access.check_create(actor, VillageData, village.district_id)
    try:
        with transaction.atomic():
            if record is None:
                record = VillageData(village=village, year=year, updated_by=actor)
            else:
                current = access.locked_for_change(
                    actor,
                    VillageData,
                    record.pk,
                    seen_version=seen_version,
                    message=_("You may not change this village data."),
                )
                access.check_fields(actor, current, {"village": village, "year": year, **fields})
                record = current
                record.village = village
                record.year = year
            for name, value in fields.items():
                setattr(record, name, value)
            checked_save(record, actor=actor, reason=change_reason)
            dataversion.bump()
    except IntegrityError as error:
        # full_clean checks the one-record-per-village-and-year rule, but two people creating
        # the same record at the same moment both pass it; the database refuses the second.
        raise ValidationError(
            _(
                "Someone else saved this village's data for %(year)s a moment ago, so nothing "
                "was saved. Open it from the list, review it and save again."
            )
            % {"year": year}
        ) from error
    return record


@dataclass
class VillageDataEntry:
    """One village's data for a year, for village_data_save_many: `record` is the existing
    record to change, or None for a new one."""

    village: Village
    year: int
    record: VillageData | None
    fields: dict


class BulkSaveError(Exception):
    """Why each refused entry (by its position) could not be saved. Nothing was saved."""

    def __init__(self, errors: dict[int, Exception]):
        super().__init__(errors)
        self.errors = errors


def village_data_save_many(
    *, actor, entries: list[VillageDataEntry], change_reason: str = ""
) -> list[VillageData]:
    """village_data_save for many records at once (an import), all or nothing.

    The same rules (who keeps which village, which statuses may change, the model's field
    rules and constraints). Raises BulkSaveError listing every refused entry; then nothing is
    saved. The entries' villages are rows already (the caller looked them up).
    """
    errors: dict[int, Exception] = {}
    with transaction.atomic():
        editable = {
            record.pk: record
            for record in access.editable(actor, VillageData.objects.all())
            .select_for_update()
            .filter(pk__in=[e.record.pk for e in entries if e.record is not None])
        }
        records = []
        for index, entry in enumerate(entries):
            try:
                if entry.record is None:
                    access.check_create(actor, VillageData, entry.village.district_id)
                    record = VillageData(village=entry.village, year=entry.year, updated_by=actor)
                elif entry.record.pk in editable:
                    record = editable[entry.record.pk]
                    access.check_fields(
                        actor, record, {"village": entry.village, "year": entry.year}
                    )
                    record.village, record.year = entry.village, entry.year
                    # An import checks its own preview instead of a form's version. The rows
                    # are locked above (PostgreSQL) or the whole database is for this write
                    # (SQLite), so raising the version from the value read is safe.
                    record.version += 1
                    record.updated_by = actor
                else:
                    raise PermissionDenied(_("You may not change this village data."))
            except PermissionDenied as error:
                errors[index] = error
                continue
            for name, value in entry.fields.items():
                if name != "status":
                    setattr(record, name, value)
            records.append((index, record))
        history = {"default_user": actor, "default_change_reason": change_reason or None}
        names = {name for entry in entries for name in entry.fields if name != "status"}
        for start in range(0, len(records), 100):
            part = records[start : start + 100]
            try:
                for _index, record in part:
                    # No query a record: the database checks the constraints as it writes.
                    record.full_clean(exclude=["village", "updated_by"], validate_constraints=False)
                with transaction.atomic():
                    _write([record for _index, record in part], names, history)
            except (ValidationError, IntegrityError):
                # A record of this part was refused: full_clean() tells which and why.
                refused = {}
                for index, record in part:
                    try:
                        record.full_clean()
                    except ValidationError as error:
                        refused[index] = error
                if not refused:
                    raise
                errors |= refused
        if errors:
            raise BulkSaveError(errors)
        dataversion.bump()
    return [record for _index, record in records]


def _write(records: list[VillageData], names: set[str], history: dict) -> None:
    new = [record for record in records if record.pk is None]
    changed = [record for record in records if record.pk is not None]
    bulk_create_with_history(new, VillageData, batch_size=500, **history)
    if changed:
        now = timezone.now()
        for record in changed:
            record.updated_at = now
        bulk_update_with_history(
            changed,
            VillageData,
            fields=sorted(names | {"village", "year", "updated_at", "updated_by", "version"}),
            batch_size=500,
            **history,
        )


def poverty_statistic_save(
    *,
    actor,
    year: int,
    record: PovertyStatistic | None = None,
    change_reason: str = "",
    **fields,
) -> PovertyStatistic:
    """Create or change the BPS figures of a year; only an administrator keeps them."""
    refused = _("Only an administrator changes the BPS poverty figures.")
    if record is None:
        access.check_create(actor, PovertyStatistic, message=refused)
    else:
        access.check_change(actor, record, refused)
    with transaction.atomic():
        if record is None:
            record = PovertyStatistic(year=year)
        else:
            record = PovertyStatistic.objects.select_for_update().get(pk=record.pk)
            record.year = year
        for name, value in fields.items():
            setattr(record, name, value)
        checked_save(record, actor=actor, reason=change_reason)
        dataversion.bump()
    return record


def poverty_statistic_delete(*, record: PovertyStatistic, actor) -> None:
    """Delete the BPS figures of a year (administrators only)."""
    record_delete(record, actor=actor)


def village_data_delete(*, record: VillageData, actor) -> None:
    """Delete a village's data for a year: whoever may change it now (a draft or returned
    record of his district for a camat; administrators also a submitted one)."""
    record_delete(record, actor=actor)


def pocket_rule_save(*, rule: PocketRule, actor, change_reason: str = "") -> PocketRule:
    """Change how a poverty pocket is told (administrators only): the targeting check, the
    village table and the report follow at once."""
    return record_save(rule, actor=actor, change_reason=change_reason)


def need_rule_save(*, rule: NeedRule, actor, change_reason: str = "") -> NeedRule:
    """Change when a basic-needs deficit counts as high (administrators only): the needs
    view and the report follow at once."""
    return record_save(rule, actor=actor, change_reason=change_reason)
