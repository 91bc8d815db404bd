"""Downloading, filling and uploading the Excel templates as a person would, with openpyxl."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook


def download(client, kind, **params):
    response = client.get(reverse("spreadsheets:template", args=[kind]), params)
    assert response.status_code == 200, response.content[:500]
    return load_workbook(io.BytesIO(response.content))


def columns(sheet) -> dict[str, int]:
    """Header text -> column number (1-based) of a sheet's first row."""
    return {cell.value: cell.column for cell in sheet[1] if cell.value}


def rows(sheet) -> list[dict]:
    headers = [cell.value for cell in sheet[1]]
    return [
        dict(zip(headers, values, strict=False))
        for values in sheet.iter_rows(min_row=2, values_only=True)
        if any(v is not None for v in values)
    ]


def find_row(sheet, header, value) -> int:
    column = columns(sheet)[header]
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row=row, column=column).value == value:
            return row
    raise AssertionError(f"{value!r} not in column {header!r}")


def fill(sheet, row, **values_by_header):
    headers = columns(sheet)
    for header, value in values_by_header.items():
        # cell(value=None) would leave the cell as it is.
        sheet.cell(row=row, column=headers[header]).value = value


def xlsx_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, kind, content: bytes, name="isian.xlsx", **data):
    file = SimpleUploadedFile(name, content)
    return client.post(reverse("spreadsheets:upload", args=[kind]), {"file": file, **data})


def preview_url(response) -> str:
    if response.status_code != 302:
        refusals = [error for form in ("upload_form",) for error in _form_errors(response, form)]
        raise AssertionError(f"upload refused ({response.status_code}): {refusals}")
    return response["Location"]


def upload_and_preview(client, kind, content, name="isian.xlsx", **data):
    url = preview_url(upload(client, kind, content, name, **data))
    return url, client.get(url)


def confirm(client, url, *, unusual_confirmed=False):
    """Press the preview's confirm button; `unusual_confirmed` ticks "the unusual values are
    right" first, as a person does who meant them."""
    return client.post(url, {"unusual_confirmed": "1"} if unusual_confirmed else {})


def errors_of(response) -> list[tuple]:
    """(sheet, row, column, message) of every error the preview lists."""
    report = response.context["report"]
    return [(e.sheet, e.row, e.column, e.message) for e in report.errors]


def csv_bytes(table: list[list], delimiter=";", encoding="utf-8") -> bytes:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(table)
    return buffer.getvalue().encode(encoding)


def _form_errors(response, name):
    for card in (response.context or {}).get("cards", []):
        if card[name].is_bound:
            yield from (str(e) for errors in card[name].errors.values() for e in errors)
