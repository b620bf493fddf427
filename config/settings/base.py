"""Settings shared by every environment.

Every value that differs between machines comes from the environment through django-environ and is
parsed strictly: a malformed value stops start-up with ImproperlyConfigured instead of being guessed.
Development and test defaults live in local.py and test.py, never here.
"""

from __future__ import annotations

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, *, default: bool) -> bool:
    """A boolean variable; anything but true/false/yes/no/on/off/1/0 stops start-up (no guessing)."""
    raw = env.str(name, default=str(default)).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}")


if env_bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    env.read_env(str(BASE_DIR / ".env"))

# General
SECRET_KEY = env.str("SECRET_KEY")
DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])
TIME_ZONE = "UTC"
USE_TZ = True
LANGUAGE_CODE = "en-us"
USE_I18N = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# Database: SQLite under var/ unless DATABASE_URL says otherwise (CI and production use PostgreSQL).
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'coopdesk.sqlite3'}"),
}
_SUPPORTED_ENGINES = {"django.db.backends.sqlite3", "django.db.backends.postgresql"}
if DATABASES["default"]["ENGINE"] not in _SUPPORTED_ENGINES:
    raise ImproperlyConfigured(
        f"DATABASE_URL must be a postgres:// or sqlite:/// URL, got engine {DATABASES['default']['ENGINE']!r}"
    )
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker write while the web process reads; the timeout rides out short locks.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 30, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )

# Apps
DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "simple_history",
]
LOCAL_APPS = [
    "core",
    "planning",
    "ingest",
    "coop",
    "reviews",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "planning.middleware.CurrentBrandMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "planning.context_processors.brand_context",
            ],
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Static and media files
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Uploads: report files can be large; the import pipeline refuses anything above this before reading it.
COOPDESK_MAX_UPLOAD_BYTES = env.int("COOPDESK_MAX_UPLOAD_BYTES", default=512 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Co-op money (coop/conf.py documents each): thresholds are decimal strings in the split's currency.
COOPDESK_SECOND_APPROVAL_ABOVE = env.str("COOPDESK_SECOND_APPROVAL_ABOVE", default="50000.00")
COOPDESK_COOP_VARIANCE_PCT = env.str("COOPDESK_COOP_VARIANCE_PCT", default="0.01")
COOPDESK_COOP_VARIANCE_MIN = env.str("COOPDESK_COOP_VARIANCE_MIN", default="50.00")
COOPDESK_BACKUP_UNITS_TOLERANCE = env.int("COOPDESK_BACKUP_UNITS_TOLERANCE", default=0)
COOPDESK_BACKUP_COST_PCT = env.str("COOPDESK_BACKUP_COST_PCT", default="0.005")
COOPDESK_BACKUP_COST_MIN = env.str("COOPDESK_BACKUP_COST_MIN", default="1.00")
COOPDESK_BACKUP_TOTAL_TOLERANCE = env.str("COOPDESK_BACKUP_TOTAL_TOLERANCE", default="0.01")
COOPDESK_DISPUTE_WINDOWS: dict[str, dict[str, int]] = env.json("COOPDESK_DISPUTE_WINDOWS", default={})
COOPDESK_ACCRUAL_DEBOUNCE_SECONDS = env.int("COOPDESK_ACCRUAL_DEBOUNCE_SECONDS", default=60)
COOPDESK_PROMO_FINANCE_APPROVAL_ABOVE = env.str("COOPDESK_PROMO_FINANCE_APPROVAL_ABOVE", default="5000.00")
# Seconds imports are collected before rollups / alert rules are recomputed (one task per burst).
REVIEWS_ROLLUP_DEBOUNCE_SECONDS = env.int("REVIEWS_ROLLUP_DEBOUNCE_SECONDS", default=30)
REVIEWS_ALERT_DEBOUNCE_SECONDS = env.int("REVIEWS_ALERT_DEBOUNCE_SECONDS", default=60)
# Absolute address of the site, used in links inside alert e-mails.
COOPDESK_SITE_URL = env.str("COOPDESK_SITE_URL", default="http://127.0.0.1:8000")

# Email
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Coopdesk <coopdesk@localhost>")

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport under var/ so that
# `make run` has a real worker without any service installed.
REDIS_URL: str = env.str("REDIS_URL", default="")
CELERY_BROKER_DIR = VAR_DIR / "celery-broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://localhost//"  # the host is ignored; naming it silences a kombu warning
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        # kombu otherwise writes broadcast (control) messages to ./control in the working directory
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=30 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=35 * 60)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # daily 02:00 UTC: close fund splits whose period ended
    "coop-allocations-close-ended": {"task": "coop.allocations_close_ended", "schedule": crontab(hour=2, minute=0)},
    # every 10 minutes: imports whose task was lost (broker down) or whose worker died are queued again
    "ingest-requeue-stuck": {"task": "ingest.report_imports_requeue_stuck", "schedule": crontab(minute="*/10")},
    # daily 00:10 UTC: agreed JBP plans whose period started become ACTIVE
    "planning-jbp-activate": {"task": "planning.jbp_plans_activate_by_clock", "schedule": crontab(hour=0, minute=10)},
    # daily 02:05 UTC: expire agreements past their end date
    "coop-agreements-expire": {"task": "coop.agreements_expire", "schedule": crontab(hour=2, minute=5)},
    # hourly at :15: move approved promotions to running/ended between report imports
    "coop-promotions-advance": {"task": "coop.promotions_advance_by_clock", "schedule": crontab(minute=15)},
    # hourly at :05: time-based alert rules (stream gaps, stale reports, dispute deadlines)
    "alerts-evaluate-scheduled": {"task": "reviews.alerts_evaluate_scheduled", "schedule": crontab(minute=5)},
    # every 15 minutes: escalate critical alerts not acknowledged by their deadline
    "alerts-escalate": {"task": "reviews.alerts_escalate", "schedule": crontab(minute="*/15")},
    # daily 05:30 UTC: every rule for every brand (catches anything a missed import left behind)
    "alerts-evaluate-all": {"task": "reviews.alerts_evaluate_all", "schedule": crontab(hour=5, minute=30)},
    # daily 07:00 UTC: e-mail digests (weekly ones on Mondays)
    "alerts-send-digests": {"task": "reviews.alerts_send_digests", "schedule": crontab(hour=7, minute=0)},
}

