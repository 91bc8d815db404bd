"""The regency's three strategies and the programmes each agency runs under them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bartim.models import (
    Agency,
    Quarter,
    ReviewEvent,
    ReviewStatus,
    Village,
    quarter_range_constraint,
    year_range_constraint,
)
from helpers.concurrency import VersionedModel
from helpers.deletion import ReportKeepingModel, ReportKeepingQuerySet
from helpers.formatting import format_rupiah
from programs import nomenclature


class Strategy(models.Model):
    """One of the three strategies the regent set; fixed, numbered 1 to 3."""

    number = models.PositiveSmallIntegerField(_("number"), primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=3),
                name="strategy_number_1_to_3",
                violation_error_message=_("The regency has three strategies, numbered 1 to 3."),
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.name}"


class NeedDimension(models.Model):
    """A basic need a programme answers (housing, clean water, ...), kept by administrators.
    `figure` names the village-data figure that counts the need's deficit in a village
    (villages.models.VillageData); a dimension without one (health cover, other) is tagged on
    programmes but has no deficit to rank (reports/needs.py, docs/targeting.md)."""

    class Figure(models.TextChoices):
        # The names of VillageData's fields; programs sits below villages, so the names are
        # spelled here and tests/test_needs.py checks each is a VillageData field.
        UNINHABITABLE_HOUSES = "uninhabitable_houses", _("uninhabitable houses (RTLH)")
        NO_CLEAN_WATER = "households_without_clean_water", _("households without clean water")
        NO_LATRINE = "households_without_latrine", _("households without a latrine")
        STUNTED = "stunted_children", _("stunted children under five")
        OUT_OF_SCHOOL = "children_out_of_school", _("children out of school")
        UNEMPLOYED = "unemployed", _("unemployed working-age people")

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    figure = models.CharField(
        _("village-data figure of the deficit"),
        max_length=40,
        choices=Figure.choices,
        blank=True,
        help_text=_("Leave empty for a need the village data does not count."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("basic-needs dimension")
        verbose_name_plural = _("basic-needs dimensions")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["figure"],
                condition=~Q(figure=""),
                name="needdimension_one_per_figure",
                violation_error_message=_(
                    "Another dimension already measures its deficit by this figure."
                ),
            ),
        ]

    def __str__(self):
        return self.name


class ProgramQuerySet(ReportKeepingQuerySet):
    def reports_blocking_deletion(self):
        """Budget realisation is reported data held in the programme's own fields; its
        quarterly values are kept by IndicatorValue.indicator's on_delete=PROTECT."""
        realised = self.filter(
            Q(budget_realized_q1__gt=0)
            | Q(budget_realized_q2__gt=0)
            | Q(budget_realized_q3__gt=0)
            | Q(budget_realized_q4__gt=0)
        )
        return [
            (
                program,
                _("%(programme)s has a realised budget of %(amount)s")
                % {"programme": program, "amount": format_rupiah(program.budget_realized_total)},
            )
            for program in realised
        ]


def _stored_mean(verbose_name) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=5, decimal_places=2, null=True, blank=True, editable=False
    )


def _stored_flag(verbose_name) -> models.BooleanField:
    return models.BooleanField(verbose_name, default=False, editable=False)


_REALIZED = (
    F("budget_realized_q1")
    + F("budget_realized_q2")
    + F("budget_realized_q3")
    + F("budget_realized_q4")
)

CODE_FIELDS = ("program_code", "activity_code", "sub_activity_code")

STORED_MEAN_FIELDS = [f"mean_achievement_q{quarter}" for quarter in range(1, 5)]
STORED_REPORTED_FIELDS = [f"reported_q{quarter}" for quarter in range(1, 5)]


