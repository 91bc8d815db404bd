"""Rotating the personal-data keys (docs/privacy.md, "Keys and rotation")."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from families.crypto import id_hash, reset_keys
from families.measures import REGENCY, compute
from families.models import Family
from families.services import beneficiary_add
from tests.factories import ProgramFactory
from tests.families_helpers import import_registry, kk, name, registry_row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _forget_keys():
    reset_keys()
    yield
    reset_keys()


def _stored_name(pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM families_family WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_new_keys_are_applied_to_everything_stored(settings, admin_user, village_x, agency_a):
    snapshot = import_registry(admin_user, [registry_row(1, village_x, 1)])
    beneficiary_add(
        actor=admin_user, program=ProgramFactory(agency=agency_a), kk=kk(1), quarter=1, kind="cash"
    )
    family = Family.objects.get()
    old_token = _stored_name(family.pk)
    new_key = Fernet.generate_key().decode()
    settings.PERSONAL_DATA_KEYS = [new_key, *settings.PERSONAL_DATA_KEYS]
    settings.PERSONAL_ID_HASH_KEY = "a-new-hash-key-for-the-test"

    call_command("rotate_personal_data", stdout=StringIO())

    # Readable with the new key alone, hashed with the new key, and still matched.
    settings.PERSONAL_DATA_KEYS = [new_key]
    reset_keys()
    family = Family.objects.get()
    assert family.name == name(1)
    assert _stored_name(family.pk) != old_token
    assert family.kk_hash == id_hash(kk(1))
    assert compute(snapshot=snapshot, year=2024, by=REGENCY)[0].reached_eligible == 1