# Cache: Redis when configured (shared across processes), local memory otherwise.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# DRF
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: a client with a missing or bad token then gets 401 with WWW-Authenticate.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.DefaultPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Coopdesk API",
    "DESCRIPTION": "Plans, co-op money, imports and business reviews for Amazon Vendor Central brands.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Many models have a `status`; name each enum after its model so the schema has no collisions.
    "ENUM_NAME_OVERRIDES": {
        "JBPPlanStatusEnum": "planning.jbp_models.JBPPlan.Status",
        "JBPInitiativeStatusEnum": "planning.jbp_models.JBPInitiative.Status",
        "ReportImportStatusEnum": "ingest.models.ReportImport.Status",
        "StreamSubscriptionStatusEnum": "ingest.models.StreamSubscription.Status",
        "CoopAgreementStatusEnum": "coop.models.CoopAgreement.Status",
        "FundAllocationStatusEnum": "coop.models.FundAllocation.Status",
        "CoopInvoiceStatusEnum": "coop.models.CoopInvoice.Status",
        "DisputeStatusEnum": "coop.models.Dispute.Status",
        "CoopFileUploadStatusEnum": "coop.models.CoopFileUpload.Status",
        "PromotionStatusEnum": "coop.promotion_models.Promotion.Status",
        "BusinessReviewStatusEnum": "reviews.models.BusinessReview.Status",
        "ActionItemStatusEnum": "reviews.models.ActionItem.Status",
        "AlertStatusEnum": "reviews.alert_models.Alert.Status",
        "AlertSeverityEnum": "reviews.alert_rules.Severity",
        "NewAgreementStatusEnum": "coop.api.serializers.NEW_AGREEMENT_STATUSES",
    },
}

# Security defaults that hold everywhere; production.py tightens the rest.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag; keep the default
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
