"""Settings, read strictly from the environment (12-factor). See .env.example for every variable."""
from __future__ import annotations

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent  # platform/
REPO_DIR = BASE_DIR.parent

env = environ.Env()
_env_file = REPO_DIR / ".env"
if _env_file.exists():
    environ.Env.read_env(str(_env_file))

DEBUG: bool = env.bool("DEBUG", default=False)
# No default, not even with DEBUG: a key every clone shares signs nothing. scripts/run generates one.
SECRET_KEY: str = env.str("SECRET_KEY")
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Deployment zone: the internet zone never serves the population database or
# high-definition imagery; only the government-extranet zone does.
DEPLOYMENT_ZONE: str = env.str("DEPLOYMENT_ZONE", default="extranet")
if DEPLOYMENT_ZONE not in ("internet", "extranet"):
    raise environ.ImproperlyConfigured("DEPLOYMENT_ZONE must be 'internet' or 'extranet'")
POPULATION_ENABLED: bool = DEPLOYMENT_ZONE == "extranet"
HD_IMAGERY_ENABLED: bool = DEPLOYMENT_ZONE == "extranet"
# Tiles: an orthophoto/COG for /tiles/imagery/ (extranet only) and the DEM for terrain
# (default var/dem/yubei-dem.tif, generated deterministically by `manage.py make_dem`).
IMAGERY_PATH: str = env.str("IMAGERY_PATH", default="")
DEM_PATH: str = env.str("DEM_PATH", default="") or str(REPO_DIR / "var" / "dem" / "yubei-dem.tif")


def _level_floats(raw: str) -> dict[int, float]:
    """``"1:10,2:5"`` → {1: 10.0, 2: 5.0}; anything else stops start-up with the variable's name."""
    try:
        return {int(k): float(v) for k, v in (item.split(":") for item in raw.split(",") if item.strip())}
    except ValueError:
        raise environ.ImproperlyConfigured("BOUNDARY_SNAP_TOLERANCE_M must look like 1:10,2:5,3:3") from None


# Boundary drawing (docs/boundaries.md): request limits, snapping tolerance per level drawn (metres),
# the child levels that must tile their parent, and the smallest gap reported (m²).
BOUNDARY_MAX_VERTICES: int = env.int("BOUNDARY_MAX_VERTICES", default=200_000)
BOUNDARY_MAX_BODY_BYTES: int = env.int("BOUNDARY_MAX_BODY_BYTES", default=16 * 1024 * 1024)
# Any request body (JSON, forms): larger ones are refused with a JSON 413 before parsing
# (core.middleware). File uploads (multipart) may be as large as the largest upload a module takes.
MAX_REQUEST_BYTES: int = env.int("MAX_REQUEST_BYTES", default=BOUNDARY_MAX_BODY_BYTES)
MAX_UPLOAD_BYTES: int = env.int("MAX_UPLOAD_BYTES", default=32 * 1024 * 1024)
# Django's own limit on what it holds in memory while parsing: the same figure, so no request within
# the documented limits meets Django's default of 2.5 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE: int = MAX_REQUEST_BYTES
BOUNDARY_SNAP_TOLERANCE_M: dict[int, float] = _level_floats(
    env.str("BOUNDARY_SNAP_TOLERANCE_M", default="1:10,2:5,3:3,4:1,5:0.5"))
