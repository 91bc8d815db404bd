"""The family-level measures on a small hand-made registry (docs/targeting.md, "Families"):
seven families in two villages, four programmes under the three strategies, one beneficiary
outside the registry and one family helped twice with cash in one quarter."""

import pytest

from bartim.models import User
from families.measures import (
    AGENCY,
    DISTRICT,
    PROGRAM,
    REGENCY,
    STRATEGY,
    VILLAGE,
    compute,
)
from families.services import beneficiary_add, snapshot_change
from tests.factories import ProgramFactory, StrategyFactory
from tests.families_helpers import import_registry, kk, nik, registry_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(admin_user, agency_a, agency_b, village_x, village_y):
    snapshot = import_registry(
        admin_user,
        [
            registry_row(1, village_x, 1),
            registry_row(2, village_x, 1),
            registry_row(3, village_x, 1),
            registry_row(4, village_x, 3),
            registry_row(5, village_y, 1),
            registry_row(6, village_y, 4),
            registry_row(7, village_y, 7),
        ],
    )
    s1, s2, s3 = (StrategyFactory(number=n) for n in (1, 2, 3))
    p1 = ProgramFactory(agency=agency_a, strategy=s1, name="P1 bantuan tunai")
    p2 = ProgramFactory(agency=agency_a, strategy=s2, name="P2 modal usaha")
    p3 = ProgramFactory(agency=agency_b, strategy=s3, name="P3 bedah rumah")
    p4 = ProgramFactory(agency=agency_b, strategy=s1, name="P4 bantuan tunai lain")
    # Another year's help reaches nobody this year.
    ProgramFactory(agency=agency_a, strategy=s2, year=2023, name="P lama")

    def give(program, n, quarter, kind, by="kk"):
        ids = {"kk": kk(n)} if by == "kk" else {"nik": nik(n)}
        beneficiary_add(actor=admin_user, program=program, quarter=quarter, kind=kind, **ids)

    give(p1, 1, 1, "cash")
    give(p1, 2, 1, "cash")
    give(p1, 4, 2, "food")
    give(p1, 7, 1, "cash")
    give(p2, 1, 1, "capital")
    give(p2, 4, 2, "training")
    give(p2, 8, 1, "capital")  # No. KK 8 is in no registry row
    give(p3, 4, 3, "housing")
    give(p3, 6, 3, "housing", by="nik")  # matched by the head's NIK only
    give(p4, 2, 1, "cash")  # family 2's second cash help in TW I
    return {
        "snapshot": snapshot,
        "programs": (p1, p2, p3, p4),
        "agencies": (agency_a, agency_b),
        "villages": (village_x, village_y),
    }


def _by(case, by):
    return {m.key: m for m in compute(snapshot=case["snapshot"], year=2024, by=by)}


def _beneficiary_side(m):
    return (m.reached, m.reached_eligible, m.outside_registry, m.duplicated)


def _registry_side(m):
    return (
        m.families,
        m.decile1,
        m.decile1_unreached,
        m.eligible,
        m.eligible_unreached,
        m.strategy1,
        m.strategy2,
        m.strategy3,
        m.two_or_more,
        m.all_three,
        m.strategy1_not_2,
    )


def test_inclusion_and_duplication_per_programme(case):
    p1, p2, p3, p4 = case["programs"]
    rows = _by(case, PROGRAM)

    assert _beneficiary_side(rows[p1.pk]) == (4, 3, 0, 1)
    assert _beneficiary_side(rows[p2.pk]) == (3, 2, 1, 0)
    assert _beneficiary_side(rows[p3.pk]) == (2, 2, 0, 0)
    assert _beneficiary_side(rows[p4.pk]) == (1, 1, 0, 1)
    assert rows[p1.pk].inclusion_share == 75
    assert round(rows[p2.pk].outside_share, 2) == 33.33


def test_a_family_reached_twice_by_one_agency_or_strategy_counts_once(case):
    agency_a, agency_b = case["agencies"]
    agencies = _by(case, AGENCY)
    strategies = _by(case, STRATEGY)

    assert _beneficiary_side(agencies[agency_a.pk]) == (5, 3, 1, 1)
    assert _beneficiary_side(agencies[agency_b.pk]) == (3, 3, 0, 1)
    assert _beneficiary_side(strategies[1]) == (4, 3, 0, 1)
    assert _beneficiary_side(strategies[2]) == (3, 2, 1, 0)
    assert _beneficiary_side(strategies[3]) == (2, 2, 0, 0)


def test_exclusion_and_convergence_per_place(case):
    village_x, village_y = case["villages"]
    villages = _by(case, VILLAGE)
    districts = _by(case, DISTRICT)
    regency = _by(case, REGENCY)[0]

    assert _registry_side(villages[village_x.pk]) == (4, 3, 1, 4, 1, 3, 2, 1, 2, 1, 1)
    assert _registry_side(villages[village_y.pk]) == (3, 1, 1, 2, 1, 0, 0, 1, 0, 0, 0)
    # Beneficiaries outside the registry belong to no village.
    assert _beneficiary_side(villages[village_x.pk]) == (3, 3, 0, 1)
    assert _beneficiary_side(villages[village_y.pk]) == (2, 1, 0, 0)
    assert _registry_side(districts[village_x.district_id]) == _registry_side(
        villages[village_x.pk]
    )
    assert _registry_side(regency) == (7, 4, 2, 6, 2, 3, 2, 2, 2, 1, 1)
    assert _beneficiary_side(regency) == (6, 4, 1, 1)
    assert round(regency.eligible_reached_share, 2) == 66.67


