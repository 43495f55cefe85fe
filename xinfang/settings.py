"""Django settings, read from the environment (see .env.example)."""

from pathlib import Path

import dj_database_url

from xinfang.env import ConfigError, check_secret_key, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

# Only for local development: a deployment must bring its own secrets.
_DEV_SECRET_KEY = "dev-only-insecure-secret-key-do-not-deploy"
_DEV_FIELD_KEY = "ZGV2LW9ubHktZmllbGQta2V5LWRvLW5vdC1kZXBsb3k="  # base64 of 32 ASCII bytes
_DEV_HASH_KEY = "dev-only-lookup-hash-key"

SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY if DEBUG else None, required=not DEBUG)
if not DEBUG:
    # Sessions, CSRF and password-reset links are signed with it: a guessable key forges them.
    check_secret_key(SECRET_KEY, known=frozenset({_DEV_SECRET_KEY}))
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Field encryption of petitioners' ID and phone numbers. The first key encrypts,
# all keys decrypt (rotation: prepend a new key, run `rotate_field_keys`, drop
# the old one). The lookup-hash key is separate so rotation keeps hashes stable.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", [_DEV_FIELD_KEY] if DEBUG else [])
FIELD_HASH_KEY = env_str("FIELD_HASH_KEY", _DEV_HASH_KEY if DEBUG else None, required=not DEBUG)
if not FIELD_ENCRYPTION_KEYS:
    raise ConfigError("environment variable FIELD_ENCRYPTION_KEYS is required")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",  # before xinfang.orgs: its login-failure handler runs before the audit log's
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "xinfang.orgs",
    "xinfang.petitioners",
    "xinfang.clock",
    "xinfang.background",
    "xinfang.cases",
    "xinfang.notifications",
    "xinfang.supervision",
    "xinfang.escalation",
    "xinfang.documents",
    "xinfang.stats",
    "xinfang.portal",
    "xinfang.ledgers",
    "xinfang.api",
    "xinfang.shell",
    "xinfang.devdata",
]

MIDDLEWARE = [
    "xinfang.shell.middleware.AccessLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "xinfang.middleware.ContentSecurityPolicyMiddleware",
    "xinfang.middleware.RequestLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Right after the session: a portal request gets the portal URLconf and its own session cookie.
    "xinfang.portal.middleware.PortalMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "xinfang.orgs.middleware.TwoFactorRequiredMiddleware",
    "xinfang.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "xinfang.shell.middleware.ChineseNotFoundMiddleware",
    # Last: turns a locked-out login into the login page with the lockout message.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "xinfang.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "xinfang" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xinfang.shell.context_processors.shell",
            ],
        },
    },
]

WSGI_APPLICATION = "xinfang.wsgi.application"

_default_sqlite = f"sqlite:///{BASE_DIR / 'var' / 'xinfang.sqlite3'}"
DATABASE_URL = env_str("DATABASE_URL", _default_sqlite)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers proceed during a write; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue on busy_timeout instead of failing on upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=20000;PRAGMA foreign_keys=ON;"
        ),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Short OLTP queries: JIT compilation cost more than it saved on the
    # workbench at 1,000,000 cases (276 ms vs 124 ms, bench/README.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# django-axes first: it refuses a locked-out account or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "xinfang.orgs.backends.StaffBackend",  # ModelBackend, reading the user's org with the user
    "django.contrib.auth.backends.ModelBackend",  # sessions signed in before StaffBackend existed
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "xinfang" / "static"]
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
# Attachments live outside the web root and are served only through the access layer.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
# A request's data apart from uploaded files (a JSON body, a form's fields), the fields
# of one request, and the files of one upload; over a limit is a Chinese 400
# (xinfang.middleware.RequestLimitsMiddleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_BYTES", 2 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_FIELDS", 1000)
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("DATA_UPLOAD_MAX_FILES", 20)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# HTTPS only, once a browser has seen the site over HTTPS (HSTS), whenever cookies are
# secure (the default without DEBUG). Behind a proxy that ends TLS, BEHIND_TLS_PROXY=1
# trusts its X-Forwarded-Proto header, so Django knows the request was HTTPS.
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 365 * 24 * 3600) if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = False  # an intranet name is in no browser's preload list
if env_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The OpenAPI document and the docs page need a staff login or an API token unless this is on.
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", default=False)

