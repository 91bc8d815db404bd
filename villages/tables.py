from decimal import ROUND_HALF_UP, Decimal

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from helpers.tables import (
    BaseTable,
    NumberColumn,
    PercentColumn,
    long_text,
)


class PovertyRateColumn(PercentColumn):
    """The poverty rate the pocket rule computes (a double, sorted at full precision), shown
    and exported with two decimals rounded half up, as on the rest of the site."""

    def value(self, value):
        return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class PocketColumn(tables.Column):
    """The poverty-pocket flag: a badge on screen, yes or no in exports."""

    def __init__(self, **kwargs):
        kwargs.setdefault("verbose_name", _("Poverty pocket"))
        super().__init__(**kwargs)

    def render(self, value):
        if value:
            return format_html('<span class="badge text-bg-danger">{}</span>', _("Yes"))
        return _("No")

    def value(self, value):
        return str(_("Yes") if value else _("No"))


class VillageTable(BaseTable):
    """One village-year of village data. Every row is one the user may read
    (bartim.access.readable), and the detail page reads by the same rule, so every
    village name links to its record."""

    class Meta(BaseTable.Meta):
        pass

    secondary_columns = (
        "kind",
        "year",
        "population",
        "households",
        "poor_people",
        "extremely_poor_people",
        "programmes_reaching",
    )

    village = tables.Column(
        accessor="village__name", verbose_name=_("Village"), order_by=("village__name",)
    )
    kind = tables.Column(accessor="village__kind", verbose_name=_("Kind"))
    kecamatan = tables.Column(accessor="village__district__name", verbose_name=_("Kecamatan"))
    year = tables.Column(verbose_name=_("Year"))
    population = NumberColumn(verbose_name=_("Population (people)"))
    households = NumberColumn(verbose_name=_("Households (KK)"))
    poor_households = NumberColumn(verbose_name=_("Poor households (KK)"))
    poor_people = NumberColumn(verbose_name=_("Poor people"))
    poverty_rate = PovertyRateColumn(
        accessor="poverty_rate_pct", verbose_name=_("Poverty rate (%)")
    )
    extremely_poor_people = NumberColumn(verbose_name=_("Extremely poor people"))
    pocket = PocketColumn(accessor="is_pocket")
    programmes_reaching = NumberColumn(verbose_name=_("Programmes reaching it"))
    status = tables.Column(verbose_name=_("Status"))

    def render_village(self, value, record):
        url = reverse("villages:village_data_detail", args=[record.pk])
        return format_html('<a href="{}">{}</a>', url, long_text(value))

    def value_village(self, value):
        return value
