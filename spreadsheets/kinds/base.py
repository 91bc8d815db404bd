"""What every template kind provides: who may use it, its sheets, the rows it is pre-filled
with, and how its rows are checked and written."""

from dataclasses import dataclass, field

from django.utils.text import slugify
from django.utils.translation import gettext as _

from bartim.models import ReviewStatus
from spreadsheets.layout import SheetSpec


@dataclass
class TemplateRow:
    """One pre-filled row: its values by column key. Its identifying cells are locked."""

    values: dict


@dataclass
class TemplateContent:
    rows: dict[str, list[TemplateRow]]
    # Extra lines for the instructions sheet, e.g. the strategies and their numbers.
    notes: list = field(default_factory=list)
    # Lists of allowed values that cannot be spelled out in a validation rule (OPD names).
    lists: dict[str, list[str]] = field(default_factory=dict)


class TemplateKind:
    slug: str
    version = 1
    title = ""
    description = ""
    sheets: tuple[SheetSpec, ...] = ()
    asks_year = True
    asks_quarter = False
    instructions: tuple = ()

    def allowed(self, user) -> bool:
        raise NotImplementedError

    def check_download(self, user, *, year, quarter) -> None:
        """Raise ValidationError when this template cannot be filled for the period."""

    def content(self, user, *, year, quarter) -> TemplateContent:
        raise NotImplementedError

    def run(self, run) -> None:
        raise NotImplementedError

    def specs(self) -> tuple[SheetSpec, ...]:
        """The sheets with every column as of now, read once per download or import. A kind
        whose columns follow the data (the programmes' funding sources) adds them here;
        `sheets` holds the columns every file of the kind has, enough to recognise it."""
        return self.sheets

    def sheet(self, key) -> SheetSpec:
        return next(s for s in self.specs() if s.key == key)

    def filename(self, *, year, quarter) -> str:
        parts = [str(self.title)]
        if self.asks_year and year:
            parts.append(str(year))
        if self.asks_quarter and quarter:
            parts.append(f"tw{quarter}")
        return slugify(" ".join(parts)) + ".xlsx"


# What an import does with a row.
NEW = "new"
CHANGED = "changed"
UNCHANGED = "unchanged"


def status_refusal(label: str, status: str) -> str:
    if status == ReviewStatus.SUBMITTED:
        return _(
            "%(record)s has been submitted for review and cannot be changed until an "
            "administrator returns it."
        ) % {"record": label}
    if status == ReviewStatus.APPROVED:
        return _(
            "%(record)s has been approved and is locked; an administrator must reopen it "
            "before it can be changed."
        ) % {"record": label}
    return _("You may not change %(record)s.") % {"record": label}
