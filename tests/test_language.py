import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_english_browser_still_gets_indonesian(client, viewer_user):
    client.force_login(viewer_user)

    response = client.get(
        reverse("programs:program_list"), headers={"accept-language": "en-US,en;q=0.9"}
    )

    assert response.headers["Content-Language"] == "id"
    assert "Program" in response.content.decode()
    assert 'lang="id"' in response.content.decode()


def test_language_switcher_chooses_english_and_back(client, viewer_user):
    client.force_login(viewer_user)
    switch = reverse("set_language")

    client.post(switch, {"language": "en", "next": reverse("programs:program_list")})
    english = client.get(reverse("programs:program_list"))
    client.post(switch, {"language": "id", "next": reverse("programs:program_list")})
    indonesian = client.get(reverse("programs:program_list"))

    assert english.headers["Content-Language"] == "en"
    assert ">Programmes<" in english.content.decode()
    assert indonesian.headers["Content-Language"] == "id"
    assert ">Programmes<" not in indonesian.content.decode()


def test_language_button_does_not_rename_the_admin_change_link(admin_client):
    """The switcher's button once shared the msgid "Change" with the admin's "Ubah" link."""
    admin_index = admin_client.get(reverse("admin:index")).content.decode()
    programs = admin_client.get(reverse("programs:program_list")).content.decode()

    assert "Ubah</a>" in admin_index
    assert "Ganti</button>" in programs


@pytest.mark.parametrize("login_url", ["/login/", "/admin/login/"])
def test_a_wrong_password_is_said_once_in_plain_indonesian(client, viewer_user, login_url):
    """Django's own Indonesian message read "Masukkan nama pengguna nama pengguna ..."."""
    response = client.post(login_url, {"username": viewer_user.username, "password": "salah"})

    page = response.content.decode()
    assert "Nama pengguna atau kata sandi salah" in page
    assert "nama pengguna nama pengguna" not in page.lower()
