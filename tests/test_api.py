"""The API for other systems (issue 20, item 3): a token per system account, created and
revoked by an administrator; each token reads what its account's role reads, a public token
what the public page shows; read-only; every request logged without personal data."""

import json

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from api.models import ApiRequest, SystemAccount
from api.services import system_account_create, system_account_revoke
from api.throttling import PerSystemAccount
from bartim.models import Agency, Village
from tests.factories import AgencyFactory, PlanFactory
from tests.public_helpers import UNPUBLISHED_YEAR, UNVERIFIED_BUDGET, assert_nothing_private

pytestmark = pytest.mark.django_db

# Every endpoint of the API that holds data, with the query that lists something.
ENDPOINTS = {
    "programmes": (reverse("api:programme-list"), {}),
    "indicators": (reverse("api:indicator-list"), {}),
    "village-data": (reverse("api:village-data-list"), {}),
    "strategies": (reverse("api:strategy-list"), {}),
    "pockets": (reverse("api:pocket-list"), {}),
    "targeting": (reverse("api:targeting-list"), {}),
}
DETAILS = {
    "programme": "api:programme-detail",
    "indicator": "api:indicator-detail",
    "village-data": "api:village-data-detail",
}
USERS = {
    "viewer": "viewer_user",
    "opd_a": "opd_a_user",
    "opd_b": "opd_b_user",
    "camat_x": "camat_x_user",
    "camat_y": "camat_y_user",
    "admin": "admin_user",
}


def _get(client, url, headers, **query):
    return client.get(url, query, **headers)


def test_a_request_without_a_valid_token_is_refused_and_logged(client, public_year, token_for):
    wrong = {"HTTP_AUTHORIZATION": "Token bukan-token"}
    malformed = {"HTTP_AUTHORIZATION": "Token"}
    for url, _query in ENDPOINTS.values():
        assert client.get(url).status_code == 401
        assert client.get(url, **wrong).status_code == 401
        assert client.get(url, **malformed).status_code == 401

    assert ApiRequest.objects.filter(status=401, system_account=None).count() == 18


def test_a_revoked_token_stops_working_at_once(client, public_year, token_for, admin_user):
    headers = token_for("viewer")
    url = reverse("api:programme-list")
    assert client.get(url, **headers).status_code == 200

    system_account_revoke(system=SystemAccount.objects.get(name="Sistem viewer"), actor=admin_user)

    assert client.get(url, **headers).status_code == 401


def test_a_token_of_an_inactive_account_is_refused(client, public_year, token_for, viewer_user):
    headers = token_for("viewer")
    viewer_user.is_active = False
    viewer_user.save(update_fields=["is_active"])

    assert client.get(reverse("api:programme-list"), **headers).status_code == 401


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_public_token_reads_only_published_verified_figures(
    client, public_year, token_for, endpoint
):
    headers = token_for("public")
    url, query = ENDPOINTS[endpoint]

    response = _get(client, url, headers, **query)
    unpublished = _get(client, url, headers, year=UNPUBLISHED_YEAR)

    assert response.status_code == 200
    assert response.json()["count"] > 0
    assert_nothing_private(response.content.decode())
    assert unpublished.status_code in (200, 404)
    if unpublished.status_code == 200:
        assert unpublished.json()["count"] == 0


def test_a_public_token_sees_an_unverified_quarter_as_null(client, public_year, token_for):
    response = _get(client, reverse("api:programme-list"), token_for("public"), q="Terverifikasi")

    (programme,) = response.json()["results"]
    quarters = {q["quarter"]: q for q in programme["quarters"]}
    assert quarters[1]["verified"] is True
    assert quarters[1]["budget_realized"] == 1_000_000
    assert quarters[2] == {
        "quarter": 2,
        "verified": False,
        "budget_realized": None,
        "mean_achievement": None,
        "reported": None,
    }


def test_an_accounts_token_reads_what_its_role_reads(client, public_year, token_for):
    response = _get(client, reverse("api:programme-list"), token_for("viewer"))

    names = {row["name"] for row in response.json()["results"]}
    assert {"Program Tahun Depan", "Rencana Belum Disetujui"} <= names
    q2 = next(
        q
        for row in response.json()["results"]
        if row["name"] == "Bantuan Pangan Terverifikasi"
        for q in row["quarters"]
        if q["quarter"] == 2
    )
    assert (q2["verified"], q2["budget_realized"]) == (False, UNVERIFIED_BUDGET)
    assert (
        _get(client, reverse("api:strategy-list"), token_for("opd_b"), year=2025).status_code == 200
    )


def test_a_record_outside_the_tokens_scope_is_not_found(client, public_year, token_for):
    headers = token_for("public")
    hidden = public_year["hidden"]
    indicator = hidden.indicators.get()

    assert (
        client.get(reverse("api:programme-detail", args=[hidden.pk]), **headers).status_code == 404
    )
    assert (
        client.get(reverse("api:indicator-detail", args=[indicator.pk]), **headers).status_code
        == 404
    )
    viewer = token_for("viewer")
    assert (
        client.get(reverse("api:programme-detail", args=[hidden.pk]), **viewer).status_code == 200
    )


def test_the_indicators_carry_only_the_quarterly_values_the_token_reads(
    client, public_year, token_for
):
    response = _get(client, reverse("api:indicator-list"), token_for("public"), year=2024)

    verified = next(row for row in response.json()["results"] if row["values"])
    assert [value["quarter"] for value in verified["values"]] == [1]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"year": "abc"}, 400),
        ({"year": "1999"}, 400),
        ({"opd": "99999999999999999999999"}, 400),
        ({"strategy": "4"}, 400),
        ({"owner": "bank"}, 400),
        ({"q": "\x00"}, 400),
        ({"page": "999"}, 404),
        ({"page_size": "100000"}, 200),
    ],
)
def test_bad_filters_are_a_clear_answer_not_an_error(client, public_year, token_for, query, status):
    response = _get(client, reverse("api:programme-list"), token_for("viewer"), **query)

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"


