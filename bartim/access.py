"""The access policy: who may read, create, change, review and delete which record, in which
period, and when a reason is required. Every write path asks it (the services, the app's
pages, the forms, the Excel imports and the Django admin); nothing else restates it.

The rules, in one sentence each:
- Every active, signed-in account reads everything but the accounts themselves, which only
  administrators read; an anonymous or inactive one reads nothing.
- An agency (OPD) account reports on the programmes of its own agency, with their indicators
  and quarterly values; a camat account on the village data of his own kecamatan; an
  administrator on everything. Viewers report on nothing.
- A reporter changes and deletes his records while they are a draft or returned; an
  administrator also while submitted. Approved records are changed by nobody until an
  administrator reopens them.
- A programme is reviewed twice over: its plan (the programme, its nomenclature codes, its
  indicators with their annual targets, its budget ceiling, original and revised, its
  funding sources and target villages) once, by the programme's status; each quarter's
  report (that quarter's indicator values, budget realisation, note, physical progress,
  problems and follow-up) on its own, by its QuarterReport's status (no row: a draft).
  Quarterly data follows its quarter's status, not the plan's, so an approved plan keeps
  receiving quarterly reports.
- What ties a record to its reporter (a programme's agency) is changed only by an
  administrator; what a record is about (village data's village and year) by nobody once it
  exists; a review status only by review steps.
- Review steps follow TRANSITIONS: the reporter submits; an administrator approves, returns
  or reopens (with a reason), never his own submission. A plan is submitted with at least
  one indicator with an annual target; a quarter report once its plan is approved. The
  reporter of an approved plan asks for a revision with a reason; an administrator grants
  it by reopening the plan or declines it (with a reason).
- A locked quarter's data (a programme's budget realisation of the quarter, an indicator's
  value of the quarter, the quarter report's texts and physical progress) is changed, added
  or deleted only by an administrator, who gives a reason; a page that cannot take a reason
  (the admin's delete page) cannot delete it.
- Evidence files of a quarter's report, or of one of that quarter's indicator values (the
  report reviews them, so a value's file is asked of the policy through its report), are
  read by whoever reads the programme; they are added and removed by whoever may change
  that quarter's data (its report's status and the period lock, as for its values), and
  removing one keeps it in the history.
- Every active account keeps its own notification settings (e-mail on or off).
- Personal data of the welfare registry (families and beneficiaries, with their names):
  a viewer sees aggregates only; a camat the families of his own kecamatan's villages; an
  OPD the beneficiaries of its own agency's programmes, which it records; an administrator
  everything, and he alone imports or deletes a registry snapshot and reads the access log.
  Every view or export of names is logged (families.services.access_logged).
- The public (the public page, the open data, a public API token: PUBLIC) reads only the
  years an administrator published, and of those only what a reviewer verified: approved
  plans with their indicators and target villages, verified quarters' values, approved
  village data; besides them the reference data (territory, agencies, strategies, the BPS
  series, the pocket rule). Never an account, a history, a note, a review step, an evidence
  file or personal data.
- Everything else (territory, agencies, accounts, strategies, the BPS series, the pocket rule,
  the basic-needs dimensions and rule, period locks, published years, system accounts) is
  kept by administrators only; the three strategies, the pocket rule and the basic-needs rule
  are changed, never added or deleted.

The policy knows each kind of record by its model label (KINDS), so that it imports no app
above this one: a new kind of reported record is a new line there. Its questions, by use:
- querysets: readable(), reported(), editable(), choices_for(); published_years();
- one record: may_read(), reports_on(), may_create() / check_create(), own_owner_id(),
  owner_field(),
  may_write(), may_change() / check_change(), fixed_fields() / check_fields(),
  may_delete_any(), may_delete() / check_delete(), and for views get_for_read() /
  get_for_write();
- periods: quarter_refusal() / check_quarter_writable(), writable_quarters(),
  period_refusal() / check_period(), needs_reason(), may_override_locks();
- quarter reports: quarter_editable(), may_change(record, fields) for a programme's
  quarterly fields;
- evidence files: evidence_refusal() / check_evidence() (adding or removing a quarter
  report's files), may_read() and get_for_read() (reading and downloading them);
- review: TRANSITIONS, refusal(), allowed_actions(), blocked_actions(), reporters_of(),
  last_submitter_id();
- personal data: family_names(), beneficiary_names(), may_see_family_names(),
  beneficiary_programs(), check_beneficiaries(), check_registry_keeper().
"""

