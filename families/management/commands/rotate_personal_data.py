"""Apply new personal-data keys to what is stored (docs/privacy.md, "Keys and rotation")."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from families.crypto import fernet, id_hash, reset_keys, split_ids
from families.models import Beneficiary, Family, PendingBeneficiaryImport
from helpers import dataversion

BATCH = 2000


class Command(BaseCommand):
    help = (
        "Re-encrypt every name, address and number with the first key of PERSONAL_DATA_KEYS "
        "and recompute every NIK and No. KK hash with PERSONAL_ID_HASH_KEY. Run it after "
        "changing either key; then the old Fernet key may be removed."
    )

    def handle(self, *args, **options):
        reset_keys()
        fernet()  # fails now, before any write, if the keys are not set
        with transaction.atomic():
            families = self._rotate(Family, ("ids", "name", "address"), hashed=True)
            beneficiaries = self._rotate(Beneficiary, ("ids", "name"), hashed=True)
            pending = self._rotate(PendingBeneficiaryImport, ("rows",), hashed=False)
            dataversion.bump(family_measures=True)
        self.stdout.write(
            _(
                "Keys applied to %(families)d families, %(beneficiaries)d beneficiary records "
                "and %(pending)d pending imports."
            )
            % {"families": families, "beneficiaries": beneficiaries, "pending": pending}
        )

    def _rotate(self, model, fields, *, hashed) -> int:
        """Each row read in clear through the field (any key decrypts) and written back
        encrypted with the newest key, its hashes made again from the clear numbers."""
        count = 0
        batch = []
        for record in model.objects.order_by("pk").iterator(chunk_size=BATCH):
            if hashed:
                nik, kk = split_ids(record.ids)
                record.nik_hash, record.kk_hash = id_hash(nik), id_hash(kk)
            batch.append(record)
            count += 1
            if len(batch) >= BATCH:
                self._save(model, batch, fields, hashed)
                batch = []
        self._save(model, batch, fields, hashed)
        return count

    @staticmethod
    def _save(model, batch, fields, hashed):
        if batch:
            extra = ("nik_hash", "kk_hash") if hashed else ()
            model.objects.bulk_update(batch, [*fields, *extra])