BOUNDARY_COVERAGE_LEVELS: tuple[int, ...] = tuple(int(v) for v in env.list("BOUNDARY_COVERAGE_LEVELS", default=["1", "2", "3"]))
BOUNDARY_MIN_GAP_M2: float = env.float("BOUNDARY_MIN_GAP_M2", default=1.0)
# Publication uploads: images are re-encoded with the long side capped; PDF/xlsx kept as sent.
PUBLICATION_MAX_IMAGE_BYTES: int = env.int("PUBLICATION_MAX_IMAGE_BYTES", default=15 * 1024 * 1024)
PUBLICATION_MAX_FILE_BYTES: int = env.int("PUBLICATION_MAX_FILE_BYTES", default=20 * 1024 * 1024)
# Voter cards are laid out by this many processes per printing job (the machine's cores).
POLLING_CARD_PROCESSES: int = env.int("POLLING_CARD_PROCESSES", default=2)
PUBLICATION_MAX_IMAGE_SIDE: int = env.int("PUBLICATION_MAX_IMAGE_SIDE", default=1920)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "boundaries.apps.BoundariesConfig",
    "accounts",
    "audit",
    "population",
    "places",
    "publication",
    "elections",
    "residents",
    "polling",
    "tiles.apps.TilesConfig",
]

MIDDLEWARE = [
    # Outermost: every response gets the Content-Security-Policy, static files and errors included.
    "core.middleware.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RequestLimitsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.locale.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "audit.middleware.AuditContextMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# DATABASE_URL like postgis://user:pass@127.0.0.1:5432/smartcommunity
DATABASES = {"default": env.db_url("DATABASE_URL", default="postgis://smartcommunity:smartcommunity@127.0.0.1:5432/smartcommunity")}
DATABASES["default"]["ENGINE"] = "django.contrib.gis.db.backends.postgis"
# A new connection pays 200-300 ms on its first transform (PostGIS and PROJ load per backend): keep connections.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
# Tile queries run as server-side prepared statements (tiles/db.py); off behind a transaction pooler.
# Django disables preparing on its connections (prepare_threshold None) and binds its own queries on the
# client, which never prepares; a threshold no query reaches lets only explicit prepare=True prepare.
TILE_PREPARED_STATEMENTS: bool = env.bool("TILE_PREPARED_STATEMENTS", default=True)
if TILE_PREPARED_STATEMENTS:
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 2**31 - 1
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str("TEST_DATABASE_NAME", default="test_smartcommunity")

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    # Django's checks with Chinese messages (accounts/passwords.py), and the demo's published password refused.
    {"NAME": "accounts.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "accounts.passwords.CommonPasswordValidator"},
    {"NAME": "accounts.passwords.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.CharacterClassValidator"},
    {"NAME": "accounts.passwords.PublishedPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = REPO_DIR / "var" / "static"
STATICFILES_DIRS = [p for p in [REPO_DIR / "frontend-map" / "dist"] if p.exists()]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# 民政易's web app manifest (WhiteNoise does not know the extension).
WHITENOISE_MIMETYPES = {".webmanifest": "application/manifest+json"}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(REPO_DIR / "var" / "media"))
DATA_DIR = REPO_DIR / "data"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Tiles kept in each server process's memory in front of the shared cache (tiles/cache.py).
TILE_MEMORY_CACHE_MB: int = env.int("TILE_MEMORY_CACHE_MB", default=64)
# Cache: Redis when REDIS_URL is set (tiles, login throttling), else process-local memory.
REDIS_URL: str = env.str("REDIS_URL", default="")
if REDIS_URL:
    # One prefix per database: two platforms sharing a Redis (a test run beside a development server)
    # never read each other's counters or tiles.
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL, "TIMEOUT": None,
                          "KEY_PREFIX": DATABASES["default"]["NAME"]}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "TIMEOUT": None}}

# Background jobs (core.jobs): Celery on the platform's Redis. Late acknowledgement, one message at a
# time per worker process: a job whose worker dies is delivered again, and the job's own record (claim
# with a heartbeat lease, per-item checkpoints) keeps the second run from redoing finished work.
CELERY_BROKER_URL: str = env.str("CELERY_BROKER_URL", default=REDIS_URL or "redis://127.0.0.1:6379/0")
# One queue per database unless set: two platforms sharing a Redis (a test run beside a development
# server) never take each other's jobs.
CELERY_TASK_DEFAULT_QUEUE: str = env.str("JOBS_QUEUE", default=f"jobs.{DATABASES['default']['NAME']}")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A message not acknowledged this long after delivery is delivered again (a worker that died hard).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("JOBS_VISIBILITY_TIMEOUT", default=3600)}
# A running job writes a heartbeat this often; one silent for three beats is taken over by another worker.
JOBS_HEARTBEAT_SECONDS: float = env.float("JOBS_HEARTBEAT_SECONDS", default=10.0)
if JOBS_HEARTBEAT_SECONDS <= 0:
    raise environ.ImproperlyConfigured("JOBS_HEARTBEAT_SECONDS must be positive")

