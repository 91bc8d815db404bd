"""The fixed cast every access test uses: an admin, two OPD heads of different agencies,
two camat of different districts, a viewer, and the anonymous visitor (the plain client)."""

import uuid

import pytest
from django.conf import settings
from django.utils import translation

from bartim.models import User
from tests.factories import AgencyFactory, DistrictFactory, UserFactory, VillageFactory
from tests.public_helpers import public_year, token_for  # noqa: F401 (fixtures)

PASSWORD = "rahasia-uji-123"


def pytest_configure(config):
    # The demo's synthetic registry (demo/registry.py) at 2% of its 35,000 families: the
    # tests that load the demo year check its shape, and encrypting every family's name
    # would cost them about 20 s each.
    settings.DEMO_REGISTRY_FAMILIES = 700


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness protects real passwords; test users only slow the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_cache_keys(settings):
    # A test's database starts at the same data version as the last one's: its own key
    # prefix keeps it from reading what another test (or another run, in a shared Redis)
    # cached, without flushing a cache that others use.
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    }


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    # Evidence files a test stores (the demo year's included) go to its own directory.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language():
    # LocaleMiddleware activates a request's language in the thread and leaves it there: a
    # test after an English request would otherwise run in English.
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def agency_a(db):
    return AgencyFactory(name="Dinas Sosial Uji", abbreviation="DINSOS")


@pytest.fixture
def agency_b(db):
    return AgencyFactory(name="Dinas Kesehatan Uji", abbreviation="DINKES")


@pytest.fixture
def district_x(db):
    return DistrictFactory(code="62.13.01", name="Dusun Timur")


@pytest.fixture
def district_y(db):
    return DistrictFactory(code="62.13.02", name="Benua Lima")


@pytest.fixture
def village_x(district_x):
    return VillageFactory(district=district_x, code="62.13.01.2003", name="Pulau Patai")


@pytest.fixture
def village_y(district_y):
    return VillageFactory(district=district_y, code="62.13.02.2001", name="Jango")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role=User.Role.ADMIN, is_staff=True)


@pytest.fixture
def opd_a_user(agency_a):
    return UserFactory(username="opd_a", role=User.Role.OPD, agency=agency_a)


@pytest.fixture
def opd_b_user(agency_b):
    return UserFactory(username="opd_b", role=User.Role.OPD, agency=agency_b)


@pytest.fixture
def camat_x_user(district_x):
    return UserFactory(username="camat_x", role=User.Role.CAMAT, district=district_x)


@pytest.fixture
def camat_y_user(district_y):
    return UserFactory(username="camat_y", role=User.Role.CAMAT, district=district_y)


@pytest.fixture
def viewer_user(db):
    return UserFactory(username="viewer", role=User.Role.VIEWER)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def viewer_client(client, viewer_user):
    client.force_login(viewer_user)
    return client


@pytest.fixture
def reference_data(db):
    """Barito Timur's real reference data, loaded as `python manage.py load_bartim` does."""
    from io import StringIO

    from django.core.management import call_command

    call_command("load_bartim", stdout=StringIO())
