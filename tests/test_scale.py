"""The synthetic data generator and the benchmark's measuring code, on small data, so that
neither rots (docs/performance.md). Timings are the benchmark's business, not asserted here."""

import json
import os
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, F

from bartim.models import Agency, District, Regency, ReviewStatus, User, Village
from benchmarks import measure
from benchmarks.management.commands import benchmark as benchmark_command
from benchmarks.synthetic import Shape
from families.crypto import id_hash
from families.models import Beneficiary, Family, RegistrySnapshot
from indicators.models import Indicator, IndicatorValue
from programs.models import Program
from tests.factories import ProgramFactory, StrategyFactory, UserFactory
from villages.models import VillageData

# One regency of 2 districts, 5 villages, 3 agencies and 18 programmes a year for ten years.
SMALL = "0.05"


def generate(*args) -> str:
    out = StringIO()
    call_command("generate_scale_data", "--scale", SMALL, *args, stdout=out)
    return out.getvalue()


def snapshot() -> list[tuple]:
    return sorted(
        Program.objects.values_list(
            "agency__code", "year", "name", "budget_ceiling", "budget_realized_q1", "status"
        )
    )


def test_the_small_scale_has_the_shape_of_one_small_regency():
    regencies, shape = Shape.for_scale(0.05)
    assert regencies == 1
    assert (shape.districts, shape.villages, shape.agencies) == (2, 5, 3)
    assert shape.programmes_per_year == 18
    assert (shape.first_year, shape.last_year) == (2015, 2024)


def test_scale_one_is_barito_timur_and_fifteen_a_province():
    assert Shape.for_scale(1) == (1, Shape(10, 103, 3, 36, 350))
    regencies, shape = Shape.for_scale(15)
    assert regencies == 15
    assert shape.programmes_per_year * shape.years * regencies == 52_500


def test_it_generates_consistent_synthetic_data_beside_the_reference_data(reference_data):
    output = generate()

    assert "Synthetic data at scale 0.05 (seed 1)" in output
    assert Regency.objects.filter(code="99.01").count() == 1
    assert District.objects.filter(code__startswith="99.01.").count() == 2
    assert Village.objects.filter(code__startswith="99.01.").count() == 5
    assert Agency.objects.filter(code__startswith="SYN-99.01-").count() == 3
    # The real reference data is still there, untouched.
    assert Village.objects.filter(code__startswith="62.13.").count() == 103
    assert Agency.objects.exclude(code__startswith="SYN-").count() == 36

    programmes = Program.objects.all()
    per_year = dict(programmes.values_list("year").annotate(n=Count("pk")))
    assert sorted(per_year) == list(range(2015, 2025))
    assert all(16 <= n <= 20 for n in per_year.values())
    assert set(programmes.values_list("agency__code", flat=True)) <= {
        "SYN-99.01-01",
        "SYN-99.01-02",
        "SYN-99.01-03",
    }
    assert set(programmes.values_list("strategy", flat=True)) == {1, 2, 3}
    assert {ReviewStatus.APPROVED, ReviewStatus.SUBMITTED} <= set(
        programmes.values_list("status", flat=True)
    )
    # Realised budget within the pagu, and some programmes spent something.
    spent = programmes.annotate(
        spent=F("budget_realized_q1")
        + F("budget_realized_q2")
        + F("budget_realized_q3")
        + F("budget_realized_q4")
    )
    assert not spent.filter(spent__gt=F("budget_ceiling")).exists()
    assert spent.filter(spent__gt=0).count() > len(spent) // 2
    # Target villages lie in the programme's own (synthetic) regency.
    links = Program.target_villages.through.objects.values_list(
        "program__agency__code", "village__code"
    )
    assert links
    assert all(agency[4:9] == village[:5] for agency, village in links)

    indicators = Indicator.objects.all()
    assert 1.5 * len(programmes) <= len(indicators) <= 4.5 * len(programmes)
    assert not indicators.filter(direction="down", baseline__isnull=True).exists()
    values = IndicatorValue.objects.all()
    assert not values.filter(quarter__lt=1).exists() and not values.filter(quarter__gt=4).exists()
    # Some quarters are missing: a row without a realised value, or no row at all.
    assert indicators.annotate(reported=Count("values__realized")).filter(reported__lt=4)
    assert values.filter(realized__isnull=False).count() > 3 * len(indicators)

    village_data = VillageData.objects.all()
    assert 45 <= len(village_data) <= 50  # 5 villages x 10 years, a few of the last missing
    assert not village_data.filter(poor_people__gt=F("population")).exists()
    assert not village_data.filter(poor_households__gt=F("households")).exists()
    assert not village_data.filter(extremely_poor_people__gt=F("poor_people")).exists()
    rates = [row.poverty_rate for row in village_data]
    assert min(rates) < max(rates)


