"""Screenshots of the main pages for the README, made with the browser tests' own plumbing
against the demo year. Not part of a normal test run: `scripts/screenshots` sets
SCREENSHOTS_DIR and runs this file; without it the test is skipped."""

import os
from pathlib import Path

import pytest

from demo.demo import DEMO_PASSWORD
from programs.models import Program
from tests.browser.conftest import PHONE

DESKTOP = {"width": 1280, "height": 800}

pytestmark = pytest.mark.skipif(
    not os.environ.get("SCREENSHOTS_DIR"),
    reason="screenshots are made by scripts/screenshots (SCREENSHOTS_DIR is not set)",
)


def shots(demo_data):
    """(file name, account, path, viewport): the pages a reader of the README should see."""
    programme = Program.objects.filter(status="approved").order_by("pk").first()
    viewer, admin = demo_data["viewer"], demo_data["admin"]
    return [
        ("login", None, "/login/", DESKTOP),
        ("dashboard", viewer, "/", DESKTOP),
        ("home-opd", demo_data["opd_sosial"], "/", DESKTOP),
        ("home-camat", demo_data["camat_dusun_timur"], "/", DESKTOP),
        ("home-admin", admin, "/", DESKTOP),
        ("meeting-report", viewer, f"/reports/{programme.year}/", DESKTOP),
        ("villages", viewer, "/villages/", DESKTOP),
        ("programmes", viewer, "/programs/?sort=-mean_achievement", DESKTOP),
        ("indicators", viewer, "/indicators/", DESKTOP),
        ("strategies", viewer, "/strategies/", DESKTOP),
        ("opd-ranking", viewer, "/opd/", DESKTOP),
        ("targeting", viewer, "/targeting/", DESKTOP),
        ("programme", viewer, f"/programs/{programme.pk}/", DESKTOP),
        ("village-data", demo_data["camat_dusun_timur"], "/village-data/", DESKTOP),
        ("review-queue", admin, "/review/", DESKTOP),
        ("excel", admin, "/excel/", DESKTOP),
        ("needs", viewer, "/needs/?need=housing", DESKTOP),
        ("families", viewer, "/families/measures/", DESKTOP),
        ("public", None, "/open/", DESKTOP),
        ("programmes-phone", viewer, "/programs/", PHONE),
    ]


def test_save_screenshots_of_the_main_pages(live_server, new_page, log_in, demo_data):
    folder = Path(os.environ["SCREENSHOTS_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    pages = {}
    for name, account, path, viewport in shots(demo_data):
        key = (account.username if account else "anonymous", viewport["width"])
        if key not in pages:
            pages[key] = new_page(viewport=viewport)
            if account:
                log_in(pages[key], account, DEMO_PASSWORD)
        page = pages[key]
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        # A phone's first two screens: the filters and the table that scrolls in its box.
        clip = {"x": 0, "y": 0, "width": PHONE["width"], "height": 2 * PHONE["height"]}
        page.screenshot(
            path=folder / f"{name}.png",
            animations="disabled",
            full_page=viewport == PHONE,
            clip=clip if viewport == PHONE else None,
        )