class Program(ReportKeepingModel, VersionedModel):
    # Its `version` is raised by every save of the programme, its indicators or its quarterly
    # values, so a form opened before someone else's save is refused.
    class BeneficiaryUnit(models.TextChoices):
        HOUSEHOLDS = "kk", _("households (KK)")
        PEOPLE = "jiwa", _("people (jiwa)")

    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="programs",
        verbose_name=_("agency"),
        # program_unique_name_per_agency_year begins with the agency: an index of the agency
        # alone was redundant, and led PostgreSQL to read an agency's every year for the OPD
        # ranking's figures of one.
        db_index=False,
    )
    strategy = models.ForeignKey(
        Strategy, on_delete=models.PROTECT, related_name="programs", verbose_name=_("strategy")
    )
    year = models.PositiveSmallIntegerField(_("fiscal year"))
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    # The regional planning nomenclature (programs/nomenclature.py); blank until known.
    program_code = models.CharField(
        _("programme code"),
        max_length=nomenclature.CODE_MAX_LENGTH,
        blank=True,
        validators=[nomenclature.validate_program_code],
        help_text=_("As in Permendagri 90/2019, e.g. 1.02.02."),
    )
    activity_code = models.CharField(
        _("activity code (kegiatan)"),
        max_length=nomenclature.CODE_MAX_LENGTH,
        blank=True,
        validators=[nomenclature.validate_activity_code],
        help_text=_("Begins with the programme code, e.g. 1.02.02.2.01."),
    )
    sub_activity_code = models.CharField(
        _("sub-activity code (sub-kegiatan)"),
        max_length=nomenclature.CODE_MAX_LENGTH,
        blank=True,
        validators=[nomenclature.validate_sub_activity_code],
        help_text=_("Begins with the activity code, e.g. 1.02.02.2.01.0001."),
    )
    # The original ceiling (pagu murni). A revision in the APBD-P is kept beside it, never
    # over it: which one absorption is measured against is programs.progress.ceiling_in_force.
    budget_ceiling = models.PositiveBigIntegerField(
        _("budget ceiling (pagu, Rp)"),
        default=0,
        help_text=_("The original ceiling (pagu murni) of the APBD."),
    )
    budget_ceiling_revised = models.PositiveBigIntegerField(
        _("revised budget ceiling (pagu perubahan, Rp)"),
        null=True,
        blank=True,
        help_text=_("The ceiling after the budget revision (APBD-P); empty when not revised."),
    )
    budget_revised_on = models.DateField(
        _("date of the budget revision"),
        null=True,
        blank=True,
        help_text=_(
            "When the revised ceiling was set (the APBD-P regulation); it is in force from "
            "the quarter of this date on."
        ),
    )
    budget_revision_reason = models.TextField(_("reason for the budget revision"), blank=True)
    budget_realized_q1 = models.PositiveBigIntegerField(_("budget realised Q I (Rp)"), default=0)
    budget_realized_q2 = models.PositiveBigIntegerField(_("budget realised Q II (Rp)"), default=0)
    budget_realized_q3 = models.PositiveBigIntegerField(_("budget realised Q III (Rp)"), default=0)
    budget_realized_q4 = models.PositiveBigIntegerField(_("budget realised Q IV (Rp)"), default=0)
    target_villages = models.ManyToManyField(
        Village, blank=True, related_name="programs", verbose_name=_("target villages")
    )
    needs = models.ManyToManyField(
        NeedDimension,
        blank=True,
        related_name="programs",
        verbose_name=_("basic needs answered"),
        help_text=_("The basic needs this programme answers; one or more."),
    )
    beneficiary_target = models.PositiveIntegerField(
        _("target beneficiaries"), null=True, blank=True
    )
    beneficiary_unit = models.CharField(
        _("beneficiary unit"),
        max_length=4,
        choices=BeneficiaryUnit.choices,
        default=BeneficiaryUnit.HOUSEHOLDS,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    # Each quarter's mean achievement and whether the programme reported the quarter, stored
    # so that tables sort by them and rollups count and average them without computing every
    # indicator of every programme on each page. Derived data:
    # programs.progress.refresh_stored_progress keeps them current on every write to an
    # indicator or a quarterly value.
    mean_achievement_q1 = _stored_mean(_("mean achievement Q I (%)"))
    mean_achievement_q2 = _stored_mean(_("mean achievement Q II (%)"))
    mean_achievement_q3 = _stored_mean(_("mean achievement Q III (%)"))
    mean_achievement_q4 = _stored_mean(_("mean achievement Q IV (%)"))
    reported_q1 = _stored_flag(_("reported Q I"))
    reported_q2 = _stored_flag(_("reported Q II"))
    reported_q3 = _stored_flag(_("reported Q III"))
    reported_q4 = _stored_flag(_("reported Q IV"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = ProgramQuerySet.as_manager()
    # The history has its own who and when; the version is bookkeeping, not a change, and
    # the stored progress follows from the indicators' own history. The target villages are part
    # of the audit trail: each history row keeps the set.
    history = HistoricalRecords(
        excluded_fields=[
            "updated_at",
            "updated_by",
            "version",
            *STORED_MEAN_FIELDS,
            *STORED_REPORTED_FIELDS,
        ],
        m2m_fields=["target_villages", "needs"],
    )

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-year", "strategy", "name", "pk"]
        constraints = [
            year_range_constraint("program"),
            models.UniqueConstraint(
                fields=["agency", "year", "name"],
                name="program_unique_name_per_agency_year",
                violation_error_message=_(
                    "This agency already has a programme with this name in this year."
                ),
            ),
            # Within the ceiling in force at the end of the year: the revised one, if any.
            models.CheckConstraint(
                # Both branches test for NULL, so that neither is NULL (a NULL check passes).
                condition=Q(budget_ceiling_revised__isnull=True, budget_ceiling__gte=_REALIZED)
                | Q(budget_ceiling_revised__isnull=False, budget_ceiling_revised__gte=_REALIZED),
                name="program_realized_within_ceiling",
                violation_error_message=_(
                    "The budget realised over the four quarters is above the budget ceiling (pagu)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(budget_ceiling_revised__isnull=True, budget_revised_on__isnull=True)
                | Q(budget_ceiling_revised__isnull=False, budget_revised_on__isnull=False),
                name="program_revision_dated",
                violation_error_message=_(
                    "A revised budget ceiling needs the date of the revision, and a date needs "
                    "the revised ceiling."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["year", "strategy"]),
            models.Index(fields=["year", "agency"]),
            # The programme table's own order within a year: a page,
            # however deep, is read from the index without sorting the year's programmes.
            models.Index(fields=["year", "strategy", "name", "id"], name="program_year_order_idx"),
            models.Index(fields=["year", "status"], name="program_year_status_idx"),
            # A village's programmes of one year (the village table's "programmes reaching"):
            # its target rows, each checked in this index, instead of the year's every
            # programme hashed for each village (0.1 ms instead of 0.55 ms a row at scale 15).
            models.Index(fields=["id", "year"], name="program_id_year_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.year})"

    def get_absolute_url(self):
        return reverse("programs:program_detail", args=[self.pk])

    def clean_fields(self, exclude=None):
        # Codes as typed ("1. 02. 02 ") are read before their format is checked.
        for name in CODE_FIELDS:
            setattr(self, name, nomenclature.normalize_code(getattr(self, name)))
        super().clean_fields(exclude)

    def clean(self):
        super().clean()
        errors = nomenclature.nesting_errors(
            self.program_code, self.activity_code, self.sub_activity_code
        )
        errors.update(self._revision_errors())
        if errors:
            raise ValidationError(errors)

    def _revision_errors(self) -> dict:
        """A revised ceiling comes with its date, in the programme's year, and its reason."""
        self.budget_revision_reason = (self.budget_revision_reason or "").strip()
        errors = {}
        if self.budget_ceiling_revised is None:
            if self.budget_revised_on or self.budget_revision_reason:
                errors["budget_ceiling_revised"] = _(
                    "Give the revised budget ceiling, or leave the date and the reason of the "
                    "revision empty."
                )
            return errors
        if self.budget_revised_on is None:
            errors["budget_revised_on"] = _("Give the date of the budget revision (APBD-P).")
        elif self.year and self.budget_revised_on.year != self.year:
            errors["budget_revised_on"] = _(
                "The budget of %(year)s is revised in %(year)s: the date is in %(given)s."
            ) % {"year": self.year, "given": self.budget_revised_on.year}
        if not self.budget_revision_reason:
            errors["budget_revision_reason"] = _("Give the reason the budget ceiling changed.")
        return errors

    @property
    def budget_realized_total(self) -> int:
        return (
            self.budget_realized_q1
            + self.budget_realized_q2
            + self.budget_realized_q3
            + self.budget_realized_q4
        )


class ProgramReviewEvent(ReviewEvent):
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="review_events", verbose_name=_("programme")
    )

    class Meta(ReviewEvent.Meta):
        verbose_name = _("programme review step")
        verbose_name_plural = _("programme review steps")


class QuarterReport(models.Model):
    """The review status of one quarter's report of a programme: that quarter's indicator
    values, its budget realisation and its note. The plan (the programme with its indicators,
    annual targets and budget ceiling) is reviewed once, on the programme; each quarter's
    report is then submitted and verified (approved) or returned on its own.

    A row exists from the quarter's first review step or note on: a quarter without one is
    a draft (programs.services.quarter_report gives an unsaved draft for it)."""

    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="quarter_reports",
        verbose_name=_("programme"),
        # quarter_report_one_per_quarter begins with the programme.
        db_index=False,
    )
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=Quarter.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    note = models.TextField(
        _("note"),
        blank=True,
        help_text=_("What the figures of this quarter rest on, or why a target was missed."),
    )
    # What monitoring offices ask of every quarter besides the figures (e-Monev): how far
    # the work stands, what held it back and what will be done about it.
    physical_progress = models.DecimalField(
        _("physical progress (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("How far the programme's work stands by the end of the quarter, 0 to 100."),
    )
    problems = models.TextField(
        _("problems (kendala/permasalahan)"),
        blank=True,
        help_text=_("What held the programme back in this quarter."),
    )
    follow_up = models.TextField(
        _("follow-up (tindak lanjut)"),
        blank=True,
        help_text=_("What will be done about the problems, by whom and when."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quarter report")
        verbose_name_plural = _("quarter reports")
        ordering = ["program", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "quarter"],
                name="quarter_report_one_per_quarter",
                violation_error_message=_("This programme already has a report for this quarter."),
            ),
            models.CheckConstraint(
                condition=Q(physical_progress__gte=0, physical_progress__lte=100)
                | Q(physical_progress__isnull=True),
                name="quarter_report_physical_progress_0_to_100",
                violation_error_message=_("The physical progress is between 0 and 100%."),
            ),
            quarter_range_constraint("quarter_report"),
        ]

    def __str__(self):
        return f"{self.program} · {self.get_quarter_display()}"

    def get_absolute_url(self):
        return reverse(
            "programs:program_quarter", kwargs={"pk": self.program_id, "quarter": self.quarter}
        )


class QuarterReportReviewEvent(ReviewEvent):
    quarter_report = models.ForeignKey(
        QuarterReport,
        on_delete=models.CASCADE,
        related_name="review_events",
        verbose_name=_("quarter report"),
    )

    class Meta(ReviewEvent.Meta):
        verbose_name = _("quarter report review step")
        verbose_name_plural = _("quarter report review steps")


class FundingSource(models.Model):
    """Where a programme's money comes from (APBD, DAK fisik, Dana Desa, CSR ...): a list the
    administrator keeps and extends; a source in use is retired (inactive), not deleted."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Offered for new funding rows.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class ProgramFunding(models.Model):
    """One funding source of a programme with its amount; part of the plan, reviewed with it.
    The amounts add up to the ceiling in force (programs/funding.py)."""

    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="funding",
        verbose_name=_("programme"),
        # program_funding_one_per_source begins with the programme.
        db_index=False,
    )
    source = models.ForeignKey(
        FundingSource,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("funding source"),
    )
    amount = models.PositiveBigIntegerField(_("amount (Rp)"), validators=[MinValueValidator(1)])

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("funding")
        verbose_name_plural = _("funding")
        ordering = ["program", "source__order", "source__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "source"],
                name="program_funding_one_per_source",
                violation_error_message=_(
                    "This funding source is already listed for the programme."
                ),
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="program_funding_amount_positive",
                violation_error_message=_("A funding amount is more than 0."),
            ),
        ]

    def __str__(self):
        return f"{self.source}: {format_rupiah(self.amount)}"
