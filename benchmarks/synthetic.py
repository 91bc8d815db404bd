"""Synthetic data at the scale of a regency or a province, for the benchmark (docs/performance.md).

Scale 1 is one regency shaped like Barito Timur over ten fiscal years; scale N is N such
regencies, the size of a province. Everything synthetic is recognisable by its codes:
regencies `99.NN` (Kemendagri has no province 99), so their districts and villages start with
`99.` too, and agencies `SYN-99.NN-KK`. Programmes belong to a synthetic agency, village data
to a synthetic village, so no other marker is needed. The real reference data (Barito Timur,
its OPDs, the strategies, the BPS series) stays as it is: the synthetic regencies sit beside it.

Rows go in with bulk_create, one transaction per regency: no model validation, no `save()`,
and no simple_history rows (bulk inserts do not send the signals it listens to). The database
constraints still hold every row; the generator keeps them by construction (realised budget
within the pagu, poor people within the population, and so on).

Each regency draws from its own random generator seeded with (seed, regency number), so a
larger scale contains the smaller one's regencies unchanged.

The province has one confirmed registry snapshot ("DTSEN sintetis 99", as a province's DTSEN
extract is one file): each regency adds about 53,000 families to it, and beneficiary records
for its last year's programmes (about 100,000), from a generator of its own so that the rest
of the data stays what it was before the registry.
Every NIK and No. KK begins with the regency's `99NN`; every one is hashed and every name,
address and number encrypted row by row, as an import does (docs/privacy.md).
"""

import datetime
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F, Q

from bartim.models import Agency, District, Regency, ReviewStatus, User, Village
from families.crypto import id_hash, join_ids
from families.models import DEFAULT_ELIGIBLE_DECILES, Beneficiary, Family, RegistrySnapshot
from helpers import dataversion
from indicators.models import Indicator, IndicatorValue
from programs.models import (
    NeedDimension,
    Program,
    ProgramReviewEvent,
    QuarterReport,
    QuarterReportReviewEvent,
    Strategy,
)
from programs.progress import refresh_stored_progress
from reference.loading import AGENCY_FILE, default_data_dir, read_csv
from villages.models import VillageData, VillageDataReviewEvent

REGENCY_PREFIX = "99."
AGENCY_PREFIX = "SYN-"
LAST_YEAR = 2024
YEARS = 10
BATCH_SIZE = 2000

# One regency as Barito Timur has it: 10 kecamatan, 103 desa and kelurahan, 36 OPDs, and
# about 350 programmes a year under the three strategies.
DISTRICTS = 10
VILLAGES = 103
KELURAHAN = 3
AGENCIES = 36
PROGRAMMES_PER_YEAR = 350
POPULATION = 118_000
STRATEGY_WEIGHTS = {1: 0.4, 2: 0.35, 3: 0.25}
INDICATORS_PER_PROGRAMME = ((10, 1), (22, 2), (35, 3), (22, 4), (11, 5))  # (weight, count)
# Share of the annual target planned, and of the spending made, by each quarter.
CUMULATIVE_SHARE = (0.2, 0.45, 0.72, 1.0)
QUARTER_SHARE = (0.2, 0.25, 0.25, 0.3)
BUDGET_SHARE = (0.1, 0.25, 0.3, 0.35)
# How far a programme gets against its targets by year end: (weight, low, high).
PACE = ((50, 0.9, 1.15), (25, 0.6, 0.9), (20, 0.15, 0.6), (5, 0.0, 0.0))

# The registry (families/models.py) of one regency and its last year's beneficiaries: the
# rules of the demo's registry (demo/registry.py, a sibling layer this one may not import).
FAMILIES = 53_000
SNAPSHOT_LABEL = "DTSEN sintetis "
PROVINCE_SNAPSHOT = SNAPSHOT_LABEL + REGENCY_PREFIX.rstrip(".")
REGISTRY_USER = "sintetis"
RICHER_SHARE = 0.15  # of a programme's beneficiaries: families outside the eligible deciles
OUTSIDE_SHARE = 0.06  # and numbers outside the registry
MAX_PER_PROGRAMME = 1500
PEOPLE_PER_FAMILY = 3.4
KIND_WORDS = (
    (("sekolah", "beasiswa", "pendidikan"), Beneficiary.Kind.EDUCATION),
    (("kesehatan", "makanan", "stunting", "jkn", "persalinan"), Beneficiary.Kind.HEALTH),
    (("rumah", "jamban", "air minum", "sanitasi", "listrik"), Beneficiary.Kind.HOUSING),
    (("sembako",), Beneficiary.Kind.FOOD),
    (("pelatihan", "pendampingan"), Beneficiary.Kind.TRAINING),
    (("padat karya",), Beneficiary.Kind.JOBS),
    (("usaha", "bibit", "ternak", "bumdes", "alat"), Beneficiary.Kind.CAPITAL),
)
STRATEGY_KIND = {1: Beneficiary.Kind.CASH, 2: Beneficiary.Kind.CAPITAL, 3: Beneficiary.Kind.HOUSING}

