"""The templates the app offers, in the order the Excel page lists them."""

from .bps import BpsKind
from .programs import ProgramsKind
from .quarterly import QuarterlyKind
from .village_data import VillageDataKind

KINDS = {
    kind.slug: kind for kind in (QuarterlyKind(), VillageDataKind(), ProgramsKind(), BpsKind())
}


def kinds_for(user) -> list:
    return [kind for kind in KINDS.values() if kind.allowed(user)]
