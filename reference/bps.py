"""Loading the regency's BPS poverty series from data/bartim_kemiskinan_bps.csv."""

from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.utils.translation import gettext as _

from reference.loading import Dataset, LoadResult, file_error, read_csv, synchronize
from villages.models import PovertyStatistic

POVERTY_FILE = "bartim_kemiskinan_bps.csv"

# File column -> (model field, kind); decimals travel as text so the snapshot stays exact.
COLUMNS = {
    "penduduk_miskin_jiwa": ("poor_people", "int"),
    "persen_miskin": ("poverty_rate", "decimal"),
    "garis_kemiskinan_rp": ("poverty_line", "int"),
    "p1": ("depth_index", "decimal"),
    "p2": ("severity_index", "decimal"),
}
DECIMAL_FIELDS = {field for field, kind in COLUMNS.values() if kind == "decimal"}


def _parse(text: str, kind: str):
    if text == "":
        return None
    if kind == "int":
        if not text.isdigit():
            raise ValueError(text)
        return int(text)
    value = Decimal(text)
    if not value.is_finite() or value.as_tuple().exponent < -2:
        raise ValueError(text)
    return f"{value:.2f}"


def _read(obj: PovertyStatistic) -> dict:
    values = {"source": obj.source}
    for field, kind in COLUMNS.values():
        value = getattr(obj, field)
        values[field] = f"{value:.2f}" if value is not None and kind == "decimal" else value
    return values


def _write(obj: PovertyStatistic, field: str, value) -> None:
    setattr(obj, field, Decimal(value) if value is not None and field in DECIMAL_FIELDS else value)


def load_poverty_series(data_dir: Path) -> LoadResult:
    path = data_dir / POVERTY_FILE
    rows: dict[str, dict] = {}
    for line, row in read_csv(path, ["tahun", *COLUMNS, "sumber"]):
        year = row["tahun"]
        if not year.isdigit():
            raise file_error(path, line, _("the year %(year)s is not a year.") % {"year": year})
        if year in rows:
            raise file_error(path, line, _("the year %(year)s appears twice.") % {"year": year})
        values = {"source": row["sumber"]}
        for column, (field, kind) in COLUMNS.items():
            try:
                values[field] = _parse(row[column], kind)
            except (ValueError, InvalidOperation):
                raise file_error(
                    path,
                    line,
                    _("%(column)s: %(value)s is not a number in the expected form.")
                    % {"column": column, "value": row[column]},
                ) from None
        rows[year] = values
    return synchronize(
        Dataset(
            name="poverty_statistic",
            model=PovertyStatistic,
            rows=rows,
            existing={str(obj.year): obj for obj in PovertyStatistic.objects.all()},
            new=lambda year: PovertyStatistic(year=int(year)),
            read=_read,
            write=_write,
        )
    )
