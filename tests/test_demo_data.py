"""`python manage.py load_demo`: a believable, deterministic demo year on the reference data."""

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Sum

from bartim import access
from bartim.models import Agency, ReviewStatus, User, Village
from demo.demo import REPORTER_ACCOUNTS
from evidence.models import EvidenceFile
from indicators.models import Indicator, IndicatorValue
from indicators.targets import indicator_target_errors
from programs.models import Program, QuarterReport
from villages.figures import counted_village_data
from villages.models import VillageData
from villages.pockets import annotate_pockets

PASSWORD = "demo-bartim-2024"
DOC = " ".join((Path(__file__).parents[1] / "docs" / "demo-data.md").read_text().split())


def load_demo(*args) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Six demo accounts with the real hasher cost seconds per test and prove nothing more.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(reference_data, settings):
    settings.DEBUG = True
    return load_demo()


def test_it_refuses_when_debug_is_off(reference_data, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG") as error:
        load_demo()
    assert error.value.returncode == 1
    assert "--force" in str(error.value)
    assert Program.objects.count() == 0
    assert User.objects.count() == 0


def test_force_runs_it_with_debug_off(reference_data, settings):
    settings.DEBUG = False
    load_demo("--force")
    assert Program.objects.count() == 25


def test_it_asks_for_the_reference_data_first(db, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="load_bartim"):
        load_demo()
    assert User.objects.count() == 0


def test_it_needs_a_bps_count_for_the_year(reference_data, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="2019") as error:
        load_demo("--year", "2019")
    assert "2020, 2021, 2022, 2023, 2024" in str(error.value)
    assert VillageData.objects.count() == 0


def test_village_data_adds_up_to_the_bps_figure(demo):
    rows = VillageData.objects.filter(year=2024)
    assert rows.count() == 103
    assert rows.values("village").distinct().count() == 103
    totals = rows.aggregate(poor=Sum("poor_people"), population=Sum("population"))
    assert totals == {"poor": 8740, "population": 118_665}


def test_another_year_adds_up_to_its_own_bps_figure(reference_data, settings):
    settings.DEBUG = True
    load_demo("--year", "2023")
    assert VillageData.objects.filter(year=2023).aggregate(Sum("poor_people")) == {
        "poor_people__sum": 8590
    }


def test_every_village_record_passes_validation(demo):
    for data in VillageData.objects.select_related("village"):
        data.full_clean()
        assert 0 < data.poor_households <= data.poor_people
        assert data.households < data.population
        assert data.uninhabitable_houses <= data.households
        assert data.households_without_clean_water <= data.households


def test_a_few_villages_are_clearly_poorer(demo):
    regency_rate = 8740 * 100 / 118_665
    rates = [data.poverty_rate for data in VillageData.objects.all()]
    pockets = [rate for rate in rates if rate >= 2 * regency_rate]
    assert 4 <= len(pockets) <= 12
    # Some pockets are reached by no programme, for the targeting check to find.
    unreached = VillageData.objects.filter(
        poor_people__gte=F("population") * 2 * regency_rate / 100, village__programs__isnull=True
    )
    assert unreached.count() >= 1


def test_programmes_cover_all_strategies_and_several_agencies(demo):
    programs = Program.objects.filter(year=2024)
    assert 15 <= programs.count() <= 25
    assert set(programs.values_list("strategy", flat=True)) == {1, 2, 3}
    assert programs.values("agency").distinct().count() >= 6
    for program in programs.select_related("agency").annotate(villages=Count("target_villages")):
        assert program.budget_realized_total <= program.budget_ceiling
        assert program.budget_ceiling >= 100_000_000
        if program.agency.kind == Agency.Kind.VILLAGE:
            assert list(program.target_villages.all()) == [program.agency.village]
        else:
            assert program.villages >= 5
        assert 1 <= program.indicators.count() <= 3


def test_two_village_governments_and_a_business_own_programmes(demo):
    owners = Program.objects.filter(year=2024).exclude(agency__kind=Agency.Kind.OPD)

    assert sorted(owners.values_list("agency__kind", flat=True)) == [
        "business",
        "village",
        "village",
    ]
    assert set(
        owners.filter(agency__kind="village").values_list("funding__source__name", flat=True)
    ) >= {"Dana Desa"}
    for program in owners.select_related("created_by", "agency"):
        assert program.created_by.agency == program.agency


def test_statuses_are_mixed_for_the_review_queue(demo):
    statuses = {ReviewStatus.DRAFT, ReviewStatus.SUBMITTED, ReviewStatus.APPROVED}
    assert set(Program.objects.values_list("status", flat=True)) == statuses
    assert set(VillageData.objects.values_list("status", flat=True)) == statuses


def test_some_programmes_are_on_track_and_some_off_track(demo):
    reached = []
    for indicator in Indicator.objects.filter(aggregation=Indicator.Aggregation.CUMULATIVE):
        last = indicator.values.exclude(realized=None).order_by("quarter").last()
        if last.quarter == 4:
            reached.append(last.realized / indicator.target)
    assert any(ratio >= 1 for ratio in reached)
    assert any(ratio < Decimal("0.5") for ratio in reached)
    assert IndicatorValue.objects.filter(realized=None).exists()
    assert IndicatorValue.objects.filter(quarter=4).exclude(realized=None).exists()


def test_every_indicator_has_four_planned_quarters(demo):
    for indicator in Indicator.objects.annotate(quarters=Count("values")):
        assert indicator.quarters == 4
        if indicator.direction == Indicator.Direction.LOWER_IS_BETTER:
            assert indicator.target < indicator.baseline


def test_it_creates_one_account_per_role(demo):
    accounts = {
        user.username: (
            user.role,
            user.agency.name if user.agency else None,
            user.district.code if user.district else None,
            user.is_staff,
            user.is_superuser,
        )
        for user in User.objects.select_related("agency", "district")
    }
    assert accounts == {
        "admin": ("admin", None, None, True, True),
        "opd_pendidikan": ("opd", "Dinas Pendidikan", None, False, False),
        "opd_sosial": (
            "opd",
            "Dinas Pemberdayaan Masyarakat dan Desa dan Sosial",
            None,
            False,
            False,
        ),
        "camat_dusun_timur": ("camat", None, "62.13.01", False, False),
        "camat_dusun_tengah": ("camat", None, "62.13.05", False, False),
        "viewer": ("viewer", None, None, False, False),
    } | {
        account.username: (
            account.role,
            account.agency or None,
            account.district or None,
            False,
            False,
        )
        for account in REPORTER_ACCOUNTS
    }
    assert all(user.check_password(PASSWORD) for user in User.objects.all())
    assert f"{len(accounts)} accounts in all" in DOC


def test_every_agency_and_kecamatan_has_its_reporter(demo):
    agencies = set(Program.objects.values_list("agency_id", flat=True))
    districts = set(VillageData.objects.values_list("village__district_id", flat=True))

    assert agencies <= set(User.objects.filter(role="opd").values_list("agency_id", flat=True))
    assert districts <= set(User.objects.filter(role="camat").values_list("district_id", flat=True))


@pytest.mark.parametrize("model", [Program, VillageData])
def test_submitted_and_approved_records_carry_their_review_steps(demo, model):
    for record in model.objects.exclude(status=ReviewStatus.DRAFT):
        events = {event.action: event for event in record.review_events.all()}
        submit = events["submit"]
        assert submit.actor.role in ("opd", "camat"), record
        assert access.reported(submit.actor, model.objects.filter(pk=record.pk)).exists()
        assert submit.created_at.year == 2024
        if record.status == ReviewStatus.APPROVED:
            assert events["approve"].actor.username == "admin"
            assert events["approve"].created_at > submit.created_at
        else:
            assert "approve" not in events
    assert not model.objects.filter(status=ReviewStatus.DRAFT, review_events__isnull=False)


def test_approved_plans_carry_their_quarter_reports_review_steps(demo):
    reports = QuarterReport.objects.select_related("program").prefetch_related("review_events")
    statuses = set()
    for report in reports:
        program = report.program
        events = {event.action: event for event in report.review_events.all()}
        plan_approved = program.review_events.get(action="approve").created_at
        assert program.status == ReviewStatus.APPROVED, report
        assert events["submit"].actor.agency_id == program.agency_id, report
        assert events["submit"].created_at > plan_approved, report
        if report.status != ReviewStatus.SUBMITTED:
            decided = events["approve" if report.status == ReviewStatus.APPROVED else "return"]
            assert decided.actor.username == "admin"
            assert decided.created_at > events["submit"].created_at
        statuses.add(report.status)
    assert statuses == {ReviewStatus.APPROVED, ReviewStatus.SUBMITTED, ReviewStatus.RETURNED}
    assert not QuarterReport.objects.exclude(program__status=ReviewStatus.APPROVED).exists()


def _achievement(indicator, quarter):
    """The achievement to date, by this test's own arithmetic from the stored values."""
    values = {value.quarter: value for value in indicator.values.all()}
    reported = [q for q in range(1, quarter + 1) if values[q].realized is not None]
    if not reported:
        return None
    if indicator.aggregation == Indicator.Aggregation.SUM:
        realized = sum(values[q].realized for q in reported)
    else:
        realized = values[reported[-1]].realized
    expected = values[quarter].target
    if indicator.direction == Indicator.Direction.HIGHER_IS_BETTER:
        return realized * 100 / expected
    return (indicator.baseline - realized) * 100 / (indicator.baseline - expected)


def test_no_indicator_is_far_above_its_target_to_date(demo):
    highest = max(
        achievement
        for indicator in Indicator.objects.prefetch_related("values")
        for quarter in range(1, 5)
        if (achievement := _achievement(indicator, quarter)) is not None
    )

    assert highest <= 150
    assert f"no indicator is above {int(highest) + 1}% of its target to date" in DOC


def test_quarter_targets_are_cumulative_and_end_at_the_annual_target(demo):
    for indicator in Indicator.objects.prefetch_related("values"):
        targets = [value.target for value in indicator.values.order_by("quarter")]
        if indicator.direction == Indicator.Direction.HIGHER_IS_BETTER:
            assert targets == sorted(targets), indicator.name
        if indicator.aggregation != Indicator.Aggregation.LATEST:
            assert targets[-1] == indicator.target, indicator.name


def test_demo_quarter_targets_follow_the_apps_rules(demo):
    for indicator in Indicator.objects.all():
        assert indicator_target_errors(indicator) == {}, indicator.name


def test_the_pockets_the_doc_quotes_are_the_ones_the_app_finds(demo):
    counted = counted_village_data(VillageData.objects.filter(year=2024))
    pockets = annotate_pockets(counted).filter(is_pocket=True)

    assert (
        f"approved village data: the app finds **{pockets.count()} poverty pockets** in 2024" in DOC
    )
    assert f"**{Program.objects.count()} programmes from " in DOC


def test_it_prints_the_accounts_with_the_password(demo):
    assert PASSWORD in demo
    for username in ("admin", "opd_pendidikan", "opd_sosial", "camat_dusun_timur", "viewer"):
        assert username in demo


def test_programmes_of_the_demo_agencies_are_by_their_accounts(demo):
    program = Program.objects.get(
        name="Bantuan Perlengkapan Sekolah bagi Siswa dari Keluarga Miskin"
    )
    assert program.created_by.username == "opd_pendidikan"


def test_running_it_again_duplicates_nothing(demo):
    counts = [
        model.objects.count() for model in (Program, Indicator, IndicatorValue, VillageData, User)
    ]
    pks = list(VillageData.objects.values_list("pk", flat=True))
    output = load_demo()
    assert [
        m.objects.count() for m in (Program, Indicator, IndicatorValue, VillageData, User)
    ] == counts
    assert list(VillageData.objects.values_list("pk", flat=True)) == pks
    assert "Data desa: 0 dibuat, 103 sudah ada" in output


def test_running_it_again_keeps_a_changed_password(demo):
    user = User.objects.get(username="viewer")
    user.set_password("kata-sandi-pribadi-99")
    user.save()
    output = load_demo()
    user.refresh_from_db()
    assert user.check_password("kata-sandi-pribadi-99")
    assert "kata sandinya tidak diubah" in output


def test_it_is_deterministic(demo):
    def snapshot():
        return (
            sorted(
                VillageData.objects.values_list(
                    "village__code", "population", "poor_people", "status"
                )
            ),
            sorted(Program.objects.values_list("name", "budget_realized_q1", "budget_realized_q3")),
            sorted(IndicatorValue.objects.values_list("indicator__name", "quarter", "realized")),
            sorted(
                Village.objects.filter(programs__isnull=False).values_list("code", "programs__name")
            ),
        )

    first = snapshot()
    VillageData.objects.all().delete()
    IndicatorValue.objects.all().delete()
    # Evidence files keep their quarter reports, and so their programmes (on_delete=PROTECT).
    EvidenceFile.objects.all().delete()
    # Programmes holding budget realisation refuse deletion (bartim/deletion.py).
    Program.objects.update(**{f"budget_realized_q{quarter}": 0 for quarter in range(1, 5)})
    Program.objects.all().delete()
    load_demo()
    assert snapshot() == first


def test_some_quarter_reports_come_with_generated_evidence_files(demo):
    with_evidence = QuarterReport.objects.filter(evidence_files__isnull=False).distinct()
    assert 0 < with_evidence.count() < QuarterReport.objects.count()
    assert set(EvidenceFile.objects.values_list("file_type", flat=True)) == {"pdf", "png"}
    record = EvidenceFile.objects.filter(file_type="pdf").first()
    assert record.file.open("rb").read().startswith(b"%PDF-")
