"""Load Barito Timur's reference data; lives in the top app because it loads every app's part."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from helpers import dataversion
from reference.bps import load_poverty_series
from reference.loading import ReferenceDataError, default_data_dir, load_agencies, load_territory
from reference.strategies import load_strategies
from villages.maps import BOUNDARY_FILE, check_boundaries


class Command(BaseCommand):
    help = (
        "Load the reference data in data/: territory, agencies (OPD), the three strategies and "
        "the BPS poverty series. Safe to run again; see docs/data-sources.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            help="Directory holding the reference CSV files (default: data/ in the project).",
        )

    def handle(self, *args, data_dir=None, **options):
        data_dir = data_dir or default_data_dir()
        try:
            with transaction.atomic():
                results = [
                    *load_territory(data_dir),
                    load_agencies(data_dir),
                    load_strategies(),
                    load_poverty_series(data_dir),
                ]
                dataversion.bump()
        except ReferenceDataError as error:
            raise CommandError(str(error)) from error
        for result in results:
            self.stdout.write(
                _("%(label)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                % {
                    "label": result.label,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                }
            )
            if result.kept_edits:
                self.stdout.write(
                    _(
                        "%(label)s: %(count)d kept a change made in the application, "
                        "because the file did not change there."
                    )
                    % {"label": result.label, "count": result.kept_edits}
                )
            if result.not_in_file:
                self.stdout.write(
                    self.style.WARNING(
                        _("%(label)s no longer in the file, left in place: %(rows)s.")
                        % {"label": result.label, "rows": ", ".join(result.not_in_file)}
                    )
                )
        self.report_boundaries(data_dir / BOUNDARY_FILE)
        self.stdout.write(
            self.style.SUCCESS(_("Reference data loaded from %(path)s.") % {"path": data_dir})
        )

    def report_boundaries(self, path: Path):
        """The village map's boundaries (docs/map.md) against the villages just loaded."""
        if not path.is_file():
            self.stdout.write(
                self.style.WARNING(
                    _("No village boundaries (%(path)s): the map shows no village.")
                    % {"path": path}
                )
            )
            return
        check = check_boundaries(path)
        if check.features_without_village:
            self.stdout.write(
                self.style.WARNING(
                    _("Boundaries whose code is no village, not drawn: %(codes)s.")
                    % {"codes": ", ".join(check.features_without_village)}
                )
            )
        if check.villages_without_feature:
            self.stdout.write(
                self.style.WARNING(
                    _("Villages without a boundary, missing from the map: %(codes)s.")
                    % {"codes": ", ".join(check.villages_without_feature)}
                )
            )
        for code, file_name, name in check.names_differing:
            self.stdout.write(
                _(
                    "Boundary %(code)s is named “%(file_name)s” in its file; "
                    "the map shows “%(name)s”."
                )
                % {"code": code, "file_name": file_name, "name": name}
            )
