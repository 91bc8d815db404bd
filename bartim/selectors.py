"""Finding an agency or a district from what a person typed (a command-line option, a cell)."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from bartim.models import Agency, District

LISTED = 10


def _listing(names) -> str:
    names = list(names)
    return "; ".join(names[:LISTED]) + ("; …" if len(names) > LISTED else "")


def agency_find(text: str) -> Agency:
    """The one agency whose ID, reference code, abbreviation or name is `text`, or whose name
    alone contains it; ValidationError when none or several do."""
    text = text.strip()
    if text.isdigit():
        agency = Agency.objects.filter(pk=int(text)).first()
        if agency is None:
            raise ValidationError(_("There is no agency (OPD) with ID %(id)s.") % {"id": text})
        return agency
    for condition in (
        Q(code__iexact=text) | Q(abbreviation__iexact=text) | Q(name__iexact=text),
        Q(name__icontains=text),
    ):
        matches = list(Agency.objects.filter(condition).order_by("name")[: LISTED + 1])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ValidationError(
                _(
                    'Several agencies (OPD) match "%(text)s": %(matches)s. '
                    "Give the full name, the abbreviation or the ID."
                )
                % {"text": text, "matches": _listing(agency.name for agency in matches)}
            )
    raise ValidationError(
        _('No agency (OPD) matches "%(text)s". Give its ID, abbreviation or name.') % {"text": text}
    )


def district_find(text: str) -> District:
    """The one kecamatan whose Kemendagri code or name is `text` (with or without the word
    "Kecamatan"), or whose name alone contains it; ValidationError when none or several do."""
    text = text.strip()
    name = text.removeprefix("Kecamatan ").removeprefix("kecamatan ").strip()
    for condition in (
        Q(code=text) | Q(name__iexact=name),
        Q(name__icontains=name),
    ):
        matches = list(District.objects.filter(condition).order_by("code"))
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ValidationError(
                _(
                    'Several kecamatan match "%(text)s": %(matches)s. '
                    "Give the code or the full name."
                )
                % {"text": text, "matches": _listing(f"{d.code} {d.name}" for d in matches)}
            )
    raise ValidationError(
        _('No kecamatan matches "%(text)s". The kecamatan are: %(districts)s.')
        % {
            "text": text,
            "districts": _listing(f"{d.code} {d.name}" for d in District.objects.order_by("code")),
        }
    )
