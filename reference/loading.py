"""Loading the reference data the project carries in data/ (docs/data-sources.md).

Rows are matched by a stable key (Kemendagri code, the OPD file's `kode`, a year, a strategy
number), never by name, so a rename in a file updates the row in place and everything that
refers to it survives. Rows are never deleted.

Each load records what the file said (ReferenceSnapshot). A field is written only where the
file's value differs from what the file said last time, so an edit made in the admin survives
reloading an unchanged file while a changed file still wins.
"""

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from bartim.models import Agency, District, Regency, Village
from reference.models import ReferenceSnapshot

TERRITORY_FILE = "bartim_wilayah.csv"
AGENCY_FILE = "bartim_opd.csv"


class ReferenceDataError(Exception):
    """A reference file is missing or says something the database cannot hold."""


def default_data_dir() -> Path:
    return Path(settings.BASE_DIR) / "data"


def read_csv(path: Path, columns: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV file with their line numbers, values stripped of blanks."""
    if not path.is_file():
        raise ReferenceDataError(_("Reference file %(path)s not found.") % {"path": path})
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [name for name in columns if name not in (reader.fieldnames or [])]
        if missing:
            raise ReferenceDataError(
                _("%(path)s lacks the column(s) %(columns)s.")
                % {"path": path, "columns": ", ".join(missing)}
            )
        return [
            (reader.line_num, {key: (value or "").strip() for key, value in row.items() if key})
            for row in reader
        ]


def file_error(path: Path, line: int, message: str) -> ReferenceDataError:
    return ReferenceDataError(
        _("%(path)s, line %(line)d: %(message)s") % {"path": path, "line": line, "message": message}
    )


@dataclass
class LoadResult:
    """What one load did to one kind of row."""

    label: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Rows where a value edited in the application differs from an unchanged file.
    kept_edits: int = 0
    not_in_file: list[str] = field(default_factory=list)


@dataclass
class Dataset:
    """How one kind of reference row maps onto a model.

    `rows` maps each key to the file's values ({field: JSON value}); `existing` maps keys to
    the objects already in the database; `read` gives an object's values in the file's terms
    and `write` sets one of them.
    """

    name: str
    model: type[models.Model]
    rows: dict[str, dict]
    existing: dict[str, models.Model]
    new: Callable[[str], models.Model]
    read: Callable[[models.Model], dict]
    write: Callable[[models.Model, str, object], None]
    # Keys whose object was just matched by other means and so changed even if its values did not.
    claimed: set[str] = field(default_factory=set)
    # What the report calls these rows, where the model's name says more than the file holds.
    label: str = ""


def synchronize(dataset: Dataset) -> LoadResult:
    snapshot, _created = ReferenceSnapshot.objects.get_or_create(dataset=dataset.name)
    previous = snapshot.rows
    result = LoadResult(dataset.label or capfirst(str(dataset.model._meta.verbose_name_plural)))
    for key, values in dataset.rows.items():
        obj = dataset.existing.get(key)
        if obj is None:
            obj = dataset.new(key)
            for name, value in values.items():
                dataset.write(obj, name, value)
            _save(dataset, key, obj)
            result.created += 1
            continue
        current = dataset.read(obj)
        last = previous.get(key)
        differing = [name for name, value in values.items() if current[name] != value]
        changed_in_file = [
            name for name in differing if last is None or last.get(name) != values[name]
        ]
        if changed_in_file:
            for name in changed_in_file:
                dataset.write(obj, name, values[name])
            _save(dataset, key, obj, update_fields=changed_in_file)
            result.updated += 1
        elif key in dataset.claimed:
            result.updated += 1
        else:
            result.unchanged += 1
        if len(differing) > len(changed_in_file):
            result.kept_edits += 1
    result.not_in_file = sorted(
        f"{key} {dataset.existing[key]}" for key in dataset.existing.keys() - dataset.rows.keys()
    )
    if snapshot.rows != dataset.rows:
        snapshot.rows = dataset.rows
        snapshot.save()
    return result


def _save(dataset: Dataset, key: str, obj: models.Model, update_fields=None) -> None:
    try:
        obj.full_clean()
    except ValidationError as error:
        messages = "; ".join(
            f"{name}: {' '.join(errors)}" if name != "__all__" else " ".join(errors)
            for name, errors in error.message_dict.items()
        )
        raise ReferenceDataError(
            _("%(dataset)s %(key)s cannot be saved: %(messages)s")
            % {"dataset": dataset.name, "key": key, "messages": messages}
        ) from error
    obj.save(update_fields=update_fields)


def load_territory(data_dir: Path) -> list[LoadResult]:
    """The regency, its kecamatan and its desa/kelurahan, keyed by Kemendagri code."""
    path = data_dir / TERRITORY_FILE
    levels: dict[str, dict[str, dict]] = {"kabupaten": {}, "kecamatan": {}, "village": {}}
    parents: dict[str, str] = {}
    for line, row in read_csv(path, ["kode", "nama", "tingkat", "induk_kode"]):
        code, name, level, parent = row["kode"], row["nama"], row["tingkat"], row["induk_kode"]
        if not code or not name:
            raise file_error(path, line, _("every row needs a kode and a nama."))
        if any(code in rows for rows in levels.values()):
            raise file_error(path, line, _("the code %(code)s appears twice.") % {"code": code})
        if level == "kabupaten":
            levels["kabupaten"][code] = {"name": name, "bps_code": row.get("kode_bps", "")}
        elif level == "kecamatan":
            levels["kecamatan"][code] = {"name": name, "regency": parent}
        elif level in Village.Kind.values:
            levels["village"][code] = {"name": name, "kind": level, "district": parent}
        else:
            raise file_error(
                path,
                line,
                _("unknown tingkat %(level)s (kabupaten, kecamatan, desa or kelurahan).")
                % {"level": level},
            )
        parents[code] = parent
    for level, parent_level in (("kecamatan", "kabupaten"), ("village", "kecamatan")):
        for code in levels[level]:
            if parents[code] not in levels[parent_level]:
                raise ReferenceDataError(
                    _("%(path)s: the parent %(parent)s of %(code)s is not a %(level)s in the file.")
                    % {"path": path, "parent": parents[code], "code": code, "level": parent_level}
                )

    results = [
        synchronize(
            Dataset(
                name="territory.regency",
                model=Regency,
                rows=levels["kabupaten"],
                existing={obj.code: obj for obj in Regency.objects.all()},
                new=lambda code: Regency(code=code),
                read=lambda obj: {"name": obj.name, "bps_code": obj.bps_code},
                write=setattr,
            )
        )
    ]
    regencies = {obj.code: obj for obj in Regency.objects.all()}
    results.append(
        synchronize(
            Dataset(
                name="territory.district",
                model=District,
                rows=levels["kecamatan"],
                existing={obj.code: obj for obj in District.objects.select_related("regency")},
                new=lambda code: District(code=code),
                read=lambda obj: {"name": obj.name, "regency": obj.regency.code},
                write=_writer({"regency": regencies}),
            )
        )
    )
    districts = {obj.code: obj for obj in District.objects.all()}
    villages = Village.objects.select_related("district")
    results.append(
        synchronize(
            Dataset(
                name="territory.village",
                model=Village,
                rows=levels["village"],
                existing={obj.code: obj for obj in villages},
                new=lambda code: Village(code=code),
                read=lambda obj: {
                    "name": obj.name,
                    "kind": obj.kind,
                    "district": obj.district.code,
                },
                write=_writer({"district": districts}),
            )
        )
    )
    return results


def _writer(foreign_keys: dict[str, dict[str, models.Model]]):
    """A `write` that turns the file's codes into the objects they name."""

    def write(obj, name, value):
        setattr(obj, name, foreign_keys[name][value] if name in foreign_keys else value)

    return write


def load_agencies(data_dir: Path) -> LoadResult:
    """The OPDs, keyed by the file's `kode` column (names change as the regency restructures)."""
    path = data_dir / AGENCY_FILE
    rows: dict[str, dict] = {}
    names: set[str] = set()
    for line, row in read_csv(path, ["kode", "singkatan", "nama"]):
        code, name = row["kode"], row["nama"]
        if not code or not name:
            raise file_error(path, line, _("every row needs a kode and a nama."))
        if code in rows:
            raise file_error(path, line, _("the code %(code)s appears twice.") % {"code": code})
        if name in names:
            raise file_error(path, line, _("the name %(name)s appears twice.") % {"name": name})
        names.add(name)
        rows[code] = {"name": name, "abbreviation": row["singkatan"]}

    existing = {obj.code: obj for obj in Agency.objects.exclude(code="")}
    # A unit first entered in the application (no code yet) is adopted by its exact name
    # rather than duplicated.
    uncoded = {obj.name: obj for obj in Agency.objects.filter(code="")}
    adopted = set()
    for code, values in rows.items():
        if code not in existing and values["name"] in uncoded:
            obj = uncoded.pop(values["name"])
            obj.code = code
            obj.save(update_fields=["code"])
            existing[code] = obj
            adopted.add(code)
    return synchronize(
        Dataset(
            name="agency",
            model=Agency,
            rows=rows,
            existing=existing,
            new=lambda code: Agency(code=code),
            read=lambda obj: {"name": obj.name, "abbreviation": obj.abbreviation},
            write=setattr,
            claimed=adopted,
            # The file lists the OPDs only; other owners are registered in the app.
            label=_("Agencies (OPD)"),
        )
    )
