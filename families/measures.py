"""The family-level targeting measures (docs/targeting.md, "Families"), in SQL.

For one registry snapshot and one year, matching every beneficiary record of the year's
programmes with the snapshot's families by the keyed hash of its No. KK, else of its NIK:
- inclusion: of the families a programme (agency, strategy, place) reached, the share in
  the eligible deciles (1 up to the snapshot's `eligible_up_to`) and the share outside the
  registry;
- exclusion: the families in decile 1, and in the eligible deciles, that no programme of
  the year reached;
- convergence: the eligible families reached under each strategy, under two or more, under
  all three, and under strategy 1 but not strategy 2 (relief without a way out);
- duplication: families given the same kind of help by two programmes in one quarter.

A family is counted once per group however many records it has. Families outside the
registry have no village: they count for a programme, an agency, a strategy and the
regency, not for a village or a kecamatan. Two queries whatever the size: one over the
beneficiaries, one over the snapshot's families; places are summed up from villages.
"""

from dataclasses import dataclass, fields

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bartim.models import Agency, District, Village
from families.models import Beneficiary, Family
from helpers import dataversion
from programs.models import Program, Strategy

PROGRAM, AGENCY, STRATEGY, VILLAGE, DISTRICT, REGENCY = (
    "program",
    "agency",
    "strategy",
    "village",
    "district",
    "regency",
)
GROUPINGS = {
    PROGRAM: gettext_lazy("Programme"),
    AGENCY: gettext_lazy("Agency (OPD)"),
    STRATEGY: gettext_lazy("Strategy"),
    VILLAGE: gettext_lazy("Village"),
    DISTRICT: gettext_lazy("Kecamatan"),
    REGENCY: gettext_lazy("Regency"),
}
PLACES = (VILLAGE, DISTRICT, REGENCY)
# The measures' columns on the page and in the exports (the places' only for a place).
MEASURE_COLUMNS = [
    ("reached", gettext_lazy("families reached")),
    ("reached_eligible", gettext_lazy("of them eligible")),
    ("inclusion_share", gettext_lazy("eligible share (%)")),
    ("outside_registry", gettext_lazy("outside the registry")),
    ("outside_share", gettext_lazy("outside share (%)")),
    ("duplicated", gettext_lazy("same help twice in a quarter")),
]
PLACE_COLUMNS = [
    ("families", gettext_lazy("registry families")),
    ("decile1", gettext_lazy("decile 1")),
    ("decile1_unreached", gettext_lazy("decile 1 not reached")),
    ("eligible", gettext_lazy("eligible")),
    ("eligible_unreached", gettext_lazy("eligible not reached")),
    ("eligible_reached_share", gettext_lazy("eligible reached (%)")),
    ("strategy1", gettext_lazy("reached under strategy 1")),
    ("strategy2", gettext_lazy("under strategy 2")),
    ("strategy3", gettext_lazy("under strategy 3")),
    ("two_or_more", gettext_lazy("under two or more")),
    ("all_three", gettext_lazy("under all three")),
    ("strategy1_not_2", gettext_lazy("strategy 1 but not 2")),
]


PERCENT_COLUMNS = {"inclusion_share", "outside_share", "eligible_reached_share"}
# The beneficiary records' group, by grouping (the family's village for a place).
_GROUP_SQL = {
    PROGRAM: "k.program_id",
    AGENCY: "k.agency_id",
    STRATEGY: "k.strategy_id",
    VILLAGE: "f.village_id",
}


@dataclass
class Measures:
    key: int
    label: str
    # Of the beneficiaries: families reached, in the eligible deciles, outside the registry,
    # given the same kind of help twice in a quarter.
    reached: int = 0
    reached_eligible: int = 0
    outside_registry: int = 0
    duplicated: int = 0
    # Of the registry (places only): its families, decile 1, the eligible deciles.
    families: int = 0
    decile1: int = 0
    decile1_unreached: int = 0
    eligible: int = 0
    eligible_unreached: int = 0
    strategy1: int = 0
    strategy2: int = 0
    strategy3: int = 0
    two_or_more: int = 0
    all_three: int = 0
    strategy1_not_2: int = 0
    district_id: int | None = None

    @property
    def inclusion_share(self):
        return self.reached_eligible * 100 / self.reached if self.reached else None

    @property
    def outside_share(self):
        return self.outside_registry * 100 / self.reached if self.reached else None

    @property
    def eligible_reached(self) -> int:
        return self.eligible - self.eligible_unreached

    @property
    def eligible_reached_share(self):
        if not self.eligible:
            return None
        return (self.eligible - self.eligible_unreached) * 100 / self.eligible

    def add(self, other: "Measures") -> None:
        for item in fields(self):
            if item.name not in ("key", "label", "district_id"):
                setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))


