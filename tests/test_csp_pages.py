"""Every main page keeps to the Content-Security-Policy: no inline script, handler or style."""

import pytest
from django.urls import reverse

from tests.csp import assert_csp_clean
from tests.factories import IndicatorValueFactory, PovertyStatisticFactory, VillageDataFactory

pytestmark = pytest.mark.django_db

PAGES = [
    ("reports:dashboard", {}),
    ("programs:program_list", {}),
    ("programs:indicator_list", {}),
    ("programs:strategy_list", {}),
    ("programs:agency_list", {}),
    ("villages:village_list", {}),
    ("reports:targeting", {}),
    ("programs:program_create", {}),
    ("villages:village_data_list", {}),
    ("review:review_queue", {}),
    ("review:period_locks", {}),
    ("review:audit", {}),
    ("password_change", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_page_obeys_the_content_security_policy(admin_client, village_x, name, kwargs):
    PovertyStatisticFactory()
    IndicatorValueFactory(indicator__program__target_villages=[village_x])
    VillageDataFactory(village=village_x)

    response = admin_client.get(reverse(name, kwargs=kwargs))

    assert response.status_code == 200
    assert_csp_clean(response)


def test_programme_pages_obey_the_content_security_policy(admin_client, village_x):
    value = IndicatorValueFactory(indicator__program__target_villages=[village_x])
    program = value.indicator.program

    for url in [
        reverse("programs:program_detail", args=[program.pk]),
        reverse("programs:program_edit", args=[program.pk]),
        reverse("programs:program_quarter", args=[program.pk, 1]),
        reverse("review:program_history", args=[program.pk]),
    ]:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_csp_clean(response)
