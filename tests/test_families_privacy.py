"""No NIK, No. KK or name in clear in the database or the logs after a demo load and the
pages that show and export names (issue 18, Goals; docs/privacy.md)."""

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from demo.demo import demo_load
from families.crypto import id_hash, split_ids
from families.models import Beneficiary, Family
from programs.models import Program

pytestmark = pytest.mark.django_db


def _database_dump() -> str:
    """Every row of every table as the database holds it (not through the models, which
    would decrypt)."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            parts.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(parts)


def _clear_values() -> set[str]:
    values = set()
    for family in Family.objects.all():
        values.update(split_ids(family.ids))
        values.add(family.name)
    for record in Beneficiary.objects.all():
        values.update(split_ids(record.ids))
        values.add(record.name)
    return values - {""}


def test_no_personal_value_in_clear_in_the_database_or_the_logs(
    reference_data, settings, client, caplog, capsys
):
    caplog.set_level(logging.DEBUG)
    demo_load(year=2024)
    from bartim.models import User

    admin = User.objects.get(username="admin")
    camat = User.objects.get(username="camat_dusun_timur")
    opd = User.objects.get(username="opd_sosial")
    program = Program.objects.filter(agency=opd.agency, year=2024).first()
    family = Family.objects.order_by("pk").first()
    nik, kk = split_ids(family.ids)
    client.force_login(admin)
    client.get(reverse("families:unreached"), {"year": 2024})
    client.get(reverse("families:unreached"), {"year": 2024, "_export": "csv"})
    client.get(reverse("families:measures"), {"year": 2024, "by": "village"})
    # A registry file with a duplicated No. KK and a short NIK: errors, nothing saved.
    bad = f"No. KK;NIK;Nama;Kode Desa;Desil;Jumlah Anggota\n{kk};{nik};{family.name};x;1;2\n"
    bad += f"{kk};{nik[:-1]};{family.name};{family.village.code};1;2\n"
    client.post(
        reverse("families:registry_upload"),
        {
            "label": "Uji",
            "taken_on": "2025-01-01",
            "file": SimpleUploadedFile("x.csv", bad.encode()),
        },
    )
    client.force_login(camat)
    client.get(reverse("families:unreached"), {"year": 2024, "_export": "xlsx"})
    client.force_login(opd)
    client.get(reverse("families:beneficiaries", args=[program.pk]))
    client.post(
        reverse("families:beneficiaries", args=[program.pk]),
        {"nik": nik, "name": family.name, "quarter": 1, "kind": "food"},
    )

    clear = _clear_values()
    dump = _database_dump()
    captured = capsys.readouterr()
    logs = caplog.text + captured.out + captured.err

    assert len(clear) > 1000 and Family.objects.count() > 500
    assert id_hash(kk) in dump  # the dump does hold the registry, only not in clear
    leaked = sorted(value for value in clear if value in dump or value in logs)
    assert leaked == []