def _sql(template: str, **parts) -> str:
    """`template` with the models' table names (and `parts`: a group from _GROUP_SQL);
    every value is a query parameter."""
    tables = {
        "beneficiary": Beneficiary._meta.db_table,
        "family": Family._meta.db_table,
        "program": Program._meta.db_table,
        "village": Village._meta.db_table,
    }
    return template.format(matched=_MATCHED.format(**tables), **tables, **parts)


_MATCHED = """
  SELECT b.program_id, b.quarter, b.kind, p.agency_id, p.strategy_id,
         COALESCE(fk.id, fn.id) AS family_id,
         CASE WHEN b.kk_hash <> '' THEN 'k' || b.kk_hash ELSE 'n' || b.nik_hash END AS own_key
  FROM {beneficiary} b
  JOIN {program} p ON p.id = b.program_id
  LEFT JOIN {family} fk
    ON fk.snapshot_id = %(snapshot)s AND b.kk_hash <> '' AND fk.kk_hash = b.kk_hash
  LEFT JOIN {family} fn
    ON fn.snapshot_id = %(snapshot)s AND b.nik_hash <> '' AND fn.nik_hash = b.nik_hash
  WHERE p.year = %(year)s
"""

_BENEFICIARY_SIDE = """
WITH matched AS ({matched}),
keyed AS (
  SELECT m.*, COALESCE('f' || CAST(m.family_id AS TEXT), m.own_key) AS fam FROM matched m
),
dup AS (
  SELECT DISTINCT fam FROM keyed
  GROUP BY fam, quarter, kind HAVING MIN(program_id) <> MAX(program_id)
),
per_family AS (
  SELECT {group} AS grp, k.fam,
    MAX(CASE WHEN f.decile <= %(eligible)s THEN 1 ELSE 0 END) AS eligible,
    MAX(CASE WHEN k.family_id IS NULL THEN 1 ELSE 0 END) AS outside
  FROM keyed k
  LEFT JOIN {family} f ON f.id = k.family_id
  GROUP BY 1, 2
)
SELECT pf.grp, COUNT(*), SUM(pf.eligible), SUM(pf.outside), COUNT(d.fam)
FROM per_family pf
LEFT JOIN dup d ON d.fam = pf.fam
GROUP BY pf.grp
"""
# Each family once per group, then counted: one grouping in place of four COUNT(DISTINCT)
# sorts, and MIN <> MAX in place of COUNT(DISTINCT) > 1, which PostgreSQL can hash; a join
# to the duplicated rather than "IN (SELECT ...)", which it ran again for every record. At
# scale 15 (1.5 million records of a province's year): 9.8 s before (docs/performance.md).

_REGISTRY_SIDE = """
WITH matched AS ({matched}),
reach AS (
  SELECT family_id,
    MAX(CASE WHEN strategy_id = 1 THEN 1 ELSE 0 END) AS s1,
    MAX(CASE WHEN strategy_id = 2 THEN 1 ELSE 0 END) AS s2,
    MAX(CASE WHEN strategy_id = 3 THEN 1 ELSE 0 END) AS s3
  FROM matched WHERE family_id IS NOT NULL GROUP BY family_id
)
SELECT f.village_id,
  COUNT(*),
  SUM(CASE WHEN f.decile = 1 THEN 1 ELSE 0 END),
  SUM(CASE WHEN f.decile = 1 AND r.family_id IS NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN f.decile <= %(eligible)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN f.decile <= %(eligible)s AND r.family_id IS NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN f.decile <= %(eligible)s AND r.s1 = 1 THEN 1 ELSE 0 END),
  SUM(CASE WHEN f.decile <= %(eligible)s AND r.s2 = 1 THEN 1 ELSE 0 END),
  SUM(CASE WHEN f.decile <= %(eligible)s AND r.s3 = 1 THEN 1 ELSE 0 END),
  SUM(CASE WHEN f.decile <= %(eligible)s AND r.s1 + r.s2 + r.s3 >= 2 THEN 1 ELSE 0 END),
  SUM(CASE WHEN f.decile <= %(eligible)s AND r.s1 + r.s2 + r.s3 = 3 THEN 1 ELSE 0 END),
  SUM(CASE WHEN f.decile <= %(eligible)s AND r.s1 = 1 AND r.s2 = 0 THEN 1 ELSE 0 END)
FROM {family} f
LEFT JOIN reach r ON r.family_id = f.id
WHERE f.snapshot_id = %(snapshot)s
GROUP BY f.village_id
"""
_REGISTRY_FIELDS = (
    "families",
    "decile1",
    "decile1_unreached",
    "eligible",
    "eligible_unreached",
    "strategy1",
    "strategy2",
    "strategy3",
    "two_or_more",
    "all_three",
    "strategy1_not_2",
)