from dataclasses import dataclass, field
from functools import wraps

from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from bartim.models import PeriodLock, PublishedYear, Quarter, ReviewAction, ReviewStatus, User
from helpers.concurrency import claim_version


class ReviewError(Exception):
    """A transition that is not allowed from the record's current status or without a reason."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class ReviewBlocked(ReviewError):
    """A review step the user may take on a record of this status, refused for what the
    record holds (a plan without an indicator, a quarter of a plan not yet approved): the
    page shows the step's button disabled, with this message."""


class PeriodLockError(Exception):
    """A locked quarter changed without the reason an administrator must give."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


AGENCY = "agency"
DISTRICT = "district"


@dataclass(frozen=True)
class Kind:
    """How the policy finds a reported record's owner, review status, period and fixed fields.

    `owner`: whose accounts report on it (AGENCY or DISTRICT); the paths lead from the record
    to the owner's id, its review status and its year. `owner_field` is the field a form
    chooses the owner by, and `owner_lookup` leads from that field's model to the owner's id
    (choices_for). `fixed`: the fields of an existing record only an administrator changes;
    `set_once`: those nobody changes once the record exists (another village or year is
    another record: create it, and delete the wrong one).
    A record holds quarterly data either as a whole (`quarter_path`: a quarterly value) or in
    some of its fields (`quarter_fields`: a programme's budget realisation per quarter).
    `period_fields` change the figures of every quarter the record holds data for, its own
    and those of the quarterly values under it (`values_quarter_path`): a programme moved to
    another year, an indicator's annual target or aggregation changed.
    `report_path` leads to the programme whose quarter report (of the quarter at
    `quarter_path`) holds the record's review status, instead of `status_path`."""

    owner: str
    owner_path: str
    status_path: str
    year_path: str
    owner_field: str = ""
    owner_lookup: str = ""
    fixed: tuple[str, ...] = ()
    set_once: tuple[str, ...] = ()
    quarter_path: str = ""
    quarter_fields: dict[int, str] = field(default_factory=dict)
    period_fields: tuple[str, ...] = ()
    values_quarter_path: str = ""
    report_path: str = ""


KINDS = {
    "programs.program": Kind(
        AGENCY,
        "agency_id",
        "status",
        "year",
        owner_field="agency",
        owner_lookup="pk",
        fixed=("agency",),
        quarter_fields={q: f"budget_realized_q{q}" for q in (1, 2, 3, 4)},
        period_fields=("year",),
        values_quarter_path="indicators__values__quarter",
    ),
    "indicators.indicator": Kind(
        AGENCY,
        "program__agency_id",
        "program__status",
        "program__year",
        fixed=("program",),
        period_fields=("program", "target", "baseline", "direction", "aggregation"),
        values_quarter_path="values__quarter",
    ),
    "indicators.indicatorvalue": Kind(
        AGENCY,
        "indicator__program__agency_id",
        "",
        "indicator__program__year",
        quarter_path="quarter",
        report_path="indicator__program",
    ),
    # A quarter report's note, physical progress, problems and follow-up are that quarter's
    # data: its own status and its quarter's lock govern them.
    "programs.quarterreport": Kind(
        AGENCY,
        "program__agency_id",
        "status",
        "program__year",
        fixed=("program", "quarter"),
        quarter_path="quarter",
    ),
    # A programme's funding sources are part of its plan, reviewed with it.
    "programs.programfunding": Kind(
        AGENCY,
        "program__agency_id",
        "program__status",
        "program__year",
        fixed=("program",),
    ),
    # An evidence file follows its quarter's report as a quarterly value does: who may change
    # that quarter's data adds and removes its files (check_evidence), in its period. A
    # value's file holds its report too (evidence.EvidenceFile.report), so one path serves.
    "evidence.evidencefile": Kind(
        AGENCY,
        "report__program__agency_id",
        "",
        "report__program__year",
        quarter_path="report__quarter",
        report_path="report__program",
    ),
    "villages.villagedata": Kind(
        DISTRICT,
        "village__district_id",
        "status",
        "year",
        owner_field="village",
        owner_lookup="district_id",
        set_once=("village", "year"),
    ),
}

QUARTER_REPORT = "programs.quarterreport"
# The statuses of an approved plan: one whose revision was asked for stands until reopened.
APPROVED_PLAN = frozenset({ReviewStatus.APPROVED, ReviewStatus.REVISION})

# Read by administrators only: who has an account and with which role is not public.
PRIVATE = frozenset({"bartim.user"})
# Changed by administrators, never added or deleted: the regent's three strategies, the
# pocket rule and the basic-needs rule (their one row comes with the migration).
CHANGED_ONLY = frozenset({"programs.strategy", "villages.pocketrule", "villages.needrule"})


# What the public reads besides the published years' reported records: the reference data.
PUBLIC_REFERENCE = frozenset(
    {
        "bartim.regency",
        "bartim.district",
        "bartim.village",
        "bartim.agency",
        "programs.strategy",
        "villages.pocketrule",
        # Every year of the BPS series, published or not here: BPS publishes these figures
        # itself, and a trend of the published years only would be one point.
        "villages.povertystatistic",
    }
)
# Records of a Kind the public never reads, verified or not: an evidence file may show a
# beneficiary's face or an SP2D with a bank account.
PUBLIC_NEVER = frozenset({"evidence.evidencefile"})
# What a reviewer verified, by the status the record's Kind leads to: an approved plan (a
# revision requested stands until reopened), an approved quarter report or village data.
VERIFIED = frozenset({ReviewStatus.APPROVED, ReviewStatus.REVISION})


class PublicReader(AnonymousUser):
    """The public: nobody signed in, reading through the public page, the open data or a
    public API token. Unlike a plain anonymous visitor (who reads nothing and is sent to
    the login page) it reads the published years' verified records (readable())."""

    def __str__(self):
        return "public"


PUBLIC = PublicReader()


def is_public(user) -> bool:
    return isinstance(user, PublicReader)


def published_years() -> list[int]:
    """The years the public sees, newest first."""
    return list(PublishedYear.objects.order_by("-year").values_list("year", flat=True))


def _public_readable(queryset: QuerySet) -> QuerySet:
    """What the public reads of `queryset` (the module docstring's rule)."""
    label = queryset.model._meta.label_lower
    if label in PUBLIC_NEVER:
        return queryset.none()
    if label in PUBLIC_REFERENCE:
        return queryset
    published = PublishedYear.objects.values("year")
    kind = _kind(queryset.model)
    if kind is None:
        return queryset.none()
    queryset = queryset.filter(**{f"{kind.year_path}__in": published})
    if kind.report_path:
        reports = apps.get_model(QUARTER_REPORT)._default_manager
        return queryset.filter(
            Exists(
                reports.filter(
                    program=OuterRef(kind.report_path),
                    quarter=OuterRef(kind.quarter_path),
                    status__in=VERIFIED,
                )
            )
        )
    return queryset.filter(**{f"{kind.status_path}__in": VERIFIED})


def _kind(model) -> Kind | None:
    return KINDS.get(model._meta.label_lower)


def _value(record, path: str):
    """The value `path` leads to from `record` in memory; None where a link is not set yet
    (a form's record whose foreign key did not validate)."""
    for part in path.split("__"):
        try:
            record = getattr(record, part)
        except ObjectDoesNotExist:
            return None
        if record is None:
            return None
    return record


def is_active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_admin(user) -> bool:
    return is_active(user) and user.is_regency_admin


def owner_id(user, owner: str):
    """The agency or district `user` reports for, or None."""
    if not is_active(user):
        return None
    if owner == AGENCY and user.role == User.Role.OPD:
        return user.agency_id
    if owner == DISTRICT and user.role == User.Role.CAMAT:
        return user.district_id
    return None


def editable_statuses(user) -> list[str]:
    """Approved data is locked for everyone; an admin reopens it first, with a reason."""
    if is_admin(user):
        return [ReviewStatus.DRAFT, ReviewStatus.RETURNED, ReviewStatus.SUBMITTED]
    return [ReviewStatus.DRAFT, ReviewStatus.RETURNED]


# ---- Querysets -----------------------------------------------------------------------------


def readable(user, queryset: QuerySet) -> QuerySet:
    """What `user` may read of `queryset`: everything for an active account (aligning the
    agencies is the point of the app), the published years' verified records for the
    public, nothing otherwise; of personal data, his share."""
    if is_public(user):
        return _public_readable(queryset)
    scope = PERSONAL.get(queryset.model._meta.label_lower)
    if scope is not None:
        return scope(user, queryset)
    return queryset if may_read(user, queryset.model) else queryset.none()


def reported(user, queryset: QuerySet) -> QuerySet:
    """The records of `queryset` that `user` reports on, whatever their review status."""
    if is_admin(user):
        return queryset
    kind = _kind(queryset.model)
    own = owner_id(user, kind.owner) if kind else None
    if own is None:
        return queryset.none()
    return queryset.filter(**{kind.owner_path: own})


def editable(user, queryset: QuerySet) -> QuerySet:
    """The records of `queryset` that `user` may change now (a programme: its plan)."""
    kind = _kind(queryset.model)
    if kind is None:
        return queryset if may_write(user, queryset.model) else queryset.none()
    if kind.report_path:
        return reported(user, queryset).exclude(
            _report_not_editable(user, OuterRef(kind.report_path), OuterRef(kind.quarter_path))
        )
    return reported(user, queryset).filter(**{f"{kind.status_path}__in": editable_statuses(user)})


def _report_not_editable(user, program, quarter) -> Exists:
    """Whether the quarter report of `program`'s `quarter` holds a status `user` may not
    change data in. A quarter without a report is a draft, so only a stored row can."""
    reports = apps.get_model(QUARTER_REPORT)._default_manager
    return Exists(
        reports.filter(program=program, quarter=quarter).exclude(status__in=editable_statuses(user))
    )


def quarter_editable(user, queryset: QuerySet, quarter: int) -> QuerySet:
    """The programmes of `queryset` whose data of `quarter` (indicator values, budget
    realisation, note) `user` may change now, whatever their plan's status."""
    return reported(user, queryset).exclude(_report_not_editable(user, OuterRef("pk"), quarter))


def choices_for(user, model, queryset: QuerySet) -> QuerySet:
    """What `user` may file a new `model` record under, of `queryset` (the records its
    owner field points at): every agency or village for an administrator, his own agency or
    his own district's villages for a reporter, nothing for anyone else."""
    if is_admin(user):
        return queryset
    kind = _kind(model)
    own = owner_id(user, kind.owner) if kind else None
    if own is None:
        return queryset.none()
    return queryset.filter(**{kind.owner_lookup: own})


# ---- One record ----------------------------------------------------------------------------


def may_read(user, model) -> bool:
    """Whether `user` reads records of `model` at all."""
    label = model._meta.label_lower
    if is_public(user):
        if label in PUBLIC_NEVER:
            return False
        return label in PUBLIC_REFERENCE or _kind(model) is not None
    if label in PERSONAL:
        return PERSONAL_READERS[label](user)
    if label in PRIVATE:
        return is_admin(user)
    return is_active(user)


def may_report_for(user, owner: str, owner_pk=None) -> bool:
    """Whether `user` may create records owned by `owner_pk` (any owner when None)."""
    if is_admin(user):
        return True
    own = owner_id(user, owner)
    return own is not None and (owner_pk is None or own == owner_pk)


def may_write(user, model) -> bool:
    """Whether `user` changes records of `model` at all (which ones: editable())."""
    kind = _kind(model)
    return is_admin(user) if kind is None else may_report_for(user, kind.owner)


def may_create(user, model, owner_pk=None) -> bool:
    """Whether `user` may create a `model` record owned by `owner_pk` (by some owner when
    None): the agency or district id its Kind's owner_path leads to."""
    if model._meta.label_lower in CHANGED_ONLY:
        return False
    kind = _kind(model)
    return is_admin(user) if kind is None else may_report_for(user, kind.owner, owner_pk)


def check_create(user, model, owner_pk=None, message=None) -> None:
    """Raise unless `user` may create a `model` record owned by `owner_pk`."""
    if not may_create(user, model, owner_pk):
        kind = _kind(model)
        if message is None and kind and kind.owner == DISTRICT and may_write(user, model):
            message = _("You may only keep the data of villages in your own district.")
        raise PermissionDenied(message or _("You may not create this record."))


def own_owner_id(user, model):
    """The agency or district whose `model` records `user` files, when he files them for
    one only (a reporter), else None (an administrator files them for any)."""
    kind = _kind(model)
    if kind is None or is_admin(user):
        return None
    return owner_id(user, kind.owner)


def may_change(user, record, fields=None) -> bool:
    """Whether `user` may change `record` now, as stored in the database. With `fields`
    (names), whether he may change those: a programme's quarterly fields (budget
    realisation) follow their quarter's report, its other fields its plan."""
    model = type(record)
    kind = _kind(model)
    if kind is None:
        return may_write(user, model)
    stored = model._default_manager.filter(pk=record.pk)
    if fields is None or not kind.quarter_fields:
        return editable(user, stored).exists()
    by_name = {name: quarter for quarter, name in kind.quarter_fields.items()}
    plan_fields = set(fields) - set(by_name)
    if plan_fields and not editable(user, stored).exists():
        return False
    return all(
        quarter_editable(user, stored, by_name[name]).exists()
        for name in set(fields) & set(by_name)
    )


def locked_for_change(user, model, pk, *, seen_version=None, message=None, quarter=None):
    """The record `pk` of `model` locked for a write (SELECT ... FOR UPDATE), its version
    raised (helpers.concurrency: EditConflict when someone saved it after `seen_version`),
    or PermissionDenied when `user` may not change it now: a programme's plan, or with
    `quarter` that quarter's data (quarter_editable). Inside the caller's transaction.
    `quarter=0`: only who reports on it, the fields changed being checked by the caller
    (may_change with fields)."""
    claim_version(model, pk=pk, seen_version=seen_version, actor=user)
    records = model._default_manager.all()
    if quarter is None:
        records = editable(user, records)
    elif quarter:
        records = quarter_editable(user, records, quarter)
    else:
        records = reported(user, records)
    current = records.select_for_update().filter(pk=pk).first()
    if current is None:
        raise PermissionDenied(message or _("You may not change this record now."))
    return current


def check_change(user, record, message=None, fields=None) -> None:
    if not may_change(user, record, fields):
        raise PermissionDenied(message or _("You may not change this record now."))


def fixed_fields(user, model, creating: bool = False) -> frozenset[str]:
    """The fields of a `model` record that `user` may not set by editing it: its review
    status (a new record is a draft; review steps change it) and, on an existing record,
    what it is about (`Kind.set_once`) and, unless he is an administrator, what ties it to
    its reporter (`Kind.fixed`)."""
    kind = _kind(model)
    if kind is None:
        return frozenset()
    fixed = {kind.status_path} if kind.status_path and "__" not in kind.status_path else set()
    if not creating:
        fixed.update(kind.set_once)
    if not (creating or is_admin(user)):
        fixed.update(kind.fixed)
    return frozenset(fixed)


def owner_field(model) -> str:
    """The field a form chooses a new `model` record's owner by ("" when none)."""
    kind = _kind(model)
    return kind.owner_field if kind else ""


def check_fields(user, record, fields: dict, message=None) -> None:
    """Raise unless `user` may give `record` (as stored) the values in `fields`: a fixed
    field sent with its current value is no change and passes."""
    model = type(record)
    for name in fixed_fields(user, model):
        attname = model._meta.get_field(name).attname
        for key in {name, attname} & set(fields):
            value = getattr(fields[key], "pk", fields[key]) if key == name else fields[key]
            if value == getattr(record, attname):
                continue
            raise PermissionDenied(
                message
                or _("You may not change the %(field)s of this record.")
                % {"field": model._meta.get_field(name).verbose_name}
            )


def may_delete_any(user, model) -> bool:
    """Whether `user` deletes records of `model` at all (which ones: may_delete())."""
    return model._meta.label_lower not in CHANGED_ONLY and may_write(user, model)


def may_delete(user, record, reason: str = "") -> bool:
    """Whether `user` may delete `record` now: whoever may change it, unless it is one of the
    CHANGED_ONLY records or holds data of a locked quarter that `reason` does not justify.
    Reported data that deleting would remove is guarded apart (helpers.deletion)."""
    if type(record)._meta.label_lower in CHANGED_ONLY:
        return False
    return may_change(user, record) and period_refusal(user, record, reason=reason) is None


def check_delete(user, record, reason: str = "") -> None:
    if type(record)._meta.label_lower in CHANGED_ONLY or not may_change(user, record):
        raise PermissionDenied(_("You may not delete this record."))
    check_period(user, record, reason=reason)


def check_own_settings(user) -> None:
    """Every active account changes its own notification settings, and only its own."""
    if not is_active(user):
        raise PermissionDenied(_("Sign in to change your settings."))


def check_admin(user, message=None) -> None:
    if not is_admin(user):
        raise PermissionDenied(message or _("Only an administrator may do this."))


def admin_required(view):
    """A page only for administrators: a 403 for every other role."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        check_admin(request.user, _("Only an administrator may open this page."))
        return view(request, *args, **kwargs)

    return wrapper


def get_for_read(request, queryset: QuerySet, pk):
    """The record `pk` of `queryset` if the requesting user may read it; 404 otherwise, so
    that nobody learns which records exist."""
    return get_object_or_404(readable(request.user, queryset), pk=pk)


def get_for_write(request, queryset: QuerySet, pk, message=None):
    """The record `pk` for a page that changes it: 404 as get_for_read, then 403 unless the
    user may change it now."""
    record = get_for_read(request, queryset, pk)
    check_change(request.user, record, message)
    return record


# ---- Periods -------------------------------------------------------------------------------


def may_override_locks(user) -> bool:
    """Whether `user` may change a locked quarter at all (giving a reason)."""
    return is_admin(user)


def quarter_refusal(user, *, year: int, quarter: int, reason: str = ""):
    """Why `user` may not change values of `quarter` in `year` now, or None: PermissionDenied
    for anyone but an administrator, PeriodLockError for an administrator without a reason."""
    if not PeriodLock.objects.filter(year=year, quarter=quarter).exists():
        return None
    if not may_override_locks(user):
        return PermissionDenied(
            _("%(quarter)s %(year)s is locked; only an administrator can change it.")
            % {"quarter": Quarter(quarter).label, "year": year}
        )
    if not (reason or "").strip():
        return PeriodLockError(
            _("%(quarter)s %(year)s is locked: give a reason for changing it.")
            % {"quarter": Quarter(quarter).label, "year": year}
        )
    return None


def check_quarter_writable(*, year: int, quarter: int, actor, reason: str = "") -> None:
    """Raise unless `actor` may change values of `quarter` in `year` now."""
    refused = quarter_refusal(actor, year=year, quarter=quarter, reason=reason)
    if refused is not None:
        raise refused


def writable_quarters(user, year: int) -> set[int]:
    """The quarters of `year` whose values `user` may change (an administrator every one,
    giving a reason where locked; anyone else the unlocked ones)."""
    if may_override_locks(user):
        return set(Quarter.values)
    return set(Quarter.values) - PeriodLock.objects.locked_quarters(year)


def quarter_needs_reason(user, *, year: int, quarter: int) -> bool:
    """Whether changing `quarter` of `year` needs a reason from `user` (who may change it)."""
    return isinstance(quarter_refusal(user, year=year, quarter=quarter), PeriodLockError)


def quarters_of(record, fields=None) -> set[int]:
    """The quarters whose data a change of `fields` of `record` touches. `fields=None` means
    the whole record (creating or deleting it): the quarters it holds data for."""
    kind = _kind(type(record))
    if kind is None:
        return set()
    if kind.quarter_path:
        touched = fields is None or bool(set(fields))
        return {_value(record, kind.quarter_path)} if touched else set()
    holding = {q for q, name in kind.quarter_fields.items() if getattr(record, name)}
    if fields is None:
        return holding
    if set(fields) & set(kind.period_fields):
        if kind.values_quarter_path and record.pk:
            holding |= set(
                type(record)
                ._default_manager.filter(
                    pk=record.pk, **{f"{kind.values_quarter_path}__isnull": False}
                )
                .values_list(kind.values_quarter_path, flat=True)
            )
        return holding
    return {q for q, name in kind.quarter_fields.items() if name in fields}


def period_refusal(user, record, fields=None, reason: str = ""):
    """Why `user` may not make the change of `fields` to `record` (with its values as they
    are in memory: a changed year or quarter counts) in its period, or None."""
    kind = _kind(type(record))
    quarters = quarters_of(record, fields)
    if kind is None or not quarters:
        return None
    year = _value(record, kind.year_path)
    if year is None:
        return None
    for quarter in sorted(quarters):
        refused = quarter_refusal(user, year=year, quarter=quarter, reason=reason)
        if refused is not None:
            return refused
    return None


def check_period(user, record, fields=None, reason: str = "") -> None:
    refused = period_refusal(user, record, fields, reason)
    if refused is not None:
        raise refused


def needs_reason(user, record, fields=None) -> bool:
    """Whether the change of `fields` to `record` needs a reason from `user`."""
    return isinstance(period_refusal(user, record, fields), PeriodLockError)


# ---- Evidence files ------------------------------------------------------------------------


def evidence_refusal(user, report, reason: str = ""):
    """Why `user` may not add evidence files to the quarter report `report` (stored, or the
    unsaved draft of a quarter without one) or remove its files now, or None: the same
    rule as the quarter's values (quarter_editable: who reports on the programme while the
    report is a draft or returned, an administrator also while submitted), then the period
    lock (quarter_refusal: an administrator gives a reason)."""
    programs = apps.get_model("programs.program")._default_manager.filter(pk=report.program_id)
    if not quarter_editable(user, programs, report.quarter).exists():
        return PermissionDenied(
            _("You may not change the evidence of this quarter now: it is submitted or verified.")
            if reports_on(user, report)
            else _("You may not change the evidence of this quarter.")
        )
    return quarter_refusal(user, year=report.program.year, quarter=report.quarter, reason=reason)


def check_evidence(user, report, reason: str = "") -> None:
    refused = evidence_refusal(user, report, reason)
    if refused is not None:
        raise refused


# ---- Review --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    needs_reason: bool
    by_admin: bool
    # The kinds of record (model labels) the step applies to; empty: every kind.
    kinds: frozenset[str] = frozenset()


TRANSITIONS = {
    ReviewAction.SUBMIT: Transition(
        frozenset({ReviewStatus.DRAFT, ReviewStatus.RETURNED}),
        ReviewStatus.SUBMITTED,
        needs_reason=False,
        by_admin=False,
    ),
    ReviewAction.APPROVE: Transition(
        frozenset({ReviewStatus.SUBMITTED}),
        ReviewStatus.APPROVED,
        needs_reason=False,
        by_admin=True,
    ),
    ReviewAction.RETURN: Transition(
        frozenset({ReviewStatus.SUBMITTED}),
        ReviewStatus.RETURNED,
        needs_reason=True,
        by_admin=True,
    ),
    # Reopening a plan whose revision was asked for grants the request.
    ReviewAction.REOPEN: Transition(
        frozenset({ReviewStatus.APPROVED, ReviewStatus.REVISION}),
        ReviewStatus.RETURNED,
        needs_reason=True,
        by_admin=True,
    ),
    ReviewAction.REQUEST_REVISION: Transition(
        frozenset({ReviewStatus.APPROVED}),
        ReviewStatus.REVISION,
        needs_reason=True,
        by_admin=False,
        kinds=frozenset({"programs.program"}),
    ),
    ReviewAction.DECLINE_REVISION: Transition(
        frozenset({ReviewStatus.REVISION}),
        ReviewStatus.APPROVED,
        needs_reason=True,
        by_admin=True,
        kinds=frozenset({"programs.program"}),
    ),
}


def allowed_actions(record, user) -> list[str]:
    """The review actions `user` may take on `record` now, for showing only usable buttons.
    `record` may be an unsaved quarter report (a quarter without one is a draft)."""
    return [action for action in TRANSITIONS if refusal(record, user, action) is None]


def blocked_actions(record, user) -> list[tuple[str, str]]:
    """The review actions `user` could take on `record` in its status but not with what it
    holds, each with why: shown as a disabled button with the reason."""
    refusals = ((action, refusal(record, user, action)) for action in TRANSITIONS)
    return [(action, why.message) for action, why in refusals if isinstance(why, ReviewBlocked)]


def last_submitter_id(record):
    if record.pk is None:
        return None
    event = record.review_events.filter(action=ReviewAction.SUBMIT).order_by("-pk").first()
    return event.actor_id if event else None


def refusal(record, user, action):
    """Why `user` may not take `action` on `record`, or None when he may."""
    transition = TRANSITIONS[action]
    label = type(record)._meta.label_lower
    if transition.kinds and label not in transition.kinds:
        return ReviewError(_("This step does not apply to this record."))
    if transition.by_admin:
        if not is_admin(user):
            return PermissionDenied(_("Only an administrator reviews submitted data."))
    elif not reports_on(user, record):
        return PermissionDenied(_("You may not submit this record."))
    elif action == ReviewAction.REQUEST_REVISION and is_admin(user):
        return PermissionDenied(_("An administrator reopens an approved plan directly."))
    if record.status not in transition.sources:
        return ReviewError(
            _("This record is %(status)s, so it cannot be %(action)s.")
            % {"status": record.get_status_display().lower(), "action": action.label}
        )
    if action in (ReviewAction.APPROVE, ReviewAction.RETURN) and (
        last_submitter_id(record) == user.pk
    ):
        return PermissionDenied(_("You cannot review your own submission."))
    if action == ReviewAction.SUBMIT:
        return _submit_refusal(record, label)
    return None


def reports_on(user, record) -> bool:
    """Whether `user` reports on `record` (read in memory: it may be an unsaved draft)."""
    kind = _kind(type(record))
    owner_pk = _value(record, kind.owner_path) if kind else None
    return kind is not None and owner_pk is not None and may_report_for(user, kind.owner, owner_pk)


def reporters_of(record) -> QuerySet:
    """The active accounts that report on `record`: its agency's OPD accounts or its
    kecamatan's camat accounts (who hear of its review steps)."""
    kind = _kind(type(record))
    owner_pk = _value(record, kind.owner_path) if kind else None
    if owner_pk is None:
        return User.objects.none()
    role, scope = (
        (User.Role.OPD, "agency_id") if kind.owner == AGENCY else (User.Role.CAMAT, "district_id")
    )
    return User.objects.filter(is_active=True, role=role, **{scope: owner_pk})


