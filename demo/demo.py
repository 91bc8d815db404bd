"""A believable demo year on top of the reference data (docs/demo-data.md).

Everything is drawn from random generators seeded with fixed strings, so the same year always
gives the same programmes, values and village data. Records that already exist are left as
they are: a tester's edits survive running the command again.
"""

import random
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from bartim.models import Agency, District, ReviewAction, ReviewStatus, User, Village
from bartim.services import account_create, published_year_publish
from demo.registry import demo_registry
from evidence.samples import sample_pdf, sample_png
from evidence.services import evidence_add
from helpers import dataversion
from indicators.models import Indicator, IndicatorValue
from programs.models import (
    FundingSource,
    NeedDimension,
    Program,
    ProgramFunding,
    QuarterReport,
    Strategy,
)
from programs.owners import default_target_villages
from programs.progress import refresh_stored_progress
from review.services import review_transition
from villages.models import PovertyStatistic, VillageData

DEMO_PASSWORD = "demo-bartim-2024"
REGENCY_CODE = "62.13"
# Kabupaten Barito Timur's population in cahyadsn/wilayah (db/wilayah_penduduk.sql).
REGENCY_POPULATION = 118_665
POPULATION_YEAR = 2024
POPULATION_GROWTH = 0.011

DINSOS = "Dinas Pemberdayaan Masyarakat dan Desa dan Sosial"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    agency: str = ""
    district: str = ""


# One account per role, the ones the README lists.
DEMO_ACCOUNTS = [
    DemoAccount("admin", User.Role.ADMIN),
    DemoAccount("opd_pendidikan", User.Role.OPD, agency="Dinas Pendidikan"),
    DemoAccount("opd_sosial", User.Role.OPD, agency=DINSOS),
    DemoAccount("camat_dusun_timur", User.Role.CAMAT, district="62.13.01"),
    DemoAccount("camat_dusun_tengah", User.Role.CAMAT, district="62.13.05"),
    DemoAccount("viewer", User.Role.VIEWER),
]
# The operators of the other agencies with demo programmes and the other camat: every
# submitted or approved record was submitted by its own reporter, as the review rules say.
REPORTER_ACCOUNTS = [
    DemoAccount("opd_kesehatan", User.Role.OPD, agency="Dinas Kesehatan"),
    DemoAccount(
        "opd_pupr",
        User.Role.OPD,
        agency="Dinas Pekerjaan Umum, Penataan Ruang, Perumahan dan Kawasan Permukiman",
    ),
    DemoAccount("opd_dukcapil", User.Role.OPD, agency="Dinas Kependudukan dan Pencatatan Sipil"),
    DemoAccount(
        "opd_nakertrans", User.Role.OPD, agency="Dinas Tenaga Kerja, Transmigrasi dan Perindustrian"
    ),
    DemoAccount(
        "opd_perdagangan",
        User.Role.OPD,
        agency="Dinas Perdagangan, Koperasi dan Usaha Kecil dan Menengah",
    ),
    DemoAccount("opd_pertanian", User.Role.OPD, agency="Dinas Pertanian dan Ketahanan Pangan"),
    DemoAccount("opd_perikanan", User.Role.OPD, agency="Dinas Perikanan dan Peternakan"),
    DemoAccount(
        "opd_p3akb",
        User.Role.OPD,
        agency="Dinas Pemberdayaan Perempuan, Perlindungan Anak dan Keluarga Berencana",
    ),
    DemoAccount("camat_banua_lima", User.Role.CAMAT, district="62.13.02"),
    DemoAccount("camat_patangkep_tutui", User.Role.CAMAT, district="62.13.03"),
    DemoAccount("camat_awang", User.Role.CAMAT, district="62.13.04"),
    DemoAccount("camat_pematang_karau", User.Role.CAMAT, district="62.13.06"),
    DemoAccount("camat_paju_epat", User.Role.CAMAT, district="62.13.07"),
    DemoAccount("camat_raren_batuah", User.Role.CAMAT, district="62.13.08"),
    DemoAccount("camat_paku", User.Role.CAMAT, district="62.13.09"),
    DemoAccount("camat_karusen_janang", User.Role.CAMAT, district="62.13.10"),
]


