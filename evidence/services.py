"""Adding and removing the evidence files of a quarter's report or of one of its indicator
values; each asks the access policy
(bartim.access.check_evidence) and every file is checked (evidence/validation.py) before
anything is stored."""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bartim import access
from evidence.models import EvidenceFile
from evidence.validation import checked_file
from helpers import dataversion
from helpers.history import checked_save
from indicators.models import IndicatorValue
from programs.models import Program
from programs.services import quarter_report


def evidence_add(
    *,
    program: Program,
    quarter: int,
    files,
    actor,
    reason: str = "",
    indicator_value: IndicatorValue | None = None,
) -> list[EvidenceFile]:
    """Attach `files` (uploaded files) to the report of `quarter` of `program`, or with
    `indicator_value` (one of the programme's values of that quarter) to that value, all or
    none: one refused file (its type, size or content; the policy; the period lock without
    the administrator's reason) and nothing is stored. A value's files are asked of the
    policy as its quarter report's are: the report reviews the value. A quarter without a
    report row gets one (a draft), as its first note would."""
    files = list(files)
    if not files:
        raise ValidationError(_("Choose at least one file."))
    if indicator_value is not None and (
        indicator_value.indicator.program_id != program.pk or indicator_value.quarter != quarter
    ):
        raise ValidationError(
            _("That indicator value is not one of this programme's values of this quarter.")
        )
    report = quarter_report(program=program, quarter=quarter)
    access.check_evidence(actor, report, reason)
    errors, checked = [], []
    for uploaded in files:
        try:
            checked.append(checked_file(uploaded))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    stored_names = []
    try:
        with transaction.atomic():
            # The policy again inside the transaction, on the report as it is now.
            report = quarter_report(program=program, quarter=quarter)
            access.check_evidence(actor, report, reason)
            if report.pk is None:
                checked_save(report, actor=actor, reason=reason)
            records = []
            for item in checked:
                record = EvidenceFile(
                    report=report,
                    indicator_value=indicator_value,
                    original_name=item.name,
                    size=item.size,
                    file_type=item.file_type,
                    uploaded_by=actor,
                )
                record.file.save(item.name, ContentFile(item.content), save=False)
                stored_names.append(record.file.name)
                checked_save(record, actor=actor, reason=reason)
                records.append(record)
            dataversion.bump()
    except BaseException:
        # A refused or failed write leaves no file behind in the storage either.
        for name in stored_names:
            EvidenceFile._meta.get_field("file").storage.delete(name)
        raise
    return records


def evidence_remove(*, evidence: EvidenceFile, actor, reason: str = "") -> EvidenceFile:
    """Remove an evidence file from its quarter's report or indicator value: the record is
    marked removed (by whom, when, why in its history) and the stored file kept, so the
    history still shows and serves it. Allowed to whoever may add evidence to the report now."""
    with transaction.atomic():
        current = EvidenceFile.objects.select_for_update().get(pk=evidence.pk)
        access.check_evidence(actor, current.report, reason)
        if current.removed:
            raise ValidationError(_("This file has been removed already."))
        current.removed_at = timezone.now()
        current.removed_by = actor
        checked_save(current, actor=actor, reason=reason)
        dataversion.bump()
    return current
