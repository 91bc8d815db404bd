"""An anonymous visitor reads the public page and downloads the open data, in Indonesian and
in English, on a desktop and on a 375 px phone (issue 20)."""

from django.urls import reverse

from tests.browser.conftest import PHONE, accessibility_violations, horizontal_overflow
from tests.public_helpers import assert_nothing_private


def _download(page, link_name):
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).first.click()
    download = info.value
    return download.suggested_filename, open(download.path(), encoding="utf-8-sig").read()


def test_anonymous_visitor_reads_the_public_page_and_downloads_in_both_languages(
    live_server, transactional_db, public_year, new_page
):
    page = new_page()
    page.goto(live_server.url + reverse("transparency:page"))

    assert page.get_by_role("heading", level=1).inner_text() == (
        "Penanggulangan kemiskinan di Barito Timur"
    )
    assert "login" not in page.url
    strategy = page.get_by_role("article").filter(has_text="Strategi 1")
    assert strategy.get_by_role("cell", name="Bantuan Pangan Terverifikasi").count() == 1
    assert "1 dari 1 kantong kemiskinan" in page.locator("#public-pockets-share").inner_text()
    assert_nothing_private(page.content())
    name, content = _download(page, "CSV")
    assert name == "bartim-programmes-2024.csv"
    assert "Bantuan Pangan Terverifikasi" in content
    assert "Tahun;" in content  # Indonesian headers, semicolons for Indonesian Excel
    assert_nothing_private(content)

    page.get_by_label("Bahasa").select_option("en")
    with page.expect_navigation():
        page.get_by_role("button", name="Ganti").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Poverty reduction in Barito Timur"
    assert "reach 1 of 1 poverty pockets" in page.locator("#public-pockets-share").inner_text()
    name, content = _download(page, "JSON")
    assert name == "bartim-programmes-2024.json"
    assert '"programme": "Bantuan Pangan Terverifikasi"' in content
    assert_nothing_private(content)
    page.get_by_role("link", name="Data dictionary").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Open data: data dictionary"
    name, content = _download(page, "CSV")
    assert "Year," in content
    assert accessibility_violations(page) == []


def test_the_public_page_reads_on_a_phone(live_server, transactional_db, public_year, new_page):
    page = new_page(viewport=PHONE)

    page.goto(live_server.url + reverse("transparency:page"))

    assert horizontal_overflow(page) == 0
    assert page.get_by_role("cell", name="Air Bersih Desa").is_visible()
    assert accessibility_violations(page) == []


def test_the_api_documentation_page_works_under_the_apps_content_security_policy(
    live_server, transactional_db, new_page
):
    page = new_page()
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    outside = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith((live_server.url, "data:"))
            else None
        ),
    )

    page.goto(live_server.url + reverse("transparency:dictionary"))
    page.get_by_role("link", name="Dokumentasi API").click()

    from playwright.sync_api import expect

    expect(page.get_by_text("/api/v1/programmes/").first).to_be_visible()
    assert outside == []
    assert refused == []
