"""Every write of the families app (docs/architecture.md, "Writes"): registry snapshots,
beneficiaries, and the access log. Each asks bartim.access, validates, saves and bumps the
data version; none logs a NIK, a No. KK or a name."""

import json
import secrets
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bartim import access
from bartim.models import Quarter, Village
from families.crypto import clean_id, id_hash, is_valid_id, join_ids
from families.models import (
    AccessLogEntry,
    Beneficiary,
    Family,
    PendingBeneficiaryImport,
    RegistrySnapshot,
)
from families.reading import (
    FLAG_HINT,
    MAX_LISTED_PROBLEMS,
    Column,
    Problem,
    flag,
    read_rows,
    text,
    whole_number,
)
from helpers import dataversion
from helpers.forms import read_typed_number

BATCH = 2000
# An unconfirmed preview is discarded after this long (or when the administrator cancels).
PREVIEW_LIFETIME = timedelta(hours=2)

REGISTRY_COLUMNS = [
    Column("kk", gettext_lazy("No. KK"), ("nokk", "nomorkk", "nomorkartukeluarga", "kk")),
    Column("nik", gettext_lazy("NIK"), ("nikkepalakeluarga", "nikkk", "nikkrt")),
    Column("name", gettext_lazy("Name"), ("nama", "namakepalakeluarga", "namakrt")),
    Column("village", gettext_lazy("Village code"), ("kodedesa", "kodewilayah", "kodedesakel")),
    Column("address", gettext_lazy("Address"), ("alamat",), required=False),
    Column("rt", gettext_lazy("RT"), (), required=False),
    Column("rw", gettext_lazy("RW"), (), required=False),
    Column("decile", gettext_lazy("Decile"), ("desil", "desilkesejahteraan")),
    Column(
        "members",
        gettext_lazy("Members"),
        ("jumlahart", "jumlahanggota", "jumlahanggotakeluarga", "art"),
    ),
    Column("elderly", gettext_lazy("Elderly"), ("lansia",), required=False),
    Column("disability", gettext_lazy("Disability"), ("disabilitas",), required=False),
    Column("under_five", gettext_lazy("Under five"), ("balita",), required=False),
    Column(
        "female_head",
        gettext_lazy("Female head"),
        ("kepalaperempuan", "krtperempuan"),
        required=False,
    ),
]
FLAGS = ("elderly", "disability", "under_five", "female_head")

BENEFICIARY_COLUMNS = [
    Column("nik", gettext_lazy("NIK"), (), required=False),
    Column("kk", gettext_lazy("No. KK"), ("nokk", "nomorkk"), required=False),
    Column("name", gettext_lazy("Name"), ("nama",), required=False),
    Column("quarter", gettext_lazy("Quarter (1-4)"), ("triwulan", "tw", "quarter")),
    Column("kind", gettext_lazy("Kind of help"), ("jenisbantuan", "jenis", "kind")),
    Column(
        "amount", gettext_lazy("Amount or quantity"), ("jumlah", "nilai", "amount"), required=False
    ),
    Column("unit", gettext_lazy("Unit"), ("satuan",), required=False),
]


class ImportProblems(Exception):
    """A file with bad rows: nothing was saved."""

    def __init__(self, problems: list[Problem], count: int):
        super().__init__(f"{count} problems")
        self.problems = problems
        self.count = count


class _Problems:
    def __init__(self, columns):
        self.labels = {column.key: str(column.label) for column in columns}
        self.listed: list[Problem] = []
        self.count = 0

    def add(self, row: int, key: str, message) -> None:
        self.count += 1
        if len(self.listed) < MAX_LISTED_PROBLEMS:
            self.listed.append(Problem(row, self.labels.get(key, ""), str(message), key))

    def raise_any(self):
        if self.count:
            raise ImportProblems(self.listed, self.count)


def _village_codes() -> dict[str, int]:
    codes = {}
    for pk, code in Village.objects.values_list("pk", "code"):
        codes[code] = pk
        codes[code.replace(".", "")] = pk
    return codes


