"""Smoke test in a real browser: the way in, in Indonesian, with the app's own styles."""

from decimal import Decimal

from bartim.models import User
from tests.factories import PovertyStatisticFactory, UserFactory

# Bootstrap 5.3's "success" green, the navbar's background once bootstrap.min.css applies.
BOOTSTRAP_SUCCESS = "rgb(25, 135, 84)"


def test_visitor_logs_in_and_sees_the_bps_figures(live_server, page, log_in):
    viewer = UserFactory(username="bupati", role=User.Role.VIEWER)
    PovertyStatisticFactory(year=2024, poor_people=8740, poverty_rate=Decimal("6.66"))
    static_responses = []

    def record_static(response):
        if "/static/" in response.url:
            static_responses.append((response.url, response.status))

    page.on("response", record_static)

    page.goto(live_server.url + "/")

    assert page.locator("h1").inner_text() == "Masuk"
    assert "/login/" in page.url

    log_in(page, viewer)

    assert page.url == live_server.url + "/"
    row_2024 = page.locator("#bps-series tbody tr", has_text="2024")
    assert row_2024.locator("td").nth(0).inner_text() == "8.740 jiwa"
    assert row_2024.locator("td").nth(1).inner_text() == "6,66%"
    navbar_background = page.locator("nav.navbar").evaluate(
        "element => getComputedStyle(element).backgroundColor"
    )
    assert navbar_background == BOOTSTRAP_SUCCESS
    assert any(url.endswith("/bootstrap.min.css") for url, _ in static_responses)
    # 304: the browser revalidated a file it already had from the login page.
    assert all(status in (200, 304) for _, status in static_responses), static_responses


def test_every_page_has_the_apps_own_icon(live_server, page, log_in):
    """Without one, browsers ask for /favicon.ico on every page and log a 404."""
    admin = UserFactory(username="admin-ikon", role=User.Role.ADMIN)
    for path in ("/login/", "/admin/login/"):
        page.goto(live_server.url + path)
        icon = page.locator("link[rel=icon]")
        response = page.request.get(live_server.url + icon.get_attribute("href"))
        assert response.status == 200, path
        assert response.headers["content-type"].startswith("image/svg+xml"), path
    log_in(page, admin)
    assert page.locator("link[rel=icon]").count() == 1
