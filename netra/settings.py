"""Netra settings: one module, configured by environment variables (12-factor).

Development defaults are safe and need nothing set. With ``NETRA_ENV=production`` the process
refuses to start with an insecure setting (see ``_check_production`` at the bottom).
"""

import contextlib
import os
import secrets
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

VAR_DIR = Path(env.str("NETRA_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

NETRA_ENV = env.str("NETRA_ENV", default="development")  # development | test | production
PRODUCTION = NETRA_ENV == "production"
DEMO_MODE = env.bool("NETRA_DEMO", default=not PRODUCTION)


def _secret_key() -> str:
    """SECRET_KEY from the env (or a *_FILE); in development, generated once into var/."""
    if value := env.str("SECRET_KEY", default=""):
        return value
    if path := env.str("SECRET_KEY_FILE", default=""):
        return Path(path).read_text().strip()
    if PRODUCTION:
        return ""  # refused by _check_production
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        # Every gunicorn worker imports this at once on a fresh var/: written whole under another
        # name, then linked into place (atomic; the first wins), so no process reads a half-written
        # (empty) key — /healthz answered 500 at start-up — and all of them end up with the same one.
        draft = VAR_DIR / f".secret_key.{os.getpid()}"
        draft.write_text(secrets.token_urlsafe(50))
        draft.chmod(0o600)
        with contextlib.suppress(FileExistsError):
            os.link(draft, key_file)
        draft.unlink()
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "ninja",  # serves the API docs' Swagger UI from our own static files, not a CDN
    # domain (bottom to top)
    "netra.catalog",
    "netra.audit",
    "netra.orgs",
    "netra.notify",
    "netra.pacts",
    "netra.triage",
    "netra.cases",
    # faces
    "netra.portal",
    "netra.insights",
    "netra.workspace",
    "netra.sharing",
    # operations (netra.ops: backup/restore, retention; a face)
    "netra.ops",
    "netra.channels",
]

MIDDLEWARE = [
    # Outermost: what a request leaves for after its answer (netra.turns.after_response).
    "netra.turns.AfterResponseMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "netra.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Memberships and scopes once for the whole request, shared below (netra.orgs.per_request).
    "netra.middleware.OncePerRequestMiddleware",
    "netra.orgs.middleware.ViewerTimezoneMiddleware",
    "axes.middleware.AxesMiddleware",
    # Innermost: a database outage raised by a view becomes a 503 (netra/unavailable.py).
    "netra.unavailable.UnavailableMiddleware",
]

ROOT_URLCONF = "netra.urls"
WSGI_APPLICATION = "netra.wsgi.application"
AUTH_USER_MODEL = "orgs.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "netra" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "netra.context_processors.netra",
            ],
        },
    },
]

# --- database --------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'netra.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue on busy_timeout instead of failing with "database is locked" on upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections: without them an INSERT endpoint falls from ~1,700 to ~240 req/s.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int("DB_CONNECT_TIMEOUT", default=5)
    # No JIT: Netra's statements are short index lookups. Where the planner's statistics lag behind
    # (a table analysed while empty, a burst of new cases), its cost estimate passes jit_above_cost
    # and every duplicate lookup paid ~0.7 s of compiling for a 14 ms query: the triage backlog of
    # a burst then took 1 s a case (CI's scale-check, session 9).
    DATABASES["default"]["OPTIONS"]["options"] = "-c jit=off"
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default=None)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache (rate limits, lockouts) -------------------------------------------------------------
_cache_url = env.str("CACHE_URL", default="") or env.str("REDIS_URL", default="")
if _cache_url:
    CACHES = {"default": env.cache_url_config(_cache_url)}
    if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        # Redis down must cost a request milliseconds, not seconds (issue #14, item 3): short
        # timeouts, no retry loop in redis-py, and a circuit breaker (netra.cache) that stops
        # trying for NETRA_CACHE_RETRY_SECONDS after a failure and logs once per outage.
        import redis.backoff
        import redis.retry

        CACHES["default"]["BACKEND"] = "netra.cache.ResilientRedisCache"
        CACHES["default"].setdefault("OPTIONS", {}).update(
            {
                "socket_connect_timeout": env.float("CACHE_CONNECT_TIMEOUT", default=0.5),
                "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=1.0),
                "retry": redis.retry.Retry(redis.backoff.NoBackoff(), 0),
            }
        )
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "netra"}}
NETRA_CACHE_RETRY_SECONDS = env.float("NETRA_CACHE_RETRY_SECONDS", default=5)

