"""Each programme's mean achievement and whether it reported, per quarter, are stored
(indicators.progress), so tables sort by them and rollups average and count them. Every way
of writing an indicator or a quarterly value must leave the stored values equal to what the
progress rules give from the indicators now: one test per write path."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from demo.demo import demo_load
from indicators import progress
from indicators.models import Indicator, IndicatorValue
from programs import progress as programme_progress
from programs.models import Program
from programs.services import indicator_save, program_report_quarter
from tests.excel_helpers import confirm, download, fill, find_row, upload_and_preview, xlsx_bytes
from tests.factories import IndicatorFactory, IndicatorValueFactory, ProgramFactory, StrategyFactory
from tests.table_helpers import html_column

pytestmark = pytest.mark.django_db

REALIZED = "Realisasi"


def rule_means(program: Program) -> list[Decimal | None]:
    """The programme's mean achievement as of each quarter by the plain-Python rule."""
    indicators = list(program.indicators.prefetch_related("values"))
    return [
        progress.mean_achievement(
            progress.indicator_progress(indicator, quarter).achievement for indicator in indicators
        )
        for quarter in range(1, 5)
    ]


def stored_means(program: Program) -> list[Decimal | None]:
    program.refresh_from_db()
    return [getattr(program, programme_progress.stored_mean_field(q)) for q in range(1, 5)]


def rule_reported(program: Program) -> list[bool]:
    return [programme_progress.program_reported(program, quarter) for quarter in range(1, 5)]


def stored_reported(program: Program) -> list[bool]:
    program.refresh_from_db()
    return [getattr(program, programme_progress.stored_reported_field(q)) for q in range(1, 5)]


def assert_current(*programs):
    for program in programs:
        assert stored_means(program) == rule_means(program), program.name
        assert stored_reported(program) == rule_reported(program), program.name
    assert programme_progress.stale_stored_progress(Program.objects.all()) == []


@pytest.fixture
def program(agency_a):
    return ProgramFactory(agency=agency_a, name="Bedah Rumah", year=2024)


@pytest.fixture
def houses(program):
    return IndicatorFactory(program=program, name="Rumah direhab", target=Decimal("40"))


def test_a_new_programme_has_no_mean_until_an_indicator_reports(program):
    IndicatorFactory(program=program)

    assert stored_means(program) == [None, None, None, None]


def test_saving_a_value_stores_the_mean_of_every_quarter(houses, program):
    IndicatorValueFactory(indicator=houses, quarter=1, realized=Decimal("6"))

    assert stored_reported(program) == [True, False, False, False]
    # 6 of 10 expected by TW I; 6 of 20, 30 and 40 in the later quarters.
    assert stored_means(program) == [
        Decimal("60.00"),
        Decimal("30.00"),
        Decimal("20.00"),
        Decimal("15.00"),
    ]
    assert_current(program)


def test_the_quarter_report_form_updates_the_table_sorted_by_achievement(
    client, opd_a_user, program, houses, agency_a
):
    other = ProgramFactory(agency=agency_a, name="Jamban Sehat", year=2024)
    IndicatorValueFactory(indicator=IndicatorFactory(program=other), quarter=1, realized=20)
    client.force_login(opd_a_user)
    table = reverse("programs:program_list")
    before = client.get(table, {"year": 2024, "quarter": 1, "sort": "-mean_achievement"})
    assert html_column(before, "Program")[:2] == ["Jamban Sehat", "Bedah Rumah"]

    client.post(
        reverse("programs:program_quarter", args=[program.pk, 1]),
        {"budget_realized": 0, f"realized_{houses.pk}": "10", "seen_version": program.version},
    )

    after = client.get(table, {"year": 2024, "quarter": 1, "sort": "-mean_achievement"})
    assert html_column(after, "Program")[:2] == ["Bedah Rumah", "Jamban Sehat"]
    assert html_column(after, "Rata-rata capaian (%)")[:2] == ["100,00%", "80,00%"]
    assert_current(program, other)


def test_the_write_services(admin_user, program, houses):
    program_report_quarter(
        program=program, quarter=2, actor=admin_user, realized={houses.pk: Decimal("12")}
    )
    assert_current(program)
    before = stored_means(program)

    indicator_save(program=program, actor=admin_user, indicator=houses, target=Decimal("80"))

    assert stored_means(program) != before
    assert_current(program)


def test_a_second_indicator_enters_the_mean(admin_user, program, houses):
    IndicatorValueFactory(indicator=houses, quarter=4, realized=Decimal("40"))
    full = stored_means(program)

    rate = indicator_save(
        program=program,
        actor=admin_user,
        name="Tingkat hunian layak",
        unit="%",
        direction=Indicator.Direction.HIGHER_IS_BETTER,
        aggregation=Indicator.Aggregation.LATEST,
        target=Decimal("80"),
    )
    program_report_quarter(
        program=program, quarter=4, actor=admin_user, realized={rate.pk: Decimal("40")}
    )

    assert full[3] == Decimal("100.00")
    assert stored_means(program)[3] == Decimal("75.00")
    assert_current(program)


