"""The evaluation meeting report on paper, in Chromium: the demo year printed on A4."""

import re

from django.urls import reverse

from bartim.models import User
from demo.demo import DEMO_PASSWORD, demo_load

# 210 mm less 2 x 12 mm margins, at CSS's 96 px per inch.
PRINTABLE_WIDTH_PX = round((210 - 24) / 25.4 * 96)
CHART_MAX_HEIGHT_PX = round(80 / 25.4 * 96)
A4_POINTS = (595, 842)


def test_the_report_prints_on_a4_without_navigation_and_within_the_page(
    live_server, reference_data, new_page, log_in
):
    demo_load(year=2024)
    page = new_page(viewport={"width": PRINTABLE_WIDTH_PX, "height": 1000})
    log_in(page, User.objects.get(username="viewer"), password=DEMO_PASSWORD)
    page.goto(live_server.url + reverse("reports:meeting_report", args=[2024]))

    # The print button opens the browser's print dialogue.
    page.evaluate("window.print = () => { window.printed = true; }")
    page.click("#print-button")
    assert page.evaluate("window.printed") is True

    page.emulate_media(media="print")
    assert not page.locator("nav.navbar").is_visible()
    assert not page.locator("#print-button").is_visible()
    widths = page.evaluate(
        "Array.from(document.querySelectorAll('table')).map(t => [t.id, t.scrollWidth])"
    )
    assert len(widths) >= 6
    assert all(width <= PRINTABLE_WIDTH_PX + 1 for _id, width in widths), widths
    heights = page.evaluate(
        "Array.from(document.querySelectorAll('svg.chart'))"
        ".map(c => c.getBoundingClientRect().height)"
    )
    assert len(heights) == 3
    assert all(0 < height <= CHART_MAX_HEIGHT_PX + 1 for height in heights), heights

    pdf = page.pdf(prefer_css_page_size=True)
    boxes = re.findall(rb"/MediaBox\s*\[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    # One page per section group at least: trend, strategies, ranking, pockets, off track.
    assert len(boxes) >= 5
    assert all((round(float(w)), round(float(h))) == A4_POINTS for w, h in boxes)
