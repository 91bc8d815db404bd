"""`python manage.py create_account`: accounts with their role and scope, and clear refusals."""

from io import StringIO

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

from bartim.models import Agency, User
from bartim.services import account_create
from tests.factories import UserFactory

GOOD = "sungai-barito-77"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def create(*args) -> str:
    out = StringIO()
    call_command("create_account", *args, stdout=out)
    return out.getvalue()


def refused(*args) -> str:
    with pytest.raises(CommandError) as error:
        create(*args)
    assert error.value.returncode == 1
    return str(error.value)


@pytest.mark.parametrize(
    ("args", "role", "staff", "superuser"),
    [
        (["--role", "admin"], "admin", True, True),
        (["--role", "opd", "--opd", "Dinas Pendidikan"], "opd", False, False),
        (["--role", "camat", "--kecamatan", "62.13.01"], "camat", False, False),
        (["--role", "viewer"], "viewer", False, False),
    ],
)
def test_it_creates_an_account_per_role(reference_data, args, role, staff, superuser):
    output = create("budi", *args, "--password", GOOD)
    user = User.objects.get(username="budi")
    assert (user.role, user.is_staff, user.is_superuser) == (role, staff, superuser)
    assert user.check_password(GOOD)
    assert 'Akun "budi" dibuat' in output


def test_an_opd_account_is_scoped_to_its_agency(reference_data):
    output = create(
        "operator_dinkes", "--role", "opd", "--opd", "dinas kesehatan", "--password", GOOD
    )
    user = User.objects.get(username="operator_dinkes")
    assert user.agency.name == "Dinas Kesehatan"
    assert user.district is None
    assert "Dinas Kesehatan" in output


@pytest.mark.parametrize(
    "given",
    ["Bapplitbangda", "OPD21", "Badan Perencanaan Pembangunan dan Litbang Daerah", "Litbang"],
)
def test_the_agency_is_found_by_abbreviation_code_name_or_part_of_it(reference_data, given):
    create("perencana", "--role", "opd", "--opd", given, "--password", GOOD)
    assert User.objects.get(username="perencana").agency.abbreviation == "Bapplitbangda"


def test_the_agency_is_found_by_id(reference_data):
    agency = Agency.objects.get(name="Inspektorat")
    create("irban", "--role", "opd", "--opd", str(agency.pk), "--password", GOOD)
    assert User.objects.get(username="irban").agency == agency


@pytest.mark.parametrize("given", ["62.13.05", "Dusun Tengah", "kecamatan dusun tengah", "Tengah"])
def test_the_kecamatan_is_found_by_code_or_name(reference_data, given):
    create("camat", "--role", "camat", "--kecamatan", given, "--password", GOOD)
    user = User.objects.get(username="camat")
    assert user.district.name == "Dusun Tengah"
    assert user.agency is None


def test_it_prompts_twice_until_the_password_is_accepted(reference_data, monkeypatch):
    answers = iter(["satu-dua-tiga", "lain-sekali", "123", "123", GOOD, GOOD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    err = StringIO()
    call_command("create_account", "siti", "--role", "viewer", stdout=StringIO(), stderr=err)
    assert User.objects.get(username="siti").check_password(GOOD)
    assert "Kedua kata sandi berbeda" in err.getvalue()
    # Django's own password validators speak.
    assert "Kata sandi terlalu pendek" in err.getvalue()
    assert "seluruhnya terdiri dari angka" in err.getvalue()


def test_giving_up_at_the_prompt_creates_nothing(reference_data, monkeypatch):
    def end_of_input(prompt=""):
        raise EOFError

    monkeypatch.setattr("getpass.getpass", end_of_input)
    assert "Tidak ada kata sandi" in refused("siti", "--role", "viewer")
    assert not User.objects.filter(username="siti").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "opd"], "Peran opd memerlukan --opd."),
        (["--role", "camat"], "Peran camat memerlukan --kecamatan."),
        (
            ["--role", "viewer", "--opd", "Dinas Pendidikan"],
            "--opd tidak berlaku untuk peran viewer.",
        ),
        (
            ["--role", "admin", "--kecamatan", "62.13.01"],
            "--kecamatan tidak berlaku untuk peran admin.",
        ),
        (["--role", "opd", "--kecamatan", "62.13.01"], "Peran opd memerlukan --opd."),
        (
            ["--role", "opd", "--opd", "Dinas Pariwisata"],
            'Tidak ada perangkat daerah (OPD) yang cocok dengan "Dinas Pariwisata".',
        ),
        (["--role", "opd", "--opd", "9999"], "Tidak ada perangkat daerah (OPD) dengan ID 9999."),
        (
            ["--role", "opd", "--opd", "Badan"],
            'Beberapa perangkat daerah (OPD) cocok dengan "Badan"',
        ),
        (
            ["--role", "camat", "--kecamatan", "Benua Lima"],
            'Tidak ada kecamatan yang cocok dengan "Benua Lima". Kecamatan yang ada: '
            "62.13.01 Dusun Timur; 62.13.02 Banua Lima;",
        ),
        (
            ["--role", "camat", "--kecamatan", "Dusun"],
            'Beberapa kecamatan cocok dengan "Dusun": 62.13.01 Dusun Timur; 62.13.05 Dusun Tengah.',
        ),
        (
            ["--role", "viewer", "--password", "12345678"],
            "Kata sandi ini seluruhnya terdiri dari angka.",
        ),
    ],
)
def test_it_refuses_with_a_clear_message(reference_data, args, message):
    assert message in refused("budi", *args)
    assert not User.objects.filter(username="budi").exists()


def test_it_refuses_an_existing_username(reference_data):
    UserFactory(username="budi")
    assert 'Nama pengguna "budi" sudah dipakai.' in refused(
        "budi", "--role", "viewer", "--password", GOOD
    )
    assert User.objects.filter(username="budi").count() == 1


def test_it_refuses_a_retired_agency(reference_data):
    Agency.objects.filter(name="Dinas Perhubungan").update(is_active=False)
    message = refused("budi", "--role", "opd", "--opd", "Dinas Perhubungan", "--password", GOOD)
    assert "Dinas Perhubungan sudah tidak aktif" in message


def test_an_error_exits_with_status_1(reference_data, capsys):
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", "create_account", "budi", "--role", "opd"]).execute()
    assert exit_.value.code == 1
    assert "Peran opd memerlukan --opd." in capsys.readouterr().err


def test_the_service_checks_the_scope_itself(reference_data):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        account_create(username="budi", role=User.Role.OPD, password=GOOD)
    assert "Akun OPD memerlukan perangkat daerah" in " ".join(error.value.messages)
    assert not User.objects.filter(username="budi").exists()
