"""Settings for the Barito Timur poverty-programme tracker.

Everything that differs between a laptop and the regency's server comes from the
environment; see the README's "Configuration" section for each variable.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent

# A developer's machine keeps its settings in .env (written by scripts/run); real
# environment variables always win, so a server needs no such file.
load_dotenv(BASE_DIR / ".env", override=False)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Only ever used on a developer's machine: DEBUG is on and no key was given.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

# Personal data of the welfare registry (docs/privacy.md). The NIK and No. KK are matched by
# an HMAC keyed with PERSONAL_ID_HASH_KEY; names, addresses and the numbers themselves are
# encrypted with the Fernet keys in PERSONAL_DATA_KEYS (comma-separated, newest first: an old
# key stays after it until `manage.py rotate_personal_data` has re-encrypted everything).
# Neither is SECRET_KEY, so that rotating one never touches the others.
PERSONAL_ID_HASH_KEY = os.environ.get("PERSONAL_ID_HASH_KEY", "")
PERSONAL_DATA_KEYS = env_list("PERSONAL_DATA_KEYS")
if not (PERSONAL_ID_HASH_KEY and PERSONAL_DATA_KEYS):
    if not DEBUG:
        raise ImproperlyConfigured(
            "PERSONAL_ID_HASH_KEY and PERSONAL_DATA_KEYS must be set when DEBUG is off "
            "(docs/privacy.md)."
        )
    # Only ever used on a developer's machine, whose registry is the synthetic demo one.
    PERSONAL_ID_HASH_KEY = PERSONAL_ID_HASH_KEY or "insecure-development-id-hash-key"
    PERSONAL_DATA_KEYS = PERSONAL_DATA_KEYS or ["ZGV2ZWxvcG1lbnQtb25seS1rZXktZG8tbm90LXVzZSE="]

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    "bootstrap",
    "helpers",
    "bartim",
    "indicators",
    "programs",
    "villages",
    "evidence",
    "notifications",
    "review",
    "families",
    "reports",
    "spreadsheets",
    "reference",
    "home",
    "transparency",
    "api",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]
# The demo year and the benchmark's tooling are for development machines: a production
# server (DEBUG off) does not install them unless DEV_TOOLS=1 says so.
if env_bool("DEV_TOOLS", DEBUG):
    INSTALLED_APPS += ["demo", "benchmarks"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "bartim.middleware.HealthCheckMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "bartim.middleware.IndonesianFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Turns a rate-limited public request into RATELIMIT_VIEW's 429 page.
    "django_ratelimit.middleware.RatelimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into its response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out user is refused before his password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# The benchmark's server sets BENCHMARK_FLOOR=1 to route its reference page
# (benchmarks/urls.py, docs/performance.md); otherwise that page does not exist.
ROOT_URLCONF = "benchmarks.urls" if env_bool("BENCHMARK_FLOOR", False) else "bartim.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                # django-tables2's render_table needs the request in the context.
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "bartim.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        # A connection kept open across requests is checked first, so the app survives
        # a database restart instead of failing the first request after it.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiler starts on the estimated cost of a query, and the progress
    # tables' correlated subqueries look expensive to the planner while running in a few
    # milliseconds: compiling them took longer (1.3 s instead of 0.23 s for a province's
    # programmes sorted by achievement).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()

# What is cached per data version (helpers/dataversion.py): rendered summaries, table pages'
# filters and tables, and their years. Redis when REDIS_URL is set, shared by every
# worker and every server; otherwise each worker's own memory, for development and one small
# server. Keys hold the data version, so a write makes entries stale without a flush.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "bartim",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 300)},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "bartim.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# E-mail of the notifications (notifications app, docs/deployment.md): SMTP from the
# environment; on a developer's machine (DEBUG) printed to the console unless EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
# Short: an e-mail sent after a review step's commit keeps that request waiting.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "monev@baritotimurkab.go.id")
EMAIL_BACKEND = (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG and "EMAIL_HOST" not in os.environ
    else "django.core.mail.backends.smtp.EmailBackend"
)
# The address the e-mails' links start with.
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000")

# Evidence files (evidence app, docs/evidence.md): kept through Django's default storage,
# under MEDIA_ROOT on the file system unless STORAGES names another backend
# (docs/deployment.md); never served by a public URL, only by evidence's download view.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Each file at most this many bytes; files per upload at most EVIDENCE_MAX_FILES.
EVIDENCE_MAX_UPLOAD_SIZE = env_int("EVIDENCE_MAX_UPLOAD_SIZE", 10 * 1024 * 1024)
EVIDENCE_MAX_FILES = 10
# A photo of more pixels is refused before it is decoded (a decompression bomb).
EVIDENCE_MAX_IMAGE_PIXELS = 40_000_000
# An XLSX or DOCX whose parts unpack to more, or compress more than this ratio, is refused
# (a zip bomb); the limits are read from the zip's directory, nothing is unpacked.
EVIDENCE_MAX_UNZIPPED_SIZE = 100 * 1024 * 1024
EVIDENCE_MAX_ZIP_RATIO = 100
EVIDENCE_MAX_ZIP_ENTRIES = 5000

# Excel and CSV imports (spreadsheets app): a larger file is refused before it is read.
IMPORT_MAX_UPLOAD_SIZE = 5 * 1024 * 1024
# An accepted import file stays in memory instead of going through a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_UPLOAD_SIZE
# Form fields other than files (Django's default); files are limited by the import above and,
# on a server, by the web server's request size limit (see docs/excel.md).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-striped table-hover align-middle"}

# --- Security. Every page is private (LoginRequiredMiddleware); these harden the transport
# and the browser side. `manage.py check --deploy` is clean with DEBUG off and HTTPS on.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
if env_bool("BEHIND_HTTPS_PROXY", False):
    # nginx terminates TLS and says so in this header; trust it only when told to.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# The header only permits a preload-list submission; nobody is submitted automatically.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "bartim.views.csrf_failure"

# Every script, style, font and image comes from the app itself: no inline code, no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed logins from one address,
# whatever the usernames, further logins from that address are refused for
# AXES_COOLOFF_MINUTES. A username is never locked for everyone: failures from one client
# must not lock out another (an attacker could otherwise lock out the administrator).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
# A wrong old password on /password/ counts as a failed login (bartim.views); axes keeps the
# request's form data with each failure, so these fields are masked like the login's password.
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "old_password",
    "new_password1",
    "new_password2",
]
# Behind nginx the client's address is the last entry it appends to X-Forwarded-For.
TRUSTED_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "bartim.client_address.client_address"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
    },
    # stdout, where gunicorn under systemd or a container runtime collects it.
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- The public page, the open data and the API (transparency/, api/; docs/public.md, api.md).
# Requests per client address and minute to the public pages and downloads, and per token to
# the API. The counts live in the cache: per worker without REDIS_URL, shared with it.
PUBLIC_RATE_LIMIT = os.environ.get("PUBLIC_RATE_LIMIT", "120/m")
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "600/m")
RATELIMIT_VIEW = "transparency.views.too_many_requests"
# django-ratelimit asks for a cache shared by every worker; without Redis a development
# machine or a one-worker server counts in its own memory, which is what it has.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.SystemAccountAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ReadsThroughThePolicy"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerSystemAccount"],
    "DEFAULT_THROTTLE_RATES": {"system_account": API_RATE_LIMIT},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Barito Timur poverty programmes API",
    "DESCRIPTION": "Read-only figures of the regency's poverty programmes (docs/api.md).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the drf-spectacular-sidecar package, served by the app: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.document_errors",
    ],
}
