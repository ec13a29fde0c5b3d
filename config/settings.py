"""ejournal settings: one module, driven by environment variables.

Unset ``DATABASE_URL`` means an embedded SQLite file under ``EJOURNAL_DATA_DIR``;
a ``postgres://`` URL means PostgreSQL through psycopg 3 with Django's pool.
"""

import json
import mimetypes
import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("EJOURNAL_DATA_DIR", BASE_DIR / "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use SECRET_KEY from the environment, else one generated once and kept in the data dir."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        # O_EXCL: two workers starting at once must not write two different keys.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # django.contrib.admin with our site: its sign-in is ours (code step, new password).
    "ejournal.accounts.admin_site.EjournalAdminConfig",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "ejournal.core",
    "ejournal.audit",
    "ejournal.accounts",
    "ejournal.school",
    "ejournal.people",
    "ejournal.journal",
    "ejournal.schedule",
    "ejournal.planning",
    "ejournal.attestation",
    "ejournal.diary",
    "ejournal.notifications",
    "ejournal.messaging",
    "ejournal.reports",
    "ejournal.archive",
    "ejournal.api",
    "ejournal.webapi",
    "ejournal.security",
    "ejournal.oidc",
    "ejournal.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost of ours: turns "database unreachable" anywhere below into a 503.
    "ejournal.security.middleware.DatabaseUnavailableMiddleware",
    "ejournal.security.middleware.SecurityHeadersMiddleware",
    # The REST API's errors in its JSON shape, also those answered before an endpoint.
    "ejournal.api.middleware.ApiErrorShapeMiddleware",
    # htmx fragment requests never get a redirect followed or a whole page swapped in.
    "ejournal.core.htmx.HtmxFragmentMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ejournal.accounts.middleware.SessionActivityMiddleware",
    "ejournal.security.middleware.SessionTrackingMiddleware",
    "ejournal.school.middleware.CurrentSchoolMiddleware",
    "ejournal.accounts.middleware.ForcePasswordChangeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes last: it turns a locked-out sign-in into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
# Django's widget templates, built in Python (same markup; see ejournal/core/widgets.py).
FORM_RENDERER = "ejournal.core.widgets.FormRenderer"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "ejournal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ejournal.accounts.context_processors.current_school",
            ],
        },
    },
    {
        # The hottest fragments only (journal grid, diary week, diary marks), included
        # from Django templates: ejournal/core/jinja2.py.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "APP_DIRS": True,
        "OPTIONS": {"environment": "ejournal.core.jinja2.environment"},
    },
]

# --- Database -------------------------------------------------------------
# The hand-written statements of the busiest pages (ejournal.core.rawsql) are prepared on
# PostgreSQL. Off behind a pooler that cannot carry prepared statements (PgBouncer
# before 1.21, or without max_prepared_statements, in transaction mode).
DB_PREPARE = env_bool("DB_PREPARE", True)
DB_DOWN_RETRY_SECONDS = env_int("DB_DOWN_RETRY_SECONDS", 5)
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=0)
    if _db["ENGINE"] == "django.db.backends.postgresql":
        # The pool with a fuse: after a failed checkout requests answer 503 at once for
        # DB_DOWN_RETRY_SECONDS instead of each waiting DB_POOL_TIMEOUT; pooled
        # connections are checked on checkout so that ones broken by an outage or a
        # restart are replaced, not handed out.
        _db["ENGINE"] = "ejournal.core.pgpool"
        _db["CONN_HEALTH_CHECKS"] = True
        _db.setdefault("OPTIONS", {})["pool"] = {
            "min_size": env_int("DB_POOL_MIN", 2),
            "max_size": env_int("DB_POOL_MAX", 10),
            "timeout": env_int("DB_POOL_TIMEOUT", 10),
        }
        _db["OPTIONS"].setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5))
        # The ORM writes its joins in a good order (the filtered table first, then
        # lookups by key); letting the planner reorder more than a few of them cost the
        # diary week's lessons query 9 ms of planning for 1 ms of execution.
        join_collapse_limit = env_int("DB_JOIN_COLLAPSE_LIMIT", 4)
        if join_collapse_limit:
            # Added to any startup options DATABASE_URL already gives (?options=…).
            given = _db["OPTIONS"].get("options", "")
            _db["OPTIONS"]["options"] = (
                f"{given} -c join_collapse_limit={join_collapse_limit}".strip()
            )
        if DB_PREPARE:
            # Django turns psycopg's preparing off (threshold None), which also ignores an
            # explicit prepare=True. A threshold never reached keeps the ORM's statements
            # unprepared while ejournal.core.rawsql prepares its own.
            _db["OPTIONS"].setdefault("prepare_threshold", 2**31 - 1)
    DATABASES = {"default": _db}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "ejournal.sqlite3"),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait on
                # the busy timeout instead of failing with "database is locked" mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lock-out after repeated failed sign-ins (django-axes): per login + IP pair.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# Sessions: absolute lifetime, plus an inactivity timeout enforced by middleware.
