"""django-axes: repeated failed logins lock the account and the address out."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, username, password, ip="10.0.0.5"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def _fail_five_times(client, username, ip="10.0.0.5"):
    for _ in range(5):
        response = _login(client, username, "salah-sekali", ip)
    return response


def test_five_wrong_passwords_lock_the_user_out_even_with_the_right_one(client, viewer_user):
    locked = _fail_five_times(client, "viewer")

    assert locked.status_code == 429
    response = _login(client, "viewer", PASSWORD, ip="10.0.0.99")
    assert response.status_code == 429
    assert "Terlalu banyak percobaan masuk" in response.content.decode()
    assert "15 menit" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_wrong_passwords_still_let_the_right_one_in(client, viewer_user):
    for _ in range(4):
        _login(client, "viewer", "salah")

    response = _login(client, "viewer", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(viewer_user.pk)


def test_another_user_from_another_address_is_not_affected(client, viewer_user, admin_user):
    _fail_five_times(client, "viewer", ip="10.0.0.5")

    response = _login(client, "admin", PASSWORD, ip="10.0.0.6")

    assert response.status_code == 302


def test_an_address_guessing_many_usernames_is_locked_out(client, viewer_user):
    for number in range(5):
        _login(client, f"tebakan{number}", "salah", ip="10.0.0.7")

    response = _login(client, "viewer", PASSWORD, ip="10.0.0.7")

    assert response.status_code == 429


def test_admin_releases_the_lockout_with_the_reset_command(client, viewer_user):
    _fail_five_times(client, "viewer")

    call_command("axes_reset_username", "viewer")
    call_command("axes_reset_ip", "10.0.0.5")

    assert _login(client, "viewer", PASSWORD).status_code == 302


def test_lockout_ends_after_the_cool_off(client, viewer_user):
    _fail_five_times(client, "viewer")
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=16)
    )

    assert _login(client, "viewer", PASSWORD).status_code == 302