# --- auth ------------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if NETRA_ENV == "test":
    # Argon2 is deliberately slow; tests create hundreds of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.int("AXES_COOLOFF_HOURS", default=1)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_VERBOSE = False
# No User-Agent stored (locks count by account); sign-in records are deleted after this many days
# by the scheduler's purge job (netra.orgs.signin_records).
AXES_HANDLER = "netra.orgs.signin_records.LockoutHandler"
# The address axes records is the one the rate limits use: X-Forwarded-For only from our proxies.
AXES_CLIENT_IP_CALLABLE = "netra.ratelimit.client_address"
NETRA_SIGN_IN_RECORD_DAYS = env.int("NETRA_SIGN_IN_RECORD_DAYS", default=30)
# Lock by account: staff have 2FA, and an attacker rotating addresses must not get more guesses.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
LOGIN_URL = "workspace:login"
# A new account enrols its authenticator app through a one-time link (netra.orgs.enrolment),
# valid this many hours; links in e-mails start with NETRA_SITE_URL (else the requesting page's host).
NETRA_ENROLMENT_LINK_HOURS = env.int("NETRA_ENROLMENT_LINK_HOURS", default=72)
# Pacts (#11): roster files up to this size; past NETRA_ROSTER_INLINE_BYTES they are imported by
# the task worker (progress bar); one-time signing codes expire after NETRA_SIGNING_CODE_HOURS.
NETRA_ROSTER_MAX_BYTES = env.int("NETRA_ROSTER_MAX_BYTES", default=10 * 1024 * 1024)
NETRA_ROSTER_INLINE_BYTES = env.int("NETRA_ROSTER_INLINE_BYTES", default=256 * 1024)
NETRA_SIGNING_CODE_HOURS = env.int("NETRA_SIGNING_CODE_HOURS", default=14 * 24)
NETRA_SITE_URL = env.str("NETRA_SITE_URL", default="")

# --- i18n / time -----------------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Jakarta"  # default display zone (WIB); stored timestamps are UTC

# --- static / media --------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = not PRODUCTION
STATICFILES_DIRS = [BASE_DIR / "netra" / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Evidence is never served from a public URL: no route serves this prefix (only staff views stream files).
MEDIA_URL = "/_private/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": MEDIA_ROOT}},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- e-mail ----------------------------------------------------------------------------------
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="netra@localhost")