def _submit_refusal(record, label):
    """Why `record` cannot be submitted with what it holds, or None."""
    if label == "programs.program" and not (
        type(record)
        ._default_manager.filter(pk=record.pk)
        .filter(Q(indicators__target__gt=0) | Q(indicators__direction="down"))
        .exists()
    ):
        return ReviewBlocked(
            _(
                "A plan is submitted with at least one indicator that has an annual target: "
                "add an indicator first."
            )
        )
    if label == QUARTER_REPORT and record.program.status not in APPROVED_PLAN:
        return ReviewBlocked(
            _(
                "The programme's plan is not approved yet, so its quarter reports cannot be "
                "submitted: submit the plan first and wait for its approval."
            )
        )
    return None


# ---- Personal data (the welfare registry) ----------------------------------------------------


def may_see_family_names(user) -> bool:
    """Whether `user` sees the names of some registry families: an administrator all, a
    camat those of his own kecamatan's villages."""
    return is_admin(user) or (is_active(user) and user.role == User.Role.CAMAT)


def family_names(user, queryset: QuerySet) -> QuerySet:
    """The registry families (with their names) of `queryset` that `user` may see."""
    if is_admin(user):
        return queryset
    if is_active(user) and user.role == User.Role.CAMAT:
        return queryset.filter(village__district_id=user.district_id)
    return queryset.none()


