"""`python manage.py generate_scale_data --scale N`: synthetic data for the benchmark."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from benchmarks.synthetic import NonSyntheticData, ReferenceMissing, generate


class Command(BaseCommand):
    help = (
        "Fill the database with synthetic programmes, indicators, quarterly values, village "
        "data, and each regency's registry snapshot and last year's beneficiaries: scale 1 is "
        "one regency like Barito Timur over ten years, scale N is N regencies "
        "(15: a province). Earlier synthetic data is replaced; the real reference data stays. "
        "Refuses a database with programmes or village data of its own unless --force. "
        "See docs/performance.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Number of regencies (default 1). Below 1, one smaller regency, for tests.",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Add synthetic data beside programmes or village data that are not synthetic "
            "(they are left as they are).",
        )

    def handle(self, *args, scale, seed, force, **options):
        if scale <= 0:
            raise CommandError("The scale must be above 0.")
        try:
            report = generate(
                scale=scale, seed=seed, force=force, progress=lambda line: self.stdout.write(line)
            )
        except ReferenceMissing as error:
            raise CommandError(str(error)) from error
        except NonSyntheticData as error:
            raise CommandError(
                f"This database holds data that is not synthetic ({error}). Synthetic data is "
                "meant for a database of its own; --force adds it beside the existing data, "
                "which stays untouched."
            ) from error
        for label, count in report.created.items():
            self.stdout.write(f"  {label:<22} {count:>9,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Synthetic data at scale {scale:g} (seed {seed}) written to "
                f"{connection.vendor} in {report.seconds:.1f} s."
            )
        )
