"""The regency itself: its territory, the organisations that own programmes (agencies (OPD),
village governments, businesses and community organisations) and its user accounts."""

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from helpers.deletion import ReportKeepingModel, ReportKeepingQuerySet

YEAR_MIN = 2000
YEAR_MAX = 2100


def year_range_constraint(model_label: str, field: str = "year") -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": YEAR_MIN, f"{field}__lte": YEAR_MAX}),
        name=f"{model_label}_{field}_in_range",
        # The bounds are spelled out so that translators see the whole sentence.
        violation_error_message=_("The year must be between 2000 and 2100."),
    )


def quarter_range_constraint(model_label: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(quarter__gte=1, quarter__lte=4),
        name=f"{model_label}_quarter_1_to_4",
        violation_error_message=_("The quarter must be between 1 and 4."),
    )


class Quarter(models.IntegerChoices):
    Q1 = 1, _("Q I")
    Q2 = 2, _("Q II")
    Q3 = 3, _("Q III")
    Q4 = 4, _("Q IV")


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")
    # An approved plan whose reporter asked to change it; it stands as approved until an
    # administrator reopens it (the request granted) or declines the request.
    REVISION = "revision", _("Revision requested")


class ReviewAction(models.TextChoices):
    SUBMIT = "submit", _("submitted")
    APPROVE = "approve", _("approved")
    RETURN = "return", _("returned")
    REOPEN = "reopen", _("reopened")
    REQUEST_REVISION = "revise", _("revision requested")
    DECLINE_REVISION = "decline", _("revision declined")


class ReviewEvent(models.Model):
    """One step of a record's review: who moved it from which status to which, when and why.

    Concrete subclasses add the foreign key to the record they log."""

    action = models.CharField(_("action"), max_length=10, choices=ReviewAction.choices)
    from_status = models.CharField(_("from"), max_length=10, choices=ReviewStatus.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=ReviewStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} · {self.actor} · {self.created_at:%Y-%m-%d %H:%M}"


class Regency(models.Model):
    code = models.CharField(_("Kemendagri code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=100)
    bps_code = models.CharField(_("BPS code"), max_length=4, blank=True)

    class Meta:
        verbose_name = _("regency")
        verbose_name_plural = _("regencies")
        ordering = ["code"]

    def __str__(self):
        return self.name


class District(models.Model):
    """A kecamatan."""

    regency = models.ForeignKey(
        Regency, on_delete=models.PROTECT, related_name="districts", verbose_name=_("regency")
    )
    code = models.CharField(_("Kemendagri code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("district (kecamatan)")
        verbose_name_plural = _("districts (kecamatan)")
        ordering = ["code"]

    def __str__(self):
        return self.name


class VillageQuerySet(ReportKeepingQuerySet):
    def reports_blocking_deletion(self):
        """Programmes that target these villages: the link would go with the village."""
        links = (
            Village.programs.through.objects.filter(village__in=self)
            .select_related("program", "village")
            .order_by("village__code", "program__name")
        )
        return [
            (
                link.program,
                _("%(village)s is a target village of the programme %(programme)s")
                % {"village": link.village, "programme": link.program},
            )
            for link in links
        ]


class Village(ReportKeepingModel):
    """A desa or a kelurahan. Its village data (on_delete=PROTECT) and the programmes that
    target it (bartim/deletion.py) keep it from being deleted."""

    class Kind(models.TextChoices):
        DESA = "desa", _("Village (desa)")
        KELURAHAN = "kelurahan", _("Urban village (kelurahan)")

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="villages", verbose_name=_("district")
    )
    code = models.CharField(_("Kemendagri code"), max_length=13, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)

    objects = VillageQuerySet.as_manager()

    class Meta:
        verbose_name = _("village (desa/kelurahan)")
        verbose_name_plural = _("villages (desa/kelurahan)")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["desa", "kelurahan"]), name="village_kind_valid"
            ),
        ]

    def __str__(self):
        return self.name


class AgencyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def marked_to_report(self):
        """The active agencies an administrator marked as reporting every year. An agency
        must report in a year if it runs programmes in that year or is marked: a marked
        agency without programmes shows as not reported (docs/progress.md)."""
        return self.filter(is_active=True, must_report=True)


class Agency(models.Model):
    """An organisation that owns programmes: an organisasi perangkat daerah (OPD), a village
    government (pemerintah desa, for its Dana Desa and ADD programmes), a business (CSR) or a
    community organisation. Its accounts report on its programmes alone (bartim.access), a
    village government's for its own village alone (programs/owners.py). Retired
    organisations stay for the history they hold."""

    class Kind(models.TextChoices):
        OPD = "opd", _("Regency agency (OPD)")
        VILLAGE = "village", _("Village government (pemerintah desa)")
        BUSINESS = "business", _("Business (CSR)")
        COMMUNITY = "community", _("Community organisation")

    # The reference file's key, so that a unit renamed in the file is renamed here in place.
    code = models.CharField(
        _("reference code"),
        max_length=20,
        blank=True,
        help_text=_(
            "Key of this unit in the reference file data/bartim_opd.csv; "
            "empty for a unit added in the application."
        ),
    )
    name = models.CharField(_("name"), max_length=200, unique=True)
    abbreviation = models.CharField(_("abbreviation"), max_length=30, blank=True)
    kind = models.CharField(
        _("kind of organisation"), max_length=10, choices=Kind.choices, default=Kind.OPD
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="governments",
        verbose_name=_("village"),
        help_text=_("The village a village government governs; only for village governments."),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Retire a unit instead of deleting it.")
    )
    must_report = models.BooleanField(
        _("must report every year"),
        default=False,
        help_text=_(
            "Tick for an agency that must report poverty programmes every year: in a year "
            "with no programme of its own it shows as not reported. An agency with "
            "programmes in a year must report in that year anyway."
        ),
    )

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme owner")
        verbose_name_plural = _("programme owners")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["opd", "business", "community"], village__isnull=True)
                | Q(kind="village", village__isnull=False),
                name="agency_village_only_for_village_government",
                violation_error_message=_(
                    "A village government needs its village; other organisations have none."
                ),
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=~Q(code=""),
                name="agency_code_unique_when_set",
                violation_error_message=_("Another agency already has this reference code."),
            ),
        ]

    def __str__(self):
        return self.abbreviation or self.name

    def clean(self):
        # The constraint's rule, on the field, so that the form shows it there.
        if self.kind == self.Kind.VILLAGE and self.village_id is None:
            raise ValidationError({"village": _("Choose the village this government governs.")})
        if self.kind != self.Kind.VILLAGE and self.village_id is not None:
            raise ValidationError(
                {"village": _("Only a village government has a village; leave it empty.")}
            )


class User(AbstractUser):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator (Bapplitbangda)")
        # The value stays "opd"; the account reports for any programme owner: an OPD, a
        # village government (a village operator), a business or a community organisation.
        OPD = "opd", _("Programme owner")
        CAMAT = "camat", _("District head (camat)")
        VIEWER = "viewer", _("Viewer")

    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("organisation"),
        help_text=_(
            "Required for programme owner accounts: their OPD, village government, business "
            "or community organisation."
        ),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("district"),
        help_text=_("Required for district head (camat) accounts."),
    )
    email_notifications = models.BooleanField(
        _("notifications by e-mail"),
        default=True,
        help_text=_(
            "Send the notices of the inbox (returned, verified, deadlines, locks) to the "
            "account's e-mail address as well."
        ),
    )
    # Kept by notifications.services with every notice made or read, so that the navigation
    # shows it from the account already loaded, without a query on every page.
    unread_notifications = models.PositiveIntegerField(
        _("unread notifications"), default=0, editable=False
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role="opd", agency__isnull=False, district__isnull=True)
                    | Q(role="camat", district__isnull=False, agency__isnull=True)
                    | Q(role__in=["admin", "viewer"], agency__isnull=True, district__isnull=True)
                ),
                name="user_role_scope_matches",
                violation_error_message=_(
                    "An agency account needs an agency, a camat account needs a district, "
                    "and administrators and viewers have neither."
                ),
            ),
        ]

    @property
    def is_regency_admin(self) -> bool:
        return self.is_active and (self.is_superuser or self.role == self.Role.ADMIN)


