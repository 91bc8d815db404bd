"""What the API answers, field by field. No account, no history, no free-text note and no
review step leaves through it: a programme's figures, not who typed them."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bartim.models import Agency
from indicators.models import Indicator, IndicatorValue
from programs.models import Program
from villages.forms import VILLAGE_DATA_FIELDS
from villages.models import VillageData

QUARTERS = (1, 2, 3, 4)


class QuarterFigures(serializers.Serializer):
    quarter = serializers.IntegerField()
    verified = serializers.BooleanField()
    budget_realized = serializers.IntegerField(allow_null=True)
    mean_achievement = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    reported = serializers.BooleanField(allow_null=True)


class ProgramSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.name")
    agency_id = serializers.IntegerField()
    owner_kind = serializers.ChoiceField(source="agency.kind", choices=Agency.Kind.choices)
    strategy = serializers.IntegerField(source="strategy_id")
    target_villages = serializers.SerializerMethodField()
    quarters = serializers.SerializerMethodField()

    class Meta:
        model = Program
        fields = [
            "id",
            "year",
            "strategy",
            "name",
            "agency_id",
            "agency",
            "owner_kind",
            "status",
            "budget_ceiling",
            "beneficiary_target",
            "beneficiary_unit",
            "target_villages",
            "quarters",
        ]

    def get_target_villages(self, program) -> list[str]:
        return sorted(village.code for village in program.target_villages.all())

    @extend_schema_field(QuarterFigures(many=True))
    def get_quarters(self, program) -> list[dict]:
        """Each quarter's figures; for a reader who sees only verified figures (the public),
        an unverified quarter's are null (the view's `verified_q<n>` annotations)."""
        hide = self.context.get("verified_only", False)
        figures = []
        for quarter in QUARTERS:
            verified = bool(getattr(program, f"verified_q{quarter}"))
            shown = verified or not hide
            figures.append(
                {
                    "quarter": quarter,
                    "verified": verified,
                    "budget_realized": getattr(program, f"budget_realized_q{quarter}")
                    if shown
                    else None,
                    "mean_achievement": getattr(program, f"mean_achievement_q{quarter}")
                    if shown
                    else None,
                    "reported": getattr(program, f"reported_q{quarter}") if shown else None,
                }
            )
        return QuarterFigures(figures, many=True).data


class IndicatorValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = IndicatorValue
        fields = ["quarter", "target", "realized"]


class IndicatorSerializer(serializers.ModelSerializer):
    program = serializers.IntegerField(source="program_id")
    values = IndicatorValueSerializer(source="readable_values", many=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "program",
            "name",
            "unit",
            "direction",
            "aggregation",
            "baseline",
            "target",
            "values",
        ]


class VillageDataSerializer(serializers.ModelSerializer):
    village_code = serializers.CharField(source="village.code")
    village = serializers.CharField(source="village.name")
    kecamatan_code = serializers.CharField(source="village.district.code")
    kecamatan = serializers.CharField(source="village.district.name")

    class Meta:
        model = VillageData
        fields = [
            "id",
            "year",
            "village_code",
            "village",
            "kecamatan_code",
            "kecamatan",
            "status",
            *VILLAGE_DATA_FIELDS,
        ]


class ProgramFiguresSerializer(serializers.Serializer):
    name = serializers.CharField()
    agency = serializers.CharField()
    budget_ceiling = serializers.IntegerField()
    budget_realized = serializers.IntegerField()
    absorption = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    mean_achievement = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    category = serializers.CharField()
    target_villages = serializers.IntegerField()
    pockets_reached = serializers.IntegerField()


class StrategyFiguresSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    as_of_quarter = serializers.IntegerField(allow_null=True)
    number = serializers.IntegerField()
    name = serializers.CharField()
    budget_ceiling = serializers.IntegerField()
    budget_realized = serializers.IntegerField()
    absorption = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    mean_achievement = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    category = serializers.CharField()
    agency_count = serializers.IntegerField()
    pockets = serializers.IntegerField()
    pockets_reached = serializers.IntegerField()
    programs = ProgramFiguresSerializer(many=True)


class PocketSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    village_code = serializers.CharField()
    village = serializers.CharField()
    kecamatan_code = serializers.CharField()
    kecamatan = serializers.CharField()
    population = serializers.IntegerField()
    poor_households = serializers.IntegerField()
    poverty_rate = serializers.FloatField(allow_null=True)
    reached = serializers.BooleanField()
    strategies_reaching = serializers.ListField(child=serializers.IntegerField())


class TargetingSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    kecamatan_code = serializers.CharField(allow_null=True)
    kecamatan = serializers.CharField(allow_null=True)
    villages_with_data = serializers.IntegerField()
    poor_households = serializers.IntegerField()
    uncovered_poor_households = serializers.IntegerField()
    pockets = serializers.IntegerField()
    pockets_reached = serializers.IntegerField()
