"""The demo's synthetic welfare registry and beneficiary lists (docs/demo-data.md).

About 35,000 families over the regency's villages, one per household of the demo year's
village data; in each village the share in deciles 1 and 2 follows its poor households, so
the regency's matches the BPS poverty rate. Every number and name is obviously fake: NIKs
and No. KK begin with the regency's code 6213 followed by the kecamatan and a serial with
no birth date in it, names are "KK Demo 00001". Each demo programme gets beneficiaries with
realistic inclusion errors: mostly eligible families of its target villages, some richer
ones, a few outside the registry. The same seed always gives the same registry."""

import datetime
import random

from django.conf import settings
from django.db import transaction

from bartim.models import User, Village
from families.crypto import id_hash, join_ids
from families.models import Beneficiary, Family, RegistrySnapshot
from helpers import dataversion
from programs.models import Program
from villages.models import VillageData

SNAPSHOT_LABEL = "DTSEN demo"
FAMILIES = 35_000
BATCH = 2000
# Of a programme's beneficiaries: the share drawn outside the eligible deciles (inclusion
# errors) and outside the registry altogether.
RICHER_SHARE = 0.15
OUTSIDE_SHARE = 0.06
MAX_PER_PROGRAMME = 1500
PEOPLE_PER_FAMILY = 3.4
# A programme's kind of help from words in its name; otherwise by its strategy.
KIND_WORDS = [
    (("sekolah", "beasiswa"), Beneficiary.Kind.EDUCATION),
    (("kesehatan", "makanan", "stunting"), Beneficiary.Kind.HEALTH),
    (("rumah", "jamban", "air minum"), Beneficiary.Kind.HOUSING),
    (("sembako", "pangan"), Beneficiary.Kind.FOOD),
    (("pelatihan", "pendampingan"), Beneficiary.Kind.TRAINING),
    (("padat karya", "tenaga kerja"), Beneficiary.Kind.JOBS),
    (("usaha", "benih", "ternak", "bumdes", "peralatan"), Beneficiary.Kind.CAPITAL),
]
STRATEGY_KIND = {1: Beneficiary.Kind.CASH, 2: Beneficiary.Kind.CAPITAL, 3: Beneficiary.Kind.HOUSING}


def demo_registry(*, year: int, families: int | None = None, villages=None, seed="bartim") -> dict:
    """Add the synthetic snapshot and the year's beneficiaries unless the snapshot exists.
    Returns what was created, by kind. `families` defaults to the setting
    DEMO_REGISTRY_FAMILIES (the tests' smaller registry), else FAMILIES."""
    if families is None:
        families = getattr(settings, "DEMO_REGISTRY_FAMILIES", FAMILIES)
    if RegistrySnapshot.objects.filter(label=SNAPSHOT_LABEL).exists():
        return {"families": 0, "beneficiaries": 0}
    admin = User.objects.filter(role=User.Role.ADMIN).order_by("pk").first()
    villages = list(villages or Village.objects.select_related("district").order_by("code"))
    rng = random.Random(f"{seed}-registry")
    with transaction.atomic():
        snapshot = RegistrySnapshot.objects.create(
            label=SNAPSHOT_LABEL,
            taken_on=datetime.date(year, 6, 30),
            filename="dtsen-demo.csv",
            confirmed=True,
            imported_by=admin,
        )
        made = _families(snapshot, villages, year, families, rng)
        snapshot.family_count = len(made)
        snapshot.save(update_fields=["family_count"])
        count = _beneficiaries(made, year, admin, random.Random(f"{seed}-beneficiaries"))
        dataversion.bump(family_measures=True)
    return {"families": len(made), "beneficiaries": count}


