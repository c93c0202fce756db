"""
Settings for the helpdesk.

Everything comes from the environment, with embedded defaults that need no
set-up at all: SQLite, the in-memory channel layer and e-mail to the console.
The README lists every variable. With DJANGO_DEBUG off, a missing secret key,
host list or e-mail backend stops start-up with a clear message instead of
running insecurely.
"""

import json
import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from helpdesk.env import env_bool, env_float, env_list, env_required, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", True)

if DEBUG:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-development-key-never-use-in-production")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
else:
    SECRET_KEY = env_required("DJANGO_SECRET_KEY", why="a long random string is needed when DJANGO_DEBUG is off.")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or env_required(
        "DJANGO_ALLOWED_HOSTS", why="name the host names this site answers to when DJANGO_DEBUG is off."
    )

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
BEHIND_HTTPS_PROXY = env_bool("DJANGO_BEHIND_HTTPS_PROXY", False)
if BEHIND_HTTPS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# Behind the HTTPS proxy the site is HTTPS only: plain HTTP is redirected, and
# HSTS tells browsers for a year never to try plain HTTP, on subdomains too, and
# allows submitting the domain to the browsers' preload list. Browsers keep
# HSTS for its whole period, so a domain with subdomains that still need plain
# HTTP turns INCLUDE_SUBDOMAINS and PRELOAD off before its first HTTPS answer.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", BEHIND_HTTPS_PROXY)
SECURE_HSTS_SECONDS = int(env_float("DJANGO_SECURE_HSTS_SECONDS", 365 * 24 * 3600 if BEHIND_HTTPS_PROXY else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", BEHIND_HTTPS_PROXY)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", BEHIND_HTTPS_PROXY)

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "csp",
    "axes",
    "infra.outbox",
    "faq",
    "requests_app",
    "chat",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"

# Content-Security-Policy on every page: scripts and styles only from files of
# this site (no inline code, no eval), so injected markup cannot run. 'self'
# in connect-src also admits the websockets (ws:, wss:) to this host and
# port, as CSP Level 3 defines it (tests/browser/test_csp.py checks Chromium).
# No page may be framed, except the widget, which allows its channel's
# websites (chat.widget.views). Static files carry no policy: the middleware
# sits after WhiteNoise. Images may also come from blob: URLs: the widget
# fetches a chat's images with the chat's token in a header and shows them
# from the bytes (static/widget/files.js), so the token is never in a URL.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "blob:"],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

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

ASGI_APPLICATION = "helpdesk.asgi.application"

# Database: SQLite in the project folder unless DATABASE_URL says otherwise.
# SQLite runs in WAL mode with IMMEDIATE transactions so that concurrent
# writers queue for the lock instead of failing with "database is locked".
SQLITE_PATH = BASE_DIR / "db.sqlite3"
# Connections are kept for DATABASE_CONN_MAX_AGE seconds: opening one per
# call costs more than the call itself. No health check before each use (it
# would add a round trip to every message): a connection that broke while
# idle fails one call, is replaced, and the client resends (docs/protocol.md).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{SQLITE_PATH}"),
        conn_max_age=int(env_float("DATABASE_CONN_MAX_AGE", 60)),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Prepared statements for the queries bound on the server: only group
    # commit's batch statement is (chat.conversations.batch_sql; Django's own
    # cursors bind on the client and are never prepared), so PostgreSQL plans
    # it once per connection instead of once per batch. Django turns them off
    # by default for connection poolers; behind PgBouncer in transaction mode
    # before 1.21 set DATABASE_PREPARE_THRESHOLD=off.
    _prepare_threshold = env_str("DATABASE_PREPARE_THRESHOLD", "2")
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        None if _prepare_threshold.lower() in {"off", "none", ""} else int(_prepare_threshold)
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory: browser tests run the server in another process
    # that must see the same test database. One per test run, so that runs
    # side by side do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"helpdesk-test-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Live messages: Redis when REDIS_URL is set (any number of processes),
# otherwise the in-memory layer (one process only).
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # Redis pub/sub with every gap announced (infra.realtime.layer): one
            # PUBLISH per event and a pushed stream per process, where
            # channels_redis's layer polls four round trips per message.
            "BACKEND": "infra.realtime.layer.RedisPubSubLayer",
            "CONFIG": {
                "url": REDIS_URL,
                "prefix": env_str("REDIS_LAYER_PREFIX", "helpdesk"),
                # redis-py caps a pool at 100 connections and fails the 101st
                # at once; bursts of sockets sending at once need more.
                "max_connections": int(env_float("REDIS_MAX_CONNECTIONS", 1000)),
                # Events waiting for one socket before it is told to resume
                # from the database instead.
                "capacity": 1000,
            },
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes) on /accounts/login/ and /admin/login/.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# The failures are counted in the database, so that every Daphne process sees
# the same counts: in each process's memory (or a LocMem cache), the limit
# would be per process and grow with their number. The handler is axes's
# database handler with a narrower reset on success (helpdesk.login_throttle).
AXES_HANDLER = "helpdesk.login_throttle.LoginAttemptHandler"
AXES_FAILURE_LIMIT = int(env_float("HELPDESK_LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=env_float("HELPDESK_LOGIN_COOLOFF_MINUTES", 15))
# Two rules, each locking on its own: failures against one account from any
# number of addresses (a botnet guessing one agent's password), and failures
# from one address against any accounts (one machine trying many names). A
# combined rule (this account from this address) would stop neither. The
# price: an office behind one address is locked out together, and an
# attacker can keep one account locked, both only while failures go on.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# The project's one rule for the client's address (the same as the widget's rate limits).
AXES_CLIENT_IP_CALLABLE = "infra.throttle.client_address"
AXES_LOCKOUT_CALLABLE = "helpdesk.login_throttle.lockout_response"
# Only failures are needed for the throttling; a log of every login with its
# address and browser, kept forever, would be personal data for no purpose.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # no banner at every start

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "agent:dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# WhiteNoise serves static files in production too. Until collectstatic has
# filled STATIC_ROOT, files are served from the apps (a fresh checkout just
# works); after it, the collected, compressed files are served.
WHITENOISE_USE_FINDERS = env_bool("DJANGO_STATIC_FROM_APPS", DEBUG or not STATIC_ROOT.is_dir())
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Files sent in chats (chat.conversations.attachments): never served by a
# static or media URL, only through the views that check that the requester
# belongs to the chat. On the file system by default, under
# HELPDESK_FILES_ROOT; FILES_STORAGE=s3 keeps them in an S3-compatible bucket
# (django-storages), private, read back through the same views.
FILES_STORAGE = env_str("FILES_STORAGE", "filesystem").lower()
if FILES_STORAGE == "s3":
    STORAGES["attachments"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_required("AWS_STORAGE_BUCKET_NAME", why="name the bucket for FILES_STORAGE=s3."),
            "access_key": env_str("AWS_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY", "") or None,
            "region_name": env_str("AWS_S3_REGION_NAME", "") or None,
            # Another provider than AWS (MinIO, Ceph, Hetzner, ...): its address.
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL", "") or None,
            "location": env_str("AWS_S3_LOCATION", ""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif FILES_STORAGE == "filesystem":
    STORAGES["attachments"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env_str("HELPDESK_FILES_ROOT", str(BASE_DIR / "media" / "chat-files")),
            # No URL: the files are read only through the views.
            "base_url": "/no-public-url/",
            "file_permissions_mode": 0o640,
            "directory_permissions_mode": 0o750,
        },
    }
else:
    raise ImproperlyConfigured(f"FILES_STORAGE must be 'filesystem' or 's3', not {FILES_STORAGE!r}.")
# The transcript e-mail carries the chat's files up to this total; larger
# ones are listed by name and size (they stay available in the chat).
HELPDESK_TRANSCRIPT_ATTACHMENTS_MB = env_float("HELPDESK_TRANSCRIPT_ATTACHMENTS_MB", 10)
# Uploads per chat and minute, both sides together: a person sends a few files
# at a time, a script sending hundreds fills the disk.
HELPDESK_FILE_UPLOAD_LIMIT = int(env_float("HELPDESK_FILE_UPLOAD_LIMIT", 20))

# E-mail: EMAIL_BACKEND may name an SMTP or a django-anymail backend; ANYMAIL
# takes that provider's settings as JSON. The console is the default only when
# debugging: in production it would write customers' e-mails, transcripts
# included, into the server log instead of sending them.
if DEBUG:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
else:
    EMAIL_BACKEND = env_required(
        "EMAIL_BACKEND",
        why="name how e-mail is sent when DJANGO_DEBUG is off, e.g. django.core.mail.backends.smtp.EmailBackend "
        "(without it, customers' e-mails would be printed to the server log).",
    )
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env_float("EMAIL_PORT", 25))
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_float("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "helpdesk@localhost")
ANYMAIL = json.loads(env_str("ANYMAIL", "{}"))

# The e-mail domain check of the pre-chat form. Nameservers as "host" or
# "host:port"; none means the system resolver. The time-out is short because
# a slow DNS answer must not keep a customer waiting: on a time-out the
# customer goes through and the chat is marked "domain not verified".
HELPDESK_DNS_NAMESERVERS = env_list("HELPDESK_DNS_NAMESERVERS")
HELPDESK_DNS_TIMEOUT = env_float("HELPDESK_DNS_TIMEOUT", 3.0)

# Behind reverse proxies, client addresses (for rate limits) come from the
# X-Forwarded-For header: the entry the outermost of this many trusted
# proxies appended (infra.throttle). 0: clients reach Daphne directly, the
# header is ignored. HELPDESK_TRUST_X_FORWARDED_FOR=true, the older switch,
# means one proxy.
HELPDESK_TRUST_X_FORWARDED_FOR = env_bool("HELPDESK_TRUST_X_FORWARDED_FOR", False)
HELPDESK_TRUSTED_PROXY_COUNT = int(env_float("HELPDESK_TRUSTED_PROXY_COUNT", 0))

# Pre-chat form checks per client address and ten minutes: each may cost a
# DNS look-up. Twice the chat limit, for corrections of a refused address.
HELPDESK_FORM_LIMIT = int(env_float("HELPDESK_FORM_LIMIT", 60))

# E-mails to one customer-given address (transcripts, request confirmations)
# per hour, counted across processes; the rest are kept in the outbox unsent.
HELPDESK_EMAIL_RECIPIENT_LIMIT = int(env_float("HELPDESK_EMAIL_RECIPIENT_LIMIT", 5))

# New chats per client address and ten minutes. Generous, because whole
# offices share one address.
HELPDESK_CHAT_START_LIMIT = int(env_float("HELPDESK_CHAT_START_LIMIT", 30))

# Requests per client address and hour (closed-hours form, queue).
HELPDESK_REQUEST_LIMIT = int(env_float("HELPDESK_REQUEST_LIMIT", 10))

# Hours after a chat ended until its customer token opens nothing any more
# (chat.conversations.rules.token_lifetime), which is also how long the
# customer may write again and reopen a chat the agent ended: a shared
# browser keeps nothing that still reads the last person's chat.
HELPDESK_TOKEN_TTL_HOURS = env_float("HELPDESK_TOKEN_TTL_HOURS", 24)

# The sample host page with the embed snippet at "/".
HELPDESK_DEMO_PAGE = env_bool("HELPDESK_DEMO_PAGE", DEBUG)

# Per chat and server process (chat.widget.consumer): sockets of one
# customer token, and messages from all of them (a second, after a burst).
# Far above what a person does, far below what a script multiplying sockets does.
HELPDESK_SOCKETS_PER_CHAT = int(env_float("HELPDESK_SOCKETS_PER_CHAT", 5))
HELPDESK_CHAT_MESSAGE_RATE = env_float("HELPDESK_CHAT_MESSAGE_RATE", 2)
HELPDESK_CHAT_MESSAGE_BURST = int(env_float("HELPDESK_CHAT_MESSAGE_BURST", 20))

# Threads per process for the sockets' database work (infra.realtime.db), each with
# its own connection: PostgreSQL's max_connections must allow this many per
# Daphne process.
HELPDESK_DB_THREADS = int(env_float("HELPDESK_DB_THREADS", 8))
# Threads per process for uploads (infra.realtime.db.run_file_work), apart
# from the sockets' so that decoding photos never holds up messages; each one
# may take up to 160 MB for the pixels of the largest image it takes, and has its own connection.
HELPDESK_FILE_THREADS = int(env_float("HELPDESK_FILE_THREADS", 2))

# Background upkeep in every server process (presence, ghosts, assignment).
HELPDESK_HOUSEKEEPING = env_bool("HELPDESK_HOUSEKEEPING", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.channels.server": {"level": "WARNING"},
        # Lock-outs are warnings; every successful login at INFO would be noise.
        "axes": {"level": "WARNING"},
    },
}
