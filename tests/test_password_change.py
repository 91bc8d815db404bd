from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_user_changes_his_own_password(client, opd_a_user):
    client.force_login(opd_a_user)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Sungai-Barito-2025!",
            "new_password2": "Sungai-Barito-2025!",
        },
    )

    assert response.status_code == 302
    opd_a_user.refresh_from_db()
    assert opd_a_user.check_password("Sungai-Barito-2025!")


@pytest.mark.parametrize(
    ("new_password", "message"),
    [("abc", "terlalu pendek"), ("password123", "terlalu umum")],
)
def test_weak_password_is_refused_in_indonesian(client, opd_a_user, new_password, message):
    client.force_login(opd_a_user)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    opd_a_user.refresh_from_db()
    assert opd_a_user.check_password(PASSWORD)


def test_wrong_old_password_changes_nothing(client, opd_a_user):
    client.force_login(opd_a_user)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": "bukan-ini",
            "new_password1": "Sungai-Barito-2025!",
            "new_password2": "Sungai-Barito-2025!",
        },
    )

    assert response.status_code == 200
    opd_a_user.refresh_from_db()
    assert opd_a_user.check_password(PASSWORD)


def test_admin_resets_a_users_forgotten_password(client, admin_user, opd_a_user):
    # Administrator accounts are superusers (bartim/services.py), as create_account makes them.
    admin_user.is_superuser = True
    admin_user.save(update_fields=["is_superuser"])
    admin_client = client
    admin_client.force_login(admin_user)
    url = reverse("admin:auth_user_password_change", args=[opd_a_user.pk])

    form = admin_client.get(url)
    response = admin_client.post(
        url,
        {"password1": "Tamiang-Layang-77!", "password2": "Tamiang-Layang-77!"},
    )

    assert form.status_code == 200
    assert response.status_code == 302
    opd_a_user.refresh_from_db()
    assert opd_a_user.check_password("Tamiang-Layang-77!")
    assert not opd_a_user.check_password(PASSWORD)


def test_only_an_admin_may_reset_a_password(client, viewer_user, opd_a_user):
    client.force_login(viewer_user)
    url = reverse("admin:auth_user_password_change", args=[opd_a_user.pk])

    client.post(url, {"password1": "Tamiang-Layang-77!", "password2": "Tamiang-Layang-77!"})

    opd_a_user.refresh_from_db()
    assert opd_a_user.check_password(PASSWORD)


def _change(client, old_password, ip="10.0.0.5"):
    return client.post(
        reverse("password_change"),
        {
            "old_password": old_password,
            "new_password1": "Sungai-Barito-2025!",
            "new_password2": "Sungai-Barito-2025!",
        },
        REMOTE_ADDR=ip,
    )


def test_guessing_the_old_password_is_throttled_like_the_login(client, opd_a_user):
    client.force_login(opd_a_user)

    responses = [_change(client, f"tebakan-{n}") for n in range(5)]

    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    refused = _change(client, PASSWORD)
    assert refused.status_code == 429
    assert "Terlalu banyak percobaan masuk" in refused.content.decode()
    opd_a_user.refresh_from_db()
    assert opd_a_user.check_password(PASSWORD)


def test_the_guesses_count_per_user_from_every_address(client, opd_a_user):
    client.force_login(opd_a_user)

    for n in range(5):
        _change(client, f"tebakan-{n}", ip=f"10.0.1.{n}")

    assert _change(client, PASSWORD, ip="10.0.1.99").status_code == 429
    opd_a_user.refresh_from_db()
    assert opd_a_user.check_password(PASSWORD)


def test_the_guessing_address_cannot_log_in_either(client, opd_a_user, viewer_user):
    client.force_login(opd_a_user)
    for n in range(5):
        _change(client, f"tebakan-{n}")
    client.logout()

    response = client.post(
        reverse("login"), {"username": "viewer", "password": PASSWORD}, REMOTE_ADDR="10.0.0.5"
    )

    assert response.status_code == 429


def test_another_user_still_changes_his_password(client, opd_a_user, opd_b_user):
    client.force_login(opd_a_user)
    for n in range(5):
        _change(client, f"tebakan-{n}", ip="10.0.2.1")
    client.force_login(opd_b_user)

    response = _change(client, PASSWORD, ip="10.0.2.2")

    assert response.status_code == 302


def test_four_wrong_old_passwords_still_let_the_right_one_change_it(client, opd_a_user):
    client.force_login(opd_a_user)
    for n in range(4):
        _change(client, f"tebakan-{n}")

    assert _change(client, PASSWORD).status_code == 302


def test_the_guessed_passwords_are_not_stored(client, opd_a_user):
    client.force_login(opd_a_user)
    _change(client, "rahasia-tebakan")

    stored = " ".join(AccessAttempt.objects.values_list("post_data", flat=True))
    assert "rahasia-tebakan" not in stored
    assert "Sungai-Barito-2025!" not in stored


def test_the_guesses_expire_after_the_cool_off(client, opd_a_user):
    client.force_login(opd_a_user)
    for n in range(5):
        _change(client, f"tebakan-{n}")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    assert _change(client, PASSWORD).status_code == 302
