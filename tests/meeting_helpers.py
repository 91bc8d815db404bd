"""Reading the dashboard's and the meeting report's sections back, for their tests."""

import io
import re
from decimal import ROUND_HALF_UP, Decimal

from openpyxl import load_workbook

from tests.table_helpers import _TableParser


def fragment(response, element_id: str, end: str) -> str:
    html = response.content.decode()
    start = html.index(f'id="{element_id}"')
    return html[start : html.index(end, start)]


def table_rows(response, table_id: str) -> tuple[list[str], list[list[str]]]:
    """(headers, rows of cell texts) of the table with id `table_id`."""
    parser = _TableParser()
    parser.feed("<table " + fragment(response, table_id, "</table>") + "</table>")
    return parser.headers, parser.rows


def figure(response, strategy: int, name: str) -> str:
    """A strategy card's figure as the page shows it (text without tags)."""
    card = fragment(response, f"strategy-{strategy}", "</article>")
    match = re.search(rf'data-figure="{name}">(.*?)</dd>', card, re.S)
    assert match, (strategy, name)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return load_workbook(io.BytesIO(response.content))


def sheet_rows(book, title) -> list[dict]:
    sheet = book[title]
    headers = [cell.value for cell in sheet[1]]
    return [
        dict(zip(headers, values, strict=False))
        for values in sheet.iter_rows(min_row=2, values_only=True)
    ]


def percent2(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
