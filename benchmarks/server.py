"""The server the benchmark measures: gunicorn on loopback, DEBUG off, with the floor view."""

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import gunicorn
from django.conf import settings

from benchmarks.measure import HttpSession

# What the server's environment sets on top of the benchmark's own, so that a production
# configuration serves plain HTTP on 127.0.0.1. Variables the settings do not read are
# harmless; add or change any with `benchmark --env NAME=VALUE`.
SERVER_ENV = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1",
    "BENCHMARK_FLOOR": "1",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "LOG_LEVEL": "WARNING",
}
START_SECONDS = 60


def server_env(overrides: dict[str, str]) -> dict[str, str]:
    # The personal-data keys of this process, so that the server reads the same registry.
    keys = {
        "PERSONAL_ID_HASH_KEY": settings.PERSONAL_ID_HASH_KEY,
        "PERSONAL_DATA_KEYS": ",".join(settings.PERSONAL_DATA_KEYS),
    }
    env = dict(os.environ) | SERVER_ENV | keys | {"SECRET_KEY": secrets.token_urlsafe(50)}
    return env | overrides


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class GunicornServer:
    """gunicorn serving this project on a free loopback port; stop() ends only the process
    that start() began."""

    def __init__(self, *, workers: int = 2, env_overrides: dict[str, str] | None = None):
        self.workers = workers
        self.env = server_env(env_overrides or {})
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log = None

    def collectstatic(self) -> None:
        """With DEBUG off the templates need the hashed static files and their manifest."""
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
            cwd=settings.BASE_DIR,
            env=self.env,
            check=True,
        )

    def start(self) -> None:
        """Start gunicorn and wait until it answers; stop() it afterwards, also on errors."""
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (kept open while it runs)
            prefix="benchmark-gunicorn-", suffix=".log", delete=False
        )
        self.process = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "bartim.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--timeout",
                "120",
                # gunicorn 27 opens a control socket at one fixed path in the home directory,
                # which a second server (the developer's own, another run) would share.
                *(["--no-control-socket"] if gunicorn.version_info >= (27,) else []),
            ],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_until_up()
        except BaseException:
            self.stop()
            raise

    def _wait_until_up(self) -> None:
        session = HttpSession(self.base_url)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped at start:\n{self.log_tail()}")
            try:
                status, _, _, _ = session.get("/login/")
            except OSError:
                time.sleep(0.2)
                continue
            if status == 200 and len(self.worker_pids()) == self.workers:
                return
            if status != 200:
                raise RuntimeError(f"GET /login/ gave HTTP {status}:\n{self.log_tail()}")
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {START_SECONDS} s.")

    def worker_pids(self) -> list[int]:
        """The worker processes: the children of the gunicorn we started."""
        if self.process is None:
            return []
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name in parentheses may hold spaces; the parent pid follows it.
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == self.process.pid:
                children.append(int(entry.name))
        return sorted(children)

    def log_tail(self, lines: int = 30) -> str:
        self.log.flush()
        text = Path(self.log.name).read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log:
            self.log.close()
            Path(self.log.name).unlink(missing_ok=True)