CONSONANTS = "b d g h j k l m n p r s t w"
SYLLABLES = [c + v for c in CONSONANTS.split() for v in "aiu"] + ["ang", "ung", "ing", "ai", "au"]
PLACE_WORDS = ("Sungai", "Tanjung", "Pulau", "Muara", "Danau", "Batu", "Bukit", "Lunuk", "")

ACTIONS = {
    1: (
        ("Bantuan", "sembako", "keluarga miskin"),
        ("Bantuan", "perlengkapan sekolah", "siswa dari keluarga miskin"),
        ("Pembiayaan", "iuran JKN", "penduduk miskin"),
        ("Penyediaan", "makanan tambahan", "balita gizi kurang"),
        ("Subsidi", "sambungan listrik", "rumah tangga miskin"),
        ("Pelayanan", "kesehatan bergerak", "desa terpencil"),
        ("Bantuan", "alat bantu", "penyandang disabilitas"),
        ("Santunan", "kebutuhan dasar", "lansia terlantar"),
        ("Beasiswa", "pendidikan", "anak yatim dan keluarga miskin"),
        ("Pembebasan", "biaya persalinan", "ibu hamil dari keluarga miskin"),
    ),
    2: (
        ("Pelatihan", "keterampilan kerja", "pencari kerja muda"),
        ("Bantuan", "modal usaha", "usaha mikro"),
        ("Pendampingan", "usaha tani", "kelompok tani"),
        ("Bantuan", "bibit dan pupuk", "petani karet"),
        ("Pengembangan", "usaha", "BUMDes"),
        ("Padat karya", "infrastruktur desa", "warga miskin"),
        ("Bantuan", "alat tangkap", "nelayan sungai"),
        ("Pelatihan", "kerajinan rotan", "perempuan kepala keluarga"),
        ("Fasilitasi", "pemasaran produk", "UMKM"),
        ("Bantuan", "ternak", "peternak kecil"),
    ),
    3: (
        ("Bedah", "rumah tidak layak huni", "keluarga miskin"),
        ("Pembangunan", "jamban keluarga", "desa kantong kemiskinan"),
        ("Sambungan", "air minum", "rumah tangga miskin"),
        ("Penanganan", "stunting", "keluarga berisiko"),
        ("Pendampingan", "keluarga", "keluarga miskin ekstrem"),
        ("Pembangunan", "jalan usaha tani", "desa terisolir"),
        ("Penerangan", "tenaga surya", "dusun terpencil"),
        ("Sanitasi", "berbasis masyarakat", "desa kantong kemiskinan"),
    ),
}
PHASES = ("", "", "", " Tahap I", " Tahap II", " Lanjutan", " Terpadu")

UP, DOWN = Indicator.Direction.HIGHER_IS_BETTER, Indicator.Direction.LOWER_IS_BETTER
CUMULATIVE, SUM, LATEST = (
    Indicator.Aggregation.CUMULATIVE,
    Indicator.Aggregation.SUM,
    Indicator.Aggregation.LATEST,
)


@dataclass(frozen=True)
class IndicatorKind:
    name: str
    unit: str
    direction: str
    aggregation: str
    # The annual target's range; for lower-is-better, the baseline's.
    low: float
    high: float


INDICATOR_KINDS = (
    IndicatorKind("Penerima manfaat {object}", "KK", UP, CUMULATIVE, 40, 2500),
    IndicatorKind("Penduduk menerima {object}", "jiwa", UP, CUMULATIVE, 100, 8000),
    IndicatorKind("Paket {object} tersalurkan", "paket", UP, SUM, 200, 20000),
    IndicatorKind("Unit {object} selesai", "unit", UP, SUM, 5, 400),
    IndicatorKind("Cakupan {object}", "%", UP, LATEST, 60, 100),
    IndicatorKind("Desa terjangkau {object}", "desa", UP, CUMULATIVE, 2, 40),
    IndicatorKind("Angka kemiskinan desa sasaran", "%", DOWN, LATEST, 8, 30),
    IndicatorKind("Rumah tangga tanpa {object}", "KK", DOWN, LATEST, 50, 1500),
)


class ReferenceMissing(Exception):
    pass


class NonSyntheticData(Exception):
    """The database holds programmes or village data that this generator did not make."""

    def __init__(self, counts: dict[str, int]):
        self.counts = counts
        super().__init__(", ".join(f"{count} {label}" for label, count in counts.items()))