SESSION_COOKIE_AGE = env_int("SESSION_MAX_AGE_HOURS", 12) * 3600
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_MINUTES", 30) * 60
# «Запомнить это устройство» (families only): days from the last visit.
SESSION_REMEMBER_DAYS = env_int("SESSION_REMEMBER_DAYS", 30)
PASSWORD_RESET_TIMEOUT = 24 * 3600  # a reset link lives a day
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and env_bool("HTTPS", False))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
if SESSION_COOKIE_SECURE:
    # The __Host- prefix binds the cookie to this exact host over HTTPS.
    SESSION_COOKIE_NAME = "__Host-ejournal_session"
    CSRF_COOKIE_NAME = "__Host-ejournal_csrf"

# Two-factor sign-in (ejournal.security): these roles must use a TOTP code; a school can
# also make it mandatory for its teachers. Empty TWO_FACTOR_REQUIRED_ROLES: nobody must.
TWO_FACTOR_REQUIRED_ROLES = env_list("TWO_FACTOR_REQUIRED_ROLES", "admin,director,deputy,support")
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "ejournal")
# Minutes a password-checked sign-in may wait for its code.
TWO_FACTOR_PENDING_MINUTES = env_int("TWO_FACTOR_PENDING_MINUTES", 5)

# --- Sign-in through OpenID Connect (ejournal.oidc) ----------------------------
# The region's identity broker (Keycloak in front of Госуслуги/ЕСИА), as a JSON list:
# [{"name": "esia", "label": "Войти через Госуслуги", "discovery_url": "https://…/
# .well-known/openid-configuration", "client_id": "ejournal", "client_secret": "…"}].
# Empty: the sign-in page shows no extra buttons.
OIDC_PROVIDERS: list[dict[str, str]] = json.loads(os.environ.get("OIDC_PROVIDERS", "[]"))
# Roles that may only sign in through a provider (no password), e.g. "director,deputy".
OIDC_REQUIRED_ROLES = env_list("OIDC_REQUIRED_ROLES")
# How a person is recognised the first time, tried in order: "snils" (the СНИЛС claim),
# "name_birthdate" (family_name + given_name + middle_name + birthdate). Never e-mail.
OIDC_MATCH_BY = env_list("OIDC_MATCH_BY", "snils,name_birthdate")
# django-otp's own throttle slows a device after failures from anyone: whoever has the
# password could keep the real user out. Guessing is limited per account and address
# instead (RATE_LIMITS "two_factor" and "two_factor_account").
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

# Reverse proxies (addresses or networks) whose X-Forwarded-For is believed: the client's
# address is the first hop from the right that is not one of them. Empty: REMOTE_ADDR.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
# axes locks a login + address pair: it must see the same address as everything else.
AXES_CLIENT_IP_CALLABLE = "ejournal.core.request_context.client_ip"

# The audit chain's HMAC keys ("version:secret,…", the same on every server), else a key
# file made on first use; keep either apart from the database and its backups.
AUDIT_KEYS = os.environ.get("AUDIT_KEYS", "")
AUDIT_KEY_FILE = Path(os.environ.get("AUDIT_KEY_FILE", DATA_DIR / "audit_keys"))
# Where the chain heads are written down (signed), outside the database.
AUDIT_CHECKPOINT_DIR = Path(os.environ.get("AUDIT_CHECKPOINT_DIR", DATA_DIR / "audit-checkpoints"))

# Rate limits (ejournal.core.ratelimit): "count/seconds" per key.
RATE_LIMITS = {
    # Failed sign-ins from one address across all logins (credential stuffing);
    # axes separately locks one login + address pair after AXES_FAILURE_LIMIT failures.
    "sign_in_ip": os.environ.get("RATE_LIMIT_SIGN_IN", "20/900"),
    # Wrong two-factor codes for one pending sign-in user from one address.
    "two_factor": os.environ.get("RATE_LIMIT_TWO_FACTOR", "5/300"),
    # Codes for one user from addresses it never completed a sign-in from, all together.
    "two_factor_account": os.environ.get("RATE_LIMIT_TWO_FACTOR_ACCOUNT", "30/3600"),
    # Backups of the whole deployment and their restore checks, all administrators together:
    # each copies the whole database (issue #22).
    "backup": os.environ.get("RATE_LIMIT_BACKUP", "4/3600"),
    # «Забыли пароль?» requests from one address.
    "password_reset": os.environ.get("RATE_LIMIT_PASSWORD_RESET", "5/3600"),
}
# REST API (ejournal.api): "N/sec|min|hour|day" per token (or signed-in user) and per
# address; empty turns a limit off. /webapi (ejournal.webapi): sign-ins per address and
# per login within a window of seconds.
API_RATE_LIMIT_TOKEN = os.environ.get("API_RATE_LIMIT_TOKEN", "300/min")
API_RATE_LIMIT_IP = os.environ.get("API_RATE_LIMIT_IP", "600/min")
WEBAPI_LOGIN_LIMIT_PER_IP = env_int("WEBAPI_LOGIN_LIMIT_PER_IP", 60)
WEBAPI_LOGIN_LIMIT_PER_LOGIN = env_int("WEBAPI_LOGIN_LIMIT_PER_LOGIN", 10)
WEBAPI_LOGIN_WINDOW_SECONDS = env_int("WEBAPI_LOGIN_WINDOW_SECONDS", 600)
# Counters live in this cache. Without Redis it is a small SQLite file of its own that every
# worker of the machine shares (a per-process memory cache would multiply each limit by the
# number of workers); RATE_LIMIT_DB moves that file. Several servers share Redis.
RATE_LIMIT_CACHE = "ratelimit"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {
        "BACKEND": "ejournal.core.sqlite_cache.SQLiteCache",
        "LOCATION": os.environ.get("RATE_LIMIT_DB", str(DATA_DIR / "ratelimit.sqlite3")),
    },
}

