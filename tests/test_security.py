"""Production settings, security headers, the CSP, error pages and the health check."""

import logging.config
import os
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import override_settings
from django.urls import path, reverse

from tests.csp import assert_csp_clean, csp_violations
from tests.factories import PovertyStatisticFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def _failing_view(request):
    raise RuntimeError("secret internal detail DATABASE_PASSWORD=hunter2")


urlpatterns = [path("boom/", _failing_view)]


def test_check_deploy_is_clean_in_production_mode():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "k" * 20 + "9f8e7d6c5b4a3Z2Y1X0W-vutsrqponmlkjihgfedcba_ABCDEFGH",
        "ALLOWED_HOSTS": "kemiskinan.baritotimurkab.go.id",
        "DATABASE_URL": "sqlite:////tmp/bartim-check-deploy.sqlite3",
        "PERSONAL_ID_HASH_KEY": "h" * 40,
        "PERSONAL_DATA_KEYS": "ZGV2ZWxvcG1lbnQtb25seS1rZXktZG8tbm90LXVzZSE=",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_the_personal_data_keys():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "s" * 50,
        "ALLOWED_HOSTS": "x",
        "PERSONAL_ID_HASH_KEY": "",
        "PERSONAL_DATA_KEYS": "",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "PERSONAL_ID_HASH_KEY and PERSONAL_DATA_KEYS must be set" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "", "ALLOWED_HOSTS": "x"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_pages_send_security_headers(client, viewer_user):
    client.force_login(viewer_user)

    response = client.get(reverse("reports:dashboard"))

    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.parametrize("url_name", ["login", "password_change"])
def test_pages_obey_the_content_security_policy(client, viewer_user, url_name):
    client.force_login(viewer_user)

    assert_csp_clean(client.get(reverse(url_name)))


def test_dashboard_obeys_the_content_security_policy(client, viewer_user):
    PovertyStatisticFactory()
    client.force_login(viewer_user)

    assert_csp_clean(client.get(reverse("reports:dashboard")))


def test_csp_check_catches_what_the_browser_would_block():
    assert csp_violations('<p style="color:red">x</p>')
    assert csp_violations("<script>alert(1)</script>")
    assert csp_violations('<button onclick="go()">x</button>')
    assert not csp_violations('<script src="/static/app.js"></script><p class="x">ok</p>')


@override_settings(DEBUG=False)
def test_unknown_page_gives_an_indonesian_404(client, viewer_user):
    client.force_login(viewer_user)

    response = client.get("/tidak-ada/")

    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_server_error_page_is_indonesian_and_leaks_nothing(client, viewer_user):
    client.force_login(viewer_user)
    client.raise_request_exception = False

    response = client.get("/boom/")

    content = response.content.decode()
    assert response.status_code == 500
    assert "Terjadi kesalahan" in content
    assert "hunter2" not in content
    assert "Traceback" not in content


@override_settings(DEBUG=False)
def test_expired_form_gives_a_clear_indonesian_403(viewer_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(viewer_user)

    response = client.post(reverse("logout"))

    assert response.status_code == 403
    assert "Formulir sudah kedaluwarsa" in response.content.decode()


def test_health_check_answers_without_login(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response.headers["Cache-Control"]


def test_health_check_says_unavailable_when_the_database_does_not_answer(client):
    with mock.patch(
        "bartim.views.connection.cursor", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert "refused" not in response.content.decode()


def test_health_check_says_unavailable_to_a_signed_in_browser_too(client, viewer_user):
    # A browser's session cookie makes Django read the session from the database first.
    client.force_login(viewer_user)
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.cursor",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_a_server_error_is_logged_to_stdout_in_one_readable_line(client, viewer_user, capsys):
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)  # binds the handler to the captured stdout
    client.force_login(viewer_user)
    client.raise_request_exception = False
    try:
        client.get("/boom/")
    finally:
        logging.config.dictConfig(settings.LOGGING)

    lines = [line for line in capsys.readouterr().out.splitlines() if "ERROR" in line]
    assert lines, "no ERROR line on stdout"
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ERROR django\.request: .*/boom/", lines[0])