# --- background tasks --------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- security headers ------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
# A browser-session cookie, not a year on a reporter's phone; a stale tab's failure re-renders the
# public report form with its values kept (netra.portal.csrf).
CSRF_COOKIE_AGE = None
CSRF_FAILURE_VIEW = "netra.portal.csrf.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    # HSTS set by netra.<pemda>.go.id covers that host and its own subdomains only, never the pemda's.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    # Preloading is the decision of whoever owns the registrable domain, not Netra's (W021 silenced).
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    SILENCED_SYSTEM_CHECKS.append("security.W021")
    if not env.bool("NETRA_NO_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# --- public reporting (netra.cases, netra.portal) ---------------------------------------------
NETRA_EVIDENCE_MAX_BYTES = env.int("NETRA_EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)
NETRA_EVIDENCE_MAX_FILES = env.int("NETRA_EVIDENCE_MAX_FILES", default=10)
# Decompression bombs: an image is refused from its header above this many pixels (a JPEG up to
# 64 times over is decoded at a reduced scale instead); a PDF is rendered in a child process within the
# page, memory and CPU limits below (netra/cases/pdfclean.py).
NETRA_EVIDENCE_MAX_PIXELS = env.int("NETRA_EVIDENCE_MAX_PIXELS", default=40_000_000)
NETRA_EVIDENCE_PDF_MAX_PAGES = env.int("NETRA_EVIDENCE_PDF_MAX_PAGES", default=50)
NETRA_EVIDENCE_PDF_DPI = env.int("NETRA_EVIDENCE_PDF_DPI", default=150)
NETRA_EVIDENCE_PDF_MEMORY_BYTES = env.int("NETRA_EVIDENCE_PDF_MEMORY_BYTES", default=768 * 1024 * 1024)
NETRA_EVIDENCE_PDF_CPU_SECONDS = env.int("NETRA_EVIDENCE_PDF_CPU_SECONDS", default=30)
# Files a report form keeps across a form error live this long (staging.py; clean_staging).
NETRA_STAGING_MAX_AGE_SECONDS = env.int("NETRA_STAGING_MAX_AGE_SECONDS", default=2 * 60 * 60)
# Django refuses a request with more files than this (400) before a view runs; up to it the form
# answers "too many files" in Indonesian and reads no file past NETRA_EVIDENCE_MAX_FILES.
DATA_UPLOAD_MAX_NUMBER_FILES = 100
NETRA_MAX_INCIDENT_AGE_DAYS = env.int("NETRA_MAX_INCIDENT_AGE_DAYS", default=730)
# "group=count/period,…" merged over the defaults in netra/ratelimit.py; "off" disables them.
NETRA_RATE_LIMITS = env.str("NETRA_RATE_LIMITS", default="")
# Addresses/networks of our own reverse proxies; only then is X-Forwarded-For believed.
NETRA_TRUSTED_PROXIES = env.list("NETRA_TRUSTED_PROXIES", default=[])
# Production behind no proxy at all (gunicorn faces the internet): then NETRA_TRUSTED_PROXIES stays
# empty on purpose and X-Forwarded-Proto is not believed. Production refuses to start with neither.
NETRA_NO_PROXY = env.bool("NETRA_NO_PROXY", default=False)

# --- audit log (netra.audit) -------------------------------------------------------------------
# After a commit, at most one process seals the hash chain per this many seconds (the others skip,
# cheaply); the scheduler (and `seal_audit --loop`) seals what is left once traffic stops.
# 0 seals after every commit: the test suite's default, so a test sees its own row sealed.
NETRA_AUDIT_SEAL_INTERVAL = env.float("NETRA_AUDIT_SEAL_INTERVAL", default=0 if NETRA_ENV == "test" else 1)
# HMAC master key of audit rows and published chain heads (netra.audit.keys), never stored in the
# database; empty: derived from SECRET_KEY with its own salt. Old keys still verify.
NETRA_AUDIT_KEY = env.str("NETRA_AUDIT_KEY", default="")
NETRA_AUDIT_OLD_KEYS = env.list("NETRA_AUDIT_OLD_KEYS", default=[])
# The scheduler publishes the signed chain head (`manage.py audit_head`) this often, when it moved:
# a log line and a line appended to this file, for agencies to keep outside the database.
NETRA_AUDIT_HEAD_MINUTES = env.float("NETRA_AUDIT_HEAD_MINUTES", default=15)
_HEAD_FILE = "audit-heads-test.log" if NETRA_ENV == "test" else "audit-heads.log"
NETRA_AUDIT_HEAD_FILE = Path(env.str("NETRA_AUDIT_HEAD_FILE", default=str(VAR_DIR / _HEAD_FILE)))

# --- intake (netra.cases.opening) ---------------------------------------------------------------
# A public report of text and links is accepted in one INSERT; its case is opened after commit by
# the first committer of each interval (seconds), for every report pending by then, and by the
# scheduler every second. Shorter turns keep each batch (and SQLite's write lock) short. 0 opens each case in its report's transaction: the test suite's default.
NETRA_CASE_OPEN_INTERVAL = env.float("NETRA_CASE_OPEN_INTERVAL", default=0 if NETRA_ENV == "test" else 0.2)
# Whether a web request that wins the triage turn also triages the new cases after its answer
# (off: the scheduler's tick alone triages them, within about a second when it keeps up). Off in
# production: triage costs several times the report itself in CPU, and done in a gunicorn worker it
# held that worker and the web tier's CPU (bench/load.py: with it on, intake held 10 req/s within the
# SLO beside the baseline's 160, 0.06, where the round before triage had 0.30).
NETRA_TRIAGE_AFTER_RESPONSE = env.bool("NETRA_TRIAGE_AFTER_RESPONSE", default=not PRODUCTION)

# --- agency API and webhooks (netra.sharing) ------------------------------------------------
# Largest JSON body the agency API reads (bigger → 413 payload_too_large).
NETRA_API_MAX_BODY_BYTES = env.int("NETRA_API_MAX_BODY_BYTES", default=256 * 1024)
# A failing webhook delivery is retried with exponential backoff for this long (at least 24 h).
NETRA_WEBHOOK_RETRY_HOURS = env.int("NETRA_WEBHOOK_RETRY_HOURS", default=72)
# Outbound requests (webhooks, netra.outbound) reach public addresses only (SSRF); these networks
# are allowed besides (CIDR list, e.g. an intranet receiver). Development and tests: loopback.
NETRA_OUTBOUND_ALLOWED_NETWORKS = env.list(
    "NETRA_OUTBOUND_ALLOWED_NETWORKS", default=[] if PRODUCTION else ["127.0.0.0/8", "::1/128"]
)
# Archived links (netra.cases.archive): the worker fetches each link of a report once in headless
# Chromium through the outbound guard. Off unless enabled: a server without internet has nothing to fetch.
NETRA_LINK_ARCHIVE_ENABLED = env.bool("NETRA_LINK_ARCHIVE_ENABLED", default=False)
NETRA_LINK_ARCHIVE_TIMEOUT = env.float("NETRA_LINK_ARCHIVE_TIMEOUT", default=30.0)  # seconds per load
NETRA_LINK_ARCHIVE_MAX_BYTES = env.int("NETRA_LINK_ARCHIVE_MAX_BYTES", default=25 * 1024 * 1024)  # per file
NETRA_LINK_ARCHIVE_ATTEMPTS = env.int("NETRA_LINK_ARCHIVE_ATTEMPTS", default=6)  # then failed for good
# case.created goes out in batches, at the end of each window of this many seconds (0: at once),
# so a receiver in the accused's agency cannot time a report to the minute (issue #10, 12).
NETRA_WEBHOOK_CASE_CREATED_BATCH_SECONDS = env.int("NETRA_WEBHOOK_CASE_CREATED_BATCH_SECONDS", default=3600)
# Times in agency API answers and webhooks for everyone but the owning Satgas: "day", "hour", "exact".
NETRA_SHARED_TIME_PRECISION = env.str("NETRA_SHARED_TIME_PRECISION", default="day")

# --- channel intake (netra.channels): e-mail, WhatsApp, SMS ------------------------------------
# The region of a channel report that names no kabupaten/kota it can be routed by ("" = ask again).
NETRA_CHANNEL_DEFAULT_REGION = env.str("NETRA_CHANNEL_DEFAULT_REGION", default="")
# IMAP mailboxes polled by ``run_channels`` (JSON list; netra/channels/mail.py lists the keys).
NETRA_INTAKE_MAILBOXES = env.json("NETRA_INTAKE_MAILBOXES", default=[])
# WhatsApp Business Cloud API: empty secrets refuse every webhook request.
NETRA_WHATSAPP_VERIFY_TOKEN = env.str("NETRA_WHATSAPP_VERIFY_TOKEN", default="")
NETRA_WHATSAPP_APP_SECRET = env.str("NETRA_WHATSAPP_APP_SECRET", default="")
NETRA_WHATSAPP_ACCESS_TOKEN = env.str("NETRA_WHATSAPP_ACCESS_TOKEN", default="")
NETRA_WHATSAPP_PHONE_NUMBER_ID = env.str("NETRA_WHATSAPP_PHONE_NUMBER_ID", default="")
NETRA_WHATSAPP_GRAPH_URL = env.str("NETRA_WHATSAPP_GRAPH_URL", default="https://graph.facebook.com/v21.0")
# Generic JSON SMS gateway: the shared HMAC secret (both ways) and where replies are posted.
NETRA_SMS_SECRET = env.str("NETRA_SMS_SECRET", default="")
NETRA_SMS_SEND_URL = env.str("NETRA_SMS_SEND_URL", default="")
# Twilio-format SMS webhook (/kanal/twilio/): the auth token signs X-Twilio-Signature (empty = refuse
# all), the webhook URL exactly as set in the Twilio console (a proxy may rewrite the host), the REST
# base for replies and media (basic auth with the account SID and the token).
NETRA_TWILIO_ACCOUNT_SID = env.str("NETRA_TWILIO_ACCOUNT_SID", default="")
NETRA_TWILIO_AUTH_TOKEN = env.str("NETRA_TWILIO_AUTH_TOKEN", default="")
NETRA_TWILIO_WEBHOOK_URL = env.str("NETRA_TWILIO_WEBHOOK_URL", default="")
NETRA_TWILIO_API_URL = env.str("NETRA_TWILIO_API_URL", default="https://api.twilio.com")
# The scheduler runs one ``run_channels --once`` tick (mailboxes + reply outbox) this often.
NETRA_CHANNELS_POLL_SECONDS = env.float("NETRA_CHANNELS_POLL_SECONDS", default=30.0)
# Task workers (netra.ops.workers): heartbeat period, when a silent worker counts as dead, and the
# lease of a task RUNNING on a worker without heartbeats (a plain db_worker).
NETRA_WORKER_HEARTBEAT_SECONDS = env.float("NETRA_WORKER_HEARTBEAT_SECONDS", default=5.0)
NETRA_WORKER_DEAD_SECONDS = env.float("NETRA_WORKER_DEAD_SECONDS", default=30.0)
NETRA_TASK_LEASE_SECONDS = env.float("NETRA_TASK_LEASE_SECONDS", default=3600.0)

# --- logging: no request metadata from public endpoints ---------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # django.request / django.server log paths and client addresses; keep them quiet so no
        # reporter's address ends up in a log file.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": [], "level": "CRITICAL", "propagate": False},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}


# --- ops: production storage and database pool (netra.ops, deploy/, docs/operations.md) --------
# Evidence (and staged uploads) on S3-compatible storage through django-storages when a bucket is
# named: the same default_storage code path as local files. Objects are private; staff downloads
# stream through Django's scope-checked views, never a public or signed URL handed out.
NETRA_S3_BUCKET = env.str("NETRA_S3_BUCKET", default="")
if NETRA_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": NETRA_S3_BUCKET,
            "endpoint_url": env.str("NETRA_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("NETRA_S3_REGION", default="") or None,
            # Empty: boto3's own chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, instance role).
            "access_key": env.str("NETRA_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("NETRA_S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("NETRA_S3_PREFIX", default=""),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": 60,
        },
    }
# PostgreSQL: psycopg's connection pool instead of persistent connections (NETRA_DB_POOL=1;
# Django 5.2 needs CONN_MAX_AGE=0 with it). Sizes per process: min..max connections.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool("NETRA_DB_POOL", default=False):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": env.int("NETRA_DB_POOL_MIN", default=2),
        "max_size": env.int("NETRA_DB_POOL_MAX", default=8),
        "timeout": env.int("NETRA_DB_POOL_TIMEOUT", default=10),
    }
# SECRET_KEY rotation: the new key in SECRET_KEY, the old ones here until sessions, password-reset
# and enrolment links signed with them expired (docs/operations.md, "Rotating SECRET_KEY").
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
# Key of the secrets the application reads back (webhook signing secrets), never in the database
# (netra.secrets_at_rest); empty: derived from SECRET_KEY. Old keys still decrypt.
NETRA_SECRETS_KEY = env.str("NETRA_SECRETS_KEY", default="")
NETRA_SECRETS_OLD_KEYS = env.list("NETRA_SECRETS_OLD_KEYS", default=[])
# --- end ops -----------------------------------------------------------------------------------


_PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.filebased.FileBasedCache",  # per machine, and not atomic
}