def _shown_code(value: str) -> str:
    """A village code as the message may repeat it: only what looks like one (a NIK typed
    into the column is never echoed)."""
    return value if len(value) <= 13 and set(value) <= set("0123456789.") else "…"


def _id_cell(problems, number, key, raw, label, required=True) -> str:
    value = clean_id(raw)
    if not value:
        if required:
            problems.add(number, key, _("The %(label)s is empty.") % {"label": label})
        return ""
    if not is_valid_id(value):
        problems.add(
            number, key, _("A %(label)s has 16 digits; this cell does not.") % {"label": label}
        )
        return ""
    return value


# ---- Registry snapshots ------------------------------------------------------------------


def registry_import(*, actor, content: bytes, filename: str, label: str, taken_on):
    """Read a registry extract into a new, unconfirmed snapshot (the preview). Every row is
    checked; with any problem nothing is saved and ImportProblems lists them (FileRefused
    for a file that cannot be read at all)."""
    access.check_registry_keeper(actor)
    RegistrySnapshot.objects.filter(
        confirmed=False, imported_at__lt=timezone.now() - PREVIEW_LIFETIME
    ).delete()
    villages = _village_codes()
    problems = _Problems(REGISTRY_COLUMNS)
    seen_kk: dict[str, int] = {}
    seen_nik: dict[str, int] = {}
    with transaction.atomic():
        snapshot = RegistrySnapshot.objects.create(
            label=label, taken_on=taken_on, filename=filename[:255], imported_by=actor
        )
        batch, count = [], 0
        for number, row in read_rows(content, filename, REGISTRY_COLUMNS):
            family = _registry_row(problems, number, row, villages, seen_kk, seen_nik)
            if family is None or problems.count:
                continue
            family.snapshot = snapshot
            batch.append(family)
            count += 1
            if len(batch) >= BATCH:
                Family.objects.bulk_create(batch)
                batch = []
        if not problems.count and not count:
            problems.add(0, "", _("The file holds no family."))
        if problems.count:
            transaction.set_rollback(True)
            problems.raise_any()
        Family.objects.bulk_create(batch)
        snapshot.family_count = count
        snapshot.save(update_fields=["family_count"])
    return snapshot


def _registry_row(problems, number, row, villages, seen_kk, seen_nik):
    before = problems.count
    kk = _id_cell(problems, number, "kk", row.get("kk"), _("No. KK"))
    nik = _id_cell(problems, number, "nik", row.get("nik"), _("NIK"))
    for key, value, seen, label in (
        ("kk", kk, seen_kk, _("No. KK")),
        ("nik", nik, seen_nik, _("NIK")),
    ):
        if not value:
            continue
        hashed = id_hash(value)
        if hashed in seen:
            problems.add(
                number,
                key,
                _("This %(label)s is also on row %(row)d.") % {"label": label, "row": seen[hashed]},
            )
        else:
            seen[hashed] = number
    name = text(row.get("name"))
    if not name:
        problems.add(number, "name", _("The name of the head of the family is empty."))
    code = text(row.get("village"))
    village_id = villages.get(code) or villages.get(code.replace(".", ""))
    if village_id is None:
        problems.add(
            number,
            "village",
            _("There is no village with the code “%(code)s” in the regency.")
            % {"code": _shown_code(code)},
        )
    decile = whole_number(row.get("decile"))
    if decile is None or not 1 <= decile <= 10:
        problems.add(number, "decile", _("The decile must be a whole number from 1 to 10."))
    members = whole_number(row.get("members"))
    if members is None or not 1 <= members <= 99:
        problems.add(number, "members", _("The members must be a whole number from 1 to 99."))
    flags = {}
    for key in FLAGS:
        try:
            flags[key] = flag(row.get(key))
        except ValueError:
            problems.add(number, key, FLAG_HINT)
    if problems.count > before:
        return None
    address = " ".join(
        part
        for part in (
            text(row.get("address")),
            f"RT {text(row.get('rt'))}" if text(row.get("rt")) else "",
            f"RW {text(row.get('rw'))}" if text(row.get("rw")) else "",
        )
        if part
    )
    return Family(
        village_id=village_id,
        kk_hash=id_hash(kk),
        nik_hash=id_hash(nik),
        ids=join_ids(nik, kk),
        name=name[:200],
        address=address[:300],
        decile=decile,
        members=members,
        **flags,
    )


