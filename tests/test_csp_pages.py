"""Every main page keeps to the Content-Security-Policy: no inline script, handler or style."""

import pytest
from django.urls import reverse

from .csp import assert_csp_clean
from .factories import IndicatorValueFactory, PovertyStatisticFactory, VillageDataFactory

pytestmark = pytest.mark.django_db

PAGES = [
    ("home", {}),
    ("program_list", {}),
    ("indicator_list", {}),
    ("strategy_list", {}),
    ("agency_list", {}),
    ("village_list", {}),
    ("targeting", {}),
    ("entry:program_create", {}),
    ("entry:village_data_list", {}),
    ("entry:review_queue", {}),
    ("entry:period_locks", {}),
    ("entry:audit", {}),
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
        reverse("entry:program_detail", args=[program.pk]),
        reverse("entry:program_edit", args=[program.pk]),
        reverse("entry:program_quarter", args=[program.pk, 1]),
        reverse("entry:program_history", args=[program.pk]),
    ]:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_csp_clean(response)