@dataclass(frozen=True)
class Shape:
    """How much one synthetic regency holds."""

    districts: int
    villages: int
    kelurahan: int
    agencies: int
    programmes_per_year: int
    families: int = FAMILIES
    years: int = YEARS
    last_year: int = LAST_YEAR

    @classmethod
    def for_scale(cls, scale: float, **overrides) -> tuple[int, "Shape"]:
        """(number of regencies, shape of each). Above 1 the scale counts whole regencies;
        below 1 one regency shrinks, for tests and quick trials."""
        if scale <= 0:
            raise ValueError("The scale must be above 0.")
        regencies = max(1, round(scale))
        part = min(1.0, scale)
        shape = cls(
            districts=max(2, round(DISTRICTS * part)),
            villages=max(4, round(VILLAGES * part)),
            kelurahan=max(1, round(KELURAHAN * part)),
            agencies=max(3, round(AGENCIES * part)),
            programmes_per_year=max(2, round(PROGRAMMES_PER_YEAR * part)),
            families=max(20, round(FAMILIES * part)),
        )
        return regencies, cls(**(shape.__dict__ | overrides))

    @property
    def first_year(self) -> int:
        return self.last_year - self.years + 1


@dataclass
class Report:
    created: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, label: str, count: int) -> None:
        self.created[label] = self.created.get(label, 0) + count


def synthetic_programmes():
    return Program.objects.filter(agency__code__startswith=AGENCY_PREFIX)


def synthetic_village_data():
    return VillageData.objects.filter(village__code__startswith=REGENCY_PREFIX)


def synthetic_snapshots():
    return RegistrySnapshot.objects.filter(label=PROVINCE_SNAPSHOT)


def _registry_user() -> User:
    """The account the synthetic snapshots and beneficiaries name as their author: inactive,
    without a usable password, so nobody can log in as it."""
    user = User.objects.filter(username=REGISTRY_USER).first()
    if user is None:
        user = User.objects.create_user(REGISTRY_USER, password=None, is_active=False)
    return user


def non_synthetic_counts() -> dict[str, int]:
    """What the database holds that the generator did not make, by kind; empty when none."""
    counts = {
        "programmes": Program.objects.exclude(agency__code__startswith=AGENCY_PREFIX).count(),
        "village data rows": VillageData.objects.exclude(
            village__code__startswith=REGENCY_PREFIX
        ).count(),
    }
    return {label: count for label, count in counts.items() if count}


