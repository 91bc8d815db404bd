"""What a programme's owner decides about the programme, by the owner's kind
(bartim.models.Agency.Kind): a village government's programme (Dana Desa, ADD) targets its
own village and no other. OPDs, businesses and community organisations target any village.

Asked by the programme services (so the app's form, the admin and the Excel import), and
by the forms to show the error on the field and to pre-set a new programme's village."""

from django.utils.translation import gettext as _

from bartim.models import Agency, Village


def target_village_error(agency: Agency | None, villages) -> str | None:
    """Why `agency`'s programme may not target `villages` (Village records), or None."""
    if agency is None or agency.kind != Agency.Kind.VILLAGE:
        return None
    others = sorted(village.name for village in villages if village.pk != agency.village_id)
    if not others:
        return None
    return _(
        "%(owner)s is a village government: its programmes target its own village "
        "(%(village)s) only, not %(others)s."
    ) % {"owner": agency.name, "village": agency.village, "others": ", ".join(others)}


def default_target_villages(agency: Agency | None) -> list[Village]:
    """The target villages a new programme of `agency` starts with: a village government's
    own village; none for the other kinds."""
    if agency is None or agency.kind != Agency.Kind.VILLAGE:
        return []
    return [agency.village]
