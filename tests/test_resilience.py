"""The app survives the database restarting, and a backup restores the same records."""

import io
from datetime import datetime

import psycopg
import pytest
from django.core.management import call_command
from django.db import close_old_connections, connection

from bartim.models import Agency, Village
from indicators.models import IndicatorValue
from programs.models import Program
from tests.factories import IndicatorValueFactory, ProgramFactory, VillageDataFactory
from villages.models import VillageData


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_next_request_succeeds_after_the_database_dropped_the_apps_connection(client):
    assert client.get("/healthz").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        app_pid = cursor.fetchone()[0]
    settings_dict = connection.settings_dict
    with psycopg.connect(
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or 5432,
        user=settings_dict["USER"],
        dbname=settings_dict["NAME"],
        autocommit=True,
    ) as other:
        # What a database restart does to the app: the connection it kept is gone.
        other.execute("SELECT pg_terminate_backend(%s)", [app_pid])

    # Django does this at the start of every request; the test client skips it.
    close_old_connections()
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def _rows(models):
    """Every row of `models`; times to the millisecond, as Django's JSON dump keeps them."""

    def kept(value):
        if isinstance(value, datetime):
            return value.replace(microsecond=value.microsecond // 1000 * 1000)
        return value

    return {
        model: [
            {k: kept(v) for k, v in row.items()} for row in model.objects.order_by("pk").values()
        ]
        for model in models
    }


@pytest.mark.django_db(transaction=True)
def test_a_dump_restored_into_an_empty_database_gives_back_the_same_records(tmp_path):
    program = ProgramFactory(budget_ceiling=1_250_000_000, budget_realized_q1=250_000_000)
    IndicatorValueFactory(indicator__program=program)
    VillageDataFactory()
    models = [Agency, Village, Program, IndicatorValue, VillageData]
    before = _rows(models)
    targets_before = list(program.target_villages.values_list("pk", flat=True))
    dump = io.StringIO()
    call_command(
        "dumpdata",
        "bartim",
        "programs",
        "indicators",
        "villages",
        stdout=dump,
    )

    call_command("flush", "--no-input")
    assert not Program.objects.exists()
    backup = tmp_path / "backup.json"
    backup.write_text(dump.getvalue())
    call_command("loaddata", str(backup), verbosity=0)

    assert _rows(models) == before
    assert list(Program.objects.get().target_villages.values_list("pk", flat=True)) == (
        targets_before
    )
