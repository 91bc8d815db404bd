"""What programmes target (indicators and their quarterly values), the village data each
camat keeps, and the regency's BPS poverty series."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bartim.concurrency import VersionedModel
from bartim.dataversion import VersionedWritesQuerySet
from bartim.models import Quarter, ReviewEvent, ReviewStatus, Village, year_range_constraint
from programs.models import Program


def _refresh_stored_progress(program_ids) -> None:
    from .progress import refresh_stored_progress

    refresh_stored_progress(program_ids)


def _within(queryset, program_path: str, programs):
    """`queryset` restricted to the rows of `programs`. When `programs` is every programme
    (what every signed-in user reads), no restriction: a semi-join over all programmes cost
    a province's indicator count 3 to 5 ms for nothing."""
    if not programs.query.has_filters():
        return queryset
    return queryset.filter(**{f"{program_path}__in": programs})


class StoredProgressQuerySet(VersionedWritesQuerySet):
    """Bulk writes keep the stored programme progress current (indicators.progress), as
    indicators/signals.py does for single saves and deletes, which send signals."""

    def _program_ids(self) -> set[int]:
        raise NotImplementedError

    def _program_ids_of(self, objs) -> set[int]:
        raise NotImplementedError

    def bulk_create(self, objs, *args, **kwargs):
        with transaction.atomic(using=self.db, savepoint=False):
            created = super().bulk_create(objs, *args, **kwargs)
            _refresh_stored_progress(self._program_ids_of(created))
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            # Before and after: an update may move a row to another programme.
            before = self.model._default_manager.filter(pk__in=[o.pk for o in objs])
            program_ids = before._program_ids()
            rows = super().bulk_update(objs, fields, *args, **kwargs)
            _refresh_stored_progress(program_ids | self._program_ids_of(objs))
        return rows

    def update(self, **kwargs):
        with transaction.atomic(using=self.db, savepoint=False):
            pks = list(self.values_list("pk", flat=True))
            program_ids = self._program_ids()
            rows = super().update(**kwargs)
            after = self.model._default_manager.filter(pk__in=pks)._program_ids()
            _refresh_stored_progress(program_ids | after)
        return rows


class IndicatorQuerySet(StoredProgressQuerySet):
    def _program_ids(self):
        return set(self.order_by().values_list("program_id", flat=True))

    def _program_ids_of(self, objs):
        return {indicator.program_id for indicator in objs}

    def visible_to(self, user):
        return _within(self, "program", Program.objects.visible_to(user))

    def editable_by(self, user):
        """An indicator is changed together with its programme, under the programme's rules."""
        return self.filter(program__in=Program.objects.editable_by(user))


class Indicator(models.Model):
    class Direction(models.TextChoices):
        HIGHER_IS_BETTER = "up", _("higher is better")
        LOWER_IS_BETTER = "down", _("lower is better")

    class Aggregation(models.TextChoices):
        CUMULATIVE = "cumulative", _("cumulative total (each quarter reports the running total)")
        SUM = "sum", _("sum of quarters")
        LATEST = "latest", _("latest value (e.g. a rate)")

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("programme")
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
    )
    baseline = models.DecimalField(
        _("baseline"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    target = models.DecimalField(_("annual target"), max_digits=18, decimal_places=2)

    objects = IndicatorQuerySet.as_manager()
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


class IndicatorValueQuerySet(StoredProgressQuerySet):
    def _program_ids(self):
        return set(self.order_by().values_list("indicator__program_id", flat=True))

    def _program_ids_of(self, objs):
        indicators = {value.indicator_id for value in objs}
        return set(
            Indicator.objects.filter(pk__in=indicators)
            .order_by()
            .values_list("program_id", flat=True)
        )

    def visible_to(self, user):
        return _within(self, "indicator__program", Program.objects.visible_to(user))

    def editable_by(self, user):
        return self.filter(indicator__program__in=Program.objects.editable_by(user))


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
        _("quarter target"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    realized = models.DecimalField(
        _("realised"), max_digits=18, decimal_places=2, null=True, blank=True
    )

    objects = IndicatorValueQuerySet.as_manager()
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
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4),
                name="indicator_value_quarter_1_to_4",
                violation_error_message=_("The quarter must be between 1 and 4."),
            ),
        ]

    def __str__(self):
        return f"{self.indicator} · {self.get_quarter_display()}"


class VillageDataQuerySet(VersionedWritesQuerySet):
    def with_pocket_flag(self, rule=None):
        """Annotate poverty_rate_pct, pocket_threshold, pocket_threshold_source and is_pocket;
        the rule itself is in indicators/pockets.py."""
        from .pockets import annotate_pockets

        return annotate_pockets(self, rule)

    def visible_to(self, user):
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self

    def reported_by(self, user):
        """The village data `user` keeps, whatever its review status."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.is_regency_admin:
            return self
        if user.role == user.Role.CAMAT and user.district_id:
            return self.filter(village__district_id=user.district_id)
        return self.none()

    def editable_by(self, user):
        if not (user.is_authenticated and user.is_active):
            return self.none()
        statuses = (
            ReviewStatus.editable_by_admin()
            if user.is_regency_admin
            else ReviewStatus.editable_by_reporter()
        )
        return self.reported_by(user).filter(status__in=statuses)


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

    objects = VillageDataQuerySet.as_manager()
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
