"""The quarter form shows what the entry is measured against and, on "Calculate / preview",
what it will produce, by the same rules as the stored figures; the programme page shows
achievement and absorption per quarter."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import Indicator, IndicatorValue
from programs.models import Program
from tests.factories import IndicatorFactory, IndicatorValueFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def opd_a(client, opd_a_user):
    client.force_login(opd_a_user)
    return client


@pytest.fixture
def aid(agency_a):
    """100 packages a year (sum of quarters); Q I: 30 planned, 25 delivered, Rp200.000 spent
    of a Rp1.000.000 ceiling."""
    program = ProgramFactory(agency=agency_a, budget_ceiling=1_000_000, budget_realized_q1=200_000)
    indicator = IndicatorFactory(
        program=program,
        name="Paket bantuan",
        unit="paket",
        aggregation=Indicator.Aggregation.SUM,
        target=Decimal(100),
    )
    IndicatorValueFactory(indicator=indicator, quarter=1, target=Decimal(30), realized=25)
    return indicator


def _post_q2(client, indicator, **extra):
    program = Program.objects.get(pk=indicator.program_id)
    return client.post(
        reverse("programs:program_quarter", args=[program.pk, 2]),
        {
            "budget_realized": "100000",
            f"realized_{indicator.pk}": "20",
            f"target_{indicator.pk}": "50",
            "seen_version": program.version,
            **extra,
        },
    )


def _cell(content: str, element_id: str) -> str:
    return re.search(rf'id="{element_id}">([^<]*)<', content).group(1)


def test_the_quarter_form_shows_the_targets_earlier_quarters_and_budget(opd_a, aid):
    response = opd_a.get(reverse("programs:program_quarter", args=[aid.program_id, 2]))

    [row] = response.context["entry"].indicators
    assert row.annual_target == 100
    assert [(str(q.label), q.realized) for q in row.earlier] == [("TW I", 25)]
    # No Q II target yet: half of the annual target is expected by the end of June.
    assert row.progress.expected == 50
    budget = response.context["entry"].budget
    assert (budget.ceiling, budget.realized_before, budget.remaining) == (
        1_000_000,
        200_000,
        800_000,
    )
    content = response.content.decode()
    assert "Target s.d. TW II (kumulatif)" in content
    assert "Hitung / Pratinjau" in content


def test_preview_shows_what_the_entry_produces_and_saves_nothing(opd_a, aid):
    response = _post_q2(opd_a, aid, preview="1")

    assert response.status_code == 200
    entry = response.context["entry"]
    assert entry.from_entry
    # (25 + 20) delivered of 50 planned by the end of Q II; Rp300.000 of Rp1.000.000 spent.
    assert entry.indicators[0].progress.achievement == Decimal("90.00")
    assert entry.budget.absorption == Decimal("30.00")
    assert entry.budget.remaining == 700_000
    assert not IndicatorValue.objects.filter(indicator=aid, quarter=2).exists()
    assert Program.objects.get(pk=aid.program_id).budget_realized_q2 == 0


def test_the_preview_is_what_the_programme_page_shows_after_saving(opd_a, aid):
    preview = _post_q2(opd_a, aid, preview="1").content.decode()
    previewed = (
        _cell(preview, "quarter-context-mean"),
        _cell(preview, "quarter-context-absorption"),
    )

    assert _post_q2(opd_a, aid).status_code == 302

    page = opd_a.get(reverse("programs:program_detail", args=[aid.program_id]))
    quarters = page.context["program_quarters"]
    stored = Program.objects.get(pk=aid.program_id)
    assert quarters[1].mean_achievement == stored.mean_achievement_q2
    shown = re.search(r"<th scope=\"row\">TW II</th>(.*?)</tr>", page.content.decode()).group(1)
    assert previewed[0] in shown
    assert previewed[1] in shown


def test_the_programme_page_shows_achievement_and_absorption_per_quarter(opd_a, aid):
    IndicatorValueFactory(indicator=aid, quarter=2, target=Decimal(50), realized=20)
    Program.objects.filter(pk=aid.program_id).update(budget_realized_q2=100_000)

    response = opd_a.get(reverse("programs:program_detail", args=[aid.program_id]))

    rows = [
        (str(q.label), q.mean_achievement, q.absorption)
        for q in response.context["program_quarters"]
    ]
    # Q I: 25 of 30 (83.33%), Rp200.000 of Rp1.000.000; Q II: 45 of 50, Rp300.000; Q III and
    # Q IV: 45 of 75 and of 100 (nothing more reported), no more spending.
    assert rows == [
        ("TW I", Decimal("83.33"), Decimal("20.00")),
        ("TW II", Decimal("90.00"), Decimal("30.00")),
        ("TW III", Decimal("60.00"), Decimal("30.00")),
        ("TW IV", Decimal("45.00"), Decimal("30.00")),
    ]
    content = response.content.decode()
    assert "Target s.d. TW III (kumulatif)" in content
    assert "83,33%" in content