def snapshot_confirm(*, actor, snapshot: RegistrySnapshot) -> None:
    access.check_registry_keeper(actor)
    snapshot.confirmed = True
    snapshot.save(update_fields=["confirmed"])
    dataversion.bump(family_measures=True)


def snapshot_change(*, actor, snapshot: RegistrySnapshot, eligible_up_to: int) -> None:
    access.check_registry_keeper(actor)
    snapshot.eligible_up_to = eligible_up_to
    snapshot.full_clean()
    snapshot.save(update_fields=["eligible_up_to"])
    dataversion.bump(family_measures=True)


def snapshot_delete(*, actor, snapshot: RegistrySnapshot) -> None:
    """Delete a snapshot and, with it, every family it holds (names, addresses, hashes)."""
    access.check_registry_keeper(actor)
    with transaction.atomic():
        snapshot.delete()
        dataversion.bump(family_measures=True)


# ---- Beneficiaries -------------------------------------------------------------------------


def in_registry(queryset, snapshot):
    """The beneficiaries of `queryset` annotated with `in_registry`: whether their No. KK or
    NIK is a family of `snapshot` (False for every one without a snapshot)."""
    families = Family.objects.filter(snapshot=snapshot)
    return queryset.annotate(
        in_registry=Exists(
            families.filter(
                Q(kk_hash=OuterRef("kk_hash"), kk_hash__gt="")
                | Q(nik_hash=OuterRef("nik_hash"), nik_hash__gt="")
            )
        )
    )


def _beneficiary(*, actor, program, nik, kk, name, quarter, kind, amount, unit) -> Beneficiary:
    return Beneficiary(
        program=program,
        quarter=quarter,
        kind=kind,
        amount=amount,
        unit=unit[:20],
        kk_hash=id_hash(kk),
        nik_hash=id_hash(nik),
        ids=join_ids(nik, kk),
        name=name[:200],
        created_by=actor,
    )


def beneficiary_add(*, actor, program, nik="", kk="", name="", quarter, kind, amount=None, unit=""):
    """Record one beneficiary of `program`. The NIK and No. KK are checked by the form."""
    access.check_beneficiaries(actor, program)
    record = _beneficiary(
        actor=actor, program=program, nik=nik, kk=kk, name=name, quarter=quarter,
        kind=kind, amount=amount, unit=unit,
    )  # fmt: skip
    record.full_clean()
    record.save()
    dataversion.bump(family_measures=True)
    return record


def beneficiary_delete(*, actor, beneficiary: Beneficiary) -> None:
    access.check_beneficiaries(actor, beneficiary.program)
    beneficiary.delete()
    dataversion.bump(family_measures=True)


def _kind_labels() -> dict[str, str]:
    """The kinds of help by their label in either language, lower case ("bantuan tunai")."""
    labels = {}
    for language in ("id", "en"):
        with translation.override(language):
            labels.update({str(k.label).lower(): k.value for k in Beneficiary.Kind})
    return labels