def generate(
    *,
    scale: float,
    seed: int = 1,
    force: bool = False,
    shape_overrides: dict | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> Report:
    """Replace any earlier synthetic data by a new set at `scale`.

    Refuses (NonSyntheticData) when the database holds programmes or village data of its own,
    unless `force`: then the synthetic regencies are added beside them and nothing of theirs
    is touched."""
    regencies, shape = Shape.for_scale(scale, **(shape_overrides or {}))
    strategies = {s.number: s for s in Strategy.objects.all()}
    if sorted(strategies) != [1, 2, 3]:
        raise ReferenceMissing(
            "The three strategies are missing. Run python manage.py load_bartim first."
        )
    if not force and (counts := non_synthetic_counts()):
        raise NonSyntheticData(counts)
    agency_names = [row["nama"] for _, row in read_csv(default_data_dir() / AGENCY_FILE, ["nama"])]
    started = time.monotonic()
    report = Report(removed=remove_synthetic())
    if report.removed:
        progress(
            "Removed the earlier synthetic data: "
            + ", ".join(f"{count} {label}" for label, count in report.removed.items())
        )
    importer = _registry_user()
    for number in range(1, regencies + 1):
        with transaction.atomic():
            _Regency(number, shape, random.Random(f"{seed}-{number}"), report).build(
                strategies, agency_names
            )
            _Registry(number, shape, random.Random(f"{seed}-{number}-registry"), report).build(
                importer
            )
            # Most rows went in by bulk inserts that give the data a new version themselves,
            # but not all of them (the regencies' territory); one more costs nothing.
            dataversion.bump(family_measures=True)
        progress(
            f"Regency {number}/{regencies} done after {time.monotonic() - started:.1f} s "
            f"({report.created['programmes']} programmes, {report.created['families']} "
            f"families, {report.created['beneficiaries']} beneficiary records so far)."
        )
    _analyze()
    report.seconds = time.monotonic() - started
    return report


def _analyze() -> None:
    """Fresh planner statistics, so that the first benchmark after a load does not run on
    plans made for empty tables, and, outside a transaction, a VACUUM that marks the new
    pages all-visible, without which PostgreSQL reads the table beside every index-only
    scan and prefers a sort to the programme table's own index (docs/performance.md).
    Autovacuum would get there on a live database, but at a time of its own."""
    if connection.vendor != "postgresql":
        return
    tables = [
        model._meta.db_table
        for model in (Regency, District, Village, Agency, Program, Indicator, IndicatorValue)
    ]
    tables += [
        VillageData._meta.db_table,
        RegistrySnapshot._meta.db_table,
        Family._meta.db_table,
        Beneficiary._meta.db_table,
        Program.target_villages.through._meta.db_table,
        Program.needs.through._meta.db_table,
    ]
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        cursor.execute(f"{command} " + ", ".join(connection.ops.quote_name(t) for t in tables))


def remove_synthetic() -> dict[str, int]:
    """Delete every synthetic row, children first, in plain DELETE statements.

    QuerySet.delete() would load each of hundreds of thousands of rows to send signals
    (simple_history listens); `_raw_delete` is the statement Django itself issues when no
    signal listens. History rows of synthetic records, if anyone edited one, stay behind."""
    programmes = synthetic_programmes()
    villages = Village.objects.filter(code__startswith=REGENCY_PREFIX)
    agencies = Agency.objects.filter(code__startswith=AGENCY_PREFIX)
    through = Program.target_villages.through
    steps = (
        ("beneficiaries", Beneficiary.objects.filter(program__in=programmes)),
        ("families", Family.objects.filter(village__in=villages)),
        ("registry snapshots", synthetic_snapshots()),
        ("quarterly values", IndicatorValue.objects.filter(indicator__program__in=programmes)),
        ("indicators", Indicator.objects.filter(program__in=programmes)),
        (
            "target village links",
            through.objects.filter(Q(program__in=programmes) | Q(village__in=villages)),
        ),
        ("basic-need links", Program.needs.through.objects.filter(program__in=programmes)),
        ("programme review steps", ProgramReviewEvent.objects.filter(program__in=programmes)),
        (
            "quarter report review steps",
            QuarterReportReviewEvent.objects.filter(quarter_report__program__in=programmes),
        ),
        ("quarter reports", QuarterReport.objects.filter(program__in=programmes)),
        (
            "village data review steps",
            VillageDataReviewEvent.objects.filter(village_data__village__in=villages),
        ),
        ("village data rows", VillageData.objects.filter(village__in=villages)),
        ("programmes", programmes),
        ("villages", villages),
        ("districts", District.objects.filter(code__startswith=REGENCY_PREFIX)),
        ("regencies", Regency.objects.filter(code__startswith=REGENCY_PREFIX)),
        ("agencies", agencies),
    )
    removed = {}
    with transaction.atomic():
        for label, queryset in steps:
            count = queryset._raw_delete(queryset.db)
            if count:
                removed[label] = count
        if removed:
            # Raw deletes send no signal: the cached summaries must hear of them here.
            dataversion.bump(family_measures=True)
    return removed


def _name(rng: random.Random, words: int = 2) -> str:
    parts = []
    for _ in range(words):
        syllables = rng.choice((2, 2, 3))
        parts.append("".join(rng.choice(SYLLABLES) for _ in range(syllables)).capitalize())
    prefix = rng.choice(PLACE_WORDS)
    return " ".join(([prefix] if prefix else []) + parts[: rng.choice((1, 1, 2))])


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """`total` split into `parts` positive, uneven whole numbers."""
    weights = [rng.lognormvariate(0, 0.35) for _ in range(parts)]
    scale = (total - parts) / sum(weights)
    counts = [1 + int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % parts] += 1
    return counts


def _weighted(rng: random.Random, table) -> tuple:
    return rng.choices(table, weights=[row[0] for row in table])[0]


class _Regency:
    def __init__(self, number: int, shape: Shape, rng: random.Random, report: Report):
        self.code = f"{REGENCY_PREFIX}{number:02d}"
        self.number = number
        self.shape = shape
        self.rng = rng
        self.report = report

    def build(self, strategies, agency_names) -> None:
        villages = self._territory()
        agencies = self._agencies(agency_names)
        rates = self._village_data(villages)
        # Poverty pockets: the poorest tenth of villages, where strategy 3 concentrates.
        by_rate = sorted(villages, key=lambda v: -rates[v.pk])
        pockets = by_rate[: max(1, len(villages) // 10)]
        self._programmes(strategies, agencies, villages, pockets)

    def _create(self, label: str, model, objects: list) -> list:
        created = model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
        self.report.add(label, len(created))
        return created

    def _territory(self) -> list[Village]:
        shape, rng = self.shape, self.rng
        regency = self._create(
            "regencies",
            Regency,
            [
                Regency(
                    code=self.code,
                    name=f"Kabupaten Sintetis {self.number:02d}",
                    bps_code=f"99{self.number:02d}",
                )
            ],
        )[0]
        districts = self._create(
            "districts",
            District,
            [
                District(regency=regency, code=f"{self.code}.{d:02d}", name=_name(rng))
                for d in range(1, shape.districts + 1)
            ],
        )
        villages = []
        for index, (district, count) in enumerate(
            zip(districts, _split(shape.villages, shape.districts, rng), strict=True)
        ):
            # The kelurahan are in the first districts, as a regency's capital is.
            kelurahan = max(0, min(count - 1, shape.kelurahan - index * 2, 2))
            for v in range(count):
                kind = Village.Kind.KELURAHAN if v < kelurahan else Village.Kind.DESA
                serial = 1001 + v if kind == Village.Kind.KELURAHAN else 2001 + v
                villages.append(
                    Village(
                        district=district,
                        code=f"{district.code}.{serial}",
                        name=_name(rng),
                        kind=kind,
                    )
                )
        return self._create("villages", Village, villages)

    def _agencies(self, names: list[str]) -> list[Agency]:
        chosen = names[: self.shape.agencies]
        return self._create(
            "agencies",
            Agency,
            [
                Agency(
                    code=f"{AGENCY_PREFIX}{self.code}-{k:02d}",
                    name=f"{name} · Sintetis {self.number:02d}",
                )
                for k, name in enumerate(chosen, start=1)
            ],
        )

    def _village_data(self, villages: list[Village]) -> dict[int, float]:
        """One row per village and year (a tenth of the last year not yet reported);
        returns each village's usual poverty rate."""
        shape, rng = self.shape, self.rng
        regency_rate = 0.066 if self.number == 1 else rng.uniform(0.045, 0.12)
        population = POPULATION * len(villages) / VILLAGES * rng.uniform(0.6, 2.0)
        size = {
            v.pk: rng.lognormvariate(0, 0.5) * (5 if v.kind == Village.Kind.KELURAHAN else 1)
            for v in villages
        }
        total_size = sum(size.values())
        rate = {}
        for v in villages:
            multiplier = rng.lognormvariate(0, 0.45)
            if rng.random() < 0.08:
                multiplier *= rng.uniform(2.2, 3.0)
            if v.kind == Village.Kind.KELURAHAN:
                multiplier *= 0.6
            rate[v.pk] = min(0.6, regency_rate * multiplier)
        rows = []
        for year in range(shape.first_year, shape.last_year + 1):
            growth = 1.011 ** (year - shape.last_year)
            trend = 1 + 0.01 * (year - shape.first_year)
            for v in villages:
                if year == shape.last_year and rng.random() < 0.1:
                    continue
                people = max(30, round(population * growth * size[v.pk] / total_size))
                rows.append(self._one_village(v, year, people, rate[v.pk] * trend))
        self._create("village data rows", VillageData, rows)
        return rate

    def _one_village(self, village, year, population, rate) -> VillageData:
        rng = self.rng
        households = max(1, round(population / rng.uniform(3.3, 3.9)))
        poor_people = min(population, round(population * rate * rng.uniform(0.93, 1.07)))
        poor_households = min(households, math.ceil(poor_people / rng.uniform(3.6, 4.3)))
        pocket = rate > 0.15
        recent = year >= self.shape.last_year - 1
        return VillageData(
            village=village,
            year=year,
            population=population,
            households=households,
            poor_households=poor_households,
            poor_people=poor_people,
            extremely_poor_people=round(poor_people * rng.uniform(0.1, 0.4 if pocket else 0.22)),
            uninhabitable_houses=round(poor_households * rng.uniform(0.3, 0.85)),
            households_without_clean_water=round(households * rng.uniform(0.05, 0.3)),
            households_without_latrine=round(households * rng.uniform(0.03, 0.25)),
            stunted_children=round(population * rng.uniform(0.005, 0.02)),
            children_out_of_school=round(population * rng.uniform(0.002, 0.012)),
            unemployed=round(population * rng.uniform(0.015, 0.04)),
            status=rng.choices(
                [ReviewStatus.APPROVED, ReviewStatus.SUBMITTED, ReviewStatus.DRAFT],
                weights=[4, 3, 3] if recent else [95, 3, 2],
            )[0],
        )

    def _programmes(self, strategies, agencies, villages, pockets) -> None:
        shape, rng = self.shape, self.rng
        # Some agencies run many programmes (social affairs, health), most a few.
        weight = [rng.lognormvariate(0, 0.6) for _ in agencies]
        by_district: dict[int, list[Village]] = {}
        for v in villages:
            by_district.setdefault(v.district_id, []).append(v)
        districts = list(by_district.values())
        names_taken: set[tuple[int, str]] = set()
        needs = list(NeedDimension.objects.all())
        for year in range(shape.first_year, shape.last_year + 1):
            count = max(1, round(shape.programmes_per_year * rng.uniform(0.9, 1.1)))
            plans = []
            for _ in range(count):
                agency = rng.choices(agencies, weights=weight)[0]
                strategy = rng.choices(
                    list(STRATEGY_WEIGHTS), weights=list(STRATEGY_WEIGHTS.values())
                )[0]
                name = self._programme_name(strategy, districts, names_taken, agency.pk, year)
                plans.append(self._plan(agency, strategies[strategy], year, name))
            programmes = self._create("programmes", Program, [programme for programme, _ in plans])
            # An approved plan's reported quarters were verified, as the leaders' pages count.
            self._create(
                "quarter reports",
                QuarterReport,
                [
                    QuarterReport(program=programme, quarter=quarter, status=ReviewStatus.APPROVED)
                    for programme, (_, plan) in zip(programmes, plans, strict=True)
                    if programme.status == ReviewStatus.APPROVED
                    for quarter in range(1, plan["reported"] + 1)
                ],
            )
            links = []
            indicator_plans = []
            for programme, (_, plan) in zip(programmes, plans, strict=True):
                for village in self._targets(programme.strategy_id, districts, pockets):
                    links.append(
                        Program.target_villages.through(program=programme, village=village)
                    )
                for _ in range(_weighted(rng, INDICATORS_PER_PROGRAMME)[1]):
                    indicator_plans.append(self._indicator(programme, plan))
            self._create("target village links", Program.target_villages.through, links)
            # One or two basic needs a programme, from a generator of their own so that the
            # rest of the data stays what it was before programmes named needs.
            tags = random.Random(f"bartim-synthetic-needs-{self.number}-{year}")
            self._create(
                "basic-need links",
                Program.needs.through,
                [
                    Program.needs.through(program=programme, needdimension=need)
                    for programme in programmes
                    # A flushed test database has no dimensions at all.
                    for need in tags.sample(needs, min(len(needs), tags.choice((1, 1, 2))))
                ],
            )
            indicators = self._create(
                "indicators", Indicator, [indicator for indicator, _ in indicator_plans]
            )
            values = []
            for indicator, (_, plan) in zip(indicators, indicator_plans, strict=True):
                values.extend(self._values(indicator, *plan))
            self._create("quarterly values", IndicatorValue, values)
            # Bulk rows send no signals: the programmes' stored progress is computed here.
            refresh_stored_progress(programme.pk for programme in programmes)

    def _programme_name(self, strategy, districts, taken, agency_id, year) -> str:
        rng = self.rng
        action, thing, group = rng.choice(ACTIONS[strategy])
        name = f"{action} {thing} bagi {group}"
        if rng.random() < 0.3:
            place = rng.choice(districts)[0]
            name += f" di Kecamatan {place.district.name}"
        name += rng.choice(PHASES)
        unique, n = name, 1
        while (agency_id, unique) in taken:
            n += 1
            unique = f"{name} ({n})"
        taken.add((agency_id, unique))
        return unique

    def _reported_quarters(self, year: int) -> int:
        if year == self.shape.last_year:
            return self.rng.choices((1, 2, 3, 4), weights=(5, 15, 40, 40))[0]
        return self.rng.choices((2, 3, 4), weights=(3, 5, 92))[0]

    def _plan(self, agency, strategy, year, name) -> tuple[Program, dict]:
        rng = self.rng
        _, low, high = _weighted(rng, PACE)
        reach = rng.uniform(low, high)
        reported = self._reported_quarters(year)
        ceiling = int(min(25e9, max(25e6, rng.lognormvariate(math.log(4e8), 1.0)))) // 10**6
        ceiling *= 10**6
        # Never above the pagu: absorption is capped at 1 and every quarter rounds down.
        absorption = min(1.0, reach * rng.uniform(0.8, 1.05))
        spent = [
            int(ceiling * absorption * share) // 1000 * 1000 if quarter < reported else 0
            for quarter, share in enumerate(BUDGET_SHARE)
        ]
        recent = year == self.shape.last_year
        status = rng.choices(
            [
                ReviewStatus.DRAFT,
                ReviewStatus.SUBMITTED,
                ReviewStatus.APPROVED,
                ReviewStatus.RETURNED,
            ],
            weights=[20, 30, 40, 10] if recent else [2, 5, 90, 3],
        )[0]
        beneficiaries = None if rng.random() < 0.15 else round(rng.lognormvariate(6, 1.1))
        programme = Program(
            agency=agency,
            strategy=strategy,
            year=year,
            name=name,
            description="" if rng.random() < 0.2 else f"{name}, tahun anggaran {year}.",
            budget_ceiling=ceiling,
            budget_realized_q1=spent[0],
            budget_realized_q2=spent[1],
            budget_realized_q3=spent[2],
            budget_realized_q4=spent[3],
            beneficiary_target=beneficiaries,
            beneficiary_unit=rng.choice(list(Program.BeneficiaryUnit)),
            status=status,
        )
        return programme, {"reach": reach, "reported": reported}

    def _targets(self, strategy: int, districts, pockets) -> list[Village]:
        rng = self.rng
        if rng.random() < 0.1:
            return []  # regency-wide, no particular village
        pool = [v for district in rng.sample(districts, min(len(districts), 2)) for v in district]
        chosen = set(rng.sample(pool, min(len(pool), 1 + int(rng.expovariate(1 / 3)))))
        if strategy == 3 or rng.random() < 0.2:
            chosen.update(rng.sample(pockets, min(len(pockets), rng.randint(1, 4))))
        return sorted(chosen, key=lambda v: v.code)

    def _indicator(self, programme: Program, plan: dict) -> tuple[Indicator, tuple]:
        rng = self.rng
        kind = rng.choice(INDICATOR_KINDS)
        _, thing, _ = rng.choice(ACTIONS[programme.strategy_id])
        whole = kind.unit != "%"
        if kind.direction == UP:
            target = rng.uniform(kind.low, kind.high)
            baseline = None if rng.random() < 0.3 else target * rng.uniform(0, 0.6)
        else:
            baseline = rng.uniform(kind.low, kind.high)
            target = baseline * rng.uniform(0.5, 0.9)
        indicator = Indicator(
            program=programme,
            name=kind.name.format(object=thing),
            unit=kind.unit,
            direction=kind.direction,
            aggregation=kind.aggregation,
            baseline=None if baseline is None else _number(baseline, whole),
            target=_number(target, whole),
        )
        own_reach = plan["reach"] * rng.uniform(0.85, 1.15)
        quarterly_targets = rng.random() < 0.5
        return indicator, (kind, own_reach, plan["reported"], quarterly_targets, whole)

    def _values(self, indicator, kind, reach, reported, quarterly_targets, whole):
        rng = self.rng
        target = float(indicator.target)
        baseline = float(indicator.baseline or 0)
        values = []
        running = 0.0
        for quarter in range(1, 5):
            if kind.aggregation == SUM:
                planned = target * QUARTER_SHARE[quarter - 1]
                realized = planned * reach * rng.uniform(0.9, 1.1)
            elif kind.aggregation == CUMULATIVE:
                planned = target * CUMULATIVE_SHARE[quarter - 1]
                running = max(running, planned * reach * rng.uniform(0.95, 1.05))
                realized = running
            else:
                share = CUMULATIVE_SHARE[quarter - 1]
                planned = baseline + (target - baseline) * share
                realized = max(0.0, baseline + (target - baseline) * share * reach)
            # A gap now and then: the agency skipped a quarter.
            missing = quarter > reported or rng.random() < 0.03
            if missing and not quarterly_targets:
                continue
            values.append(
                IndicatorValue(
                    indicator=indicator,
                    quarter=quarter,
                    target=_number(planned, whole) if quarterly_targets else None,
                    realized=None if missing else _number(realized, whole),
                )
            )
        return values


class _Registry:
    """One regency's families in the province's registry snapshot, and its last year's
    beneficiary records."""

    def __init__(self, number: int, shape: Shape, rng: random.Random, report: Report):
        self.code = f"{REGENCY_PREFIX}{number:02d}"
        # NIK and No. KK: 99, the regency's two digits, the kecamatan's two, 00 (NIK) or 99
        # (No. KK) and a serial; no birth date in it, and no province has the code 99.
        self.id_prefix = f"99{number:02d}"
        self.shape = shape
        self.rng = rng
        self.report = report

    def build(self, importer: User) -> None:
        villages = list(
            Village.objects.filter(code__startswith=self.code + ".")
            .select_related("district")
            .order_by("code")
        )
        snapshot, created = RegistrySnapshot.objects.get_or_create(
            label=PROVINCE_SNAPSHOT,
            defaults={
                "taken_on": datetime.date(self.shape.last_year, 6, 30),
                "filename": "dtsen-sintetis-99.csv",
                "confirmed": True,
                "imported_by": importer,
            },
        )
        self.report.add("registry snapshots", int(created))
        families = self._families(snapshot, villages)
        RegistrySnapshot.objects.filter(pk=snapshot.pk).update(
            family_count=F("family_count") + len(families)
        )
        self._beneficiaries(families, importer)

    def _families(self, snapshot, villages) -> list[tuple[int, int, str, str]]:
        """Create the families, in deciles following each village's poor households; return
        (village id, decile, NIK, No. KK) of each (one regency's, never the province's)."""
        rng = self.rng
        latest = {}
        for row in VillageData.objects.filter(village__in=villages).order_by("year"):
            latest[row.village_id] = row
        weights = [latest[v.pk].households if v.pk in latest else 1 for v in villages]
        per_household = self.shape.families / sum(weights)
        made, batch = [], []
        for village, weight in zip(villages, weights, strict=True):
            record = latest.get(village.pk)
            poor = record.poor_households / record.households if record else 0.1
            for _ in range(max(1, round(weight * per_household))):
                serial = len(made) + 1
                district = village.district.code[-2:]
                nik = f"{self.id_prefix}{district}00{serial:08d}"
                kk = f"{self.id_prefix}{district}99{serial:08d}"
                if rng.random() < poor:
                    decile = 1 if rng.random() < 0.45 else 2
                else:
                    decile = rng.randint(3, 10)
                batch.append(
                    Family(
                        snapshot=snapshot,
                        village_id=village.pk,
                        kk_hash=id_hash(kk),
                        nik_hash=id_hash(nik),
                        ids=join_ids(nik, kk),
                        name=f"KK Sintetis {self.code} {serial:06d}",
                        address=f"Jalan Sintetis {serial % 40 + 1} RT {serial % 9 + 1:03d}",
                        decile=decile,
                        members=rng.randint(1, 7),
                        elderly=rng.random() < 0.2,
                        disability=rng.random() < 0.05,
                        under_five=rng.random() < 0.3,
                        female_head=rng.random() < 0.15,
                    )
                )
                made.append((village.pk, decile, nik, kk))
                if len(batch) >= BATCH_SIZE:
                    Family.objects.bulk_create(batch)
                    batch = []
        Family.objects.bulk_create(batch)
        self.report.add("families", len(made))
        return made

    def _beneficiaries(self, families, importer) -> None:
        """The last year's programmes' beneficiaries, as the demo's: mostly eligible families
        of the programme's target villages, some richer ones, a few numbers outside the
        registry. Written in batches as they are drawn."""
        rng = self.rng
        eligible_by_village: dict[int, list] = {}
        for family in families:
            if family[1] <= DEFAULT_ELIGIBLE_DECILES:
                eligible_by_village.setdefault(family[0], []).append(family)
        eligible_all = [f for f in families if f[1] <= DEFAULT_ELIGIBLE_DECILES]
        richer_all = [f for f in families if f[1] > DEFAULT_ELIGIBLE_DECILES]
        programmes = Program.objects.filter(
            agency__code__startswith=f"{AGENCY_PREFIX}{self.code}-", year=self.shape.last_year
        ).order_by("pk")
        targets: dict[int, list[int]] = {}
        for program_id, village_id in Program.target_villages.through.objects.filter(
            program__in=programmes
        ).values_list("program_id", "village_id"):
            targets.setdefault(program_id, []).append(village_id)
        batch, count, outside = [], 0, 0
        for programme in programmes.only(
            "pk", "name", "strategy_id", "beneficiary_target", "beneficiary_unit"
        ):
            wanted = programme.beneficiary_target or 200
            if programme.beneficiary_unit == Program.BeneficiaryUnit.PEOPLE:
                wanted = round(wanted / PEOPLE_PER_FAMILY)
            wanted = min(wanted, MAX_PER_PROGRAMME)
            pool = [
                f for v in targets.get(programme.pk, []) for f in eligible_by_village.get(v, [])
            ] or eligible_all
            kind = _kind(programme)
            share = 1 - RICHER_SHARE - OUTSIDE_SHARE
            chosen = rng.sample(pool, min(len(pool), round(wanted * share)))
            chosen += rng.sample(richer_all, min(len(richer_all), round(wanted * RICHER_SHARE)))
            people = [(nik, kk, "") for _village, _decile, nik, kk in chosen]
            for _ in range(round(wanted * OUTSIDE_SHARE)):
                outside += 1
                people.append((f"{self.id_prefix}0000{outside:08d}", "", f"Penerima {outside}"))
            for nik, kk, name in people:
                by_kk = kk and rng.random() < 0.7
                batch.append(
                    Beneficiary(
                        program_id=programme.pk,
                        quarter=rng.randint(1, 4),
                        kind=kind,
                        kk_hash=id_hash(kk) if by_kk else "",
                        nik_hash="" if by_kk else id_hash(nik),
                        ids=join_ids("", kk) if by_kk else join_ids(nik, ""),
                        name=f"{name} Sintetis {self.code}" if name else "",
                        created_by=importer,
                    )
                )
            if len(batch) >= BATCH_SIZE:
                count += len(Beneficiary.objects.bulk_create(batch))
                batch = []
        count += len(Beneficiary.objects.bulk_create(batch))
        self.report.add("beneficiaries", count)


def _kind(programme) -> str:
    name = programme.name.lower()
    for words, kind in KIND_WORDS:
        if any(word in name for word in words):
            return kind
    return STRATEGY_KIND[programme.strategy_id]


def _number(value: float, whole: bool) -> Decimal:
    return Decimal(round(value)) if whole else Decimal(f"{value:.2f}")