def _query(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _labels(by: str, year: int) -> dict[int, tuple[str, int | None]]:
    """Each group's label (and a village's kecamatan), for every group of the year."""
    if by == PROGRAM:
        programs = Program.objects.filter(year=year).select_related("agency")
        return {p.pk: (f"{p.name} ({p.agency})", None) for p in programs}
    if by == AGENCY:
        return {a.pk: (str(a), None) for a in Agency.objects.all()}
    if by == STRATEGY:
        return {s.pk: (str(s), None) for s in Strategy.objects.all()}
    if by == VILLAGE:
        return {v.pk: (v.name, v.district_id) for v in Village.objects.all()}
    if by == DISTRICT:
        return {d.pk: (d.name, None) for d in District.objects.all()}
    return {0: (_("Whole regency"), None)}


def compute(*, snapshot, year: int, by: str) -> list[Measures]:
    if by in PLACES:
        return _places(snapshot, year, by)
    params = {"snapshot": snapshot.pk, "year": year, "eligible": snapshot.eligible_up_to}
    counts = dataversion.cached(
        ("family measures by", by, snapshot.pk, snapshot.eligible_up_to, year),
        lambda: _query(_sql(_BENEFICIARY_SIDE, group=_GROUP_SQL[by]), params),
        scope=dataversion.FAMILY_MEASURES,
    )
    labels = _labels(by, year)
    rows = []
    for key, reached, eligible, outside, duplicated in counts:
        label, district_id = labels.get(key, ("?", None))
        rows.append(
            Measures(
                key=key,
                label=label,
                district_id=district_id,
                reached=reached,
                reached_eligible=eligible,
                outside_registry=outside,
                duplicated=duplicated,
            )
        )
    return sorted(rows, key=lambda m: m.label)


def _by_village(snapshot, year: int) -> dict[int | None, Measures]:
    """Every measure by the family's village, None for the families outside the registry;
    the same for every place, as a family lives in one village. Kept under the version of
    the measures' inputs, like the counts by programme, agency and strategy: the SQL is the
    heavy part, and a write to anything else leaves it as it was."""

    def compute_villages():
        params = {"snapshot": snapshot.pk, "year": year, "eligible": snapshot.eligible_up_to}
        villages: dict[int | None, Measures] = {}

        def row(key) -> Measures:
            return villages.setdefault(key, Measures(key=key, label=""))

        sql = _sql(_BENEFICIARY_SIDE, group=_GROUP_SQL[VILLAGE])
        for key, reached, eligible, outside, duplicated in _query(sql, params):
            measures = row(key)
            measures.reached, measures.reached_eligible = reached, eligible
            measures.outside_registry, measures.duplicated = outside, duplicated
        for village_id, *counts in _query(_sql(_REGISTRY_SIDE), params):
            measures = row(village_id)
            for name, count in zip(_REGISTRY_FIELDS, counts, strict=True):
                setattr(measures, name, int(count or 0))
        return villages

    return dataversion.cached(
        ("family measures by village", snapshot.pk, snapshot.eligible_up_to, year),
        compute_villages,
        scope=dataversion.FAMILY_MEASURES,
    )


def _places(snapshot, year: int, by: str) -> list[Measures]:
    """The measures of every village, kecamatan or the regency, summed up from the villages'
    (a family is counted in its own village only, so the sums count each family once).
    Families outside the registry have no village: they count for the regency only."""
    labels = _labels(by, year)
    village_districts = dict(Village.objects.values_list("pk", "district_id"))
    rows: dict[int, Measures] = {}
    for village_id, measures in _by_village(snapshot, year).items():
        if village_id is None and by != REGENCY:
            continue
        key = {
            VILLAGE: village_id,
            DISTRICT: village_districts.get(village_id),
            REGENCY: 0,
        }[by]
        if key not in rows:
            label, district_id = labels.get(key, ("?", None))
            rows[key] = Measures(key=key, label=label, district_id=district_id)
        rows[key].add(measures)
    return sorted(rows.values(), key=lambda m: m.label)


def family_measures(*, snapshot, year: int, by: str) -> list[Measures]:
    """The measures by `by` (one of GROUPINGS), cached under the data version."""
    return dataversion.cached(
        ("family measures", snapshot.pk, snapshot.eligible_up_to, year, by),
        lambda: compute(snapshot=snapshot, year=year, by=by),
    )


def regency_measures(*, snapshot, year: int) -> Measures:
    found = family_measures(snapshot=snapshot, year=year, by=REGENCY)
    return found[0] if found else Measures(key=0, label=_("Whole regency"))