# Tamper detection (ejournal.security.tamper): the deputy is alerted when marks are
# changed outside school hours, or one account changes more than N existing marks
# within M minutes, or changes marks after signing in from a new device or network.
TAMPER_SCHOOL_HOURS = (
    env_int("TAMPER_SCHOOL_DAY_START_HOUR", 7),
    env_int("TAMPER_SCHOOL_DAY_END_HOUR", 22),
)
TAMPER_BURST_CHANGES = env_int("TAMPER_BURST_CHANGES", 10)
TAMPER_BURST_MINUTES = env_int("TAMPER_BURST_MINUTES", 10)
# Messages to more than this many people in one hour, outside school hours, by one account.
TAMPER_MASS_RECIPIENTS = env_int("TAMPER_MASS_RECIPIENTS", 30)

# --- I18N / time ----------------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files -------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "ejournal" / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "files"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# The diary's web app manifest is JSON of its own type (browsers ignore it otherwise).
WHITENOISE_MIMETYPES = {".webmanifest": "application/manifest+json"}
mimetypes.add_type("application/manifest+json", ".webmanifest")

# --- E-mail ---------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ejournal@localhost")

# --- Background tasks -----------------------------------------------------
# Database-backed queue (django-tasks-db); TASKS_BACKEND selects another backend.
TASKS: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- Redis (several app servers) ----------------------------------------------
# REDIS_URL=redis://host:6379/0 makes the cache (rate-limit counters, sessions' helpers)
# shared by every worker and server; TASKS_BACKEND=django_tasks_rq.RQBackend then queues
# background tasks in Redis for `manage.py rqworker --job-class django_tasks_rq.Job`.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "ejournal",
    }
    if not os.environ.get("RATE_LIMIT_DB"):
        CACHES["ratelimit"] = {**CACHES["default"], "KEY_PREFIX": "ejournal-rl"}
if TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS["default"]["QUEUES"] = ["default"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"}}

# --- Notifications (ejournal.notifications) ----------------------------------
# Links in e-mails and SMS point here, e.g. https://journal.school.ru
SITE_URL = os.environ.get("SITE_URL", "")
# A channel without a gateway is «не настроено» (ejournal/notifications/gateways.py).
# SMS: the provider's HTTP request with {phone} and {text}, e.g.
# https://sms.ru/sms/send?api_id=KEY&to={phone}&msg={text}&json=1 (GET, or POST).
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_METHOD = os.environ.get("SMS_GATEWAY_METHOD", "GET")
# Web Push (ejournal/notifications/push.py): the VAPID private key as PEM, the same on
# every server; unset, one is made in the data directory. WEBPUSH_ENABLED=0 turns push off.
WEBPUSH_ENABLED = env_bool("WEBPUSH_ENABLED", True)
WEBPUSH_VAPID_PRIVATE_KEY = os.environ.get("WEBPUSH_VAPID_PRIVATE_KEY", "")
WEBPUSH_CONTACT = os.environ.get("WEBPUSH_CONTACT", "")
# The browsers' push services the server may post to (a leading dot: any subdomain);
# a subscription to anywhere else is refused, so no one can aim the server at the school's
# own network. WEBPUSH_ALLOW_LOCAL also allows one on 127.0.0.1 (tests, development).
WEBPUSH_ALLOWED_HOSTS = env_list(
    "WEBPUSH_ALLOWED_HOSTS",
    "fcm.googleapis.com,updates.push.services.mozilla.com,.notify.windows.com,"
    ".push.apple.com,push.services.mozilla.com",
)
WEBPUSH_ALLOW_LOCAL = env_bool("WEBPUSH_ALLOW_LOCAL", DEBUG)
# Channel -> a provider's gateway class, for providers beyond the above.
NOTIFICATION_GATEWAYS = {
    channel: path
    for channel, path in {
        "sms": os.environ.get("NOTIFICATION_SMS_GATEWAY", ""),
        "push": os.environ.get("NOTIFICATION_PUSH_GATEWAY", ""),
    }.items()
    if path
}

# --- Security headers -----------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Behind HTTPS (HTTPS=1): redirect plain HTTP and pin HTTPS with HSTS.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", env_bool("HTTPS", False))
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000 if env_bool("HTTPS", False) else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)
# Content-Security-Policy and Permissions-Policy, sent by
# ejournal.security.middleware.SecurityHeadersMiddleware. No inline scripts or styles.
CONTENT_SECURITY_POLICY = os.environ.get(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'",
)
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_HTTPS_PROXY", False) else None
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
