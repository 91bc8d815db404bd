"""Spreadsheets built byte by byte the way an attacker would: a real workbook whose sheet XML
or ZIP structure is replaced, since openpyxl itself writes none of these."""

import io
import struct
import zipfile

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
HEAD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
OPEN = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _base() -> bytes:
    workbook = Workbook()
    workbook.active.title = "Data"
    workbook.active["A1"] = "x"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_part(data: bytes, name: str = SHEET) -> bytes:
    """A valid workbook with its part `name` replaced by `data`."""
    source = zipfile.ZipFile(io.BytesIO(_base()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, data if info.filename == name else source.read(info))
    return buffer.getvalue()


def sheet(rows: bytes, dimension: str | None = None, prolog: bytes = b"") -> bytes:
    declared = b'<dimension ref="%s"/>' % dimension.encode() if dimension else b""
    return HEAD + prolog + OPEN + declared + b"<sheetData>" + rows + b"</sheetData></worksheet>"


def wide_sparse(rows: int = 19_000, dimension: str | None = "A1:XFD19000") -> bytes:
    """Cells in A and XFD of every row: openpyxl pads each row to 16,384 cells."""
    return with_part(
        sheet(
            b"".join(
                b'<row r="%d"><c r="A%d"><v>1</v></c><c r="XFD%d"><v>1</v></c></row>' % (n, n, n)
                for n in range(1, rows + 1)
            ),
            dimension,
        )
    )


def many_rows(rows: int = 200_000) -> bytes:
    return with_part(
        sheet(
            b"".join(
                b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(1, rows + 1)
            )
        )
    )


def dense(rows: int = 100, columns: int = 16_384) -> bytes:
    """Every cell of a row stored (empty), without a used range: cells beyond the columns
    read still cost openpyxl their parsing."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(c).encode() for c in range(1, columns + 1)]
    return with_part(
        sheet(
            b"".join(
                b'<row r="%d">' % n
                + b"".join(b'<c r="%s%d"/>' % (x, n) for x in letters)
                + b"</row>"
                for n in range(1, rows + 1)
            )
        )
    )


def billion_laughs() -> bytes:
    entities = b'<!ENTITY lol0 "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (n, b"&lol%d;" % (n - 1) * 10) for n in range(1, 10)
    )
    prolog = b"<!DOCTYPE worksheet [" + entities + b"]>"
    return with_part(
        sheet(b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>', prolog=prolog)
    )


def truncated_xml(dimension: str | None = None) -> bytes:
    """A sheet cut off in the middle. Without a used range openpyxl already fails while it
    opens the workbook; with one, only while the rows are read."""
    return with_part(sheet(b'<row r="1"><c r="A1"><v>1</v></c></row>', dimension)[:-40])


def lying_checksum() -> bytes:
    """A workbook whose sheet's CRC-32 in the ZIP directories is wrong."""
    content = bytearray(with_part(sheet(b'<row r="1"><c r="A1"><v>1</v></c></row>')))
    name = SHEET.encode()
    for signature, offset in ((b"PK\x03\x04", 14), (b"PK\x01\x02", 16)):
        start = 0
        while (start := content.find(signature, start)) != -1:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if content[name_at : name_at + len(name)] == name:
                (crc,) = struct.unpack_from("<I", content, start + offset)
                struct.pack_into("<I", content, start + offset, crc ^ 0xFFFFFFFF)
            start += 4
    return bytes(content)


def zip_bomb(unpacked: int = 200 * 1024 * 1024) -> bytes:
    """A sheet that unpacks to `unpacked` bytes of spaces, stated honestly in the ZIP."""
    source = zipfile.ZipFile(io.BytesIO(_base()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != SHEET:
                archive.writestr(info.filename, source.read(info))
                continue
            with archive.open(SHEET, "w", force_zip64=True) as part:
                part.write(HEAD + OPEN + b"<sheetData>")
                block = b" " * (1024 * 1024)
                for _ in range(unpacked // len(block)):
                    part.write(block)
                part.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def lying_size_bomb() -> bytes:
    """The zip bomb again, its sheet's unpacked size stated as 2 KB in the ZIP."""
    content = bytearray(zip_bomb(50 * 1024 * 1024))
    name = SHEET.encode()
    start = 0
    while (start := content.find(b"PK\x01\x02", start)) != -1:
        if content[start + 46 : start + 46 + len(name)] == name:
            struct.pack_into("<I", content, start + 24, 2048)
        start += 4
    return bytes(content)


def full(rows: int, columns: int) -> bytes:
    """A workbook of `rows` rows of `columns` numbers: the largest a real import could be."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(c).encode() for c in range(1, columns + 1)]
    return with_part(
        sheet(
            b"".join(
                b'<row r="%d">' % n
                + b"".join(b'<c r="%s%d"><v>%d</v></c>' % (x, n, n) for x in letters)
                + b"</row>"
                for n in range(1, rows + 1)
            )
        )
    )