def test_the_filters_are_the_tables_parameters(client, public_year, token_for, district_x):
    headers = token_for("viewer")
    url = reverse("api:programme-list")

    by_kecamatan = _get(client, url, headers, year=2024, kecamatan=district_x.code)
    by_strategy = _get(client, url, headers, year=2024, strategy=2)

    assert [row["name"] for row in by_kecamatan.json()["results"]] == ["Air Bersih Desa"]
    assert [row["name"] for row in by_strategy.json()["results"]] == ["Air Bersih Desa"]


def test_programmes_say_their_owner_kind_and_filter_by_it(client, public_year, token_for):
    village_government = AgencyFactory(
        name="Pemerintah Desa Kantong",
        kind=Agency.Kind.VILLAGE,
        village=Village.objects.get(code="62.13.01.2001"),
    )
    PlanFactory(name="BLT-Desa Kantong", agency=village_government, year=2024)
    headers = token_for("viewer")
    url = reverse("api:programme-list")

    villages = _get(client, url, headers, year=2024, owner="village").json()["results"]
    agencies = _get(client, url, headers, year=2024, owner="opd").json()["results"]

    assert [(row["name"], row["owner_kind"]) for row in villages] == [
        ("BLT-Desa Kantong", "village")
    ]
    assert "BLT-Desa Kantong" not in [row["name"] for row in agencies]
    assert {row["owner_kind"] for row in agencies} == {"opd"}


def test_the_api_is_read_only(client, public_year, token_for):
    headers = token_for("admin")
    before = ApiRequest.objects.count()
    for url, _query in ENDPOINTS.values():
        response = client.post(url, json.dumps({}), content_type="application/json", **headers)
        assert response.status_code == 405
    detail = reverse("api:programme-detail", args=[public_year["verified"].pk])
    for method in (client.put, client.patch, client.delete):
        assert method(detail, "{}", content_type="application/json", **headers).status_code == 405
    assert ApiRequest.objects.count() == before + len(ENDPOINTS) + 3


def test_every_request_is_logged_with_its_system_and_no_personal_data(
    client, public_year, token_for
):
    headers = token_for("public")

    client.get(reverse("api:programme-list"), {"year": 2024}, **headers)

    entry = ApiRequest.objects.get()
    assert entry.system_account.name == "Sistem public"
    assert (entry.method, entry.path, entry.query, entry.status) == (
        "GET",
        reverse("api:programme-list"),
        "year=2024",
        200,
    )
    assert {field.name for field in ApiRequest._meta.fields} == {
        "id",
        "at",
        "system_account",
        "method",
        "path",
        "query",
        "status",
        "duration_ms",
    }


def test_a_token_asking_too_often_is_told_to_wait(client, public_year, token_for, monkeypatch):
    monkeypatch.setattr(PerSystemAccount, "THROTTLE_RATES", {"system_account": "2/min"})
    headers = token_for("public")
    url = reverse("api:programme-list")

    statuses = [client.get(url, **headers).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert client.get(url, **token_for("viewer")).status_code == 200


def test_the_schema_and_its_documentation_page_are_served_by_the_app(client, db):
    schema = client.get(reverse("api:schema"))
    docs = client.get(reverse("api:docs"))
    script = client.get(reverse("api:docs"), {"script": ""})

    assert schema.status_code == 200
    assert b"/api/v1/programmes/" in schema.content
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "cdn" not in page.lower()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert script.status_code == 200


# ---- The administrator creates and revokes tokens in the admin ---------------------------


def test_the_administrator_creates_a_token_and_sees_it_once(client, admin_user, viewer_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:api_systemaccount_add"),
        {"name": "Dasbor Provinsi", "account": viewer_user.pk},
        follow=True,
    )

    system = SystemAccount.objects.get(name="Dasbor Provinsi")
    (message,) = [
        str(m)
        for m in get_messages(response.wsgi_request)
        if "Dasbor Provinsi" in str(m) and "Token" in str(m)
    ]
    key = message.rsplit(": ", 1)[1]
    assert key.startswith(system.key_prefix)
    assert key not in system.key_digest
    client.logout()
    api = client.get(reverse("api:programme-list"), HTTP_AUTHORIZATION=f"Token {key}")
    assert api.status_code == 200
    assert key not in client.get(reverse("api:programme-list")).content.decode()


def test_the_administrator_revokes_tokens_in_the_admin(client, admin_user, token_for):
    headers = token_for("public")
    system = SystemAccount.objects.get()
    client.force_login(admin_user)

    client.post(
        reverse("admin:api_systemaccount_changelist"),
        {"action": "revoke", "_selected_action": [system.pk]},
    )

    client.logout()
    assert client.get(reverse("api:programme-list"), **headers).status_code == 401
    system.refresh_from_db()
    assert system.revoked_at is not None


@pytest.mark.parametrize("role", ["viewer", "opd_a", "camat_x"])
def test_only_an_administrator_keeps_tokens(request, client, role):
    user = request.getfixturevalue(USERS[role])
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client.force_login(user)

    for name in ("admin:api_systemaccount_changelist", "admin:api_systemaccount_add"):
        assert client.get(reverse(name)).status_code == 403
    assert client.get(reverse("admin:api_apirequest_changelist")).status_code == 403
    with pytest.raises(PermissionDenied):
        system_account_create(name="Liar", actor=user)
