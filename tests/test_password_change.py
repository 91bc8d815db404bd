import pytest
from django.urls import reverse

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
