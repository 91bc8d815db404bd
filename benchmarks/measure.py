"""What the benchmark measures for each page, and how (docs/performance.md).

- Queries per request: the page is requested in-process through Django's test client, once to
  warm up and once inside CaptureQueriesContext (which records queries with DEBUG off too);
  a streamed response is read to the end inside the context, so an export's queries count.
- Latency: N requests one after another over HTTP to the server (or as many as fit in a
  time limit), each on a new connection (gunicorn's sync workers close it after every
  response); the time runs from sending the request to the last byte of the body. Median and
  p95 (nearest rank). A burst of parallel requests first warms every worker up.
- Throughput: C client threads request the page until M responses or S seconds, whichever
  comes first; requests per second = responses / elapsed time.
- First visit after a write: for each table, summary and family measures page in turn, a
  write through the ORM that gives the data a new version in its transaction
  (helpers.dataversion.bump(), as the write services do), then one request; median and
  p95 of those requests. Every cached piece of the page is computed again.
- Memory: a thread reads VmRSS of each server worker from /proc/<pid>/status every few
  milliseconds; a page's growth is the largest rise of any worker's RSS during one of its
  one-client requests or during its concurrent phase.

Only loopback addresses are accepted, and every loop is bounded by a count and a time.
"""

import http.client
import json
import math
import re
import statistics
import threading
import time
from dataclasses import asdict, dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from django.db import connection
from django.db.models import Count, Max
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from bartim.models import Agency
from programs.models import Program

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
AFTER_WRITE_GROUPS = {"table", "summary", "families"}
TIMEOUT = 120


@dataclass(frozen=True)
class Page:
    """One URL to measure. `path` may hold {year} (the latest year with programmes), {opd}
    (the agency with the most programmes that year) and {last_page} (the highest page number
    linked from `last_page_of`)."""

    name: str
    path: str
    # "reference" (floor, admin), "table", "summary" (dashboard, report), "families" (the
    # family measures), "export".
    group: str = "table"
    last_page_of: str = ""
    # For a sorted page: the name of the same page unsorted, which it is compared with.
    sort_of: str = ""


PAGES = (
    Page("floor", "/benchmark/floor/", group="reference"),
    Page("admin changelist", "/admin/programs/program/", group="reference"),
    Page("dashboard", "/dashboard/", group="summary"),
    Page("programmes", "/programs/"),
    Page("programmes by OPD", "/programs/?opd={opd}"),
    Page("programmes by achievement", "/programs/?sort=-mean_achievement", sort_of="programmes"),
    Page("programmes by absorption", "/programs/?sort=-absorption", sort_of="programmes"),
    Page("programmes last page", "/programs/?page={last_page}", last_page_of="/programs/"),
    Page("indicators", "/indicators/"),
    Page("villages", "/villages/"),
    Page("strategies", "/strategies/"),
    Page("OPD ranking", "/opd/"),
    # A check page with summaries rather than one paginated table: held to the summary goal.
    Page("targeting", "/targeting/", group="summary"),
    # Issue 22 holds the needs check of a province's year to the table goals.
    Page("basic needs", "/needs/"),
    Page("report", "/reports/{year}/", group="summary"),
    # The latest registry snapshot against every programme of the year (issue 18).
    Page("family measures", "/families/measures/?year={year}", group="families"),
    Page(
        "family measures by programme",
        "/families/measures/?year={year}&by=program",
        group="families",
    ),
    Page("programmes XLSX", "/programs/?year={year}&_export=xlsx", group="export"),
    Page("programmes CSV", "/programs/?year={year}&_export=csv", group="export"),
)


