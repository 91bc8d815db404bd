"""Careless and hostile input: no 500, a message for what is invalid, nothing half-saved,
and text shown escaped everywhere."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.models import IndicatorValue
from programs.models import Program
from tests.factories import (
    AgencyFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    ProgramFactory,
    StrategyFactory,
    VillageDataFactory,
)
from villages.models import VillageData

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"
HYPOTHESIS = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# What people type or paste: numbers in every format, text, markup, nothing at all.
ANY_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "-1", "1e309", "8.740", "1,5", "NaN", "9" * 30, SCRIPT, "=1+1"]),
)


def test_script_in_text_fields_is_shown_escaped_on_every_page(admin_client, village_x):
    agency = AgencyFactory(name=f"Dinas {SCRIPT}", abbreviation="<b>X</b>")
    program = ProgramFactory(
        agency=agency, name=f"Program {SCRIPT}", description=SCRIPT, target_villages=[village_x]
    )
    IndicatorValueFactory(indicator=IndicatorFactory(program=program, name=SCRIPT, unit="<i>"))
    VillageDataFactory(village=village_x)
    pages = [
        reverse("programs:program_list"),
        reverse("programs:indicator_list"),
        reverse("programs:strategy_list"),
        reverse("programs:agency_list"),
        reverse("villages:village_list"),
        reverse("reports:targeting"),
        reverse("programs:program_detail", args=[program.pk]),
        reverse("review:program_history", args=[program.pk]),
        reverse("review:audit"),
        reverse("admin:programs_program_changelist"),
    ]

    for url in pages:
        content = admin_client.get(url).content.decode()
        assert SCRIPT not in content, url
        assert "<b>X</b>" not in content, url


@HYPOTHESIS
@given(
    name=ANY_TEXT,
    year=ANY_TEXT,
    pagu=ANY_TEXT,
    beneficiaries=ANY_TEXT,
    village=ANY_TEXT,
)
def test_programme_form_never_fails_on_any_input(
    client, opd_a_user, name, year, pagu, beneficiaries, village
):
    strategy = StrategyFactory()
    client.force_login(opd_a_user)
    before = Program.objects.count()

    response = client.post(
        reverse("programs:program_create"),
        {
            "strategy": strategy.pk,
            "year": year,
            "name": name,
            "budget_ceiling": pagu,
            "beneficiary_target": beneficiaries,
            "beneficiary_unit": "kk",
            "target_villages": [village],
        },
    )

    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "invalid-feedback" in response.content.decode() or "alert-danger" in (
            response.content.decode()
        )
        assert Program.objects.count() == before


@HYPOTHESIS
@given(budget=ANY_TEXT, realized=ANY_TEXT, target=ANY_TEXT, reason=ANY_TEXT)
def test_quarter_form_never_fails_and_never_half_saves(
    client, opd_a_user, agency_a, budget, realized, target, reason
):
    indicator = IndicatorFactory(program=ProgramFactory(agency=agency_a, budget_ceiling=1000))
    client.force_login(opd_a_user)

    response = client.post(
        reverse("programs:program_quarter", args=[indicator.program_id, 2]),
        {
            "budget_realized": budget,
            f"realized_{indicator.pk}": realized,
            f"target_{indicator.pk}": target,
            "reason": reason,
            "seen_version": 1,
        },
    )

    assert response.status_code in (200, 302)
    indicator.program.refresh_from_db()
    saved_value = IndicatorValue.objects.filter(indicator=indicator, quarter=2).exists()
    if response.status_code == 200:
        assert indicator.program.budget_realized_q2 == 0
        assert not saved_value


@HYPOTHESIS
@given(
    population=ANY_TEXT,
    households=ANY_TEXT,
    poor_households=ANY_TEXT,
    poor_people=ANY_TEXT,
    extremely_poor=ANY_TEXT,
    year=ANY_TEXT,
)
def test_village_data_form_never_fails_on_any_input(
    client,
    camat_x_user,
    village_x,
    population,
    households,
    poor_households,
    poor_people,
    extremely_poor,
    year,
):
    client.force_login(camat_x_user)
    before = VillageData.objects.count()
    fields = dict.fromkeys(
        [
            "uninhabitable_houses",
            "households_without_clean_water",
            "households_without_latrine",
            "stunted_children",
            "children_out_of_school",
            "unemployed",
        ],
        "0",
    )

    response = client.post(
        reverse("villages:village_data_create"),
        {
            "village": village_x.pk,
            "year": year,
            "population": population,
            "households": households,
            "poor_households": poor_households,
            "poor_people": poor_people,
            "extremely_poor_people": extremely_poor,
            **fields,
        },
    )

    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert VillageData.objects.count() == before


@HYPOTHESIS
@given(
    params=st.dictionaries(
        st.sampled_from(
            [
                "year",
                "quarter",
                "strategy",
                "opd",
                "kecamatan",
                "desa",
                "status",
                "category",
                "pocket",
                "q",
                "sort",
                "page",
                "per_page",
                "_export",
            ]
        ),
        ANY_TEXT,
        max_size=4,
    )
)
def test_table_filters_never_fail(client, viewer_user, params):
    client.force_login(viewer_user)

    for name in (
        "programs:program_list",
        "programs:indicator_list",
        "programs:strategy_list",
        "programs:agency_list",
        "villages:village_list",
        "reports:targeting",
    ):
        response = client.get(reverse(name), params)
        assert response.status_code in (200, 404), (name, params)
