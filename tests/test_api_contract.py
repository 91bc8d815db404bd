"""Contract testing of the API (issue 20, item 4): its OpenAPI schema validates, and
schemathesis, generating requests from that schema for every operation with a public and an
account's token, finds no server error, no answer outside the schema and, for the public
token, nothing outside its scope (an unpublished year, an unverified figure, a person).

Bounded so that the suite stays quick: EXAMPLES per operation and token, derandomised (the
same examples every run, so a failure is reproducible), no example database."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.models import ApiRequest
from bartim.wsgi import application
from tests.public_helpers import assert_nothing_private

pytestmark = pytest.mark.django_db

EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
]


@pytest.fixture
def in_process_requests(settings):
    """Requests through the WSGI application inside the test's transaction: Django's test
    client closes no connection between requests either."""
    settings.ALLOWED_HOSTS = ["*"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_schema_is_valid_openapi():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    validate_schema(schema)
    assert set(schema["paths"]) >= {
        "/api/v1/programmes/",
        "/api/v1/indicators/",
        "/api/v1/village-data/",
        "/api/v1/strategies/",
        "/api/v1/pockets/",
        "/api/v1/targeting/",
    }


@pytest.mark.parametrize("role", ["public", "viewer"])
def test_schemathesis_finds_no_error_no_schema_break_and_no_leak(
    in_process_requests, public_year, token_for, role
):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    headers = {"Authorization": token_for(role)["HTTP_AUTHORIZATION"]}
    checks = [*CHECKS, status_code_conformance] if role == "public" else CHECKS
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 9

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def keeps_the_contract(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=checks)
            if role == "public":
                assert_nothing_private(response.text)

        keeps_the_contract()

    # Each operation answered generated requests, most of them with data.
    answered = ApiRequest.objects.filter(status=200).values_list("path", flat=True)
    assert len(set(answered)) >= 6
