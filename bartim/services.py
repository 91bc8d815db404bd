"""Writes about the regency's own records: accounts."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bartim.models import Agency, District, User


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
