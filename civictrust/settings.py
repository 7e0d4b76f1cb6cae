"""civictrust settings: one module, everything configurable comes from the environment.

Every variable is listed with its default in README.md ("Configuration").
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import xstatic.pkg.bootstrap
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .environment import Environment
from .logging import logging_settings

BASE_DIR = Path(__file__).resolve().parent.parent

env = Environment()

DEBUG = env.bool("DEBUG", False)

SECRET_KEY = env.str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random value "
            "(for example the output of: python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=true for local development only."
        )
    SECRET_KEY = "insecure-development-only-key-never-use-in-production"  # noqa: S105  # nosec B105  # DEBUG only

# Rate limits hash client addresses with a random key per window, kept only in the cache and dropped when the window
# ends (participation/ratelimits.py), so yesterday's hashes cannot be recomputed by anyone. This optional secret is
# mixed into every window's key, so the cache alone does not give the current window's hashes either. It never
# defaults to SECRET_KEY: that sits in the same .env, and anyone holding it must not be able to reverse a hash.
CLIENT_HASH_SECRET = env.str("CLIENT_HASH_SECRET", "")
# Key of the hashes that stand for participation codes and verified participants (README, "Defensible numbers"):
# they must stay the same for as long as codes are out, so unlike the rate limits' keys it is a lasting secret.
PARTICIPATION_CODE_SECRET = env.str("PARTICIPATION_CODE_SECRET", "") or SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
if DEBUG:
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "modeltranslation",
    # The admin with the staff login (password, lockout, optional two-factor): civictrust/staff.py.
    "civictrust.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "feedback",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "civictrust.middleware.security_headers",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages are compressed (whitenoise serves static files compressed itself, before this runs). Django's GZip adds
    # random bytes to each response's gzip header, its mitigation of BREACH (Django 4.2+), and CSRF tokens are masked
    # per request, so a secret in a page cannot be read off compressed sizes.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "civictrust.languages.PreferredLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "civictrust.middleware.StaffSessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "civictrust.middleware.DatabaseOutageMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "civictrust.urls"
WSGI_APPLICATION = "civictrust.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: an SQLite file in the project folder unless DATABASE_URL says otherwise; a read replica and PgBouncer
# (README, "Scaling out") as civictrust/environment.py's `databases` reads them.
DATABASE_POOLER = env.str("DATABASE_POOLER", "")
REPLICA_MAX_LAG_SECONDS = env.int("REPLICA_MAX_LAG_SECONDS", 10)
REPLICA_CHECK_SECONDS = env.int("REPLICA_CHECK_SECONDS", 5)
DATABASES = env.databases(default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", pooler=DATABASE_POOLER)
DATABASE_ROUTERS = ["civictrust.db.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (shared by all workers), else per-process memory; every key starts with
# CACHE_KEY_PREFIX, and a hung Redis costs a request about a second at most (civictrust/environment.py `caches`).
REDIS_URL = env.str("REDIS_URL", "")
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", "civictrust")
CACHES = env.caches(REDIS_URL, key_prefix=CACHE_KEY_PREFIX)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Security (README, "Security and privacy"): `check --deploy` passes with DEBUG off and these defaults ---------
# HTTPS. Behind a TLS-terminating proxy (nginx, Caddy) that talks plain HTTP to the app, set SECURE_PROXY_SSL_HEADER
# to the header the proxy sets, and make sure the proxy always overwrites that header coming from clients.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = env.proxy_header("SECURE_PROXY_SSL_HEADER")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sent by civictrust.middleware.security_headers: no page needs any of these browser features.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer autoplay bluetooth browsing-topics camera display-capture geolocation gyroscope hid "
        "magnetometer microphone midi payment publickey-credentials-get screen-wake-lock serial usb "
        "xr-spatial-tracking"
    ).split()
)
# Preloading commits the domain and its subdomains to HTTPS for months: the deployment's choice (SECURE_HSTS_PRELOAD).
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Cookies: Secure, HttpOnly and SameSite in production, with the __Host- prefix (HTTPS only, this host alone); plain
# names in DEBUG, so http://127.0.0.1 works. No page reads the CSRF cookie from JavaScript: HttpOnly too.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_NAME = "sessionid" if DEBUG else "__Host-sessionid"
CSRF_COOKIE_NAME = "csrftoken" if DEBUG else "__Host-csrftoken"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# What protects a form lasts at most the browser session: no persistent cookie from reading a page (the privacy
# page lists every cookie; tests/site/test_cookies_listed.py compares the list with what the app sets).
CSRF_COOKIE_AGE = None
# Messages ("You endorsed …") travel in a cookie deleted once shown, never in a session: a resident never gets one.
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

# Staff sessions (civictrust.middleware.StaffSessionTimeoutMiddleware): signed out after this much inactivity, and
# after this long in any case; kept in the database, so a Redis outage keeps staff signed in.
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", 30)
SESSION_ABSOLUTE_TIMEOUT_HOURS = env.int("SESSION_ABSOLUTE_TIMEOUT_HOURS", 12)
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_HOURS * 60 * 60

# Two-factor sign-in for staff (django-otp, TOTP): with an authenticator its code is always needed; with
# STAFF_REQUIRE_2FA every staff member needs one.
STAFF_REQUIRE_2FA = env.bool("STAFF_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = "civictrust"

# Lockout after repeated failed staff logins (django-axes), by username only: it stores and logs no client address
# and no user agent (civictrust.staff.PrivateAxesHandler), as its data-privacy documentation describes.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_HANDLER = "civictrust.staff.PrivateAxesHandler"
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_CLIENT_IP_CALLABLE = "civictrust.staff.no_client_address"
AXES_FAILURE_LIMIT = env.int("STAFF_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("STAFF_LOCKOUT_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "user_agent", "otp_token"]
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# axes.W006 asks to lock out by client address too, which this app promises never to store; the lock by username
# stops guessing one account's password, and 12-character passwords and two-factor sign-in meet spraying many.
SILENCED_SYSTEM_CHECKS.append("axes.W006")

# Content Security Policy (django-csp): everything from this site, no inline script or style, nothing framed.
# data: images are allowed because Bootstrap's stylesheet draws its checkboxes, radios and selects with data: SVGs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# Request bodies: 1 MB is far above any form here; larger is a 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000_000

LANGUAGE_CODE = "en"
# The interface and the briefing content (modeltranslation fields, one column per language). Django's codes: the
# catalogue of "zh-hans" lives in locale/zh_Hans. Arabic pages are laid out right to left (templates/base.html).
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("pl", _("Polish")),
    ("zh-hans", _("Simplified Chinese")),
    ("ar", _("Arabic")),
]
# A resident's explicit choice of language (the language links, civictrust.language), remembered so that
# unprefixed addresses open in it; set only when they choose, never by reading a page (README, "Languages").
LANGUAGE_COOKIE_NAME = "language" if DEBUG else "__Host-language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [BASE_DIR / "locale"]
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = env.str("TIME_ZONE", "America/Chicago")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap comes from the xstatic-bootstrap package and is served by us, never by a CDN.
    ("vendor/bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Private files (export downloads) live outside any public URL; views serve them to staff only.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", BASE_DIR / "private_media"))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: console in development, or any backend through EMAIL_URL (smtp://user:pass@host:587, ...).
if env.str("EMAIL_URL", ""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env.str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# A mail server that does not answer costs this many seconds, not forever (each try of the moderators' digest).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "civictrust <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGGING = logging_settings(level=env.str("LOG_LEVEL", "INFO"))

DEFAULT_CONSULTATION_SLUG = env.str("DEFAULT_CONSULTATION_SLUG", "chicago")

# Privacy: how long personal data a resident chose to give is kept (stated on /privacy/).
CONTACT_EMAIL_RETENTION_DAYS = env.int("CONTACT_EMAIL_RETENTION_DAYS", 90)
PARTICIPANT_COOKIE_DAYS = env.int("PARTICIPANT_COOKIE_DAYS", 180)

SITE_URL = env.str("SITE_URL", "http://127.0.0.1:8000")
# New concerns are announced to moderators in one digest email per this many seconds at most.
MODERATOR_DIGEST_SECONDS = env.int("MODERATOR_DIGEST_SECONDS", 300)

# Public results: a breakdown cell counting fewer people than this shows as "fewer than N".
RESULTS_MIN_CELL = env.int("RESULTS_MIN_CELL", 5)

# Residents taking part (README, "Taking part").
# The participant cookie is marked Secure whenever the request came over HTTPS, and always in production (DEBUG off),
# so a deployment that forgets SECURE_PROXY_SSL_HEADER still never sends it in clear.
PARTICIPANT_COOKIE_SECURE = env.bool("PARTICIPANT_COOKIE_SECURE", not DEBUG)
# The confirmation page shows a new concern's receipt code for this long, through language switches and Back,
# then it is gone (feedback/participation/receipts.py).
RECEIPT_DISPLAY_MINUTES = env.int("RECEIPT_DISPLAY_MINUTES", 60)
# A concern form sent sooner than this after it was shown is refused as probably automated.
CONCERN_MIN_FILL_SECONDS = env.int("CONCERN_MIN_FILL_SECONDS", 3)
# Public figures (results page, remedies page, API) are published in batches: counted at most once per window of
# this many seconds and shown from the start of the next window, never moved by one action (0: counted on every
# request, for tests). README, "Security and privacy".
RESULTS_PUBLISH_SECONDS = env.int("RESULTS_PUBLISH_SECONDS", 60)
# The staff dashboard's figures are recounted at most this often per filter set (0: every request); the page shows
# when they were counted and offers "Count again" (README, "Dashboard").
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", 30)
# Request header carrying the client address set by a trusted proxy (e.g. HTTP_X_REAL_IP); empty: REMOTE_ADDR.
# The address is only ever used through a keyed hash whose key lives one window, never stored or logged.
CLIENT_ADDRESS_HEADER = env.str("CLIENT_ADDRESS_HEADER", "")

# Per-client limits, generous enough for a family or a public library sharing one address.
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", True)
RATELIMIT_CONCERNS = env.rate("RATELIMIT_CONCERNS", "30/h")
RATELIMIT_ENDORSEMENTS = env.rate("RATELIMIT_ENDORSEMENTS", "300/h")
RATELIMIT_REPORTS = env.rate("RATELIMIT_REPORTS", "60/h")
RATELIMIT_RECEIPTS = env.rate("RATELIMIT_RECEIPTS", "30/h")
RATELIMIT_CODES = env.rate("RATELIMIT_CODES", "10/h")

# --- Defensible numbers (README): codes, unusual bursts (feedback/bursts/detection.py), certificates ---------------
PARTICIPATION_CODE_DAYS = env.int("PARTICIPATION_CODE_DAYS", 90)
BURST_MIN_ARRIVALS = env.int("BURST_MIN_ARRIVALS", 30)
BURST_BASELINE_HOURS = env.int("BURST_BASELINE_HOURS", 6)
BURST_MAD_FACTOR = env.int("BURST_MAD_FACTOR", 6)
BURST_MIN_NEW_PERCENT = env.int("BURST_MIN_NEW_PERCENT", 75)
BURST_WINDOW_RETENTION_DAYS = env.int("BURST_WINDOW_RETENTION_DAYS", 14)
CODE_VERSION = env.str("CODE_VERSION", "")  # named in certificates; empty: `git describe`, else pyproject's version

# --- Exports and retention (README, "Exports" and "Background work") -----------------------------------------
# Export files are deleted this many days after they were built.
EXPORT_RETENTION_DAYS = env.int("EXPORT_RETENTION_DAYS", 7)
# An export whose worker died this many times is marked failed instead of being tried again.
EXPORT_MAX_ATTEMPTS = env.int("EXPORT_MAX_ATTEMPTS", 3)
# The longest task (building an export) is stopped after this many seconds; the others get less.
EXPORT_TIME_LIMIT_SECONDS = env.int("EXPORT_TIME_LIMIT_SECONDS", 1800)
# Reports (a participant id and a concern) are deleted after this many days; by then no browser
# carries that participant id any more (README, "Background work"). The report count stays.
REPORT_PARTICIPANT_RETENTION_DAYS = env.int("REPORT_PARTICIPANT_RETENTION_DAYS", PARTICIPANT_COOKIE_DAYS)
# A closed consultation is purged this many days after its closing time (retention.purge_consultation): the words of
# concerns never published, contact emails, receipts, reports and what links one person's endorsements are deleted;
# every figure stays. Run daily by beat; `manage.py purge_consultation SLUG` does it at once.
PURGE_DAYS_AFTER_CLOSE = env.int("PURGE_DAYS_AFTER_CLOSE", 30)
# Where the file-based email backend (EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend) writes.
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", str(BASE_DIR / "sent_emails"))

# --- Celery, all of it here. With no broker, tasks run eagerly inside the web process (the embedded default) ---
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# Tasks are idempotent, so they are acknowledged only once they finished (a worker that dies
# mid-task leaves the message to be delivered again) and a pool process that is killed puts its
# task back in the queue. One message at a time per process, so a long export never holds others.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_TIME_LIMIT = EXPORT_TIME_LIMIT_SECONDS
CELERY_TASK_SOFT_TIME_LIMIT = max(EXPORT_TIME_LIMIT_SECONDS - 60, 1)
# Redis has no real acknowledgements: a message taken but not acknowledged goes to another worker after
# `visibility_timeout` (Celery's "Using Redis"). It must stay above the longest task time limit and any retry
# countdown, or a slow export still running would start a second time; its cost is that a task whose worker
# machine lost power waits this long.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": EXPORT_TIME_LIMIT_SECONDS + 1800,
    # A broker that is down or hung must not make a web request wait: connecting and each reply are given little
    # time (Redis answers in well under a millisecond), and a message is published at most twice (a pooled
    # connection Redis dropped on a restart fails at once; the second try opens a fresh one). The publish that
    # fails is logged and left to the sweep: about half a second, at worst, of a resident's request.
    "socket_connect_timeout": 0.3,
    "socket_timeout": 0.3,
    "max_retries": 1,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Kombu's Redis transport with one repair: a Redis outage while the worker holds a delayed (countdown) task no longer
# kills the worker (civictrust/broker.py says how Celery 5.7.0 got there).
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT = "civictrust.broker:Transport"
# A worker waits for the broker for as long as it is away (Celery's default gives up, and exits, after 100 tries).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0, "interval_max": 0}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The queue tasks go to and workers read: two sites (or test runs) sharing one Redis keep apart.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", "") or "celery"
# Periodic work, run by `celery -A civictrust beat` (times in TIME_ZONE).
CELERY_BEAT_SCHEDULE = {
    # Every minute: an export whose worker was killed is built again promptly (feedback/exports/jobs.py).
    "sweep-pending-work": {"task": "feedback.tasks.sweep_pending_work", "schedule": 60.0},
    "snapshot-tallies": {"task": "feedback.tasks.snapshot_tallies", "schedule": 3600.0},
    "purge-expired-data": {"task": "feedback.tasks.purge_expired_data", "schedule": 6 * 3600.0},
    "purge-closed-consultations": {"task": "feedback.tasks.purge_closed_consultations", "schedule": 24 * 3600.0},
    "rebuild-themes": {"task": "feedback.tasks.rebuild_themes_when_due", "schedule": 600.0},
    "check-aggregates": {"task": "feedback.tasks.check_aggregates", "schedule": 3600.0},  # roll-ups vs the rows
}
# Themes (README, "Themes"): beat rebuilds a consultation's themes once this many concerns arrived since the last build.
THEMES_REBUILD_AFTER_CONCERNS = env.int("THEMES_REBUILD_AFTER_CONCERNS", 50)