# Notices (core.notices): SMS through "log" (development: var/sms.log, masked phones) or "http" (a
# provider's HTTP JSON API with signed requests, core/notices/sms.py).
SMS_BACKEND: str = env.str("SMS_BACKEND", default="log")
if SMS_BACKEND not in ("log", "http"):
    raise environ.ImproperlyConfigured("SMS_BACKEND must be 'log' or 'http'")
SMS_LOG_PATH: str = env.str("SMS_LOG_PATH", default=str(REPO_DIR / "var" / "sms.log"))
SMS_API_URL: str = env.str("SMS_API_URL", default="")
SMS_API_KEY: str = env.str("SMS_API_KEY", default="")
SMS_API_SECRET: str = env.str("SMS_API_SECRET", default="")
if SMS_BACKEND == "http" and not (SMS_API_URL.startswith(("https://", "http://")) and SMS_API_KEY and SMS_API_SECRET):
    raise environ.ImproperlyConfigured("SMS_BACKEND=http needs SMS_API_URL (http[s]://...), SMS_API_KEY and SMS_API_SECRET")
SMS_SIGN_NAME: str = env.str("SMS_SIGN_NAME", default="智慧社区")  # 短信签名, as registered with the provider
SMS_TIMEOUT_SECONDS: float = env.float("SMS_TIMEOUT_SECONDS", default=10.0)
SMS_DAILY_CAP: int = env.int("SMS_DAILY_CAP", default=5)  # messages per phone per day; more are held back
SMS_MAX_ATTEMPTS: int = env.int("SMS_MAX_ATTEMPTS", default=4)

# Printable documents (core.documents): the verification QR on every document points here.
PUBLIC_BASE_URL: str = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
if not PUBLIC_BASE_URL.startswith(("https://", "http://")):
    raise environ.ImproperlyConfigured("PUBLIC_BASE_URL must start with http:// or https://")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # The browsable API without forms built from unscoped querysets (core.renderers).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer", "core.renderers.BrowsableAPIRenderer"],
    # Malformed bodies (bad JSON, nesting, broken forms) are the API's JSON errors, never a 500.
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONParser", "core.parsers.FormParser", "core.parsers.MultiPartParser"],
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "智慧社区 Smart Community API",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Closed network: Swagger UI is served from our own static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Personal data: ID numbers are encrypted at rest with this key, and looked up by a keyed hash.
# From the environment only, never a default (scripts/run generates one and keeps it).
PII_ENCRYPTION_KEY: str = env.str("PII_ENCRYPTION_KEY")

LOGIN_RATE_LIMIT: int = env.int("LOGIN_RATE_LIMIT", default=5)  # failed attempts per 15 minutes
# Searches by a full ID number or phone (each one audited) per account per hour: a search confirms a
# guess, so it is a reveal-level act and limited like one (docs/privacy.md).
PII_SEARCH_RATE_LIMIT: int = env.int("PII_SEARCH_RATE_LIMIT", default=60)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
SECURE_SSL_REDIRECT: bool = env.bool("SECURE_SSL_REDIRECT", default=False)
# Secure cookies travel over HTTPS only. Strict by default, DEBUG or not; scripts/run turns them off
# only when it serves plain HTTP on a loopback address.
SESSION_COOKIE_SECURE: bool = env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE: bool = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS: int = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# GDAL on Debian 12 is 3.6: GeoDjango warns on every command (gis.W001). Known and accepted.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every rendering step at INFO, fontTools every font subset.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