def beneficiaries_read(*, actor, program, content: bytes, filename: str):
    """Check a beneficiary file for `program`; with no problem, keep its rows encrypted for
    the preview and return the pending import (ImportProblems otherwise)."""
    access.check_beneficiaries(actor, program)
    kinds = {k.value for k in Beneficiary.Kind}
    by_label = _kind_labels()
    problems = _Problems(BENEFICIARY_COLUMNS)
    rows = []
    for number, row in read_rows(content, filename, BENEFICIARY_COLUMNS):
        before = problems.count
        nik = _id_cell(problems, number, "nik", row.get("nik"), _("NIK"), required=False)
        kk = _id_cell(problems, number, "kk", row.get("kk"), _("No. KK"), required=False)
        if problems.count == before and not (nik or kk):
            problems.add(number, "nik", _("Give the NIK or the No. KK of the beneficiary."))
        quarter = whole_number(row.get("quarter"))
        if quarter not in Quarter.values:
            problems.add(number, "quarter", _("The quarter must be 1, 2, 3 or 4."))
        kind = text(row.get("kind")).lower()
        kind = by_label.get(kind, kind)
        if kind not in kinds:
            problems.add(
                number,
                "kind",
                _("Choose the kind of help from the list: %(kinds)s.")
                % {"kinds": ", ".join(str(k.label) for k in Beneficiary.Kind)},
            )
        amount = _amount(row.get("amount"))
        if amount is None:
            problems.add(number, "amount", _("The amount must be a number of at least 0."))
        if problems.count == before:
            name, unit = text(row.get("name"))[:200], text(row.get("unit"))[:20]
            rows.append([nik, kk, name, quarter, kind, amount, unit])
    if not problems.count and not rows:
        problems.add(0, "", _("The file holds no beneficiary."))
    problems.raise_any()
    return PendingBeneficiaryImport.objects.create(
        token=secrets.token_urlsafe(32),
        user=actor,
        program=program,
        filename=filename[:255],
        rows=json.dumps(rows),
    )


def _amount(value):
    """The amount in a cell as a plain number text ("" when empty), or None when it is not a
    number of at least 0. Excel gives a number; a CSV the text as the OPD typed it."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(Decimal(str(value))) if value >= 0 else None
    typed = text(value)
    if not typed:
        return ""
    number = read_typed_number(typed)
    if number is None or number.startswith("-"):
        return None
    try:
        Decimal(number)
    except InvalidOperation:
        return None
    return number


def pending_rows(pending: PendingBeneficiaryImport) -> list[list]:
    return json.loads(pending.rows)


def beneficiaries_confirm(*, actor, pending: PendingBeneficiaryImport) -> int:
    """Apply a checked file: it replaces the programme's beneficiaries of the quarters it
    holds, all at once."""
    program = pending.program
    access.check_beneficiaries(actor, program)
    rows = pending_rows(pending)
    quarters = {row[3] for row in rows}
    with transaction.atomic():
        Beneficiary.objects.filter(program=program, quarter__in=quarters).delete()
        Beneficiary.objects.bulk_create(
            [
                _beneficiary(
                    actor=actor,
                    program=program,
                    nik=nik,
                    kk=kk,
                    name=name,
                    quarter=quarter,
                    kind=kind,
                    amount=Decimal(amount) if amount else None,
                    unit=unit,
                )  # fmt: skip
                for nik, kk, name, quarter, kind, amount, unit in rows
            ],
            batch_size=BATCH,
        )
        pending.delete()
        dataversion.bump(family_measures=True)
    return len(rows)


def replaced_count(pending: PendingBeneficiaryImport) -> int:
    quarters = {row[3] for row in pending_rows(pending)}
    return Beneficiary.objects.filter(program=pending.program, quarter__in=quarters).count()


# ---- The access log --------------------------------------------------------------------------


def access_logged(*, user, action: str, what: str, rows: int) -> None:
    """Write down that `user` saw or exported `rows` families' names, described by `what`
    (filters and places, never a name or a number)."""
    AccessLogEntry.objects.create(user=user, action=action, what=what[:200], rows=rows)


def check_ids(nik: str, kk: str) -> tuple[str, str]:
    """The NIK and No. KK typed in a form, cleaned; ValidationError by field otherwise."""
    errors = {}
    nik, kk = clean_id(nik), clean_id(kk)
    if nik and not is_valid_id(nik):
        errors["nik"] = _("A NIK has 16 digits.")
    if kk and not is_valid_id(kk):
        errors["kk"] = _("A No. KK has 16 digits.")
    if not (nik or kk or errors):
        errors["nik"] = _("Give the NIK or the No. KK of the beneficiary.")
    if errors:
        raise ValidationError(errors)
    return nik, kk