@dataclass(frozen=True)
class DemoOwner:
    """A programme owner beyond the OPDs, registered by the demo as an administrator would
    in the admin: a village government (with its village's Kemendagri code) or a business."""

    name: str
    abbreviation: str
    kind: str
    village: str = ""


# Two village governments with their Dana Desa programmes (real desa of the reference data;
# Ramania is one of the demo's poverty pockets) and a business with a CSR programme (a
# made-up company).
DEMO_OWNERS = [
    DemoOwner("Pemerintah Desa Jaar", "Pemdes Jaar", Agency.Kind.VILLAGE, "62.13.01.2006"),
    DemoOwner("Pemerintah Desa Ramania", "Pemdes Ramania", Agency.Kind.VILLAGE, "62.13.03.2003"),
    DemoOwner("PT Agro Lestari Barito", "PT ALB", Agency.Kind.BUSINESS),
]
OWNER_ACCOUNTS = [
    DemoAccount("desa_jaar", User.Role.OPD, agency="Pemerintah Desa Jaar"),
    DemoAccount("desa_ramania", User.Role.OPD, agency="Pemerintah Desa Ramania"),
    DemoAccount("csr_agro_lestari", User.Role.OPD, agency="PT Agro Lestari Barito"),
]
REPORTER_ACCOUNTS += OWNER_ACCOUNTS

CUMULATIVE, SUM = Indicator.Aggregation.CUMULATIVE, Indicator.Aggregation.SUM
APPROVED, SUBMITTED, DRAFT = ReviewStatus.APPROVED, ReviewStatus.SUBMITTED, ReviewStatus.DRAFT


@dataclass(frozen=True)
class IndicatorSpec:
    name: str
    unit: str
    direction: str
    aggregation: str
    baseline: float
    target: float


@dataclass(frozen=True)
class ProgrammeSpec:
    agency: str
    strategy: int
    name: str
    description: str
    budget: int
    unit: str
    pace: str
    status: str
    indicators: tuple[IndicatorSpec, ...]
    beneficiaries: int | None = None
    reported: int = 4
    # The sub-activity code (Permendagri 90/2019); the programme and activity codes begin it.
    code: str = ""
    # Shares of the ceiling in force per funding source; APBD alone when None.
    funding: dict | None = None
    # The APBD-P revision: the revised ceiling, its date as "MM-DD" and its reason.
    revised_budget: int | None = None
    revised_on: str = ""
    revision_reason: str = ""
    needs: tuple[str, ...] = ()


def _programme_specs() -> list[ProgrammeSpec]:
    with (Path(__file__).parent / "demo_programmes.toml").open("rb") as handle:
        entries = tomllib.load(handle)["programme"]
    return [
        ProgrammeSpec(
            **{key: value for key, value in entry.items() if key != "indicators"},
            indicators=tuple(IndicatorSpec(**indicator) for indicator in entry["indicators"]),
        )
        for entry in entries
    ]


PROGRAMMES = _programme_specs()

# Agencies marked as reporting every year (Agency.must_report): those with demo programmes
# and two members of the poverty-reduction team (TKPK) whose work reaches poor households
# (sanitation and clean water; investment and jobs) but who have no demo programme, so the
# completeness lists have an agency with nothing to show.
MUST_REPORT_WITHOUT_PROGRAMMES = (
    "Dinas Lingkungan Hidup",
    "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
)
# The share of the annual target reached, and of the pagu spent, by year end.
PACE = {"on_track": (0.95, 1.08), "lagging": (0.6, 0.8), "off_track": (0.25, 0.45)}
ABSORPTION = {"on_track": (0.88, 0.98), "lagging": (0.6, 0.75), "off_track": (0.3, 0.5)}