def test_the_admin_indicator_page_and_deleting_in_the_admin(client, admin_user, program, houses):
    admin_user.is_superuser = True
    admin_user.save(update_fields=["is_superuser"])
    client.force_login(admin_user)
    data = {
        "program": program.pk,
        "name": houses.name,
        "unit": "KK",
        "direction": "up",
        "aggregation": "sum",
        "baseline": "0",
        "target": "40",
        "values-TOTAL_FORMS": 4,
        "values-INITIAL_FORMS": 0,
        "values-MIN_NUM_FORMS": 0,
        "values-MAX_NUM_FORMS": 4,
    }
    for index, quarter in enumerate([1, 2, 3, 4]):
        data |= {f"values-{index}-quarter": quarter, f"values-{index}-target": ""}
        data[f"values-{index}-realized"] = "5" if quarter == 1 else ""
    response = client.post(reverse("admin:indicators_indicator_change", args=[houses.pk]), data)
    assert response.status_code == 302
    assert stored_means(program)[0] == Decimal("50.00")
    assert_current(program)

    empty = IndicatorFactory(program=program, name="Belum diisi")
    IndicatorValueFactory(indicator=empty, quarter=1, realized=Decimal("0"))
    assert stored_means(program)[0] == Decimal("25.00")
    IndicatorValue.objects.filter(indicator=empty).delete()
    response = client.post(
        reverse("admin:indicators_indicator_delete", args=[empty.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert stored_means(program)[0] == Decimal("50.00")
    assert_current(program)


def test_the_quarterly_excel_import(client, opd_a_user, program, houses):
    client.force_login(opd_a_user)
    workbook = download(client, "quarterly", year=2024, quarter=1)
    values = workbook["Indikator"]
    fill(values, find_row(values, "ID indikator", houses.pk), **{REALIZED: 8})
    url, _ = upload_and_preview(client, "quarterly", xlsx_bytes(workbook), "tw1.xlsx")

    assert confirm(client, url).status_code == 302
    assert stored_means(program)[0] == Decimal("80.00")
    assert_current(program)


def test_the_demo_year_is_stored_current(reference_data):
    demo_load(year=2024)

    assert Program.objects.exclude(mean_achievement_q1=None).exists()
    assert programme_progress.stale_stored_progress(Program.objects.all()) == []


def test_the_synthetic_data_is_stored_current(reference_data):
    call_command("generate_scale_data", "--scale", "0.05", stdout=StringIO())

    assert Program.objects.exclude(mean_achievement_q4=None).exists()
    assert programme_progress.stale_stored_progress(Program.objects.all()) == []


def test_the_check_command_finds_a_mean_changed_around_the_application(program, houses):
    IndicatorValueFactory(indicator=houses, quarter=1, realized=Decimal("6"))
    call_command("refresh_stored_progress", "--check", stdout=StringIO())
    # What a hand-made SQL fix would do: the stored mean no longer follows the indicators.
    Program.objects.filter(pk=program.pk).update(mean_achievement_q1=Decimal("99"))

    out = StringIO()
    with pytest.raises(CommandError, match="1"):
        call_command("refresh_stored_progress", "--check", stdout=out)
    assert "rata-rata capaian TW I (%): tersimpan 99.00" in out.getvalue()
    call_command("refresh_stored_progress", stdout=StringIO())

    assert stored_means(program)[0] == Decimal("60.00")
    call_command("refresh_stored_progress", "--check", stdout=StringIO())


def test_strategy_means_average_the_stored_programme_means(program, houses, agency_a):
    strategy = StrategyFactory(number=2)
    first = ProgramFactory(agency=agency_a, strategy=strategy, name="A", year=2024)
    second = ProgramFactory(agency=agency_a, strategy=strategy, name="B", year=2024)
    IndicatorValueFactory(indicator=IndicatorFactory(program=first), quarter=4, realized=50)
    IndicatorValueFactory(indicator=IndicatorFactory(program=second), quarter=4, realized=100)

    row = programme_progress.strategies_with_progress(
        type(strategy).objects.filter(pk=2), Program.objects.filter(year=2024), 4
    ).get()

    assert row.mean_achievement == Decimal("75.00")


def test_a_quarter_target_alone_is_not_a_report_and_clearing_the_value_unreports(
    admin_user, program, houses
):
    program_report_quarter(
        program=program, quarter=3, actor=admin_user, targets={houses.pk: Decimal("25")}
    )
    assert stored_reported(program) == [False, False, False, False]

    program_report_quarter(
        program=program, quarter=3, actor=admin_user, realized={houses.pk: Decimal("20")}
    )
    assert stored_reported(program) == [False, False, True, False]

    program_report_quarter(program=program, quarter=3, actor=admin_user, realized={houses.pk: None})
    assert stored_reported(program) == [False, False, False, False]
    assert_current(program)
