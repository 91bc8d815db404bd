"""What an evidence file must be before anything is stored, in one place (docs/evidence.md).

A file is accepted as PDF, JPG, PNG, XLSX or DOCX when its content is one (the name's
extension must agree), within `EVIDENCE_MAX_UPLOAD_SIZE`. Then, by type:
- a photo (JPG, PNG) of at most `EVIDENCE_MAX_IMAGE_PIXELS` pixels, read from its header
  before it is decoded (a decompression bomb is refused unopened), is decoded and encoded
  again by Pillow: what is stored holds the pixels only, no EXIF (GPS location, camera,
  owner), no text chunks;
- an XLSX or DOCX is a zip: its directory is read (nothing unpacked) and refused when its
  parts would unpack to more than `EVIDENCE_MAX_UNZIPPED_SIZE`, or compress more than
  `EVIDENCE_MAX_ZIP_RATIO` to one, or are more than `EVIDENCE_MAX_ZIP_ENTRIES` (a zip bomb),
  or when it lacks the workbook or the document;
- a PDF is parsed by pypdf and every object (those in object streams included, names with
  `#xx` escapes decoded) is refused when it holds JavaScript (`/JS`, `/JavaScript`), a
  `/Launch` action, additional actions (`/AA`) or an `/OpenAction` that is an action; an
  `/OpenAction` that only says which page to open on (a destination array) is harmless and
  passes. An encrypted PDF cannot be checked and is refused.

Each refusal is a ValidationError naming the file."""

import io
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from evidence.models import FileType

# The longest name kept (the stem is shortened, the extension kept).
MAX_NAME_LENGTH = 120

CONTENT_TYPES = {
    FileType.PDF: "application/pdf",
    FileType.JPG: "image/jpeg",
    FileType.PNG: "image/png",
    FileType.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileType.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# The extensions a name of each type may end with.
EXTENSIONS = {
    FileType.PDF: {"pdf"},
    FileType.JPG: {"jpg", "jpeg"},
    FileType.PNG: {"png"},
    FileType.XLSX: {"xlsx"},
    FileType.DOCX: {"docx"},
}
# What pypdf's scan refuses anywhere in a PDF.
PDF_FORBIDDEN_KEYS = {"/JS", "/JavaScript", "/Launch", "/AA"}
PDF_FORBIDDEN_ACTIONS = {"/JavaScript", "/Launch"}


@dataclass(frozen=True)
class CheckedFile:
    """A file ready to store: its sanitised name, its type and the bytes to keep (a photo
    re-encoded without its metadata)."""

    name: str
    file_type: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.file_type]


def sanitised_name(name: str) -> str:
    """The name as stored and offered on download: no path, only letters, digits, dashes,
    underscores and dots (django.utils.text.get_valid_filename), at most MAX_NAME_LENGTH."""
    base = PurePath(str(name).replace("\\", "/")).name
    try:
        cleaned = get_valid_filename(base)
    except (
        Exception
    ):  # get_valid_filename refuses a name with nothing left (SuspiciousFileOperation)
        cleaned = "berkas"
    stem, dot, extension = cleaned.rpartition(".")
    if not dot:
        stem, extension = cleaned, ""
    extension = extension[:10].lower()
    stem = stem[: MAX_NAME_LENGTH - len(extension) - 1] or "berkas"
    return f"{stem}.{extension}" if extension else stem


def _refuse(message: str, name: str):
    return ValidationError(message % {"name": name}, code="evidence")


def checked_file(uploaded) -> CheckedFile:
    """`uploaded` (a Django UploadedFile, or any file with a name and read()) checked and
    made ready to store, or ValidationError naming it."""
    name = sanitised_name(getattr(uploaded, "name", "") or "berkas")
    size = getattr(uploaded, "size", None)
    limit = settings.EVIDENCE_MAX_UPLOAD_SIZE
    if size is not None and size > limit:
        raise _too_large(name, limit)
    uploaded.seek(0)
    # One byte over the limit is enough to know it is too large.
    content = uploaded.read(limit + 1)
    if len(content) > limit:
        raise _too_large(name, limit)
    if not content:
        raise _refuse(_("%(name)s is empty."), name)
    file_type = _detected_type(content, name)
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if extension not in EXTENSIONS[file_type]:
        raise ValidationError(
            _(
                "%(name)s: its name does not say what it is (the content is %(type)s); "
                "rename it to end in .%(extension)s."
            )
            % {"name": name, "type": FileType(file_type).label, "extension": file_type},
            code="evidence",
        )
    if file_type in (FileType.JPG, FileType.PNG):
        content = _clean_image(content, name, file_type)
    elif file_type == FileType.PDF:
        _check_pdf(content, name)
    return CheckedFile(name=name, file_type=file_type, content=content)


def _too_large(name, limit):
    return ValidationError(
        _("%(name)s is larger than %(limit)s MB; the largest file accepted is %(limit)s MB.")
        % {"name": name, "limit": f"{limit / 1024 / 1024:g}".replace(".", ",")},
        code="evidence",
    )


