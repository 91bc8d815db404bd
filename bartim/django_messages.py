"""Django's own form messages, named here so that the project's catalogue keeps Django's
Indonesian wording for them. The project's catalogue (LOCALE_PATHS) wins over every app's,
and an installed app's wins over Django's: Django REST framework's Indonesian catalogue
words these differently ("Bidang ini harus diisi."), so without this list every form of the
app would change its messages when the API was added. Nothing imports this module;
makemessages reads it."""

from django.utils.translation import gettext_noop

KEPT_FROM_DJANGO = [
    gettext_noop("This field is required."),
    gettext_noop("Enter a valid URL."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("No file was submitted."),
    gettext_noop("The submitted file is empty."),
    gettext_noop("Value must be valid JSON."),
]
