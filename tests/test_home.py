from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import PovertyStatisticFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("reports:dashboard"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_home_shows_bps_series_in_indonesian_format(client, viewer_user):
    PovertyStatisticFactory(
        year=2022, poor_people=8420, poverty_rate=Decimal("6.59"), poverty_line=571786
    )
    PovertyStatisticFactory(year=2024, poor_people=8740, poverty_rate=Decimal("6.66"))
    client.force_login(viewer_user)

    response = client.get(reverse("reports:dashboard"))

    content = response.content.decode()
    assert "8.740 jiwa" in content
    assert "6,66%" in content
    assert "Rp571.786" in content
    assert content.index("2022") < content.index("2024")
