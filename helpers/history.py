"""Saving a record the way every write service does: validated first, then saved with who
changed it and why in its history (django-simple-history reads `_history_user` and
`_change_reason` from the instance)."""


def checked_save(record, *, actor, reason: str = "") -> None:
    """Validate `record` (fields and database constraints) and save it, recording `actor`
    and, when given, `reason` in its history. Raises ValidationError before saving."""
    record.full_clean()
    record._history_user = actor
    if reason:
        record._change_reason = reason
    record.save()