def _detected_type(content: bytes, name: str) -> str:
    """The type the content is, whatever the name says. A zip (XLSX, DOCX) is told by its
    parts after its directory passed the zip-bomb limits; the others by their signature
    (the `filetype` library)."""
    if content.startswith(b"PK\x03\x04"):
        return _office_type(content, name)
    kind = filetype.guess(content)
    found = {"pdf": FileType.PDF, "jpg": FileType.JPG, "png": FileType.PNG}.get(
        kind.extension if kind else ""
    )
    if found is None:
        raise _refuse(
            _(
                "%(name)s is not a PDF, JPG, PNG, XLSX or DOCX file (its content was checked, "
                "not its name), so it was not accepted."
            ),
            name,
        )
    return found


def _office_type(content: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(_("%(name)s is a damaged XLSX or DOCX file."), name) from None
    unpacked = sum(entry.file_size for entry in entries)
    packed = sum(entry.compress_size for entry in entries)
    if (
        len(entries) > settings.EVIDENCE_MAX_ZIP_ENTRIES
        or unpacked > settings.EVIDENCE_MAX_UNZIPPED_SIZE
        or unpacked > settings.EVIDENCE_MAX_ZIP_RATIO * max(packed, 1)
        or any(
            entry.file_size > settings.EVIDENCE_MAX_ZIP_RATIO * max(entry.compress_size, 1)
            and entry.file_size > 1024 * 1024
            for entry in entries
        )
    ):
        raise _refuse(
            _(
                "%(name)s unpacks to far more than its size (a zip bomb, or a damaged file), "
                "so it was not accepted."
            ),
            name,
        )
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return FileType.XLSX
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return FileType.DOCX
    raise _refuse(
        _(
            "%(name)s is a zip file but not an Excel workbook (XLSX) or a Word document "
            "(DOCX), so it was not accepted."
        ),
        name,
    )


def _clean_image(content: bytes, name: str, file_type: str) -> bytes:
    """The photo's pixels encoded again, without EXIF or any other metadata."""
    limit = settings.EVIDENCE_MAX_IMAGE_PIXELS
    too_large = _refuse(
        _(
            "%(name)s has too many pixels to be a photo or a scan (at most %(limit)s "
            "megapixels), so it was not accepted."
        ).replace("%(limit)s", f"{limit / 1_000_000:g}"),
        name,
    )
    try:
        with warnings.catch_warnings():
            # Pillow warns of a large image; the header's size is checked just below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(content))
        with opened as image:
            # The header's size, before a single pixel is decoded.
            width, height = image.size
            if width * height > limit:
                raise too_large
            image.load()
            # The photo upright as the camera saw it, since its orientation tag goes.
            image = ImageOps.exif_transpose(image)
            output = io.BytesIO()
            if file_type == FileType.JPG:
                if image.mode not in ("RGB", "L", "CMYK"):
                    image = image.convert("RGB")
                image.save(output, format="JPEG", quality=90, optimize=True)
            else:
                image.save(output, format="PNG", optimize=True)
    except Image.DecompressionBombError:
        raise too_large from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise _refuse(_("%(name)s is a damaged image."), name) from None
    return output.getvalue()


def _check_pdf(content: bytes, name: str) -> None:
    damaged = _refuse(_("%(name)s is a damaged PDF file."), name)
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise _refuse(
                _(
                    "%(name)s is an encrypted PDF and cannot be checked; "
                    "save it without a password."
                ),
                name,
            )
        objects = [reader.trailer]
        for generation, numbers in reader.xref.items():
            objects += [IndirectObject(number, generation, reader) for number in numbers]
        objects += [IndirectObject(number, 0, reader) for number in reader.xref_objStm]
        hostile = any(_pdf_hostile(item) for item in objects)
    except ValidationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise damaged from None
    if hostile:
        raise _refuse(
            _(
                "%(name)s holds JavaScript or an action run when it is opened (a possibly "
                "harmful PDF), so it was not accepted. Print it to PDF again, or scan it."
            ),
            name,
        )


def _pdf_hostile(item, top: bool = True) -> bool:
    """Whether `item` (a PDF object) or a direct object inside it is JavaScript or an
    action. References are not followed: every indirect object is scanned on its own."""
    if isinstance(item, IndirectObject):
        if not top:
            return False
        item = item.get_object()
    if isinstance(item, DictionaryObject):
        if {str(key) for key in item} & PDF_FORBIDDEN_KEYS:
            return True
        if str(item.get("/S", "")) in PDF_FORBIDDEN_ACTIONS:
            return True
        opening = item.get("/OpenAction")
        if opening is not None and isinstance(opening.get_object(), DictionaryObject):
            return True
        return any(_pdf_hostile(value, top=False) for value in item.values())
    if isinstance(item, ArrayObject):
        return any(_pdf_hostile(value, top=False) for value in item)
    return False
