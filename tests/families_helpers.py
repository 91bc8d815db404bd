"""Obviously synthetic registry rows for the families tests: NIKs 6213 00.. and No. KK
6213 99.., names "Keluarga Uji n". Nothing here looks like a real person."""

import datetime

from families.services import registry_import

HEADER = "No. KK;NIK;Nama;Kode Desa;Alamat;RT;RW;Desil;Jumlah Anggota;Lansia"


def nik(n: int) -> str:
    return f"6213{n:012d}"


def kk(n: int) -> str:
    return f"621399{n:010d}"


def name(n: int) -> str:
    return f"Keluarga Uji {n:02d}"


def registry_row(n, place, decile, members=4, elderly="tidak", **overrides) -> str:
    cells = {
        "kk": kk(n),
        "nik": nik(n),
        "name": name(n),
        "village": place.code,
        "address": f"Jalan Uji {n}",
        "rt": "001",
        "rw": "002",
        "decile": str(decile),
        "members": str(members),
        "elderly": elderly,
    } | overrides
    return ";".join(cells.values())


def registry_csv(rows) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def import_registry(admin, rows, *, confirm=True, label="DTSEN Uji"):
    from families.services import snapshot_confirm

    snapshot = registry_import(
        actor=admin,
        content=registry_csv(rows),
        filename="dtsen.csv",
        label=label,
        taken_on=datetime.date(2025, 6, 30),
    )
    if confirm:
        snapshot_confirm(actor=admin, snapshot=snapshot)
    return snapshot