# Login lockout (django-axes): after LOGIN_FAILURE_LIMIT failed logins for one
# account, or LOGIN_IP_FAILURE_LIMIT from one address (many clerks may share an
# office's address), logins stop for LOGIN_LOCKOUT_MINUTES; an administrator may
# unlock sooner in the admin. The security audit log is the record of logins, so
# axes keeps only its failure counters (no access log of its own).
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_IP_FAILURE_LIMIT = env_int("LOGIN_IP_FAILURE_LIMIT", 20)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 30)
if min(LOGIN_FAILURE_LIMIT, LOGIN_IP_FAILURE_LIMIT, LOGIN_LOCKOUT_MINUTES) < 1:
    raise ConfigError("LOGIN_FAILURE_LIMIT, LOGIN_IP_FAILURE_LIMIT and LOGIN_LOCKOUT_MINUTES must be at least 1")
AXES_ENABLED = True
AXES_HANDLER = "xinfang.orgs.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = "xinfang.orgs.lockout.failure_limit"  # LOGIN_FAILURE_LIMIT, read when asked
AXES_COOLOFF_TIME = "xinfang.orgs.lockout.cool_off"  # LOGIN_LOCKOUT_MINUTES
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # the handler reads them in this order
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False  # xinfang.orgs.admin shows the attempts in Chinese, with an audited unlock
AXES_LOCKOUT_CALLABLE = "xinfang.orgs.views.lockout_response"
AXES_VERBOSE = False

# Two-factor login (django-otp, TOTP authenticator apps): any staff member may
# enrol on 账户安全 (/accounts/security/); with TWO_FACTOR_REQUIRED on,
# administrators and the roles that may reveal personal data must. Off by
# default so a development machine logs in with a password alone.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", default=False)
OTP_TOTP_ISSUER = "信访业务管理系统"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},  # a line per failed login and lockout, not per step
        # One line per request without the query string (shell.middleware.AccessLogMiddleware).
        "xinfang.access": {"level": env_str("ACCESS_LOG_LEVEL", "INFO")},
    },
}

# Collective visit threshold (集体访): 5 or more people (configurable).
COLLECTIVE_VISIT_THRESHOLD = env_int("COLLECTIVE_VISIT_THRESHOLD", 5)
# Days after a petitioner's review window closes before the lapse sweep makes the case final:
# a request received in time may reach the clerk late (by post), and the window counts from receipt.
LAPSE_GRACE_DAYS = env_int("LAPSE_GRACE_DAYS", 10)
# Exact look-ups by a petitioner's ID or phone number (reveal-class) allowed per user per hour.
NUMBER_LOOKUPS_PER_HOUR = env_int("NUMBER_LOOKUPS_PER_HOUR", 120)
# "Due soon" on the workbench and in the API: a deadline within this many days.
DUE_SOON_DAYS = env_int("DUE_SOON_DAYS", 3)

# Background work (xinfang.background): django-tasks with its database backend
# by default (the queue is a table; `python manage.py worker` runs it, `make run`
# starts one). TASKS_BACKEND=rq sends the same tasks through Redis (REDIS_URL)
# to workers on any machine (django-tasks-rq).
# TASKS_QUEUE names the queue (installations sharing one Redis use different names).
TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
TASKS_QUEUE = env_str("TASKS_QUEUE", "xinfang")
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": [TASKS_QUEUE]}}
elif TASKS_BACKEND == "rq":
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [TASKS_QUEUE]}}
else:
    raise ConfigError("TASKS_BACKEND must be database or rq")
RQ_QUEUES = {TASKS_QUEUE: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
# The cache keeps the rate limits (the portal's letters, SMS codes and tracking; number
# look-ups), and the to-do badge. In one process by default (make run serves from one);
# with several server processes or machines set CACHE_URL to a Redis, so that they share
# one count and a limit cannot be dodged by landing on another process.
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": TASKS_QUEUE,
        }
    }
elif CACHE_URL in ("", "locmem"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "xinfang"}}
else:
    raise ConfigError("CACHE_URL must be empty (one process), locmem, or a redis:// URL")
# How often each worker's scheduler looks for periodic jobs due (seconds).
SCHEDULER_TICK_SECONDS = env_int("SCHEDULER_TICK_SECONDS", 5)
BACKGROUND_KEEP_DAYS = env_int("BACKGROUND_KEEP_DAYS", 14)

