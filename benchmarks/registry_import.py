"""A regency's registry extract imported as the administrator does it (docs/performance.md):
a file of N synthetic families read, checked and saved as an unconfirmed snapshot (the
preview, with the counts the preview page shows), then confirmed; the time and the growth of
this process's memory of each step. The snapshot is deleted afterwards, so the database is
left as it was (but for a new data version).

The file's NIKs and No. KK begin with 98, which no province has (the synthetic registry's
begin with 99); its names are "KK Uji Impor n"."""

import csv
import datetime
import io
import os
import random
import time
from dataclasses import dataclass

from django.db.models import Count, Q
from openpyxl import Workbook

from bartim.models import Village
from benchmarks.measure import MemorySampler
from families import services
from families.models import RegistrySnapshot

HEADER = (
    "No. KK",
    "NIK",
    "Nama",
    "Kode Desa",
    "Alamat",
    "RT",
    "RW",
    "Desil",
    "Jumlah Anggota",
    "Lansia",
    "Disabilitas",
    "Balita",
    "Kepala Perempuan",
)
# Dated long before any real snapshot, so it is never the latest one while it exists.
TAKEN_ON = datetime.date(2000, 1, 1)


@dataclass
class Step:
    name: str
    seconds: float
    rss_growth_mb: float | None


def registry_rows(families: int, villages: list[str], seed: int = 1):
    rng = random.Random(f"registry-import-{seed}")
    for n in range(1, families + 1):
        yield (
            f"9801{n:012d}",
            f"9802{n:012d}",
            f"KK Uji Impor {n}",
            villages[n % len(villages)],
            f"Jalan Uji {n % 40 + 1}",
            f"{n % 9 + 1:03d}",
            "001",
            rng.randint(1, 10),
            rng.randint(1, 7),
            rng.choice(("ya", "tidak")),
            rng.choice(("tidak", "tidak", "ya")),
            rng.choice(("ya", "tidak")),
            rng.choice(("tidak", "tidak", "ya")),
        )


def extract(families: int, villages: list[str], xlsx: bool) -> bytes:
    """The extract as an administrator would upload it: CSV with semicolons, or XLSX with
    the numbers as text (as the registry's own export has them)."""
    rows = registry_rows(families, villages)
    if not xlsx:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(rows)
        return out.getvalue().encode()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("DTSEN")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(*, actor, families: int, xlsx: bool = False) -> tuple[int, list[Step]]:
    """(bytes of the file, the steps measured). The villages are the first synthetic
    regency's, or any 103 when there is none."""
    villages = list(
        Village.objects.filter(code__startswith="99.01.").values_list("code", flat=True)
    ) or list(Village.objects.order_by("code").values_list("code", flat=True)[:103])
    content = extract(families, villages, xlsx)
    filename = "dtsen-uji.xlsx" if xlsx else "dtsen-uji.csv"
    steps = []
    with MemorySampler([os.getpid()]) as sampler:

        def step(name, work):
            sampler.begin()
            started = time.perf_counter()
            result = work()
            steps.append(Step(name, time.perf_counter() - started, sampler.end()))
            return result

        snapshot = step(
            "preview (read, check, save unconfirmed)",
            lambda: services.registry_import(
                actor=actor,
                content=content,
                filename=filename,
                label="Uji impor (benchmark)",
                taken_on=TAKEN_ON,
            ),
        )
        try:
            step("preview page's counts", lambda: _preview_counts(snapshot))
            step("confirm", lambda: services.snapshot_confirm(actor=actor, snapshot=snapshot))
        finally:
            services.snapshot_delete(
                actor=actor, snapshot=RegistrySnapshot.objects.get(pk=snapshot.pk)
            )
    return len(content), steps


def _preview_counts(snapshot) -> None:
    # What families.views.registry_preview shows: families per decile and per kecamatan.
    families = snapshot.families.all()
    list(families.values("decile").annotate(count=Count("pk")).order_by("decile"))
    list(
        families.values("village__district__name")
        .annotate(count=Count("pk"), decile1=Count("pk", filter=Q(decile=1)))
        .order_by("village__district__name")
    )