def test_the_province_gets_a_registry_kept_as_an_import_keeps_it(reference_data):
    generate()

    registry = RegistrySnapshot.objects.get()
    assert (registry.label, registry.confirmed) == ("DTSEN sintetis 99", True)
    families = Family.objects.all()
    assert registry.family_count == len(families) > 1000
    assert set(families.values_list("village__code", flat=True)) == set(
        Village.objects.filter(code__startswith="99.01.").values_list("code", flat=True)
    )
    assert {1, 2, 10} <= set(families.values_list("decile", flat=True))
    # Beneficiaries of the last year's programmes, most of them found in the registry.
    beneficiaries = Beneficiary.objects.all()
    assert set(beneficiaries.values_list("program__year", flat=True)) == {2024}
    assert len(beneficiaries) > 20 * Program.objects.filter(year=2024).count()
    kk_hashes = set(families.values_list("kk_hash", flat=True))
    nik_hashes = set(families.values_list("nik_hash", flat=True))
    found = [b.kk_hash in kk_hashes or b.nik_hash in nik_hashes for b in beneficiaries]
    assert 0.8 * len(found) < sum(found) < len(found)
    # Numbers only as keyed hashes, names and numbers only encrypted.
    family = families.order_by("pk").first()
    nik, kk = family.ids.split()
    assert nik.startswith("9901") and len(nik) == 16
    assert (family.nik_hash, family.kk_hash) == (id_hash(nik), id_hash(kk))
    with connection.cursor() as cursor:
        cursor.execute("SELECT ids, name, address FROM families_family")
        stored = [cell for row in cursor.fetchall() for cell in row]
        cursor.execute("SELECT ids, name FROM families_beneficiary WHERE name <> ''")
        stored += [cell for row in cursor.fetchall() for cell in row]
    assert all(cell.startswith("gAAAAA") for cell in stored)
    assert not [cell for cell in stored if nik in cell or "Sintetis" in cell]


def test_running_it_again_replaces_the_synthetic_data_with_the_same(reference_data):
    generate()
    first = snapshot()
    families = sorted(Family.objects.values_list("kk_hash", "decile"))

    output = generate()

    assert "Removed the earlier synthetic data" in output
    assert snapshot() == first
    assert sorted(Family.objects.values_list("kk_hash", "decile")) == families
    assert RegistrySnapshot.objects.count() == 1
    assert Regency.objects.filter(code__startswith="99.").count() == 1


def test_another_seed_gives_other_data(reference_data):
    generate()
    first = snapshot()
    generate("--seed", "2")
    assert snapshot() != first


def test_it_refuses_a_database_with_data_of_its_own(reference_data):
    real = ProgramFactory(agency=Agency.objects.get(code="OPD01"), name="Beasiswa")

    with pytest.raises(CommandError, match="--force"):
        generate()

    assert list(Program.objects.all()) == [real]
    assert not Regency.objects.filter(code__startswith="99.").exists()


def test_force_adds_synthetic_data_beside_data_of_its_own(reference_data):
    real = ProgramFactory(agency=Agency.objects.get(code="OPD01"), name="Beasiswa")

    generate("--force")

    real.refresh_from_db()
    assert real.name == "Beasiswa"
    assert Program.objects.exclude(pk=real.pk).count() > 100


def test_it_asks_for_the_strategies_first(db):
    with pytest.raises(CommandError, match="load_bartim"):
        generate()
    assert not Program.objects.exists()


def test_a_scale_of_zero_is_refused(db):
    StrategyFactory()
    with pytest.raises(CommandError, match="above 0"):
        call_command("generate_scale_data", "--scale", "0", stdout=StringIO())


def test_the_floor_view_does_not_exist_outside_the_benchmark(admin_client):
    assert admin_client.get("/benchmark/floor/").status_code == 404


def test_the_floor_view_costs_one_query_of_its_own(reference_data, settings):
    settings.ROOT_URLCONF = "benchmarks.urls"
    generate()
    admin = UserFactory(username="boss", role=User.Role.ADMIN, is_staff=True, is_superuser=True)

    # The session, the user, and the 25 programmes with their OPD and strategy.
    assert measure.count_queries(admin, "/benchmark/floor/") == 3


def test_the_benchmark_only_talks_to_loopback():
    with pytest.raises(ValueError, match="loopback"):
        measure.HttpSession("http://example.org/")
    with pytest.raises(ValueError, match="loopback"):
        measure.HttpSession("https://127.0.0.1:8443/")


def test_percentile_is_the_nearest_rank():
    values = [float(n) for n in range(1, 21)]
    assert measure.percentile(values, 0.95) == 19.0
    assert measure.percentile([5.0], 0.95) == 5.0


@pytest.fixture
def small_site(transactional_db, settings):
    settings.ROOT_URLCONF = "benchmarks.urls"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_bartim", stdout=StringIO())
    generate()