def may_see_beneficiaries(user) -> bool:
    return is_admin(user) or (is_active(user) and user.role == User.Role.OPD)


def beneficiary_names(user, queryset: QuerySet) -> QuerySet:
    """The beneficiary records (with their names) of `queryset` that `user` may see: an
    administrator all, an OPD those of its own agency's programmes."""
    if is_admin(user):
        return queryset
    if is_active(user) and user.role == User.Role.OPD:
        return queryset.filter(program__agency_id=user.agency_id)
    return queryset.none()


def beneficiary_programs(user, queryset: QuerySet) -> QuerySet:
    """The programmes of `queryset` whose beneficiaries `user` sees and records."""
    if is_admin(user):
        return queryset
    if is_active(user) and user.role == User.Role.OPD:
        return queryset.filter(agency_id=user.agency_id)
    return queryset.none()


def check_beneficiaries(user, program) -> None:
    """Raise unless `user` may see and record the beneficiaries of `program`."""
    if not (
        is_admin(user) or (may_see_beneficiaries(user) and program.agency_id == user.agency_id)
    ):
        raise PermissionDenied(_("You may only see the beneficiaries of your own programmes."))


def check_family_names(user) -> None:
    if not may_see_family_names(user):
        raise PermissionDenied(_("Your role sees the registry's figures, not its families."))


def check_registry_keeper(user) -> None:
    """The registry snapshots and the access log are kept by administrators only."""
    check_admin(user, _("Only an administrator keeps the welfare registry."))


def _admin_only(user, queryset: QuerySet) -> QuerySet:
    return queryset if is_admin(user) else queryset.none()


# Personal data by model label: who reads which rows, and who reads any at all.
PERSONAL = {
    "families.family": family_names,
    "families.beneficiary": beneficiary_names,
    "families.accesslogentry": _admin_only,
    "families.pendingbeneficiaryimport": _admin_only,
}
PERSONAL_READERS = {
    "families.family": may_see_family_names,
    "families.beneficiary": may_see_beneficiaries,
    "families.accesslogentry": is_admin,
    "families.pendingbeneficiaryimport": is_admin,
}