def load_pages(path: Path) -> tuple[Page, ...]:
    """Pages from a JSON list of objects with Page's fields, to follow renamed URLs or sort
    keys without changing the code."""
    return tuple(Page(**entry) for entry in json.loads(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Options:
    requests: int = 30
    export_requests: int = 5
    clients: int = 8
    concurrent_requests: int = 200
    concurrent_seconds: float = 10.0
    # A slow page stops the one-client loop early (after at least one request).
    single_seconds: float = 30.0
    # Requests per table and summary page, each right after a write.
    after_write_requests: int = 10

    def __post_init__(self):
        if min(self.requests, self.export_requests, self.clients, self.concurrent_requests) < 1:
            raise ValueError("Request and client counts must be at least 1.")
        if min(self.concurrent_seconds, self.single_seconds) <= 0:
            raise ValueError("Time limits must be above 0 seconds.")


@dataclass
class Result:
    name: str
    path: str
    group: str
    status: int | None = None
    note: str = ""
    content_type: str = ""
    bytes: int | None = None
    queries: int | None = None
    median_ms: float | None = None
    p95_ms: float | None = None
    rps: float | None = None
    errors: int = 0
    rss_growth_mb: float | None = None
    vs_floor: float | None = None
    vs_admin: float | None = None
    sort_of: str = ""
    after_write_median_ms: float | None = None
    after_write_p95_ms: float | None = None
    after_write_vs_floor: float | None = None

    @property
    def measured(self) -> bool:
        return self.median_ms is not None


class HttpSession:
    """A logged-in browser reduced to what the benchmark needs: cookies and GET."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        if parts.scheme != "http" or parts.hostname not in LOOPBACK:
            raise ValueError(f"The benchmark only talks to http:// on loopback, not {base_url}.")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes = b"", headers=None):
        """(status, headers, body, seconds from sending to the last byte)."""
        all_headers = dict(headers or {})
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        try:
            started = time.perf_counter()
            conn.request(method, path, body=body or None, headers=all_headers)
            response = conn.getresponse()
            content = response.read()
            seconds = time.perf_counter() - started
        finally:
            conn.close()
        return response.status, response.headers, content, seconds

    def get(self, path: str):
        return self.request("GET", path)

    def login(self, username: str, password: str, login_path: str = "/login/") -> None:
        """Log in through the login form, as a person would, keeping the session cookie."""
        status, headers, body, _ = self.get(login_path)
        self._keep_cookies(headers)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or token is None:
            raise RuntimeError(f"GET {login_path} gave {status} without a login form.")
        form = urlencode(
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": token.group(1).decode(),
            }
        ).encode()
        status, headers, _, _ = self.request(
            "POST",
            login_path,
            form,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        self._keep_cookies(headers)
        if status != 302:
            raise RuntimeError(f"Logging in as {username} failed (HTTP {status}).")

    def _keep_cookies(self, headers) -> None:
        for header in headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `share` of them at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


class MemorySampler:
    """Reads the RSS of `pids` every few milliseconds in a thread of its own; between
    begin() and end() it keeps each process's peak, and end() gives the largest growth."""

    INTERVAL = 0.005

    def __init__(self, pids: list[int]):
        self.pids = pids
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.baseline: dict[int, int] = {}
        self.peak: dict[int, int] = {}

    def __enter__(self):
        if self.pids:
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        return False

    def begin(self) -> None:
        baseline = {pid: rss for pid in self.pids if (rss := read_rss(pid)) is not None}
        self.peak = dict(baseline)
        self.baseline = baseline

    def end(self) -> float | None:
        """Growth in MB since begin(), or None when no worker could be read."""
        for pid in self.baseline:
            self._sample(pid)
        if not self.baseline:
            return None
        return max(self.peak[pid] - self.baseline[pid] for pid in self.baseline) / 1024

    def _run(self) -> None:
        while not self._stop.wait(self.INTERVAL):
            for pid in list(self.baseline):
                self._sample(pid)

    def _sample(self, pid: int) -> None:
        rss = read_rss(pid)
        if rss is not None and rss > self.peak.get(pid, 0):
            self.peak[pid] = rss


def read_rss(pid: int) -> int | None:
    """Resident memory of a process in kB, from /proc (Linux); None if it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def count_queries(user, path: str) -> int:
    """Queries of one request for `path`, in-process, by `user`, after one warm-up request."""
    client = Client()
    client.force_login(user)
    # Routed like the benchmark's server (with the floor view), over HTTPS so that a
    # production SECURE_SSL_REDIRECT does not turn the page into a redirect.
    with override_settings(ROOT_URLCONF="benchmarks.urls", ALLOWED_HOSTS=["testserver"]):
        _read(client.get(path, secure=True))
        with CaptureQueriesContext(connection) as queries:
            _read(client.get(path, secure=True))
    return len(queries)


def _read(response) -> None:
    # The test client closes a response itself, a streamed one once it is read to the end.
    if response.streaming:
        for _chunk in response.streaming_content:
            pass


def placeholders() -> dict[str, str]:
    """Values for {year} and {opd} taken from the data."""
    year = Program.objects.aggregate(year=Max("year"))["year"]
    busiest = (
        Agency.objects.filter(programs__year=year)
        .annotate(n=Count("programs"))
        .order_by("-n", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    return {"year": str(year or ""), "opd": str(busiest or "")}


def last_page(session: HttpSession, path: str) -> str:
    status, _, body, _ = session.get(path)
    if status != 200:
        return "1"
    numbers = [int(n) for n in re.findall(rb"[?&](?:amp;)?page=(\d+)", body)]
    return str(max(numbers, default=1))


def concurrent(
    session: HttpSession, path: str, clients: int, max_requests: int, max_seconds: float
) -> tuple[float, int]:
    """(responses per second, responses other than 200) with `clients` threads."""
    lock = threading.Lock()
    state = {"started": 0, "done": 0, "errors": 0}
    started = time.perf_counter()
    deadline = started + max_seconds

    def worker():
        while True:
            with lock:
                if state["started"] >= max_requests or time.perf_counter() >= deadline:
                    return
                state["started"] += 1
            status, _, _, _ = session.get(path)
            with lock:
                state["done"] += 1
                state["errors"] += status != 200

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return state["done"] / elapsed, state["errors"]


def run(
    *,
    base_url: str,
    user,
    password: str,
    pages=PAGES,
    options: Options = Options(),  # noqa: B008 (frozen, never changed)
    worker_pids: list[int] | None = None,
    progress=lambda message: None,
    write=None,
) -> list[Result]:
    """Measure every page against the server at `base_url`, logged in as `user`.

    The one-client requests go round the pages in turn rather than page after page, so
    that other work on the machine slows every page alike and the ratios to the floor and
    the admin changelist stay fair."""
    session = HttpSession(base_url)
    session.login(user.username, password)
    values = placeholders()
    # The first requests a fresh worker serves are slow (imports, URLconf, templates,
    # database connection); without this the first page measured pays for them.
    concurrent(session, "/login/", options.clients, options.clients * 5, TIMEOUT)
    results = [Result(page.name, page.path, page.group, sort_of=page.sort_of) for page in pages]
    live = [
        (result, page)
        for result, page in zip(results, pages, strict=True)
        if _available(result, page, session, values)
    ]
    for result in results:
        if result.note:
            progress(f"{result.name}: {result.note}")
    with MemorySampler(worker_pids or []) as sampler:
        _one_client(live, session, options, sampler)
        for result, page in live:
            _many_clients(result, page, session, options, sampler)
            result.queries = count_queries(user, result.path)
            progress(_progress_line(result))
    if write is not None:
        _after_write(live, session, options, write)
    _ratios(results)
    return results


def _after_write(live, session: HttpSession, options: Options, write) -> None:
    """Each table and summary page requested right after `write()`, in turn."""
    pages = [(result, page) for result, page in live if page.group in AFTER_WRITE_GROUPS]
    timings: dict[int, list[float]] = {id(result): [] for result, _ in pages}
    for _ in range(options.after_write_requests):
        for result, _page in pages:
            write()
            status, _, _, seconds = session.get(result.path)
            result.errors += status != 200
            timings[id(result)].append(seconds)
    for result, _ in pages:
        values = timings[id(result)]
        if values:
            result.after_write_median_ms = statistics.median(values) * 1000
            result.after_write_p95_ms = percentile(values, 0.95) * 1000


def _available(result: Result, page: Page, session: HttpSession, values: dict) -> bool:
    """Fill in the page's URL and check that it answers with what it should."""
    context = dict(values)
    if page.last_page_of:
        context["last_page"] = last_page(session, page.last_page_of)
    try:
        result.path = page.path.format(**context)
    except (KeyError, IndexError) as error:
        result.note = f"unknown placeholder {error}"
        return False
    status, headers, body, _ = session.get(result.path)
    result.status = status
    result.content_type = headers.get("Content-Type", "").split(";")[0]
    result.bytes = len(body)
    if status == 404:
        result.note = "not available (404)"
    elif status != 200:
        result.note = f"HTTP {status}"
    elif page.group == "export" and result.content_type == "text/html":
        result.note = "not available (a page, not a file)"
    else:
        return True
    return False


def _one_client(live, session: HttpSession, options: Options, sampler: MemorySampler) -> None:
    for result, page in live:
        # A burst of parallel requests reaches every worker, so none is measured cold.
        concurrent(session, result.path, options.clients, 2 if _export(page) else 4, TIMEOUT)
    timings: dict[int, list[float]] = {id(result): [] for result, _ in live}
    spent = dict.fromkeys(timings, 0.0)
    wanted = {
        id(result): options.export_requests if _export(page) else options.requests
        for result, page in live
    }
    for _ in range(max(wanted.values(), default=0)):
        for result, _page in live:
            key = id(result)
            if len(timings[key]) >= wanted[key] or spent[key] >= options.single_seconds:
                continue
            sampler.begin()
            status, _, _, seconds = session.get(result.path)
            growth = sampler.end()
            timings[key].append(seconds)
            spent[key] += seconds
            result.errors += status != 200
            if growth is not None:
                result.rss_growth_mb = max(result.rss_growth_mb or 0.0, growth)
    for result, _ in live:
        values = timings[id(result)]
        result.median_ms = statistics.median(values) * 1000
        result.p95_ms = percentile(values, 0.95) * 1000


def _many_clients(result: Result, page: Page, session, options: Options, sampler) -> None:
    sampler.begin()
    result.rps, errors = concurrent(
        session,
        result.path,
        options.clients,
        options.clients * 2 if _export(page) else options.concurrent_requests,
        options.concurrent_seconds,
    )
    growth = sampler.end()
    result.errors += errors
    if growth is not None:
        result.rss_growth_mb = max(result.rss_growth_mb or 0.0, growth)


def _export(page: Page) -> bool:
    return page.group == "export"


def _ratios(results: list[Result]) -> None:
    by_name = {result.name: result for result in results}
    floor, admin = by_name.get("floor"), by_name.get("admin changelist")
    for result in results:
        if not result.measured:
            continue
        if floor and floor.measured:
            result.vs_floor = result.median_ms / floor.median_ms
            if result.after_write_median_ms is not None:
                result.after_write_vs_floor = result.after_write_median_ms / floor.median_ms
        if admin and admin.measured:
            result.vs_admin = result.median_ms / admin.median_ms


def _progress_line(result: Result) -> str:
    if not result.measured:
        return f"{result.name}: {result.note}"
    return (
        f"{result.name}: {result.queries} queries, median {result.median_ms:.1f} ms, "
        f"p95 {result.p95_ms:.1f} ms, {result.rps:.1f} req/s"
    )


def two_servers(sessions, write, paths) -> list[dict]:
    """After each `write()`, every path from each server in turn (the first server asked
    alternates): the time of each answer and whether all servers sent the same page. `write`
    returns a text the first path's page must now show."""
    rows = []
    for turn in range(2 * len(sessions)):
        expected = write()
        order = sessions[turn % len(sessions) :] + sessions[: turn % len(sessions)]
        for index, path in enumerate(paths):
            bodies, times = [], []
            for session in order:
                status, _, body, seconds = session.get(path)
                bodies.append(_main(body) if status == 200 else b"HTTP %d" % status)
                times.append(round(seconds * 1000, 1))
            rows.append(
                {
                    "path": path,
                    "first_server": turn % len(sessions),
                    "ms": times,
                    "same": len(set(bodies)) == 1,
                    "shows_the_write": None
                    if index
                    else all(expected.encode() in body for body in bodies),
                }
            )
    return rows


def _main(body: bytes) -> bytes:
    # The page's own content: the layout around it holds a CSRF token and a CSP nonce that
    # differ on every response.
    start, end = body.find(b"<main"), body.find(b"</main>")
    return body[body.find(b">", start) : end] if 0 <= start < end else body


@dataclass
class Goal:
    text: str
    measured: str
    passed: bool | None  # None: not measured


def _check(text: str, value: float | None, limit: float, unit: str, at_least=False) -> Goal:
    if value is None:
        return Goal(text, "not measured", None)
    passed = value >= limit if at_least else value <= limit
    return Goal(text, f"{value:.2f}{unit}", passed)


def goals(results: list[Result], previous: dict | None = None) -> list[Goal]:
    """Issue 7's goals (issue 18's for the family measures) checked against this run, and
    query counts against an earlier run's. A page that was not measured gets one line saying
    so instead of its goals."""
    by_name = {result.name: result for result in results}
    earlier = {page["name"]: page.get("queries") for page in (previous or {}).get("pages", [])}
    rows = []
    for r in results:
        if r.measured and earlier.get(r.name) is not None:
            same = r.queries == earlier[r.name]
            text = f"{r.name}: queries as in the earlier run"
            rows.append(Goal(text, f"{r.queries} (earlier {earlier[r.name]})", same))
        if r.group == "reference":
            continue
        if not r.measured:
            rows.append(Goal(f"{r.name}: {r.note or 'not measured'}", "not measured", None))
            continue
        if r.group == "table":
            rows.append(_check(f"{r.name}: median <= 5x floor", r.vs_floor, 5, "x"))
            rows.append(_check(f"{r.name}: median <= 0.5x admin", r.vs_admin, 0.5, "x"))
            rows.append(_check(f"{r.name}: p95 < 60 ms", r.p95_ms, 60, " ms"))
            text = f"{r.name}: after a write, median <= 10x floor"
            rows.append(_check(text, r.after_write_vs_floor, 10, "x"))
        base = by_name.get(r.sort_of)
        if base is not None:
            ratio = r.median_ms / base.median_ms if base.measured else None
            rows.append(_check(f"{r.name}: median <= 2x {base.name}", ratio, 2, "x"))
        if r.name == "programmes":
            rows.append(_check(f"{r.name}: >= 100 req/s", r.rps, 100, " req/s", at_least=True))
        if r.group == "summary":
            rows.append(_check(f"{r.name}: p95 < 150 ms", r.p95_ms, 150, " ms"))
            text = f"{r.name}: after a write, p95 <= 300 ms"
            rows.append(_check(text, r.after_write_p95_ms, 300, " ms"))
        if r.group == "families":
            rows.append(_check(f"{r.name}: p95 < 100 ms", r.p95_ms, 100, " ms"))
            text = f"{r.name}: after a write, p95 < 1000 ms"
            rows.append(_check(text, r.after_write_p95_ms, 1000, " ms"))
        if r.group == "export":
            limit = 1500 if "xlsx" in r.path.lower() else 500
            rows.append(_check(f"{r.name}: median < {limit} ms", r.median_ms, limit, " ms"))
            rows.append(_check(f"{r.name}: memory growth < 50 MB", r.rss_growth_mb, 50, " MB"))
    return rows


def as_json(meta: dict, results: list[Result], goal_rows: list[Goal]) -> dict:
    return {
        "meta": meta,
        "pages": [asdict(result) for result in results],
        "goals": [asdict(goal) for goal in goal_rows],
    }


def _cell(value, digits: int = 1, suffix: str = "") -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}{suffix}"


def markdown(meta: dict, results: list[Result], goal_rows: list[Goal]) -> str:
    lines = [
        f"Benchmark {meta.get('started', '')}: {meta.get('description', '')}",
        "",
        "| page | URL | queries | median ms | p95 ms | req/s (8 clients) "
        "| × floor | × admin | after a write: median ms | p95 ms | × floor | RSS growth MB |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        if not r.measured:
            lines.append(f"| {r.name} | `{r.path}` | {r.note} | | | | | | | | | |")
            continue
        lines.append(
            f"| {r.name} | `{r.path}` | {r.queries} | {_cell(r.median_ms)} | {_cell(r.p95_ms)} "
            f"| {_cell(r.rps)} | {_cell(r.vs_floor)} | {_cell(r.vs_admin, 2)} "
            f"| {_cell(r.after_write_median_ms)} | {_cell(r.after_write_p95_ms)} "
            f"| {_cell(r.after_write_vs_floor)} | {_cell(r.rss_growth_mb)} |"
        )
    lines += ["", "| goal | measured | met |", "| --- | --- | --- |"]
    for goal in goal_rows:
        met = {True: "yes", False: "**no**", None: "–"}[goal.passed]
        lines.append(f"| {goal.text} | {goal.measured} | {met} |")
    return "\n".join(lines) + "\n"
