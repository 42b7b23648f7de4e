"""Settings for AssetLife, read from the environment.

Without any environment the product runs on embedded defaults (SQLite in ``var/``, Celery
on kombu's filesystem transport in ``var/``, email written as ``.eml`` files in
``var/outbox/``). With ``ASSETLIFE_ENV=production`` it refuses to start on any insecure
default; see docs/configuration.md for every variable.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from assetlife.storage import evidence_storage_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ASSETLIFE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use true or false.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None


def env_decimal(name: str, default: str):
    from decimal import Decimal, InvalidOperation

    value = os.environ.get(name) or default
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number.") from None
    if not 0 <= number < 1:
        raise ImproperlyConfigured(f"{name}={value!r}: give a fraction, 0.05 for 5 %.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


ENVIRONMENT = os.environ.get("ASSETLIFE_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(f"ASSETLIFE_ENV={ENVIRONMENT!r}: use 'development' (default) or 'production'.")
PRODUCTION = ENVIRONMENT == "production"

INSECURE_SECRET_KEY = "django-insecure-assetlife-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY") or INSECURE_SECRET_KEY
DEBUG = env_bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "assetlife.admin_site.AssetLifeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "inventory",
    "circularity",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "assetlife.replica.pinning.PrimaryPinMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "assetlife.urls"
WSGI_APPLICATION = "assetlife.wsgi.application"
ASGI_APPLICATION = "assetlife.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "assetlife" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "assetlife.replica.health.replica_banner",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'assetlife.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: wait for the lock rather than fail, and take
    # the write lock when a transaction starts so two writers serialise cleanly.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DATABASES["default"].setdefault("TEST", {})
# A read replica for dashboards, metrics and reports (see assetlife/replica/ and
# docs/scaling.md): used while it lags at most REPLICA_MAX_LAG_SECONDS (measured every
# REPLICA_CHECK_SECONDS), never for REPLICA_PIN_SECONDS after a person's or client's write.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 30)
REPLICA_CHECK_SECONDS = env_int("REPLICA_CHECK_SECONDS", 5)
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", REPLICA_MAX_LAG_SECONDS + REPLICA_CHECK_SECONDS)
REPLICA_CONNECT_TIMEOUT = env_int("REPLICA_CONNECT_TIMEOUT", 2)


def replica_database(url: str) -> dict:
    """The ``replica`` database of ``url``: health-checked, quick to give up when it is down."""
    database = dj_database_url.parse(url, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True)
    if database["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URL={url!r}: a read replica is a PostgreSQL server.")
    database.setdefault("OPTIONS", {})["connect_timeout"] = REPLICA_CONNECT_TIMEOUT
    # Under Django's test runner it is not a database to create: it streams the primary's.
    database["TEST"] = {"MIRROR": "default"}
    return database


if DATABASE_REPLICA_URL:
    DATABASES["replica"] = replica_database(DATABASE_REPLICA_URL)
DATABASE_ROUTERS = ["assetlife.replica.router.ReplicaRouter"]
# On: a batch of transitions is applied by one statement on PostgreSQL (inventory/lifecycle/ingest.py);
# off (the default until it measures faster, docs/performance.md): checked and written from Python.
LIFECYCLE_APPLY_ON_SERVER = env_bool("LIFECYCLE_APPLY_ON_SERVER", False)

# A cache shared by every web process (API throttling counts), Redis when configured.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's model backend, loading the user's access scope with the user (inventory.scopes).
AUTHENTICATION_BACKENDS = ["inventory.backends.ScopedModelBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing folder
MEDIA_ROOT = VAR_DIR / "media"
# Evidence files (certificates): never served from a public URL, downloaded through
# AssetLife; the file system under var/evidence, or S3-compatible storage (assetlife/storage.py).
EVIDENCE_STORAGE_URL = os.environ.get("EVIDENCE_STORAGE_URL", "")
EVIDENCE_ROOT = Path(os.environ.get("EVIDENCE_ROOT", VAR_DIR / "evidence"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "evidence": evidence_storage_config(EVIDENCE_STORAGE_URL, EVIDENCE_ROOT),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- The domain -----------------------------------------------------------------------
FISCAL_YEAR_START_MONTH = env_int("FISCAL_YEAR_START_MONTH", 7)
if not 1 <= FISCAL_YEAR_START_MONTH <= 12:
    raise ImproperlyConfigured(f"FISCAL_YEAR_START_MONTH={FISCAL_YEAR_START_MONTH} must be a month number, 1 to 12.")
# An asset in transit longer than this is an exception in the compliance report.
TRANSIT_EXCEPTION_DAYS = env_int("TRANSIT_EXCEPTION_DAYS", 14)
# Downstream custody (SPEC section 9, docs/circular-centers.md): a vendor must hold a
# certification of one of these schemes, valid on the day of the disposition.
DOWNSTREAM_REQUIRED_SCHEMES = env_list("DOWNSTREAM_REQUIRED_SCHEMES", ["r2v3", "e_stewards"])
_SCHEMES = {"r2v3", "e_stewards", "iso14001", "iso45001", "naid_aaa"}
if not DOWNSTREAM_REQUIRED_SCHEMES or set(DOWNSTREAM_REQUIRED_SCHEMES) - _SCHEMES:
    raise ImproperlyConfigured(
        f"DOWNSTREAM_REQUIRED_SCHEMES={','.join(DOWNSTREAM_REQUIRED_SCHEMES)!r}: "
        f"list one or more of {', '.join(sorted(_SCHEMES))}."
    )
# A lot whose net weight differs from its dispositions' mass by more than this fraction is flagged.
LOT_WEIGHT_TOLERANCE = env_decimal("LOT_WEIGHT_TOLERANCE", "0.05")
# A lot shipped more than this many days ago without its certificate is a report exception.
LOT_CERTIFICATE_DAYS = env_int("LOT_CERTIFICATE_DAYS", 60)
# Evidence files: PDF, PNG or JPEG (sniffed), at most this many bytes.
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
# The compliance report's claim (docs/reports.md "Exactly once"): an attempt that holds a
# month's report longer than this is presumed dead, and the sweep settles the row. It must
# exceed the longest build plus send (seconds, EMAIL_TIMEOUT bounds each SMTP step).
REPORT_CLAIM_LEASE_SECONDS = env_int("REPORT_CLAIM_LEASE_SECONDS", 15 * 60)
# Retries of a failed send wait 1, 2, 4 ... times this, at most an hour.
REPORT_RETRY_BASE_SECONDS = env_int("REPORT_RETRY_BASE_SECONDS", 60)

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "filesystem://"
if CELERY_BROKER_URL == "filesystem://":
    _celery_dir = VAR_DIR / "celery"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        # The exchanges' bindings (one file per queue and broadcast exchange), else in ./control.
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }
    for _folder in ("queue", "processed", "control"):
        (_celery_dir / _folder).mkdir(parents=True, exist_ok=True)
else:
    # Redis redelivers a task that was delivered but not acknowledged after this many seconds.
    # It must exceed the longest countdown or ETA of any task (the report waits up to 14 h for
    # the UTC month to close when TIME_ZONE is far east), or a waiting task is delivered a
    # second time while the first copy still holds it. A worker that dies is not waited for:
    # the report's sweep settles its claim (docs/reports.md).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 24 * 3600)}
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "default"
# Long jobs get queues of their own, each consumed by a worker process of its own (the
# Procfile, docker-compose.yml), so a report never waits behind a snapshot refresh.
CELERY_TASK_ROUTES = {
    "circularity.tasks.refresh_snapshots": {"queue": "metrics"},
    "circularity.tasks.send_compliance_report": {"queue": "email"},
}
# The schedule lives in the database (django-celery-beat) so staff can edit it in the
# admin without a deploy; the entries are created by a data migration.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Email ----------------------------------------------------------------------------
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "AssetLife <assetlife@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_OUTBOX_DIR = Path(os.environ.get("EMAIL_OUTBOX_DIR", VAR_DIR / "outbox"))
if EMAIL_HOST:
    # Django's SMTP backend that tells a lost answer after the whole message apart (assetlife/mail.py).
    EMAIL_BACKEND = "assetlife.mail.SmtpBackend"
else:
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "assetlife.mail.EmlFileBackend")

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": [
        "api.filters.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": os.environ.get("API_THROTTLE_USER", "100000/hour")},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Masses and carbon are numbers to integrating systems, not strings.
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AssetLife API",
    "DESCRIPTION": "Circular hardware asset lifecycle: assets, custody, dispositions, metrics.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and ReDoc from the pinned drf-spectacular-sidecar package, served as static
    # files: the docs pages work on a machine without internet (no CDN, no @latest).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No validator badge: Swagger UI would fetch it from validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "LifecycleStateEnum": "inventory.choices.Status",
        "RegistrationStateEnum": "inventory.registration.REGISTRATION_STATUSES",
        "CategoryEnum": "inventory.choices.Category",
        "RouteEnum": "circularity.choices.Route",
        "DownstreamRouteEnum": "circularity.choices.DownstreamRoute",
        "CertificationSchemeEnum": "circularity.choices.CertificationScheme",
        "EvidenceKindEnum": "circularity.choices.EvidenceKind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- Production ------------------------------------------------------------------------
if PRODUCTION:
    problems = []
    if SECRET_KEY == INSECURE_SECRET_KEY or len(SECRET_KEY) < 50:
        problems.append("SECRET_KEY must be set to a random string of 50 characters or more")
    if DEBUG:
        problems.append("DEBUG must be false")
    if not ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS must list the host names the site is served on")
    if DATABASE_URL == DEFAULT_DATABASE_URL or DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        problems.append("DATABASE_URL must point at PostgreSQL")
    if CELERY_BROKER_URL == "filesystem://":
        problems.append("CELERY_BROKER_URL must point at Redis (or another network broker)")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production mode: " + "; ".join(problems) + ".")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