# Notifications (xinfang.notifications). E-mail through Django's backends: by
# default each message is written to a file under var/mail (offline); set
# EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST etc.
# for a real server. SMS through a gateway: "file" (default: var/sms/sms.log,
# numbers masked), "console", or "http" (SMS_HTTP_*; see notifications.gateways).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "xinfang@localhost")
SITE_URL = env_str("SITE_URL", "")  # e-mails link to SITE_URL + the case's path when set
SMS_BACKEND = env_str("SMS_BACKEND", "file")
SMS_FILE_PATH = env_str("SMS_FILE_PATH", str(BASE_DIR / "var" / "sms" / "sms.log"))
SMS_HTTP_URL = env_str("SMS_HTTP_URL", "")
SMS_HTTP_USERNAME = env_str("SMS_HTTP_USERNAME", "")
SMS_HTTP_PASSWORD = env_str("SMS_HTTP_PASSWORD", "")
SMS_HTTP_TOKEN = env_str("SMS_HTTP_TOKEN", "")
SMS_HTTP_BODY_TEMPLATE = env_str("SMS_HTTP_BODY_TEMPLATE", '{"to": "$to", "text": "$text", "key": "$key"}')
SMS_HTTP_TIMEOUT = env_int("SMS_HTTP_TIMEOUT", 10)
# Delivery: a claimed batch is leased (a killed worker's batch is sent again after
# the lease), retries back off from NOTIFY_RETRY_SECONDS, doubling, up to
# NOTIFY_MAX_ATTEMPTS; then the delivery is failed for the administrator to see.
NOTIFY_BATCH = env_int("NOTIFY_BATCH", 25)
NOTIFY_LEASE_SECONDS = env_int("NOTIFY_LEASE_SECONDS", 300)
NOTIFY_RETRY_SECONDS = env_int("NOTIFY_RETRY_SECONDS", 30)
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 8)
NOTIFY_SWEEP_SECONDS = env_int("NOTIFY_SWEEP_SECONDS", 30)
NOTIFY_TASK_BUDGET_SECONDS = env_int("NOTIFY_TASK_BUDGET_SECONDS", 120)
# Case events older than this notify no one (imported history, a restored backup).
NOTIFY_EVENT_MAX_AGE_DAYS = env_int("NOTIFY_EVENT_MAX_AGE_DAYS", 7)

# The petitioners' public portal (xinfang.portal, 网上信访): a separate site on its own
# host name when PORTAL_HOST is set (add it to DNS; it is allowed here by itself), else
# under PORTAL_PREFIX on this host. Its session cookie is its own, limited to its path.
PORTAL_HOST = env_str("PORTAL_HOST", "")
PORTAL_PREFIX = env_str("PORTAL_PREFIX", "/portal/")
if not (PORTAL_PREFIX.startswith("/") and PORTAL_PREFIX.endswith("/")) or PORTAL_PREFIX == "/" or "//" in PORTAL_PREFIX:
    raise ConfigError(f"PORTAL_PREFIX must look like /portal/ (got {PORTAL_PREFIX!r})")
if PORTAL_HOST and PORTAL_HOST not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(PORTAL_HOST)
PORTAL_TITLE = env_str("PORTAL_TITLE", "网上信访")
PORTAL_SESSION_COOKIE_NAME = "xinfang_portal_session"
PORTAL_SESSION_AGE = env_int("PORTAL_SESSION_MINUTES", 30) * 60
# The portal's limits (on the cache): SMS codes (valid PORTAL_SMS_CODE_MINUTES, one per
# number per PORTAL_SMS_GAP_SECONDS), letters per address and per ID number a day, and
# tracking: PORTAL_TRACK_FAILURES wrong tries lock a query code for PORTAL_TRACK_LOCK_MINUTES.
PORTAL_SMS_CODE_MINUTES = env_int("PORTAL_SMS_CODE_MINUTES", 10)
PORTAL_SMS_GAP_SECONDS = env_int("PORTAL_SMS_GAP_SECONDS", 60)
PORTAL_SMS_PER_PHONE_HOUR = env_int("PORTAL_SMS_PER_PHONE_HOUR", 5)
PORTAL_SMS_PER_IP_HOUR = env_int("PORTAL_SMS_PER_IP_HOUR", 30)
PORTAL_SUBMITS_PER_IP_DAY = env_int("PORTAL_SUBMITS_PER_IP_DAY", 30)
PORTAL_SUBMITS_PER_ID_DAY = env_int("PORTAL_SUBMITS_PER_ID_DAY", 5)
PORTAL_TRACK_PER_IP_HOUR = env_int("PORTAL_TRACK_PER_IP_HOUR", 60)
PORTAL_TRACK_FAILURES = env_int("PORTAL_TRACK_FAILURES", 5)
PORTAL_TRACK_LOCK_MINUTES = env_int("PORTAL_TRACK_LOCK_MINUTES", 30)
