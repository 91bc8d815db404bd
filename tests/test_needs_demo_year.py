"""The basic-needs check on the demo year (load_demo's 2024): the page's export, the meeting
report's section and docs/targeting.md's worked example agree with the test's own
arithmetic of the rule (top 20% of the villages with data by deficit per 100 households,
at least 10 counted, no counted programme of the need reaching the village)."""

import math
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from demo.demo import demo_load
from programs.models import NeedDimension, Program
from tests.meeting_helpers import percent2, table_rows
from tests.table_helpers import csv_rows
from villages.models import VillageData

YEAR = 2024
FLAGGED = "Kekurangan tinggi, belum ada program kebutuhan ini"
DOC = Path(settings.BASE_DIR) / "docs" / "targeting.md"


@pytest.fixture
def viewer(client, viewer_user, reference_data):
    demo_load(year=YEAR)
    client.force_login(viewer_user)
    return client


def _own(statuses) -> dict[str, list[dict]]:
    """Per measured need, the villages ranked as the rule says, by the test's arithmetic: the
    village data and the programmes of `statuses` count."""
    data = list(
        VillageData.objects.filter(year=YEAR, status__in=statuses).values(
            "village_id",
            "village__code",
            "village__name",
            "households",
            *[d.figure for d in NeedDimension.objects.exclude(figure="")],
        )
    )
    top = math.ceil(len(data) * 20 / 100)
    result = {}
    for need in NeedDimension.objects.exclude(figure=""):
        programs = Program.objects.filter(year=YEAR, status__in=statuses, needs=need)
        reached = set(programs.values_list("target_villages", flat=True))
        rows = []
        for row in data:
            count = row[need.figure]
            rate = count * 100 / row["households"]
            higher = sum(
                1 for other in data if other[need.figure] * 100 / other["households"] > rate
            )
            high = higher + 1 <= top and count >= 10 and rate > 0
            rows.append(
                {
                    "rank": higher + 1,
                    "code": row["village__code"],
                    "name": row["village__name"],
                    "households": row["households"],
                    "count": count,
                    "rate": rate,
                    "high": high,
                    "flagged": high and row["village_id"] not in reached,
                }
            )
        rows.sort(key=lambda r: (r["rank"], -r["count"], r["code"]))
        result[need.code] = rows
    return result


def _flagged(own):
    return [(code, row["code"]) for code, rows in own.items() for row in rows if row["flagged"]]


def test_the_export_and_the_report_follow_the_rule_on_the_demo_year(viewer):
    own = _own(["approved", "revision"])
    needs = {n.code: n.name for n in NeedDimension.objects.all()}

    exported = csv_rows(viewer.get(reverse("reports:needs"), {"year": YEAR, "_export": "csv"}))
    head = exported[0]
    at = {name: head.index(name) for name in head}
    top = math.ceil(VillageData.objects.filter(year=YEAR, status="approved").count() * 20 / 100)
    for code, ranking in own.items():
        # Without a need chosen, each need's top share only (the whole ranking: ?need=).
        rows = [row for row in ranking if row["rank"] <= top and row["count"]]
        mine = [r for r in exported[1:] if r[at["Kebutuhan dasar"]] == needs[code]]
        assert [r[at["Kode desa/kelurahan"]] for r in mine] == [row["code"] for row in rows]
        assert [int(r[at["Peringkat di kabupaten"]]) for r in mine] == [row["rank"] for row in rows]
        for r, row in zip(mine, rows, strict=True):
            # Two decimals, as a number (the CSV writes 13,0 for 13).
            shown = Decimal(r[at["Kekurangan per 100 KK"]].replace(",", "."))
            assert abs(shown - Decimal(row["rate"])) <= Decimal("0.005")
        assert [r[at["Catatan"]] == FLAGGED for r in mine] == [row["flagged"] for row in rows]

    report = viewer.get(reverse("reports:meeting_report", args=[YEAR]), {"quarter": 4})
    _headers, listed = table_rows(report, "needs-table")
    by_name = {n.name: n.code for n in NeedDimension.objects.all()}
    names = {row["code"]: row["name"] for rows in own.values() for row in rows}
    assert [(by_name[row[0]], row[1]) for row in listed] == [
        (code, names[village]) for code, village in _flagged(own)
    ]


def test_the_worked_example_in_the_docs_is_what_the_app_computes(viewer):
    text = DOC.read_text(encoding="utf-8")
    example = text[text.index("## Basic needs: worked example") :]
    verified = _own(["approved", "revision"])["housing"]
    submitted = _own(["approved", "revision", "submitted", "returned"])["housing"]

    numbers = dict(re.findall(r"<!-- (\w+) --> \*\*([\d.]+)\*\*", example))
    assert (
        int(numbers["villages"]) == VillageData.objects.filter(year=YEAR, status="approved").count()
    )
    assert int(numbers["top"]) == math.ceil(int(numbers["villages"]) * 20 / 100)
    assert int(numbers["high"]) == sum(row["high"] for row in verified)
    assert int(numbers["flagged"]) == sum(row["flagged"] for row in verified)
    assert int(numbers["flagged_all"]) == sum(row["flagged"] for row in submitted)

    table = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in example.split("\n")
        if line.startswith("| ") and line[2:3].isdigit()
    ]
    assert table, "the worked example's table"
    shown = ui = {True: "ya", False: ""}
    # "All submitted" counts more village data, so its ranks differ: matched by village.
    all_submitted = {row["code"]: row for row in submitted}
    for cells, row in zip(table, verified, strict=False):
        other = all_submitted[row["code"]]
        rank, village, households, count, rate, high, flagged, flagged_all = cells[:8]
        assert int(rank) == row["rank"]
        assert village == row["name"]
        assert int(households.replace(".", "")) == row["households"]
        assert int(count) == row["count"]
        assert rate == f"{percent2(row['rate'])}".replace(".", ",")
        assert high == shown[row["high"]]
        assert flagged == ui[row["flagged"]]
        assert flagged_all == ui[other["flagged"]]
