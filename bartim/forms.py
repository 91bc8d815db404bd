"""The sign-in forms, with a message of our own when the username or password is wrong.

Django's Indonesian catalogue puts the field's name into a sentence that already names it
("Masukkan nama pengguna nama pengguna ..."), so both sign-in pages say it in our words."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

INVALID_LOGIN = _("Wrong username or password. Note that both are case-sensitive.")


class LoginForm(AuthenticationForm):
    error_messages = {**AuthenticationForm.error_messages, "invalid_login": INVALID_LOGIN}


class AdminLoginForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        # Django's admin refuses an account without staff status with the same message.
        "invalid_login": _(
            "Wrong username or password, or this account may not use the data-entry pages. "
            "Note that both are case-sensitive."
        ),
    }
