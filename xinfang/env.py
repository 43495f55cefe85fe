"""Typed readers for environment variables.

Settings come from the environment (twelve-factor); a typo in a deployment
must stop the process at start-up with a clear message, not run with a
silently wrong value.
"""

import os


class ConfigError(RuntimeError):
    """A setting from the environment is missing or malformed."""


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ConfigError(f"environment variable {name} is required")
        if default is None:
            return ""
        return default
    return value


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"environment variable {name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"environment variable {name} must be an integer, got {raw!r}") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


MIN_SECRET_LENGTH = 32


def check_secret_key(value: str, *, name: str = "SECRET_KEY", known: frozenset[str] = frozenset()) -> str:
    """Refuse a trivial secret (too short, too few distinct characters, or a published development key)."""
    hint = f"set {name} to a random value of at least {MIN_SECRET_LENGTH} characters, e.g. the output of: "
    hint += "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
    if value in known:
        raise ConfigError(f"environment variable {name} is the built-in development key; {hint}")
    if len(value) < MIN_SECRET_LENGTH:
        raise ConfigError(f"environment variable {name} is too short ({len(value)} characters); {hint}")
    if len(set(value)) < 5:
        raise ConfigError(f"environment variable {name} is trivial (fewer than 5 distinct characters); {hint}")
    return value
