"""Each role starts from its own home page (/) after logging in and reaches its next task in
one click, on the demo year."""

import re

from playwright.sync_api import expect

from demo.demo import DEMO_PASSWORD


def _home(page, live_server, log_in, account):
    page.goto(live_server.url + "/")
    log_in(page, account, DEMO_PASSWORD)
    assert page.url == live_server.url + "/"
    return page


def test_an_agency_reaches_its_next_report_in_one_click(live_server, page, log_in, demo_data):
    _home(page, live_server, log_in, demo_data["opd_sosial"])
    next_step = page.locator("#my-programmes tbody a.btn-success").first
    expect(next_step).to_be_visible()

    next_step.click()

    expect(page).to_have_url(re.compile(r"/programs/\d+/(quarter/[1-4]/)?$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_a_camat_reaches_a_villages_data_in_one_click(live_server, page, log_in, demo_data):
    _home(page, live_server, log_in, demo_data["camat_dusun_timur"])
    next_step = page.locator("#my-villages tbody a.btn-success").first
    expect(next_step).to_be_visible()

    next_step.click()

    expect(page).to_have_url(
        re.compile(r"/village-data/(new/\?village=[\d.]+&year=\d+|\d+/edit/)$")
    )
    expect(page.locator("form input[name=population]")).to_be_visible()


def test_the_administrator_reaches_the_filtered_review_queue_in_one_click(
    live_server, page, log_in, demo_data
):
    _home(page, live_server, log_in, demo_data["admin"])

    page.locator("#waiting a", has_text="Rencana").click()

    expect(page).to_have_url(re.compile(r"/review/\?kind=plan$"))
    expect(page.get_by_label("Jenis")).to_have_value("plan")


def test_a_viewer_starts_on_the_dashboard(live_server, page, log_in, demo_data):
    _home(page, live_server, log_in, demo_data["viewer"])

    expect(page.locator("svg.chart").first).to_be_visible()


def test_select_all_ticks_every_row_and_a_refused_return_keeps_them(
    live_server, page, log_in, demo_data
):
    page.goto(live_server.url + "/review/?kind=plan")
    log_in(page, demo_data["admin"], DEMO_PASSWORD)
    rows = page.locator("#review-queue tbody input[type=checkbox]")
    expect(rows.first).to_be_visible()

    page.get_by_label("Pilih semua yang ditampilkan").check()
    ticked = rows.count()
    page.get_by_role("button", name="Kembalikan yang dipilih").click()

    expect(page.locator("#id_reason-error")).to_be_visible()
    expect(page.get_by_label("Jenis")).to_have_value("plan")
    assert ticked > 1
    assert [rows.nth(i).is_checked() for i in range(rows.count())] == [True] * ticked


def test_an_agency_reads_a_returned_notice_from_the_inbox_and_lands_on_the_record(
    live_server, page, log_in, demo_data
):
    _home(page, live_server, log_in, demo_data["opd_sosial"])
    unread = int(page.locator("#nav-unread").inner_text().split()[0])
    assert unread >= 1

    page.locator("#nav-inbox").click()
    notice = page.locator("#notification-list li[data-kind=returned]").first
    expect(notice).to_contain_text("Alasan:")  # the reason, as in the e-mail
    notice.get_by_role("link").click()

    expect(page).to_have_url(re.compile(r"/programs/\d+/(quarter/[1-4]/)?$"))
    expect(page.locator("#nav-unread")).to_contain_text(str(unread - 1))
