"""Writes about the regency's own records: its territory, its agencies and the accounts.
All of them are kept by administrators (bartim.access)."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bartim import access
from bartim.models import Agency, Deadline, District, PublishedYear, Regency, User, Village
from helpers import dataversion
from helpers.history import checked_save


@transaction.atomic
def account_create(
    *,
    username: str,
    role: str,
    password: str,
    agency: Agency | None = None,
    district: District | None = None,
) -> User:
    """A new account with its role and scope. Administrators get the whole Django admin;
    agency and camat accounts enter data in the app's own pages (entry/), viewers only read."""
    user = User(
        username=username,
        role=role,
        agency=agency,
        district=district,
        is_staff=role == User.Role.ADMIN,
        is_superuser=role == User.Role.ADMIN,
    )
    errors: dict[str, list[str]] = {}
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if agency is not None and not agency.is_active:
        errors.setdefault("agency", []).append(
            _("%(agency)s is retired; accounts can only be made for active agencies.")
            % {"agency": agency.name}
        )
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        errors.setdefault("password", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.save()
    return user


def account_save(*, account: User, actor) -> User:
    """Save an account as an administrator edited it (the Django admin's user forms, which
    check the password themselves)."""
    return record_save(account, actor=actor)


def account_delete(*, account: User, actor) -> None:
    record_delete(account, actor=actor)


def territory_save(*, record: Regency | District | Village, actor) -> Regency | District | Village:
    """Add or change the regency, a kecamatan or a village."""
    return record_save(record, actor=actor)


def territory_delete(*, record: Regency | District | Village, actor) -> None:
    """Delete a kecamatan or village that holds nothing: village data and programmes' target
    villages keep a village (ProtectedError), villages keep their kecamatan."""
    record_delete(record, actor=actor)


def agency_save(*, agency: Agency, actor) -> Agency:
    return record_save(agency, actor=actor)


def agency_delete(*, agency: Agency, actor) -> None:
    """Delete an agency that runs no programme (ProtectedError otherwise: retire it)."""
    record_delete(agency, actor=actor)


def agency_retire(*, agencies, actor) -> int:
    """Retire the given agencies (a queryset): they stay, with their programmes, but no new
    account or programme is made for them. Returns how many were active."""
    access.check_create(actor, Agency, message=_("Only an administrator retires agencies."))
    with transaction.atomic():
        retired = agencies.filter(is_active=True).update(is_active=False)
        dataversion.bump()
    return retired


def record_save(record, *, actor, change_reason: str = ""):
    """Add or change a record whose every write the policy decides by the record alone
    (the reference data, accounts, the strategies, the pocket rule), in one transaction
    that gives the data a new version."""
    if record._state.adding:
        access.check_create(actor, type(record))
    else:
        access.check_change(actor, record)
    with transaction.atomic():
        checked_save(record, actor=actor, reason=change_reason)
        dataversion.bump()
    return record


def record_delete(record, *, actor, reason: str = "") -> None:
    """Delete `record` if the policy lets `actor` (with `reason` in a locked quarter), as
    it is in the database now; recorded in its history. Reported data hanging off it refuses
    with ProtectedError (helpers.deletion)."""
    with transaction.atomic():
        current = type(record)._default_manager.select_for_update().filter(pk=record.pk).first()
        if current is None:
            return
        access.check_delete(actor, current, reason=reason)
        current._history_user = actor
        if reason:
            current._change_reason = reason
        current.delete()
        dataversion.bump()


def deadline_set(*, year: int, quarter: int, due_date, actor) -> Deadline:
    """Set the day a quarter's reports are due (an administrator's task); replaces the
    quarter's deadline set before, or the default (bartim.models.default_due_date)."""
    access.check_create(actor, Deadline, message=_("Only an administrator sets deadlines."))
    with transaction.atomic():
        deadline = Deadline.objects.select_for_update().filter(
            year=year, quarter=quarter
        ).first() or Deadline(year=year, quarter=quarter)
        deadline.due_date = due_date
        deadline.updated_by = actor
        checked_save(deadline, actor=actor)
        # The dashboard's and the report's late agencies are cached under the data version.
        dataversion.bump()
    return deadline


def deadline_delete(*, deadline: Deadline, actor) -> None:
    """Back to the default deadline for the quarter."""
    access.check_create(actor, Deadline, message=_("Only an administrator sets deadlines."))
    with transaction.atomic():
        deadline._history_user = actor
        deadline.delete()
        dataversion.bump()


def published_year_publish(*, year: int, actor) -> PublishedYear:
    """Show `year`'s verified figures to the public (bartim.access.PUBLIC): the public page,
    the open data and the public API tokens. Publishing a published year changes nothing."""
    access.check_admin(actor, _("Only an administrator publishes a year."))
    with transaction.atomic():
        existing = PublishedYear.objects.select_for_update().filter(year=year).first()
        if existing is not None:
            return existing
        published = PublishedYear(year=year, published_by=actor)
        checked_save(published, actor=actor)
        # The public page and the open data are cached under the data version.
        dataversion.bump()
    return published


def published_year_withdraw(*, published: PublishedYear, actor) -> None:
    """Take a year off the public page, the open data and the public API again."""
    access.check_admin(actor, _("Only an administrator publishes a year."))
    with transaction.atomic():
        published._history_user = actor
        published.delete()
        dataversion.bump()
