"""The pieces of code that exist only for speed (docs/performance.md) still do their work:
each test fails when a library upgrade or a change makes its piece a no-op."""

import inspect

import pytest
from django.urls import reverse

from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_an_export_inspects_the_columns_methods_no_more_for_twice_the_rows(
    viewer_client, agency_a, monkeypatch, export
):
    # helpers.tables.memoised_signature: without it every cell asks inspect.signature().
    inspections = []
    stock = inspect.signature

    def counted(*args, **kwargs):
        inspections.append(args[0])
        return stock(*args, **kwargs)

    monkeypatch.setattr(inspect, "signature", counted)

    def inspections_for_an_export() -> int:
        inspections.clear()
        response = viewer_client.get(reverse("programs:program_list"), {"_export": export})
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200 and body
        return len(inspections)

    ProgramFactory.create_batch(20, agency=agency_a, year=2024)
    inspections_for_an_export()  # the first export fills the memo
    with_20 = inspections_for_an_export()
    ProgramFactory.create_batch(20, agency=agency_a, year=2024)

    assert inspections_for_an_export() == with_20