TINY = measure.Options(
    requests=2, export_requests=1, clients=2, concurrent_requests=2, concurrent_seconds=5
)


def test_the_measuring_code_runs_against_a_live_server(small_site, live_server):
    admin = UserFactory(username="boss", role=User.Role.ADMIN, is_staff=True, is_superuser=True)
    pages = (
        measure.Page("floor", "/benchmark/floor/", group="reference"),
        measure.Page("dashboard", "/", group="summary"),
        measure.Page("missing", "/no-such-page/?year={year}&opd={opd}"),
        measure.Page("last", "/?page={last_page}", last_page_of="/benchmark/floor/"),
    )

    results = measure.run(
        base_url=live_server.url,
        user=admin,
        password="rahasia-uji-123",
        pages=pages,
        options=TINY,
        worker_pids=[os.getpid()],
    )

    floor, dashboard, missing, last = results
    assert (floor.status, floor.queries, floor.vs_floor) == (200, 3, 1.0)
    assert floor.median_ms > 0 and floor.p95_ms >= floor.median_ms and floor.rps > 0
    assert floor.rss_growth_mb is not None and floor.errors == 0
    assert dashboard.measured and dashboard.vs_floor > 0 and dashboard.vs_admin is None
    year = Program.objects.order_by("-year").values_list("year", flat=True).first()
    assert missing.path.startswith(f"/no-such-page/?year={year}&opd=")
    assert (missing.status, missing.note, missing.measured) == (404, "not available (404)", False)
    assert last.path == "/?page=1"

    rows = measure.goals(results)
    assert ("missing: not available (404)", None) in [(g.text, g.passed) for g in rows]
    assert ("dashboard: p95 < 150 ms", True) in [(g.text, g.passed) for g in rows]
    table = measure.markdown({"started": "now", "description": "test"}, results, rows)
    assert "| missing | `/no-such-page/" in table and "| floor | `/benchmark/floor/` | 3 |" in table


def test_every_configured_page_gives_a_result_or_a_reason(small_site, live_server):
    admin = UserFactory(username="boss", role=User.Role.ADMIN, is_staff=True, is_superuser=True)

    results = measure.run(
        base_url=live_server.url,
        user=admin,
        password="rahasia-uji-123",
        options=TINY,
    )

    assert [r.name for r in results] == [page.name for page in measure.PAGES]
    assert all(r.measured or r.note for r in results)
    assert [r.name for r in results if r.status is None or r.status >= 500] == []
    assert all(r.errors == 0 for r in results)


def test_the_command_measures_a_running_server_and_writes_json_and_markdown(
    small_site, live_server, tmp_path
):
    out = StringIO()
    call_command(
        "benchmark",
        "--url",
        live_server.url,
        "--only",
        "floor",
        "--only",
        "dashboard",
        "--requests",
        "2",
        "--clients",
        "2",
        "--concurrent-requests",
        "2",
        "--output-dir",
        str(tmp_path),
        stdout=out,
    )

    written = {path.suffix: path for path in tmp_path.iterdir()}
    assert set(written) == {".json", ".md"}
    result = json.loads(written[".json"].read_text())
    assert [page["name"] for page in result["pages"]] == ["floor", "dashboard"]
    assert result["meta"]["counts"]["synthetic regencies"] == 1
    assert result["pages"][0]["queries"] == 3
    assert written[".md"].read_text() in out.getvalue()
    assert User.objects.get(username="benchmark").is_regency_admin

    # A second run compares its query counts with the first.
    call_command(
        "benchmark",
        "--url",
        live_server.url,
        "--only",
        "floor",
        "--requests",
        "1",
        "--concurrent-requests",
        "1",
        "--compare",
        str(written[".json"]),
        "--output-dir",
        str(tmp_path / "again"),
        stdout=out,
    )
    assert "| floor: queries as in the earlier run | 3 (earlier 3) | yes |" in out.getvalue()


def test_the_benchmarks_write_is_seen_by_the_next_visit_of_a_cached_page(small_site, client):
    # "After a write" measures pages computed again: the write must give the data a new
    # version, as the write services do, or every page comes from the cache.
    client.force_login(UserFactory(role=User.Role.VIEWER))
    year = Program.objects.order_by("-year").values_list("year", flat=True).first()
    path = f"/programs/?year={year}&sort=-budget_ceiling"
    client.get(path)

    ceiling = benchmark_command.Command._write_once()

    assert ceiling in client.get(path).content.decode()


def test_the_registry_import_benchmark_imports_confirms_and_deletes(reference_data):
    out = StringIO()

    call_command("benchmark_registry_import", "--families", "40", stdout=out)

    assert "Registry import, 40 families, CSV" in out.getvalue()
    assert "confirm" in out.getvalue()
    # It leaves nothing behind.
    assert not RegistrySnapshot.objects.exists() and not Family.objects.exists()
