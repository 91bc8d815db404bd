"""What a programme targets: its indicators, and each indicator's quarterly values.

An indicator belongs to a programme (programs.Program, named by its label so that this app
stays below the programmes'); the programme's pages, services and admin gather the two."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bartim.models import Quarter, quarter_range_constraint


class Indicator(models.Model):
    class Direction(models.TextChoices):
        HIGHER_IS_BETTER = "up", _("higher is better")
        LOWER_IS_BETTER = "down", _("lower is better")

    class Aggregation(models.TextChoices):
        CUMULATIVE = "cumulative", _("cumulative total (each quarter reports the running total)")
        SUM = "sum", _("sum of quarters")
        LATEST = "latest", _("latest value (e.g. a rate)")

    program = models.ForeignKey(
        "programs.Program",
        on_delete=models.CASCADE,
        related_name="indicators",
        verbose_name=_("programme"),
    )
    name = models.CharField(_("name"), max_length=300)
    unit = models.CharField(
        _("unit"), max_length=30, help_text=_("For example KK, jiwa, %, Rp, unit.")
    )
    direction = models.CharField(
        _("direction"), max_length=4, choices=Direction.choices, default=Direction.HIGHER_IS_BETTER
    )
    aggregation = models.CharField(
        _("how quarters add up"),
        max_length=10,
        choices=Aggregation.choices,
        default=Aggregation.SUM,
        help_text=_(
            "Sum of quarters: each quarter reports only what happened in it (for example aid "
            "packages handed out) and the quarters are added up. Cumulative total: each quarter "
            "reports the running total since 1 January (for example houses rebuilt so far). "
            "Latest value: each quarter reports a level (for example a rate in %) and the "
            "latest one counts. For the first two a quarter target is cumulative: the target "
            "up to Q II is what should be reached in Q I and Q II together."
        ),
    )
    baseline = models.DecimalField(
        _("baseline"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    target = models.DecimalField(_("annual target"), max_digits=18, decimal_places=2)
    q4_target_reason = models.CharField(
        _("why the Q IV target differs"),
        max_length=300,
        blank=True,
        help_text=_(
            "For a sum of quarters the target up to Q IV is the whole year's and equals the "
            "annual target; if it does not, say why here."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["program", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(direction="up") | Q(baseline__isnull=False),
                name="indicator_lower_is_better_has_baseline",
                violation_error_message=_(
                    "An indicator where lower is better needs a baseline to measure progress from."
                ),
            ),
        ]

    def __str__(self):
        return self.name


class IndicatorValue(models.Model):
    """One quarter (triwulan) of an indicator: its own target, if any, and what was realised."""

    indicator = models.ForeignKey(
        Indicator,
        # Reported values are never removed by deleting what they belong to.
        on_delete=models.PROTECT,
        related_name="values",
        verbose_name=_("indicator"),
    )
    quarter = models.PositiveSmallIntegerField(
        _("quarter"),
        choices=Quarter.choices,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    target = models.DecimalField(
        _("target to date"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "Where the indicator should be by the end of the quarter: for a sum of quarters "
            "or a cumulative total the total since 1 January (cumulative), for a latest value "
            "the level."
        ),
    )
    realized = models.DecimalField(
        _("realised"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=_("A realisation cannot be negative."))],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quarterly value")
        verbose_name_plural = _("quarterly values")
        ordering = ["indicator", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "quarter"],
                name="indicator_value_one_per_quarter",
                violation_error_message=_("This indicator already has a value for this quarter."),
            ),
            quarter_range_constraint("indicator_value"),
            models.CheckConstraint(
                condition=Q(realized__isnull=True) | Q(realized__gte=0),
                name="indicator_value_realized_not_negative",
                violation_error_message=_("A realisation cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.indicator} · {self.get_quarter_display()}"
