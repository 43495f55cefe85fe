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
    "xinfang.orgs",
    "xinfang.petitioners",
    "xinfang.clock",
    "xinfang.cases",
    "xinfang.api",
    "xinfang.shell",
    "xinfang.devdata",
]

MIDDLEWARE = [
    "xinfang.shell.middleware.AccessLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "xinfang.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
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
    "django.contrib.auth.backends.ModelBackend",
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
