"""django-axes: repeated failed logins lock out the address they came from, and only it,
also behind the documented nginx proxy (X-Forwarded-For)."""

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


def test_five_wrong_passwords_lock_out_the_address_even_with_the_right_one(client, viewer_user):
    locked = _fail_five_times(client, "viewer")

    assert locked.status_code == 429
    response = _login(client, "viewer", PASSWORD)
    assert response.status_code == 429
    assert "Terlalu banyak percobaan masuk" in response.content.decode()
    assert "15 menit" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_same_user_still_signs_in_from_his_own_computer(client, viewer_user):
    _fail_five_times(client, "viewer", ip="10.0.0.5")

    response = _login(client, "viewer", PASSWORD, ip="10.0.0.99")

    assert response.status_code == 302


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

    call_command("axes_reset_ip", "10.0.0.5")

    assert _login(client, "viewer", PASSWORD).status_code == 302


def test_lockout_ends_after_the_cool_off(client, viewer_user):
    _fail_five_times(client, "viewer")
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=16)
    )

    assert _login(client, "viewer", PASSWORD).status_code == 302


def _login_through_nginx(client, username, password, forwarded_for):
    # nginx's proxy_add_x_forwarded_for appends the address it saw to whatever the client sent.
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


@pytest.fixture
def behind_nginx(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def test_behind_the_proxy_random_usernames_lock_out_only_their_sender(
    client, admin_user, behind_nginx
):
    for number in range(5):
        _login_through_nginx(client, f"acak{number}", "salah", "203.0.113.66")

    assert _login_through_nginx(client, "admin", PASSWORD, "203.0.113.66").status_code == 429
    assert _login_through_nginx(client, "admin", PASSWORD, "198.51.100.7").status_code == 302


def test_behind_the_proxy_a_forged_forwarded_address_does_not_escape_the_lockout(
    client, viewer_user, behind_nginx
):
    for number in range(5):
        forged = f"10.9.9.{number}, 203.0.113.66"
        _login_through_nginx(client, "viewer", "salah", forged)

    response = _login_through_nginx(client, "viewer", PASSWORD, "10.1.1.1, 203.0.113.66")

    assert response.status_code == 429
