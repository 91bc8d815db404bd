"""The templates the app offers, in the order the Excel page lists them."""

from spreadsheets.kinds.bps import BpsKind
from spreadsheets.kinds.programs import ProgramsKind
from spreadsheets.kinds.quarterly import QuarterlyKind
from spreadsheets.kinds.village_data import VillageDataKind

KINDS = {
    kind.slug: kind for kind in (QuarterlyKind(), VillageDataKind(), ProgramsKind(), BpsKind())
}


def kinds_for(user) -> list:
    return [kind for kind in KINDS.values() if kind.allowed(user)]
