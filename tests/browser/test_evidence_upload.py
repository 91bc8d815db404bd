"""An OPD operator attaches two evidence files to a quarter's report on the quarter page,
sees them listed, and opens one."""

import pytest
from playwright.sync_api import expect

from evidence.samples import sample_pdf, sample_png
from tests.factories import ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_operator_uploads_two_evidence_files_on_the_quarter_page(
    live_server, page, log_in, opd_a_user, agency_a
):
    program = ProgramFactory(agency=agency_a)
    log_in(page, opd_a_user)

    page.goto(f"{live_server.url}/programs/{program.pk}/quarter/1/")
    page.get_by_label("Tambah berkas bukti dukung").set_input_files(
        [
            {"name": "berita_acara.pdf", "mimeType": "application/pdf", "buffer": sample_pdf()},
            {"name": "foto_lokasi.png", "mimeType": "image/png", "buffer": sample_png()},
        ]
    )
    page.get_by_role("button", name="Unggah").click()

    expect(page.get_by_role("alert").filter(has_text="2 berkas bukti dukung")).to_be_visible()
    evidence = page.locator("section", has=page.get_by_role("heading", name="Berkas bukti dukung"))
    expect(evidence.get_by_role("link", name="berita_acara.pdf")).to_be_visible()
    expect(evidence.get_by_role("link", name="foto_lokasi.png")).to_be_visible()
    with page.expect_download() as download:
        evidence.get_by_role("link", name="foto_lokasi.png").click()
    assert download.value.suggested_filename == "foto_lokasi.png"
