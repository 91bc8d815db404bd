"""What the camat keep for each village and year, the regency's BPS poverty series,
and the rule that tells a poverty pocket."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bartim.models import ReviewEvent, ReviewStatus, Village, year_range_constraint
from helpers.concurrency import VersionedModel


def _not_above(smaller: str, larger: str, message) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{smaller}__lte": F(larger)}),
        name=f"villagedata_{smaller}_not_above_{larger}",
        violation_error_message=message,
    )


class VillageData(VersionedModel):
    """What a camat reports for one desa or kelurahan in one year."""

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="data", verbose_name=_("village")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    population = models.PositiveIntegerField(_("population (people)"))
    households = models.PositiveIntegerField(_("households (KK)"))
    poor_households = models.PositiveIntegerField(_("poor households (KK)"))
    poor_people = models.PositiveIntegerField(_("poor people"))
    extremely_poor_people = models.PositiveIntegerField(_("extremely poor people"))
    uninhabitable_houses = models.PositiveIntegerField(_("uninhabitable houses (RTLH)"), default=0)
    households_without_clean_water = models.PositiveIntegerField(
        _("households without clean water"), default=0
    )
    households_without_latrine = models.PositiveIntegerField(
        _("households without a latrine"), default=0
    )
    stunted_children = models.PositiveIntegerField(_("stunted children under five"), default=0)
    children_out_of_school = models.PositiveIntegerField(_("children out of school"), default=0)
    unemployed = models.PositiveIntegerField(_("unemployed working-age people"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )

    # The history has its own who and when; the version is bookkeeping, not a change.
    history = HistoricalRecords(excluded_fields=["updated_at", "updated_by", "version"])

    class Meta:
        verbose_name = _("village data")
        verbose_name_plural = _("village data")
        ordering = ["-year", "village__code"]
        # Pages read a whole year of villages (the targeting check, the village table); the
        # unique (village, year) index starts with the village and cannot serve them.
        indexes = [models.Index(fields=["year", "village"], name="villagedata_year_village_idx")]
        constraints = [
            year_range_constraint("villagedata"),
            models.UniqueConstraint(
                fields=["village", "year"],
                name="villagedata_one_per_village_year",
                violation_error_message=_("This village already has data for this year."),
            ),
            _not_above(
                "poor_people", "population", _("Poor people cannot be more than the population.")
            ),
            _not_above(
                "poor_households",
                "households",
                _("Poor households cannot be more than all households."),
            ),
            _not_above(
                "extremely_poor_people",
                "poor_people",
                _("Extremely poor people cannot be more than poor people."),
            ),
        ]

    def __str__(self):
        return f"{self.village} ({self.year})"

    @property
    def poverty_rate(self):
        """Poor people as a percentage of the population, or None for an empty village."""
        if not self.population:
            return None
        return self.poor_people * 100 / self.population


class VillageDataReviewEvent(ReviewEvent):
    village_data = models.ForeignKey(
        VillageData,
        on_delete=models.CASCADE,
        related_name="review_events",
        verbose_name=_("village data"),
    )

    class Meta(ReviewEvent.Meta):
        verbose_name = _("village data review step")
        verbose_name_plural = _("village data review steps")


class PovertyStatistic(models.Model):
    """The regency's poverty figures for one year as BPS published them."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    poor_people = models.PositiveIntegerField(_("poor people"), null=True, blank=True)
    poverty_rate = models.DecimalField(
        _("poverty rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    poverty_line = models.PositiveIntegerField(
        _("poverty line (Rp/capita/month)"), null=True, blank=True
    )
    depth_index = models.DecimalField(
        _("poverty depth index (P1)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    severity_index = models.DecimalField(
        _("poverty severity index (P2)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    source = models.TextField(_("source"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("BPS poverty figure")
        verbose_name_plural = _("BPS poverty figures")
        ordering = ["year"]
        constraints = [
            year_range_constraint("povertystatistic"),
            models.CheckConstraint(
                condition=Q(poverty_rate__isnull=True)
                | Q(poverty_rate__gte=0, poverty_rate__lte=100),
                name="povertystatistic_rate_is_percentage",
                violation_error_message=_("The poverty rate is a percentage between 0 and 100."),
            ),
            models.CheckConstraint(
                condition=Q(depth_index__isnull=True) | Q(depth_index__gte=0),
                name="povertystatistic_p1_not_negative",
                violation_error_message=_("The poverty depth index cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(severity_index__isnull=True) | Q(severity_index__gte=0),
                name="povertystatistic_p2_not_negative",
                violation_error_message=_("The poverty severity index cannot be negative."),
            ),
        ]

    def __str__(self):
        return str(self.year)


class PocketRule(models.Model):
    """How a village-year is judged a poverty pocket; one row, changed by an administrator.
    See docs/poverty-pockets.md and indicators/pockets.py."""

    SINGLETON_ID = 1

    class Basis(models.TextChoices):
        REGENCY_RATE = "regency", _("the regency's BPS poverty rate of the year")
        FIXED_RATE = "fixed", _("a fixed poverty rate")

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    basis = models.CharField(
        _("poverty rate threshold"),
        max_length=10,
        choices=Basis.choices,
        default=Basis.REGENCY_RATE,
        help_text=_(
            "A village is a pocket when its poverty rate is at least this threshold. Without "
            "a BPS figure for the year, the rate of all village data of that year is used."
        ),
    )
    fixed_rate = models.DecimalField(
        _("fixed poverty rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Only used when the threshold is a fixed poverty rate."),
    )
    min_poor_households = models.PositiveIntegerField(
        _("minimum poor households (KK)"),
        default=20,
        help_text=_("A village is a pocket only with at least this many poor households."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("poverty-pocket rule")
        verbose_name_plural = _("poverty-pocket rule")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="pocketrule_single_row"),
            models.CheckConstraint(
                condition=Q(basis="regency")
                | Q(
                    basis="fixed",
                    fixed_rate__isnull=False,
                    fixed_rate__gte=0,
                    fixed_rate__lte=100,
                ),
                name="pocketrule_fixed_rate_given",
                violation_error_message=_(
                    "A fixed threshold needs a poverty rate between 0 and 100%."
                ),
            ),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)

    def clean(self):
        if self.basis == self.Basis.FIXED_RATE and self.fixed_rate is None:
            raise ValidationError(
                {"fixed_rate": _("Give the poverty rate to use as the fixed threshold.")}
            )

    @classmethod
    def current(cls) -> "PocketRule":
        """The rule in force: the stored row, or the defaults before anyone saved one."""
        return cls.objects.filter(pk=cls.SINGLETON_ID).first() or cls()


class NeedRule(models.Model):
    """When a village's basic-needs deficit is among the regency's highest, so that no
    programme of that need reaching it is flagged; one row, changed by an administrator.
    See docs/targeting.md and reports/needs.py."""

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    top_share = models.DecimalField(
        _("top share of villages (%)"),
        max_digits=5,
        decimal_places=2,
        default=20,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_(
            "A deficit is high when the village is within this share of the year's villages "
            "with data, ranked by the deficit per 100 households."
        ),
    )
    min_count = models.PositiveIntegerField(
        _("minimum deficit"),
        default=10,
        help_text=_("A deficit is high only when at least this many are counted in the village."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("basic-needs rule")
        verbose_name_plural = _("basic-needs rule")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="needrule_single_row"),
            models.CheckConstraint(
                condition=Q(top_share__gte=0, top_share__lte=100),
                name="needrule_top_share_is_percentage",
                violation_error_message=_("The top share is a percentage between 0 and 100."),
            ),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "NeedRule":
        """The rule in force: the stored row, or the defaults before anyone saved one."""
        return cls.objects.filter(pk=cls.SINGLETON_ID).first() or cls()