def _check_production() -> None:
    import ipaddress

    from django.core.exceptions import ImproperlyConfigured

    problems = []
    if not SECRET_KEY or len(SECRET_KEY) < 40:
        problems.append("SECRET_KEY (or SECRET_KEY_FILE) must be set to at least 40 characters")
    if DEBUG:
        problems.append("DEBUG must be off")
    if not ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS must be set")
    if DEMO_MODE:
        problems.append("NETRA_DEMO must be off")
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        problems.append("DATABASE_URL must point at PostgreSQL")
    if NETRA_RATE_LIMITS.strip().lower() == "off":
        problems.append("NETRA_RATE_LIMITS=off is for load tests only")
    if CACHES["default"]["BACKEND"] in _PER_PROCESS_CACHES:
        problems.append(
            "CACHE_URL (or REDIS_URL) must point at a shared cache such as Redis: otherwise rate limits "
            "and lockouts count per process"
        )
    if NETRA_NO_PROXY and NETRA_TRUSTED_PROXIES:
        problems.append("NETRA_NO_PROXY=1 and NETRA_TRUSTED_PROXIES contradict each other: set one")
    elif not NETRA_NO_PROXY and not NETRA_TRUSTED_PROXIES:
        problems.append(
            "NETRA_TRUSTED_PROXIES must list the reverse proxy's address(es), or NETRA_NO_PROXY=1 if clients "
            "connect directly: otherwise every reporter shares the proxy's address and its rate limits"
        )
    for network in NETRA_TRUSTED_PROXIES:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            problems.append(f"NETRA_TRUSTED_PROXIES: {network!r} is not an address or network")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems))


if PRODUCTION:
    _check_production()

# Public statistics (netra.insights): counts below this are suppressed everywhere they are published.
NETRA_STATS_MIN_COUNT = env.int("NETRA_STATS_MIN_COUNT", default=5)
NETRA_STATS_CACHE_SECONDS = env.int("NETRA_STATS_CACHE_SECONDS", default=600)
NETRA_DASHBOARD_CACHE_SECONDS = env.int("NETRA_DASHBOARD_CACHE_SECONDS", default=60)
# Staff exports (netra.insights.exports): more rows than this are built by the django-tasks worker
# (fewer in the request, the same code); a finished file is kept this many hours, then deleted.
NETRA_EXPORT_INLINE_ROWS = env.int("NETRA_EXPORT_INLINE_ROWS", default=2000)
NETRA_EXPORT_KEEP_HOURS = env.int("NETRA_EXPORT_KEEP_HOURS", default=24)
