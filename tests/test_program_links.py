import pytest
from django.urls import reverse

from tests.factories import ProgramFactory
from tests.table_helpers import csv_rows

pytestmark = pytest.mark.django_db


def test_programme_names_open_the_programme_page(viewer_client):
    program = ProgramFactory(name="Bedah Rumah")

    listing = viewer_client.get(reverse("programs:program_list"), {"year": program.year})
    detail = viewer_client.get(reverse("programs:program_detail", args=[program.pk]))

    link = f'<a href="/programs/{program.pk}/"><span class="long-text" title="Bedah Rumah">'
    assert link in listing.content.decode()
    assert detail.status_code == 200


def test_programme_names_export_as_plain_text(viewer_client):
    program = ProgramFactory(name="Bedah Rumah")

    response = viewer_client.get(
        reverse("programs:program_list"), {"year": program.year, "_export": "csv"}
    )

    assert [row[0] for row in csv_rows(response)[1:]] == ["Bedah Rumah"]
