"""The open data: the public page's aggregates as tables (one row per programme, one per
strategy), each column described once here with its unit, its source and the rule behind
it. The CSV, XLSX and JSON downloads and the data dictionary page all read these lists, so a
column cannot be in a download without its description."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from helpers.exports import TWO_DECIMALS, WHOLE
from indicators import progress
from transparency.selectors import YearFigures

SOURCE_PROGRAMMES = _("Programme plans and quarter reports entered by the agencies (OPD)")
SOURCE_VILLAGES = _("Village data kept by the district heads (camat)")
SOURCE_ALL = _("Programme plans and village data of the year")
RULE_VERIFIED_PLAN = _("Only programmes whose plan was approved by Bapplitbangda count.")
RULE_VERIFIED_QUARTER = _(
    "Summed over the quarters whose report was verified, up to the quarter the figures are as of."
)
RULE_ACHIEVEMENT = _(
    "The mean of the programme's indicators' achievement (realised against the target for "
    "the quarter), each counted between 0 and 100%, as of the quarter the figures are as of."
)


def category_rule() -> str:
    """The achievement bands as indicators.progress.BANDS holds them, in words."""
    bands = [
        (
            _("%(category)s: %(bound)s%% or more")
            if included
            else _("%(category)s: above %(bound)s%%")
        )
        % {"category": category.label, "bound": bound}
        for category, bound, included in progress.BANDS
    ]
    bands.append(
        _("%(category)s: %(bound)s%% or below")
        % {"category": progress.Category.VERY_LOW.label, "bound": progress.BANDS[-1][1]}
    )
    bands.append(
        _("%(category)s: the quarter was not reported")
        % {"category": progress.Category.NO_DATA.label}
    )
    return "; ".join(str(band) for band in bands)


RULE_POCKET = _(
    "A poverty pocket is a village whose poverty rate is at least the regency's BPS rate of "
    "the year and which has at least the set number of poor households, by approved village "
    "data; it is reached when a counted programme names it among its target villages."
)


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    unit: Promise | str
    source: Promise
    # A text, or a function giving one (a rule whose figures live elsewhere).
    rule: Promise | str | Callable[[], str]
    value: Callable
    number_format: str = ""

    @property
    def rule_text(self) -> str:
        return self.rule() if callable(self.rule) else str(self.rule)


def _quarter(figures: YearFigures, _row) -> int | None:
    return figures.quarter


COMMON = [
    Column(
        "year",
        _("Year"),
        "",
        SOURCE_ALL,
        _("The fiscal year; only years the administrator published."),
        lambda f, r: f.year,
    ),
    Column(
        "as_of_quarter",
        _("As of quarter"),
        _("quarter (1 to 4)"),
        SOURCE_PROGRAMMES,
        _("The last quarter with a verified report; empty when none is verified yet."),
        _quarter,
    ),
    Column(
        "strategy",
        _("Strategy"),
        _("number (1 to 3)"),
        _("The regent's three strategies"),
        "",
        lambda f, r: r.strategy if hasattr(r, "strategy") else r.number,
    ),
]
BUDGET = [
    Column(
        "budget_ceiling",
        _("Budget ceiling"),
        _("rupiah"),
        SOURCE_PROGRAMMES,
        RULE_VERIFIED_PLAN,
        lambda f, r: r.budget_ceiling,
        WHOLE,
    ),
    Column(
        "budget_realized",
        _("Budget realised"),
        _("rupiah"),
        SOURCE_PROGRAMMES,
        RULE_VERIFIED_QUARTER,
        lambda f, r: r.budget_realized,
        WHOLE,
    ),
    Column(
        "absorption",
        _("Absorption"),
        _("percent"),
        SOURCE_PROGRAMMES,
        _("Budget realised as a share of the budget ceiling."),
        lambda f, r: r.absorption,
        TWO_DECIMALS,
    ),
    Column(
        "mean_achievement",
        _("Achievement"),
        _("percent"),
        SOURCE_PROGRAMMES,
        RULE_ACHIEVEMENT,
        lambda f, r: r.mean_achievement,
        TWO_DECIMALS,
    ),
    Column(
        "category",
        _("Achievement category"),
        _("category"),
        SOURCE_PROGRAMMES,
        category_rule,
        lambda f, r: str(r.category_label),
    ),
]

PROGRAMMES = [
    *COMMON,
    Column(
        "programme",
        _("Programme"),
        "",
        SOURCE_PROGRAMMES,
        RULE_VERIFIED_PLAN,
        lambda f, r: r.name,
    ),
    Column(
        "agency",
        _("Agency (OPD)"),
        "",
        SOURCE_PROGRAMMES,
        _("The agency that runs the programme."),
        lambda f, r: r.agency,
    ),
    *BUDGET,
    Column(
        "target_villages",
        _("Target villages"),
        _("villages"),
        SOURCE_PROGRAMMES,
        _("The villages the approved plan names."),
        lambda f, r: r.target_villages,
        WHOLE,
    ),
    Column(
        "pockets_reached",
        _("Poverty pockets reached"),
        _("villages"),
        SOURCE_VILLAGES,
        RULE_POCKET,
        lambda f, r: r.pockets_reached,
        WHOLE,
    ),
]

STRATEGIES = [
    *COMMON,
    Column(
        "strategy_name",
        _("Strategy name"),
        "",
        _("The regent's three strategies"),
        "",
        lambda f, r: r.name,
    ),
    Column(
        "programmes",
        _("Programmes"),
        _("programmes"),
        SOURCE_PROGRAMMES,
        RULE_VERIFIED_PLAN,
        lambda f, r: len(r.programs),
        WHOLE,
    ),
    Column(
        "agencies",
        _("Agencies (OPD)"),
        _("agencies"),
        SOURCE_PROGRAMMES,
        _("Agencies running at least one counted programme under the strategy."),
        lambda f, r: r.agency_count,
        WHOLE,
    ),
    *BUDGET,
    Column(
        "pockets",
        _("Poverty pockets"),
        _("villages"),
        SOURCE_VILLAGES,
        RULE_POCKET,
        lambda f, r: f.pockets,
        WHOLE,
    ),
    Column(
        "pockets_reached",
        _("Poverty pockets reached"),
        _("villages"),
        SOURCE_VILLAGES,
        _("Pockets that a counted programme of the strategy names as a target village."),
        lambda f, r: r.pockets_reached,
        WHOLE,
    ),
]


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: Promise
    description: Promise
    columns: list[Column]
    rows: Callable[[YearFigures], list]


DATASETS = {
    "programmes": Dataset(
        "programmes",
        _("Programmes"),
        _("One row per programme whose plan was approved."),
        PROGRAMMES,
        lambda figures: [p for s in figures.strategies for p in s.programs],
    ),
    "strategies": Dataset(
        "strategies",
        _("Strategies"),
        _("One row per strategy, with the poverty pockets its programmes reach."),
        STRATEGIES,
        lambda figures: figures.strategies,
    ),
}


def table(dataset: Dataset, figures: YearFigures) -> tuple[list[str], list[list]]:
    """The header (labels in the active language) and the rows of `dataset`."""
    header = [str(column.label) for column in dataset.columns]
    rows = [
        [column.value(figures, row) for column in dataset.columns] for row in dataset.rows(figures)
    ]
    return header, rows


def records(dataset: Dataset, figures: YearFigures) -> list[dict]:
    """The rows of `dataset` as JSON objects keyed by the columns' stable keys."""
    return [
        {column.key: _plain(column.value(figures, row)) for column in dataset.columns}
        for row in dataset.rows(figures)
    ]


def _plain(value):
    return float(value) if isinstance(value, Decimal) else value