def test_the_eligible_deciles_are_the_administrators_choice(case, admin_user):
    snapshot = case["snapshot"]
    snapshot_change(actor=admin_user, snapshot=snapshot, eligible_up_to=3)

    regency = compute(snapshot=snapshot, year=2024, by=REGENCY)[0]

    # Family 6 (decile 4) is no longer eligible.
    assert (regency.eligible, regency.eligible_unreached, regency.strategy3) == (5, 2, 1)
    assert regency.reached_eligible == 3


def test_another_year_has_no_beneficiaries_and_every_poor_family_unreached(case):
    regency = compute(snapshot=case["snapshot"], year=2023, by=REGENCY)[0]

    assert (regency.reached, regency.decile1_unreached, regency.eligible_unreached) == (0, 4, 6)


def test_only_the_administrator_changes_the_eligible_deciles(case, viewer_user):
    from django.core.exceptions import PermissionDenied

    assert viewer_user.role == User.Role.VIEWER
    with pytest.raises(PermissionDenied):
        snapshot_change(actor=viewer_user, snapshot=case["snapshot"], eligible_up_to=2)


def test_the_page_the_export_the_targeting_check_and_the_report_agree(case, admin_client):
    from django.urls import reverse

    regency = compute(snapshot=case["snapshot"], year=2024, by=REGENCY)[0]
    query = {"year": 2024, "snapshot": case["snapshot"].pk, "by": REGENCY}

    page = admin_client.get(reverse("families:measures"), query)
    export = admin_client.get(reverse("families:measures"), query | {"_export": "csv"})
    targeting = admin_client.get(reverse("reports:targeting"), {"year": 2024})
    report = admin_client.get(reverse("reports:meeting_report", args=[2024]))

    names = [name for name, _label in page.context["columns"]]
    shown = dict(zip(names, page.context["table"][0][1], strict=True))
    assert (shown["reached"], shown["decile1_unreached"]) == (regency.reached, 2)
    lines = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[1].split(";")[1:3] == [str(regency.reached), str(regency.reached_eligible)]
    for response in (targeting, report):
        section = response.content.decode().split('id="family-regency"')[1].split("</dl>")[0]
        numbers = [dd.split(">")[1].split("<")[0] for dd in section.split("<dd")[1:]]
        assert numbers[0].strip() == str(regency.reached)
        assert numbers[3].strip() == f"{regency.decile1_unreached} / {regency.decile1}"


def test_the_programme_rows_link_the_beneficiaries_only_for_those_who_may_see_them(
    case, admin_client, client, viewer_user
):
    # The table is drawn once per data version and kind of reader: the administrator's
    # links must not reach a viewer served after him.
    from django.urls import reverse

    p1 = case["programs"][0]
    query = {"year": 2024, "snapshot": case["snapshot"].pk, "by": PROGRAM}
    link = reverse("families:beneficiaries", args=[p1.pk])
    assert link in admin_client.get(reverse("families:measures"), query).content.decode()

    client.force_login(viewer_user)
    page = client.get(reverse("families:measures"), query).content.decode()

    assert "P1 bantuan tunai" in page and link not in page


def test_the_measures_follow_their_inputs_and_nothing_else(case, admin_user, monkeypatch):
    from families import measures
    from programs.services import program_delete, program_update

    p1, p2, _p3, p4 = case["programs"]
    matched = []
    real_query = measures._query
    monkeypatch.setattr(measures, "_query", lambda *args: matched.append(1) or real_query(*args))
    assert _beneficiary_side(_by(case, STRATEGY)[1]) == (4, 3, 0, 1)
    before = len(matched)

    # A new ceiling is no input of the measures: they are not matched again.
    program_update(program=p1, actor=admin_user, budget_ceiling=p1.budget_ceiling + 1)
    assert _beneficiary_side(_by(case, STRATEGY)[1]) == (4, 3, 0, 1)
    assert len(matched) == before

    # A programme moved to strategy 2 takes its beneficiaries with it.
    program_update(program=p4, actor=admin_user, strategy=p2.strategy)
    strategies = _by(case, STRATEGY)
    assert _beneficiary_side(strategies[1]) == (4, 3, 0, 1)
    assert _beneficiary_side(strategies[2]) == (4, 3, 1, 1)  # was (3, 2, 1, 0)

    # So do a new beneficiary and a programme deleted.
    beneficiary_add(actor=admin_user, program=p1, kk=kk(5), quarter=2, kind="cash")
    assert _beneficiary_side(_by(case, STRATEGY)[1]) == (5, 4, 0, 1)
    program_delete(program=p1, actor=admin_user)
    assert 1 not in _by(case, STRATEGY)