# Share of the regency's population per kecamatan; the capital's kecamatan is the largest.
DISTRICT_SHARE = {
    "62.13.01": 0.24,
    "62.13.02": 0.09,
    "62.13.03": 0.08,
    "62.13.04": 0.08,
    "62.13.05": 0.17,
    "62.13.06": 0.09,
    "62.13.07": 0.06,
    "62.13.08": 0.07,
    "62.13.09": 0.07,
    "62.13.10": 0.05,
}
POCKETS = 8
# Pockets no programme reaches, for the targeting check to find.
UNREACHED_POCKETS = 3
CUMULATIVE_SHARE = (0.2, 0.45, 0.72, 1.0)
QUARTER_SHARE = (0.2, 0.25, 0.25, 0.3)
BUDGET_SHARE = (0.1, 0.25, 0.3, 0.35)


class MissingReferenceData(Exception):
    pass


@dataclass
class DemoResult:
    created: dict[str, int] = field(default_factory=dict)
    existing: dict[str, int] = field(default_factory=dict)
    # (account, created now) for each demo account.
    accounts: list[tuple[User, bool]] = field(default_factory=list)

    def count(self, label: str, created: bool) -> None:
        target = self.created if created else self.existing
        target[label] = target.get(label, 0) + 1


def largest_remainder(total: int, weights: list[float]) -> list[int]:
    """Whole numbers in proportion to `weights` that add up to exactly `total`."""
    scale = total / sum(weights)
    exact = [weight * scale for weight in weights]
    parts = [int(value) for value in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def demo_load(*, year: int) -> DemoResult:
    """Create what is missing of the demo year; raise MissingReferenceData first if the
    reference data it stands on is absent."""
    agencies, districts, villages, strategies, poor_people = _reference(year)
    result = DemoResult()
    with transaction.atomic():
        agencies |= _owners(result, villages)
        _accounts(result, agencies, districts)
        pockets = _pockets(villages)
        _village_data(result, year, villages, pockets, poor_people)
        _programmes(result, year, agencies, strategies, villages, pockets)
        _mark_must_report(agencies)
        # Published, so the public page and the open data show the demo year's verified
        # figures (an administrator's step in a real installation).
        admin = User.objects.filter(username="admin").first()
        if admin is not None:
            published_year_publish(year=year, actor=admin)
        made = demo_registry(year=year)
        result.created["registry families"] = made["families"]
        result.created["beneficiaries"] = made["beneficiaries"]
        dataversion.bump(family_measures=True)
    return result


def _reference(year: int):
    names = (
        {spec.agency for spec in PROGRAMMES}
        | {a.agency for a in DEMO_ACCOUNTS + REPORTER_ACCOUNTS if a.agency}
        | set(MUST_REPORT_WITHOUT_PROGRAMMES)
    ) - {owner.name for owner in DEMO_OWNERS}
    agencies = {agency.name: agency for agency in Agency.objects.filter(name__in=names)}
    districts = {d.code: d for d in District.objects.filter(regency__code=REGENCY_CODE)}
    villages = list(
        Village.objects.filter(district__regency__code=REGENCY_CODE)
        .select_related("district")
        .order_by("code")
    )
    strategies = {strategy.number: strategy for strategy in Strategy.objects.all()}
    missing = sorted(names - agencies.keys())
    missing += sorted(set(DISTRICT_SHARE) - districts.keys())
    missing += [_("villages")] if not villages else []
    missing += [f"{_('strategy')} {n}" for n in (1, 2, 3) if n not in strategies]
    if missing:
        raise MissingReferenceData(
            _(
                "The reference data is missing (%(missing)s). "
                "Run python manage.py load_bartim first."
            )
            % {"missing": "; ".join(missing[:5]) + ("; …" if len(missing) > 5 else "")}
        )
    statistic = PovertyStatistic.objects.filter(year=year, poor_people__isnull=False).first()
    if statistic is None:
        years = PovertyStatistic.objects.filter(poor_people__isnull=False).values_list(
            "year", flat=True
        )
        raise MissingReferenceData(
            _(
                "There is no BPS count of poor people for %(year)s, which the village data "
                "must add up to. Years with a count: %(years)s."
            )
            % {"year": year, "years": ", ".join(str(y) for y in years) or "-"}
        )
    return agencies, districts, villages, strategies, statistic.poor_people


def _owners(result: DemoResult, villages: list[Village]) -> dict[str, Agency]:
    """The demo's programme owners beyond the OPDs, by name; an existing one is kept."""
    by_code = {village.code: village for village in villages}
    owners = {}
    for spec in DEMO_OWNERS:
        owner = Agency.objects.filter(name=spec.name).first()
        created = owner is None
        if created:
            owner = Agency(
                name=spec.name,
                abbreviation=spec.abbreviation,
                kind=spec.kind,
                village=by_code.get(spec.village),
            )
            owner.full_clean()
            owner.save()
        owners[spec.name] = owner
        result.count("programme owners", created)
    return owners


def _mark_must_report(agencies) -> None:
    """Mark the agencies that report every year, as an administrator would in the admin."""
    names = {spec.agency for spec in PROGRAMMES} | set(MUST_REPORT_WITHOUT_PROGRAMMES)
    Agency.objects.filter(pk__in=[agencies[name].pk for name in names]).update(must_report=True)


def _accounts(result: DemoResult, agencies, districts) -> None:
    accounts = DEMO_ACCOUNTS + REPORTER_ACCOUNTS
    existing = {
        user.username: user
        for user in User.objects.filter(username__in=[account.username for account in accounts])
    }
    for account in accounts:
        user = existing.get(account.username)
        if user is None:
            user = account_create(
                username=account.username,
                role=account.role,
                agency=agencies.get(account.agency),
                district=districts.get(account.district),
                password=DEMO_PASSWORD,
            )
        result.accounts.append((user, account.username not in existing))
        result.count("accounts", account.username not in existing)


def _reporters(role: str, scope: str) -> dict[int, User]:
    """The demo account reporting for each agency or district, by its id."""
    usernames = [account.username for account in DEMO_ACCOUNTS + REPORTER_ACCOUNTS]
    users = User.objects.filter(role=role, username__in=usernames).order_by("username")
    return {getattr(user, scope): user for user in users}


def _review(
    record, status: str, reporter: User, admin: User, year: int, rng, *, start=None, days=300
) -> None:
    """Bring a new record to `status` through the review workflow, as its reporter and the
    administrator would, on plausible dates (submitted up to `days` after `start`, by default
    15 January of the year), so that its review steps show who submitted and approved or
    returned it and when."""
    if status == DRAFT:
        return
    start = start or datetime(year, 1, 15, 9, tzinfo=UTC)
    submitted_on = start + timedelta(days=rng.randint(0, days))
    steps = [(ReviewAction.SUBMIT, reporter, submitted_on, "")]
    reviewed_on = submitted_on + timedelta(rng.randint(2, 12))
    if status == APPROVED:
        steps.append((ReviewAction.APPROVE, admin, reviewed_on, ""))
    elif status == ReviewStatus.RETURNED:
        steps.append((ReviewAction.RETURN, admin, reviewed_on, RETURN_REASON))
    for action, actor, when, reason in steps:
        stored = review_transition(record=record, action=action, actor=actor, reason=reason)
        stored.review_events.filter(action=action).update(created_at=when)
        if record.pk is None:
            record.pk = stored.pk
        record.refresh_from_db()


# Why the demo's returned quarter reports went back to their agency.
RETURN_REASON = "Realisasi belum didukung bukti kegiatan; lengkapi catatan triwulan."


def _review_quarters(program, spec: ProgrammeSpec, reporter, admin, year, position) -> None:
    """The quarter reports of an approved plan: each reported quarter verified, except the
    latest, which is returned for every third approved programme, waits for verification
    for the next and is verified for the one after (`position`: the programme's place among
    the approved ones). Each report is submitted 5 to 20 days after its quarter ends."""
    rng = random.Random(f"bartim-demo-quarter-review-{year}-{spec.name}")
    latest = (ReviewStatus.RETURNED, SUBMITTED, APPROVED)[position % 3]
    for quarter in range(1, spec.reported + 1):
        quarter_end = datetime(year, 3 * quarter, 28, 9, tzinfo=UTC)
        # Every other report comes with its evidence: a berita acara and a field photo.
        if (position + quarter) % 2 == 0:
            _evidence(program, quarter, reporter)
        _review(
            QuarterReport(program=program, quarter=quarter),
            latest if quarter == spec.reported else APPROVED,
            reporter,
            admin,
            year,
            rng,
            start=quarter_end + timedelta(days=5),
            days=15,
        )


def _evidence(program, quarter: int, reporter) -> None:
    """Two small generated files (evidence.samples) attached to the quarter's report."""
    label = f"TW {quarter} {program.year}"
    evidence_add(
        program=program,
        quarter=quarter,
        actor=reporter,
        files=[
            SimpleUploadedFile(
                f"berita_acara_tw{quarter}.pdf", sample_pdf(f"Berita acara {label}")
            ),
            SimpleUploadedFile(f"dokumentasi_tw{quarter}.png", sample_png(f"Dokumentasi {label}")),
        ],
    )


def _pockets(villages: list[Village]) -> list[Village]:
    """The demo's poverty pockets: desa, in different kecamatan, the same every year."""
    rng = random.Random("bartim-demo-pockets")
    desa = [v for v in villages if v.kind == Village.Kind.DESA]
    pockets: list[Village] = []
    for village in rng.sample(desa, len(desa)):
        if len(pockets) == POCKETS:
            break
        if sum(p.district_id == village.district_id for p in pockets) < 2:
            pockets.append(village)
    return sorted(pockets, key=lambda v: v.code)


def _village_data(result, year, villages, pockets, poor_total) -> None:
    # Village sizes and poverty come from a generator that ignores the year, so that the
    # demo years of one village resemble each other; the year only adds a little noise.
    shape = random.Random("bartim-demo-villages")
    noise = random.Random(f"bartim-demo-villages-{year}")
    pocket_codes = {v.code for v in pockets}
    weight, rate = [], []
    for village in villages:
        kelurahan = village.kind == Village.Kind.KELURAHAN
        weight.append(8 if kelurahan else shape.lognormvariate(0, 0.4))
        base = shape.lognormvariate(0, 0.3) * (0.7 if kelurahan else 1.0)
        if village.code in pocket_codes:
            base = shape.uniform(2.3, 3.0)
        rate.append(base * noise.uniform(0.95, 1.05))
    district_weight: dict[int, float] = {}
    for village, w in zip(villages, weight, strict=True):
        district_weight[village.district_id] = district_weight.get(village.district_id, 0) + w
    size = [
        DISTRICT_SHARE.get(village.district.code, 0.05) * w / district_weight[village.district_id]
        for village, w in zip(villages, weight, strict=True)
    ]
    population_total = round(
        REGENCY_POPULATION * (1 + POPULATION_GROWTH) ** (year - POPULATION_YEAR)
    )
    populations = largest_remainder(population_total, size)
    poor = largest_remainder(poor_total, [p * r for p, r in zip(populations, rate, strict=True)])

    existing = set(VillageData.objects.filter(year=year).values_list("village_id", flat=True))
    new = []
    for village, population, poor_people in zip(villages, populations, poor, strict=True):
        # Drawn even for a village that has data already, so every other village gets the
        # same numbers as in a fresh run.
        data = _one_village(
            noise, village, year, population, poor_people, village.code in pocket_codes
        )
        result.count("village data", village.pk not in existing)
        if village.pk not in existing:
            new.append(data)
    statuses = [data.status for data in new]
    for data in new:
        data.status = DRAFT
    # The database constraints guard these generated rows; history still records their creation.
    bulk_create_with_history(new, VillageData)
    camat = _reporters(User.Role.CAMAT, "district_id")
    admin = User.objects.filter(username="admin").first()
    rng = random.Random(f"bartim-demo-village-review-{year}")
    for data, status in zip(new, statuses, strict=True):
        _review(data, status, camat[data.village.district_id], admin, year, rng)


def _one_village(noise, village, year, population, poor_people, pocket) -> VillageData:
    households = round(population / noise.uniform(3.3, 3.9))
    poor_households = min(households, round(poor_people / noise.uniform(3.6, 4.3)))
    if poor_people and not poor_households:
        poor_households = 1
    worse = 2.0 if pocket else 1.0
    data = VillageData(
        village=village,
        year=year,
        population=population,
        households=households,
        poor_households=poor_households,
        poor_people=poor_people,
        extremely_poor_people=round(
            poor_people * (noise.uniform(0.3, 0.4) if pocket else noise.uniform(0.12, 0.22))
        ),
        uninhabitable_houses=round(
            poor_households * (noise.uniform(0.6, 0.85) if pocket else noise.uniform(0.35, 0.6))
        ),
        households_without_clean_water=min(
            households, round(households * noise.uniform(0.08, 0.22) * worse)
        ),
        households_without_latrine=min(
            households, round(households * noise.uniform(0.04, 0.14) * worse)
        ),
        stunted_children=round(
            population * 0.095 * (noise.uniform(0.3, 0.4) if pocket else noise.uniform(0.15, 0.28))
        ),
        children_out_of_school=round(population * noise.uniform(0.005, 0.012) * worse),
        unemployed=round(population * noise.uniform(0.015, 0.03)),
    )
    # Drawn last and for every village, so the other draws do not depend on it. By the
    # evaluation meeting the administrator has approved most village data, the pockets'
    # always; a few records wait, so "all submitted" has something to mark.
    status = noise.choices([APPROVED, SUBMITTED, DRAFT], [8, 1, 1])[0]
    data.status = APPROVED if pocket else status
    return data


def _programmes(result, year, agencies, strategies, villages, pockets) -> None:
    unreached = {v.pk for v in pockets[:UNREACHED_POCKETS]}
    reached = [v for v in pockets if v.pk not in unreached]
    pocket_ids = {v.pk for v in pockets}
    ordinary = [v for v in villages if v.pk not in pocket_ids]
    authors = _reporters(User.Role.OPD, "agency_id")
    admin = User.objects.filter(username="admin").first()
    existing = set(Program.objects.filter(year=year).values_list("agency_id", "name"))
    needs = NeedDimension.objects.all()
    approved = 0
    for spec in PROGRAMMES:
        agency = agencies[spec.agency]
        if (agency.pk, spec.name) in existing:
            result.count("programmes", False)
            continue
        # One generator per programme: its numbers do not depend on which others exist.
        rng = random.Random(f"bartim-demo-{year}-{spec.name}")
        low, high = ABSORPTION[spec.pace]
        spent = spec.budget * rng.uniform(low, high)
        realized = [
            int(spent * share // 1000 * 1000) if quarter < spec.reported else 0
            for quarter, share in enumerate(BUDGET_SHARE)
        ]
        program = Program(
            agency=agency,
            strategy=strategies[spec.strategy],
            year=year,
            name=spec.name,
            description=spec.description,
            budget_ceiling=spec.budget,
            budget_realized_q1=realized[0],
            budget_realized_q2=realized[1],
            budget_realized_q3=realized[2],
            budget_realized_q4=realized[3],
            beneficiary_target=spec.beneficiaries,
            beneficiary_unit=spec.unit,
            created_by=authors.get(agency.pk, admin),
            **_nomenclature(spec.code),
            **_revision(spec, year),
        )
        program.full_clean()
        program.save()
        _funding(program, spec)
        targets = rng.sample(ordinary, rng.randint(5, 12))
        if agency.kind == Agency.Kind.VILLAGE:
            # A village government's programme targets its own village (programs/owners.py).
            targets = default_target_villages(agency)
        elif spec.strategy == 3:
            targets += rng.sample(reached, rng.randint(3, len(reached)))
        elif rng.random() < 0.4:
            targets += rng.sample(reached, 1)
        program.target_villages.set(targets)
        program.needs.set(needs.filter(code__in=spec.needs))
        result.count("programmes", True)
        for indicator_spec in spec.indicators:
            _indicator(result, rng, program, spec, indicator_spec)
        # The plan is submitted and approved at the start of the year, before any quarter.
        reporter = authors.get(agency.pk, admin)
        _review(program, spec.status, reporter, admin, year, rng, days=20)
        if spec.status == APPROVED:
            # Only an approved plan's quarters are reported and reviewed.
            _quarter_reports(program, spec, year)
            _review_quarters(program, spec, reporter, admin, year, approved)
            approved += 1


def _nomenclature(code: str) -> dict:
    """The programme's, activity's and sub-activity's codes from the sub-activity's."""
    if not code:
        return {}
    parts = code.split(".")
    return {
        "program_code": ".".join(parts[:3]),
        "activity_code": ".".join(parts[:5]),
        "sub_activity_code": code,
    }


def _revision(spec: ProgrammeSpec, year: int) -> dict:
    if spec.revised_budget is None:
        return {}
    month, day = (int(part) for part in spec.revised_on.split("-"))
    return {
        "budget_ceiling_revised": spec.revised_budget,
        "budget_revised_on": date(year, month, day),
        "budget_revision_reason": spec.revision_reason,
    }


def _funding(program: Program, spec: ProgrammeSpec) -> None:
    """The funding rows, adding up to the ceiling in force (programs/funding.py)."""
    shares = spec.funding or {"APBD": 1.0}
    ceiling = program.budget_ceiling_revised or program.budget_ceiling
    amounts = largest_remainder(ceiling, list(shares.values()))
    for name, amount in zip(shares, amounts, strict=True):
        source, _created = FundingSource.objects.get_or_create(name=name, defaults={"order": 1000})
        row = ProgramFunding(program=program, source=source, amount=amount)
        row.full_clean()
        row.save()


# What monitoring offices read in a quarter report of a programme falling behind: a problem
# and its follow-up, as agencies in Barito Timur write them.
PROBLEMS = (
    (
        "Pencairan anggaran terlambat karena DPA baru disahkan akhir Februari.",
        "Percepatan proses pengadaan; jadwal pelaksanaan dipadatkan pada triwulan berikutnya.",
    ),
    (
        "Data penerima dari DTKS belum dipadankan dengan data kependudukan; sebagian NIK tidak "
        "valid.",
        "Verifikasi dan validasi ulang bersama Disdukcapil dan operator desa, selesai akhir "
        "bulan depan.",
    ),
    (
        "Akses ke desa sasaran di hulu sungai terhambat jalan rusak dan air sungai surut.",
        "Penyaluran dijadwalkan ulang dan memakai angkutan sungai; camat membantu koordinasi.",
    ),
    (
        "Penyedia terlambat mengirim barang karena stok di Banjarmasin kosong.",
        "Teguran tertulis kepada penyedia dan penyedia cadangan melalui e-katalog.",
    ),
    (
        "Tenaga pendamping kurang: satu pendamping melayani lebih dari sepuluh desa.",
        "Usulan tambahan pendamping dalam APBD Perubahan dan pelibatan kader desa.",
    ),
    (
        "Partisipasi keluarga sasaran rendah; banyak yang bekerja di kebun di luar desa.",
        "Sosialisasi ulang melalui kepala desa dan kegiatan dijadwalkan pada akhir pekan.",
    ),
)
# How often a quarter report states a problem, by pace.
PROBLEM_RATE = {"on_track": 0.15, "lagging": 0.6, "off_track": 1.0}


def _quarter_reports(program: Program, spec: ProgrammeSpec, year: int) -> None:
    """Each reported quarter's report with its physical progress (cumulative, following the
    programme's pace) and, for programmes falling behind, a problem and its follow-up. Its
    own generator, so that the figures drawn for the programme stay what they were."""
    rng = random.Random(f"bartim-demo-quarter-report-{year}-{spec.name}")
    reach = rng.uniform(*PACE[spec.pace])
    for quarter in range(1, spec.reported + 1):
        progress = min(100.0, CUMULATIVE_SHARE[quarter - 1] * reach * 100)
        problems, follow_up = ("", "")
        if rng.random() < PROBLEM_RATE[spec.pace]:
            problems, follow_up = rng.choice(PROBLEMS)
        report = QuarterReport(
            program=program,
            quarter=quarter,
            physical_progress=Decimal(f"{progress:.2f}"),
            problems=problems,
            follow_up=follow_up,
        )
        report.full_clean()
        report.save()


def _indicator(result, rng, program, spec: ProgrammeSpec, ispec: IndicatorSpec) -> None:
    indicator = Indicator(
        program=program,
        name=ispec.name,
        unit=ispec.unit,
        direction=ispec.direction,
        aggregation=ispec.aggregation,
        baseline=_number(ispec.baseline, ispec),
        target=_number(ispec.target, ispec),
    )
    indicator.full_clean()
    indicator.save()
    result.count("indicators", True)
    low, high = PACE[spec.pace]
    reach = rng.uniform(low, high)
    previous = 0.0
    values = []
    for quarter in range(1, 5):
        planned, realized = _quarter(ispec, quarter, reach, rng)
        if ispec.aggregation == CUMULATIVE:
            realized = max(realized, previous)
            previous = realized
        values.append(
            IndicatorValue(
                indicator=indicator,
                quarter=quarter,
                target=_number(planned, ispec),
                realized=_number(realized, ispec) if quarter <= spec.reported else None,
            )
        )
        result.count("quarterly values", True)
    bulk_create_with_history(values, IndicatorValue)
    # Bulk rows send no signals: the programme's stored progress is computed here.
    refresh_stored_progress([program.pk])


def _quarter(ispec: IndicatorSpec, quarter: int, reach: float, rng) -> tuple[float, float]:
    """The quarter's planned and realised value, in the indicator's own aggregation."""
    wobble = rng.uniform(0.95, 1.05)
    if ispec.aggregation == SUM:
        # The quarter's own delivery, against the target to date: quarter targets are
        # cumulative whatever the aggregation (docs/progress.md).
        share = QUARTER_SHARE[quarter - 1]
        to_date = sum(QUARTER_SHARE[:quarter])
        return ispec.target * to_date, ispec.target * share * reach * wobble
    share = CUMULATIVE_SHARE[quarter - 1]
    if ispec.aggregation == CUMULATIVE:
        return ispec.target * share, ispec.target * share * reach * wobble
    change = ispec.target - ispec.baseline
    return ispec.baseline + change * share, ispec.baseline + change * share * reach * wobble


def _number(value: float, ispec: IndicatorSpec) -> Decimal:
    """Counts are whole; rates and yields keep two decimals."""
    if ispec.unit in {"%", "ton/ha"}:
        return Decimal(f"{value:.2f}")
    return Decimal(round(value))
