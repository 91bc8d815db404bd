"""factory_boy factories for every model; the fixed cast of users lives in conftest.py."""

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from bartim.models import Agency, District, Regency, ReviewStatus, User, Village
from indicators.models import Indicator, IndicatorValue
from programs.models import NeedDimension, Program, QuarterReport, Strategy
from programs.progress import refresh_stored_progress
from villages.models import PovertyStatistic, VillageData


class RegencyFactory(DjangoModelFactory):
    class Meta:
        model = Regency
        django_get_or_create = ("code",)

    code = "62.13"
    name = "Kabupaten Barito Timur"
    bps_code = "6212"


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = District

    regency = factory.SubFactory(RegencyFactory)
    # Kemendagri codes have 8 characters: after 62.13.99 the sequence moves to 62.14.10, so a
    # long test session never writes a longer code (PostgreSQL refuses one).
    code = factory.Sequence(lambda n: f"62.{13 + n // 90:02d}.{n % 90 + 10:02d}")
    name = factory.Sequence(lambda n: f"Kecamatan {n}")


class VillageFactory(DjangoModelFactory):
    class Meta:
        model = Village

    district = factory.SubFactory(DistrictFactory)
    code = factory.Sequence(lambda n: f"62.13.99.{n + 2000:04d}")
    name = factory.Sequence(lambda n: f"Desa {n}")
    kind = Village.Kind.DESA


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Dinas Uji {n}")
    abbreviation = factory.Sequence(lambda n: f"DU{n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = User.Role.VIEWER
    password = factory.PostGenerationMethodCall("set_password", "rahasia-uji-123")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StrategyFactory(DjangoModelFactory):
    class Meta:
        model = Strategy
        django_get_or_create = ("number",)

    number = 1
    name = factory.LazyAttribute(lambda o: f"Strategi {o.number}")


class ProgramFactory(DjangoModelFactory):
    class Meta:
        model = Program
        skip_postgeneration_save = True

    agency = factory.SubFactory(AgencyFactory)
    strategy = factory.SubFactory(StrategyFactory)
    year = 2024
    name = factory.Sequence(lambda n: f"Program {n}")
    budget_ceiling = 100_000_000

    @factory.post_generation
    def target_villages(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.target_villages.set(extracted)

    @factory.post_generation
    def needs(obj, create, extracted, **kwargs):
        """`needs=["housing"]`: the codes of the basic needs the programme answers (the
        default dimensions come with the migration)."""
        if create and extracted:
            obj.needs.set(NeedDimension.objects.filter(code__in=extracted))

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """`verified=True`: the plan approved and every quarter's report verified, as the
        leaders' pages count by default (programs.progress); saved directly, without review
        steps, for tests of those pages."""
        if create and extracted:
            Program.objects.filter(pk=obj.pk).update(status=ReviewStatus.APPROVED)
            obj.status = ReviewStatus.APPROVED
            QuarterReport.objects.bulk_create(
                QuarterReport(program=obj, quarter=quarter, status=ReviewStatus.APPROVED)
                for quarter in (1, 2, 3, 4)
            )


class StoredProgressFactory(DjangoModelFactory):
    """Rows written as the write services leave them: with the programme's stored progress
    computed (programs.progress), which a plain save does not do."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        record = super()._create(model_class, *args, **kwargs)
        refresh_stored_progress([cls._program_id(record)])
        return record


class IndicatorFactory(StoredProgressFactory):
    class Meta:
        model = Indicator

    @staticmethod
    def _program_id(indicator):
        return indicator.program_id

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Indikator {n}")
    unit = "KK"
    direction = Indicator.Direction.HIGHER_IS_BETTER
    aggregation = Indicator.Aggregation.SUM
    baseline = Decimal("0")
    target = Decimal("100")


class IndicatorValueFactory(StoredProgressFactory):
    class Meta:
        model = IndicatorValue

    @staticmethod
    def _program_id(value):
        return value.indicator.program_id

    indicator = factory.SubFactory(IndicatorFactory)
    quarter = 1
    realized = Decimal("25")


class PlanFactory(ProgramFactory):
    """A programme ready to submit: a plan has at least one indicator with an annual target."""

    @factory.post_generation
    def indicator(obj, create, extracted, **kwargs):
        if create:
            IndicatorFactory(program=obj, **kwargs)


class VillageDataFactory(DjangoModelFactory):
    class Meta:
        model = VillageData

    village = factory.SubFactory(VillageFactory)
    year = 2024
    population = 1000
    households = 300
    poor_households = 30
    poor_people = 90
    extremely_poor_people = 10

    class Params:
        # Approved by the administrator, so the leaders' pages count it.
        verified = factory.Trait(status=ReviewStatus.APPROVED)


class PovertyStatisticFactory(DjangoModelFactory):
    class Meta:
        model = PovertyStatistic
        django_get_or_create = ("year",)

    year = 2024
    poor_people = 8740
    poverty_rate = Decimal("6.66")
