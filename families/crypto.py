"""How personal data is kept (docs/privacy.md): a NIK or No. KK only as a keyed hash for
matching (HMAC-SHA256 with PERSONAL_ID_HASH_KEY), names, addresses and the numbers
themselves only encrypted (Fernet, with the keys in PERSONAL_DATA_KEYS, newest first).
Both keys come from the environment, never from SECRET_KEY: rotating one must not touch the
other, and a leaked SECRET_KEY must not open the registry."""

import hashlib
import hmac
import re
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

ID_DIGITS = 16
_NOT_DIGITS = re.compile(r"[\s.\-]")


def clean_id(value) -> str:
    """A NIK or No. KK as its digits only ("6213 0101.0000 0001" -> "6213010100000001").
    Spaces, dots and dashes are how people type them; anything else stays and fails the
    16-digit check."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Excel keeps a 16-digit number as a float and loses its last digit; a whole number
        # it kept exactly is still usable.
        value = f"{int(value)}" if float(value).is_integer() else str(value)
    return _NOT_DIGITS.sub("", str(value).strip())


def is_valid_id(value: str) -> bool:
    return len(value) == ID_DIGITS and value.isascii() and value.isdigit()


@cache
def _hash_key() -> bytes:
    key = settings.PERSONAL_ID_HASH_KEY
    if not key:
        raise ImproperlyConfigured("PERSONAL_ID_HASH_KEY is not set (docs/privacy.md).")
    return key.encode()


def id_hash(value: str) -> str:
    """The keyed hash a NIK or No. KK is matched by; "" for an empty one. Without the key
    nobody can test the 10^16 possible numbers against it, as they could a plain SHA-256."""
    if not value:
        return ""
    return hmac.new(_hash_key(), value.encode(), hashlib.sha256).hexdigest()


@cache
def fernet() -> MultiFernet:
    keys = settings.PERSONAL_DATA_KEYS
    if not keys:
        raise ImproperlyConfigured("PERSONAL_DATA_KEYS is not set (docs/privacy.md).")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode() if text else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        # A key removed from PERSONAL_DATA_KEYS before rotate_personal_data ran: the value
        # is shown as unreadable rather than the page failing.
        return "?"


def join_ids(nik: str, kk: str) -> str:
    """The NIK and the No. KK as one text to encrypt ("-" for a missing one)."""
    return f"{nik or '-'} {kk or '-'}"


def split_ids(ids: str) -> tuple[str, str]:
    """join_ids() undone: (NIK, No. KK), "" for a missing one."""
    parts = (ids or "").split() + ["-", "-"]
    return tuple("" if part == "-" else part for part in parts[:2])


def reset_keys() -> None:
    """Forget the keys read from the settings (after a test or a rotation changes them)."""
    _hash_key.cache_clear()
    fernet.cache_clear()


class EncryptedTextField(models.TextField):
    """Text kept encrypted in the database and read back in clear in Python. The database
    cannot search or sort it; lookups go through the hash fields."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value