class PeriodLockQuerySet(models.QuerySet):
    def locked_quarters(self, year: int) -> set[int]:
        return set(self.filter(year=year).values_list("quarter", flat=True))


class PeriodLock(models.Model):
    """A locked quarter of a year: only an admin, giving a reason, changes its values.

    Unlocking deletes the row; the history keeps who locked and unlocked it, when and why."""

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=Quarter.choices)
    reason = models.TextField(_("reason"), blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("locked by"),
    )
    locked_at = models.DateTimeField(_("locked at"), auto_now_add=True)

    objects = PeriodLockQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("period lock")
        verbose_name_plural = _("period locks")
        ordering = ["-year", "-quarter"]
        constraints = [
            year_range_constraint("periodlock"),
            quarter_range_constraint("periodlock"),
            models.UniqueConstraint(
                fields=["year", "quarter"],
                name="periodlock_one_per_quarter",
                violation_error_message=_("This quarter is already locked."),
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.get_quarter_display()}"


def default_due_date(year: int, quarter: int) -> datetime.date:
    """The reporting deadline of a quarter when an administrator set none: the 10th day
    after the quarter ends (TW I 2025: 10 April 2025; TW IV 2025: 10 January 2026)."""
    if quarter == 4:
        return datetime.date(year + 1, 1, 10)
    return datetime.date(year, quarter * 3 + 1, 10)


class DeadlineQuerySet(models.QuerySet):
    def due_date(self, year: int, quarter: int) -> datetime.date:
        """The day by which a quarter's reports are due: the one an administrator set, or
        default_due_date()."""
        set_date = self.filter(year=year, quarter=quarter).values_list("due_date", flat=True)
        return next(iter(set_date), None) or default_due_date(year, quarter)

    def due_dates(self, years) -> dict[tuple[int, int], datetime.date]:
        """(year, quarter) -> its due date for every quarter of `years`, in one query."""
        years = list(years)
        dates = {(y, q): default_due_date(y, q) for y in years for q in range(1, 5)}
        for year, quarter, due in self.filter(year__in=years).values_list(
            "year", "quarter", "due_date"
        ):
            dates[(year, quarter)] = due
        return dates


class Deadline(models.Model):
    """The day by which the quarter reports of a quarter are due, as an administrator set
    it; a quarter without one is due on default_due_date()."""

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=Quarter.choices)
    due_date = models.DateField(_("due date"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("set by"),
    )

    objects = DeadlineQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reporting deadline")
        verbose_name_plural = _("reporting deadlines")
        ordering = ["-year", "-quarter"]
        constraints = [
            year_range_constraint("deadline"),
            quarter_range_constraint("deadline"),
            models.UniqueConstraint(
                fields=["year", "quarter"],
                name="deadline_one_per_quarter",
                violation_error_message=_("This quarter already has a deadline."),
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.get_quarter_display()}: {self.due_date:%Y-%m-%d}"


class PublishedYear(models.Model):
    """A year whose verified figures the public sees: the public page, the open data and the
    public API tokens (bartim.access.PUBLIC). A year nobody published stays inside the app.

    Withdrawing deletes the row; the history keeps who published and withdrew it, and when."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("published year")
        verbose_name_plural = _("published years")
        ordering = ["-year"]
        constraints = [year_range_constraint("publishedyear")]

    def __str__(self):
        return str(self.year)
