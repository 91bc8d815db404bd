"""Reading a table page, a CSV export and an XLSX export back into rows, for the table tests."""

import csv
import io
from html.parser import HTMLParser

from openpyxl import load_workbook


class _TableParser(HTMLParser):
    """Collects the cell texts of the first <table>'s <tbody>."""

    def __init__(self):
        super().__init__()
        self.rows, self.headers = [], []
        self._in_body = self._in_head = False
        self._cell = None
        self._done = False

    def handle_starttag(self, tag, attrs):
        if self._done:
            return
        if tag == "thead":
            self._in_head = True
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
        elif tag in ("td", "th") and (self._in_body or self._in_head):
            self._cell = []

    def handle_endtag(self, tag):
        if self._done:
            return
        if tag in ("td", "th") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            if self._in_body:
                self.rows[-1].append(text)
            else:
                self.headers.append(text.rstrip(" ▲▼"))
            self._cell = None
        elif tag == "thead":
            self._in_head = False
        elif tag == "tbody":
            self._in_body = False
            self._done = True

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_table(response):
    """(headers, rows) of the page's table; rows are lists of cell texts."""
    parser = _TableParser()
    parser.feed(response.content.decode())
    return parser.headers, parser.rows


def html_column(response, header):
    headers, rows = html_table(response)
    assert header in headers, headers
    index = headers.index(header)
    return [row[index] for row in rows if len(row) == len(headers)]


def csv_rows(response, delimiter=";"):
    """The rows of a CSV export as Excel reads them: after the byte-order mark, split on the
    interface language's separator (Indonesian: a semicolon)."""
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=delimiter))


def xlsx_rows(response):
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def column(rows, header):
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]
