"""`python manage.py benchmark`: the main pages measured against a real server."""

import json
import os
import secrets
import subprocess
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import translation

from bartim.models import Regency, User
from bartim.services import account_create
from benchmarks import measure
from benchmarks.server import SERVER_ENV, GunicornServer
from benchmarks.synthetic import REGENCY_PREFIX
from families.models import Beneficiary, Family
from helpers import dataversion
from helpers.formatting import format_rupiah
from indicators.models import Indicator, IndicatorValue
from programs.models import Program
from villages.models import VillageData

USERNAME = "benchmark"


class Command(BaseCommand):
    help = (
        "Start gunicorn on 127.0.0.1 with DEBUG off against the configured database, log in "
        "as the 'benchmark' admin account and measure each main page: queries per request, "
        "median and p95 latency with one client, requests per second with several clients, "
        "server memory growth; the admin changelist and a floor view are the references. "
        "Writes JSON and Markdown to benchmarks/results/ and prints the table. "
        "See docs/performance.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--requests", type=int, default=30, help="One-client requests per page."
        )
        parser.add_argument(
            "--export-requests", type=int, default=5, help="One-client requests per export."
        )
        parser.add_argument("--clients", type=int, default=8, help="Concurrent clients.")
        parser.add_argument(
            "--concurrent-requests",
            type=int,
            default=200,
            help="Concurrent phase: stop after this many responses (exports: 2 per client)...",
        )
        parser.add_argument(
            "--concurrent-seconds", type=float, default=10.0, help="... or after this long."
        )
        parser.add_argument(
            "--single-seconds",
            type=float,
            default=30.0,
            help="Stop a page's one-client requests after this long (default 30).",
        )
        parser.add_argument(
            "--after-write-requests",
            type=int,
            default=10,
            help="Requests per table and summary page right after a write (0: none).",
        )
        parser.add_argument(
            "--two-servers",
            action="store_true",
            help="Instead of the pages' figures: start two gunicorn servers sharing the "
            "database and the cache (REDIS_URL must be set), write, and check that both show "
            "the same pages with the write.",
        )
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
        parser.add_argument(
            "--env",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="Set a variable in the server's environment (repeatable); "
            f"already set: {', '.join(f'{k}={v}' for k, v in SERVER_ENV.items())}.",
        )
        parser.add_argument(
            "--url",
            help="Measure a server that is already running on loopback (e.g. "
            "http://127.0.0.1:8000) instead of starting gunicorn; no memory figures.",
        )
        parser.add_argument(
            "--pages", type=Path, help="JSON file with the pages to measure (see docs)."
        )
        parser.add_argument(
            "--only", action="append", default=[], metavar="NAME", help="Measure only these pages."
        )
        parser.add_argument(
            "--compare", type=Path, help="An earlier result (JSON) whose query counts must match."
        )
        parser.add_argument(
            "--output-dir",
            type=Path,
            default=Path(settings.BASE_DIR) / "benchmarks" / "results",
            help="Where the JSON and Markdown results go (default benchmarks/results/).",
        )

    def handle(self, *args, **options):
        try:
            bench_options = measure.Options(
                requests=options["requests"],
                export_requests=options["export_requests"],
                clients=options["clients"],
                concurrent_requests=options["concurrent_requests"],
                concurrent_seconds=options["concurrent_seconds"],
                single_seconds=options["single_seconds"],
                after_write_requests=max(options["after_write_requests"], 1),
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        try:
            pages = measure.load_pages(options["pages"]) if options["pages"] else measure.PAGES
            previous = json.loads(options["compare"].read_text()) if options["compare"] else None
        except (OSError, ValueError, TypeError) as error:
            raise CommandError(f"Cannot read --pages or --compare: {error}") from error
        if options["only"]:
            pages = tuple(page for page in pages if page.name in options["only"])
            if not pages:
                raise CommandError("--only matches no page name.")
        overrides = dict(self._pair(item) for item in options["env"])

        user, password = self._account()
        if options["two_servers"]:
            return self._two_servers(user, password, options["workers"], overrides)
        write = self._write_once if options["after_write_requests"] > 0 else None
        started = datetime.now().astimezone()
        # Other work on the machine skews every figure; the load average says how much.
        load_before = os.getloadavg()[0]
        if options["url"]:
            results = self._run(options["url"], user, password, pages, bench_options, [], write)
            server = f"the server at {options['url']}"
        else:
            gunicorn = GunicornServer(workers=options["workers"], env_overrides=overrides)
            self.stdout.write("Collecting static files for DEBUG off ...")
            try:
                gunicorn.collectstatic()
                gunicorn.start()
            except (RuntimeError, subprocess.CalledProcessError) as error:
                raise CommandError(f"The server did not start: {error}") from error
            try:
                self.stdout.write(f"gunicorn ({options['workers']} workers) on {gunicorn.base_url}")
                pids = gunicorn.worker_pids()
                results = self._run(
                    gunicorn.base_url, user, password, pages, bench_options, pids, write
                )
            finally:
                gunicorn.stop()
            server = f"gunicorn, {options['workers']} workers, DEBUG off"
        meta = self._meta(started, server, bench_options, overrides)
        meta["load_average_1min"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        meta["description"] += (
            f", load average {load_before:.2f} before and {os.getloadavg()[0]:.2f} after"
        )
        goal_rows = measure.goals(results, previous)
        self._write(options["output_dir"], started, meta, results, goal_rows)

    @staticmethod
    def _pair(item: str) -> tuple[str, str]:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise CommandError(f"--env takes NAME=VALUE, not {item!r}.")
        return name, value

    def _account(self) -> tuple[User, str]:
        """The benchmark's admin account, with a new random password on every run."""
        password = secrets.token_urlsafe(24)
        user = User.objects.filter(username=USERNAME).first()
        if user is None:
            user = account_create(username=USERNAME, role=User.Role.ADMIN, password=password)
        else:
            if not user.is_regency_admin or not user.is_staff:
                raise CommandError(
                    f"The account {USERNAME!r} exists but is not an active admin; "
                    "the benchmark logs in as an admin to reach the admin changelist."
                )
            user.set_password(password)
            user.save(update_fields=["password"])
        return user, password

    def _run(self, base_url, user, password, pages, bench_options, pids, write):
        try:
            return measure.run(
                base_url=base_url,
                user=user,
                password=password,
                pages=pages,
                options=bench_options,
                worker_pids=pids,
                progress=self.stdout.write,
                write=write,
            )
        except (RuntimeError, ValueError, OSError) as error:
            raise CommandError(str(error)) from error

    @staticmethod
    def _write_once() -> str:
        """A write as a service makes one: the latest year's programme with the largest budget
        ceiling gets one rupiah more, and the data a new version in the same transaction
        (helpers.dataversion.bump(), which every write service calls; an ORM update alone
        leaves every cached page as it was). Returns the new ceiling as the pages write it."""
        year = Program.objects.aggregate(year=Max("year"))["year"]
        top = Program.objects.filter(year=year).order_by("-budget_ceiling", "pk").first()
        with transaction.atomic():
            Program.objects.filter(pk=top.pk).update(budget_ceiling=F("budget_ceiling") + 1)
            dataversion.bump()
        return format_rupiah(top.budget_ceiling + 1)

    def _two_servers(self, user, password, workers, overrides) -> None:
        env = dict(os.environ) | overrides
        if not env.get("REDIS_URL"):
            raise CommandError("--two-servers needs REDIS_URL (or --env REDIS_URL=...).")
        servers = [GunicornServer(workers=workers, env_overrides=overrides) for _ in range(2)]
        servers[0].collectstatic()
        year = Program.objects.aggregate(year=Max("year"))["year"]
        paths = [f"/programs/?year={year}&sort=-budget_ceiling", f"/?year={year}"]
        try:
            for server in servers:
                server.start()
            sessions = [measure.HttpSession(server.base_url) for server in servers]
            for session in sessions:
                session.login(user.username, password)
                for path in paths:
                    session.get(path)
            with translation.override(settings.LANGUAGE_CODE):
                rows = measure.two_servers(sessions, self._write_once, paths)
        finally:
            for server in servers:
                server.stop()
        lines = [
            f"Two servers ({workers} workers each) sharing {connection.settings_dict['NAME']} "
            f"and {env['REDIS_URL']}: after each write, each page from both servers",
            "",
            "| page | asked first | ms (server 1, server 2) | same page | shows the write |",
            "| --- | ---: | --- | --- | --- |",
        ]
        for row in rows:
            ms = ", ".join(f"{value:.1f}" for value in row["ms"])
            lines.append(
                f"| `{row['path']}` | server {row['first_server'] + 1} | {ms} "
                f"| {'yes' if row['same'] else '**no**'} "
                f"| {({True: 'yes', False: '**no**', None: '–'})[row['shows_the_write']]} |"
            )
        self.stdout.write("\n".join(lines))
        if not all(row["same"] and row["shows_the_write"] is not False for row in rows):
            raise CommandError("The two servers did not show the same pages after a write.")

    def _meta(self, started, server, bench_options, overrides) -> dict:
        counts = {
            "programmes": Program.objects.count(),
            "indicators": Indicator.objects.count(),
            "quarterly values": IndicatorValue.objects.count(),
            "village data rows": VillageData.objects.count(),
            "registry families": Family.objects.count(),
            "beneficiary records": Beneficiary.objects.count(),
            "synthetic regencies": Regency.objects.filter(code__startswith=REGENCY_PREFIX).count(),
        }
        database = connection.settings_dict
        vendor = connection.vendor
        description = (
            f"{vendor} ({database['NAME']}), "
            f"{counts['programmes']:,} programmes ({counts['synthetic regencies']} synthetic "
            f"regencies), {server}, {os.cpu_count()} CPUs"
        )
        return {
            "started": started.isoformat(timespec="seconds"),
            "description": description,
            "database": vendor,
            "counts": counts,
            "server": server,
            "server_env": SERVER_ENV | overrides,
            "options": bench_options.__dict__,
            "cpus": os.cpu_count(),
            "commit": self._commit(),
        }

    @staticmethod
    def _commit() -> str:
        try:
            return subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 (git from the PATH)
                cwd=settings.BASE_DIR,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    def _write(self, directory: Path, started, meta, results, goal_rows) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        stem = directory / started.strftime("%Y%m%d-%H%M%S")
        table = measure.markdown(meta, results, goal_rows)
        stem.with_suffix(".json").write_text(
            json.dumps(measure.as_json(meta, results, goal_rows), indent=2), encoding="utf-8"
        )
        stem.with_suffix(".md").write_text(table, encoding="utf-8")
        self.stdout.write("")
        self.stdout.write(table)
        self.stdout.write(f"Written to {stem}.json and {stem}.md")
