"""The family-level section of the targeting page and the meeting report: the regency's
measures and each kecamatan's, from the latest confirmed registry snapshot."""

from django.template.loader import render_to_string

from bartim import access
from families.measures import DISTRICT, family_measures, regency_measures
from families.models import RegistrySnapshot
from helpers import dataversion


def family_section(*, user, year: int, district=None) -> str:
    """The section's HTML for `year` (only `district`'s row with one), or a note that no
    registry snapshot has been imported yet; rendered once per version of the data."""
    sees_names = access.may_see_family_names(user)
    return dataversion.cached(
        ("family section", year, district.pk if district else None, sees_names),
        lambda: _render(year=year, district=district, sees_names=sees_names),
    )


def _render(*, year, district, sees_names) -> str:
    snapshot = RegistrySnapshot.objects.latest_confirmed()
    context = {"snapshot": snapshot, "year": year}
    if snapshot is not None:
        districts = family_measures(snapshot=snapshot, year=year, by=DISTRICT)
        if district is not None:
            districts = [row for row in districts if row.key == district.pk]
        context.update(
            regency=regency_measures(snapshot=snapshot, year=year),
            districts=districts,
            sees_names=sees_names,
        )
    return render_to_string("families/_family_section.html", context)
