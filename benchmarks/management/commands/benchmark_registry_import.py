"""`python manage.py benchmark_registry_import`: a registry extract imported and confirmed."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from benchmarks import registry_import
from benchmarks.management.commands.benchmark import Command as Benchmark


class Command(BaseCommand):
    help = (
        "Import a synthetic registry extract of N families (default 35,000, a regency) as the "
        "administrator does: the preview (read, check, save unconfirmed, the preview's counts), "
        "then the confirmation; print the time and this process's memory growth of each step, "
        "then delete the snapshot. See docs/performance.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--families", type=int, default=35_000)
        parser.add_argument("--xlsx", action="store_true", help="An Excel file instead of CSV.")

    def handle(self, *args, families, xlsx, **options):
        if families < 1:
            raise CommandError("--families must be at least 1.")
        user, _password = Benchmark()._account()
        size, steps = registry_import.run(actor=user, families=families, xlsx=xlsx)
        kind = "XLSX" if xlsx else "CSV"
        self.stdout.write(
            f"Registry import, {families:,} families, {kind} of {size / 2**20:.1f} MB, "
            f"{connection.vendor}:"
        )
        for step in steps:
            growth = "–" if step.rss_growth_mb is None else f"{step.rss_growth_mb:.0f} MB"
            self.stdout.write(f"  {step.name:<42} {step.seconds:7.1f} s   memory +{growth}")
        total = sum(step.seconds for step in steps)
        self.stdout.write(f"  {'total':<42} {total:7.1f} s")
