"""Evidence files for the tests: good ones (evidence.samples), a photo with a GPS location,
and the hostile files an attacker would upload, each made in code."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from evidence.samples import sample_pdf, sample_png
from tests.hostile_files import SHEET, with_part

# Where the photo was taken: Tamiang Layang, Barito Timur.
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "S",
    ExifTags.GPS.GPSLatitude: (1.0, 52.0, 30.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (115.0, 10.0, 0.0),
}


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def pdf(name="berita_acara.pdf", title="Berita acara"):
    return upload(name, sample_pdf(title))


def png(name="foto_kegiatan.png"):
    return upload(name, sample_png())


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 120, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "KameraUji"
    exif[ExifTags.IFD.GPSInfo] = GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def gps_of(content: bytes) -> dict:
    with Image.open(io.BytesIO(content)) as image:
        return dict(image.getexif().get_ifd(ExifTags.IFD.GPSInfo))


def renamed_executable() -> bytes:
    """The start of a Windows executable (MZ header, PE signature) named .pdf."""
    header = bytearray(b"MZ" + b"\x90\x00" * 29 + b"\x00" * 2)
    header += b"\x00" * (0x3C - len(header)) + (0x80).to_bytes(4, "little")
    header += b"\x00" * (0x80 - len(header)) + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 200
    return bytes(header)


def pixel_bomb() -> bytes:
    """A PNG of 100 million pixels that compresses to a few kilobytes."""
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, format="PNG")
    return out.getvalue()


def zip_bomb_xlsx() -> bytes:
    """A real workbook whose sheet is 40 MB of one repeated byte: it unpacks to a thousand
    times its size."""
    return with_part(b"<" * (40 * 1024 * 1024), SHEET)


def pdf_with_javascript() -> bytes:
    return (
        sample_pdf()
        .replace(
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>",
        )
        .replace(
            b"trailer",
            b"6 0 obj\n<< /S /JavaScript /JS (app.alert\\('x'\\)) >>\nendobj\ntrailer",
        )
    )


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return out.getvalue()
