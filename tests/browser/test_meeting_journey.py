"""A viewer's meeting journey in Chromium: the dashboard, then the year's report, each with
its charts drawn, then the report's workbook."""

from io import BytesIO

from openpyxl import load_workbook
from playwright.sync_api import expect

from bartim.models import User
from demo.demo import DEMO_PASSWORD, demo_load
from programs.models import Strategy
from villages.models import PovertyStatistic


def test_dashboard_and_report_render_their_charts(live_server, reference_data, new_page, log_in):
    demo_load(year=2024)
    trend_years = PovertyStatistic.objects.filter(poor_people__isnull=False).count()
    page = new_page()
    log_in(page, User.objects.get(username="viewer"), password=DEMO_PASSWORD)

    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    charts = page.locator("svg.chart")
    expect(charts.first).to_be_visible()
    # One bar per BPS year with a count of poor people, each drawn with a height.
    bars = page.locator("svg.chart").first.locator("rect title")
    assert bars.count() == trend_years
    assert all(box["height"] > 0 for box in _boxes(page.locator("svg.chart").first))

    page.get_by_role("link", name="Laporan rapat").first.click()
    expect(page).to_have_url(live_server.url + "/reports/2024/")
    assert page.locator("svg.chart").count() >= 3
    for index in range(page.locator("svg.chart").count()):
        expect(page.locator("svg.chart").nth(index)).to_be_visible()

    with page.expect_download() as download_info:
        page.locator("#xlsx-link").click()
    with open(download_info.value.path(), "rb") as file:
        workbook = load_workbook(BytesIO(file.read()))
    cells = {
        str(value)
        for sheet in workbook
        for row in sheet.iter_rows(values_only=True)
        for value in row
    }
    # Every strategy named on the page is in the workbook too.
    assert set(Strategy.objects.values_list("name", flat=True)) <= cells


def _boxes(chart):
    return chart.locator("rect").evaluate_all(
        "rects => rects.map(r => r.getBoundingClientRect().toJSON())"
    )