def _families(snapshot, villages, year, total, rng) -> list[tuple]:
    """Create the families; return (id, village id, decile, nik, kk) of each."""
    data = {
        d.village_id: d
        for d in VillageData.objects.filter(year=year, village__in=villages).only(
            "village_id", "households", "poor_households"
        )
    }
    weights = [data[v.pk].households if v.pk in data else 1 for v in villages]
    scale = total / sum(weights)
    made, batch, serial = [], [], 0
    for village, weight in zip(villages, weights, strict=True):
        households = max(1, round(weight * scale))
        record = data.get(village.pk)
        poor_share = (
            record.poor_households / record.households if record and record.households else 0.1
        )
        for _n in range(households):
            serial += 1
            decile = _decile(rng, poor_share)
            # 6213, the kecamatan's two digits, 00 or 99, a serial: no birth date in it.
            nik = f"6213{village.district.code[-2:]}00{serial:08d}"
            kk = f"6213{village.district.code[-2:]}99{serial:08d}"
            batch.append(
                Family(
                    snapshot=snapshot,
                    village_id=village.pk,
                    kk_hash=id_hash(kk),
                    nik_hash=id_hash(nik),
                    ids=join_ids(nik, kk),
                    name=f"KK Demo {serial:05d}",
                    address=f"Jalan Demo {serial % 40 + 1} RT {serial % 9 + 1:03d} RW 001",
                    decile=decile,
                    members=rng.randint(1, 7),
                    elderly=rng.random() < 0.2,
                    disability=rng.random() < 0.05,
                    under_five=rng.random() < 0.3,
                    female_head=rng.random() < 0.15,
                )
            )
            made.append((None, village.pk, decile, nik, kk))
            if len(batch) >= BATCH:
                Family.objects.bulk_create(batch)
                batch = []
    Family.objects.bulk_create(batch)
    return made


def _decile(rng, poor_share: float) -> int:
    """Deciles 1 and 2 for the village's poor households, 3 to 10 evenly for the others."""
    if rng.random() < poor_share:
        return 1 if rng.random() < 0.45 else 2
    return rng.randint(3, 10)


def _kind(program) -> str:
    name = program.name.lower()
    for words, kind in KIND_WORDS:
        if any(word in name for word in words):
            return kind
    return STRATEGY_KIND[program.strategy_id]


def _beneficiaries(families, year, admin, rng) -> int:
    by_village: dict[int, list] = {}
    for family in families:
        by_village.setdefault(family[1], []).append(family)
    eligible_all = [f for f in families if f[2] <= 4]
    richer_all = [f for f in families if f[2] > 4]
    records = []
    outside = 0
    for program in Program.objects.filter(year=year).order_by("pk"):
        targets = list(program.target_villages.values_list("pk", flat=True))
        wanted = program.beneficiary_target or 200
        if program.beneficiary_unit == Program.BeneficiaryUnit.PEOPLE:
            wanted = round(wanted / PEOPLE_PER_FAMILY)
        wanted = min(wanted, MAX_PER_PROGRAMME)
        pool = [f for v in targets for f in by_village.get(v, []) if f[2] <= 4] or eligible_all
        kind = _kind(program)
        chosen = rng.sample(
            pool, min(len(pool), round(wanted * (1 - RICHER_SHARE - OUTSIDE_SHARE)))
        )
        chosen += rng.sample(richer_all, min(len(richer_all), round(wanted * RICHER_SHARE)))
        for _nik, _village, _decile, nik, kk in chosen:
            by_kk = rng.random() < 0.7
            records.append(
                Beneficiary(
                    program=program,
                    quarter=rng.randint(1, 4),
                    kind=kind,
                    kk_hash=id_hash(kk) if by_kk else "",
                    nik_hash="" if by_kk else id_hash(nik),
                    ids=join_ids("", kk) if by_kk else join_ids(nik, ""),
                    created_by=admin,
                )
            )
        for _n in range(round(wanted * OUTSIDE_SHARE)):
            outside += 1
            nik = f"621399000000{outside % 10_000:04d}"
            records.append(
                Beneficiary(
                    program=program,
                    quarter=rng.randint(1, 4),
                    kind=kind,
                    nik_hash=id_hash(nik),
                    ids=join_ids(nik, ""),
                    name=f"Penerima Demo {outside:04d}",
                    created_by=admin,
                )
            )
    Beneficiary.objects.bulk_create(records, batch_size=BATCH)
    return len(records)
