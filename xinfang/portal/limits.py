"""Rate limits on the cache: submitting, SMS codes and tracking, per address and per identity.

A fixed window per (scope, key): the first hit sets a counter that expires
with the window, later hits increment it. Keys are keyed hashes, so the
cache holds no phone or ID number. Over the limit the caller shows the
same refusal whatever was asked, so a limit reveals nothing.

An action watched by several limits (a code: the gap, the number's hour, the
address's hour) goes through ``allow``: a refused attempt is taken back from
every counter, so pressing 获取验证码 again within the minute, or writing from
a busy shared address, does not use up the petitioner's own hour or day.
"""

from __future__ import annotations

from contextlib import suppress
from typing import NamedTuple

from django.core.cache import cache

from xinfang.petitioners import crypto

BUSY = "操作过于频繁，请稍后再试"


def _key(scope: str, key: str) -> str:
    return f"xinfang:portal:rl:{scope}:{crypto.hash_value(key)[:40]}"


def hit(scope: str, key: str, *, limit: int, seconds: int) -> bool:
    """Count one attempt; True while the attempts in the window are within ``limit``."""
    if not key:
        return True
    name = _key(scope, key)
    if cache.add(name, 1, seconds):
        return limit >= 1
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.add(name, 1, seconds)
        count = 1
    return count <= limit


class Limit(NamedTuple):
    scope: str
    key: str
    limit: int
    seconds: int


def _take_back(scope: str, key: str) -> None:
    with suppress(ValueError):  # the window ended meanwhile: nothing to take back
        cache.decr(_key(scope, key))


def allow(*limits: Limit) -> bool:
    """Count one attempt against each limit; when any refuses, none of them keeps it.

    Counting first and taking back on refusal (rather than reading, then counting) keeps two
    attempts at once from both passing the last place in a window.
    """
    passed = [lim for lim in limits if lim.key]
    for i, lim in enumerate(passed):
        if not hit(lim.scope, lim.key, limit=lim.limit, seconds=lim.seconds):
            for done in passed[: i + 1]:
                _take_back(done.scope, done.key)
            return False
    return True


def count(scope: str, key: str) -> int:
    """The attempts counted in the current window (0 when none)."""
    return int(cache.get(_key(scope, key)) or 0) if key else 0


def client_ip(request) -> str:
    """The address the request came from (a proxy in front must set REMOTE_ADDR, not only a header)."""
    return request.META.get("REMOTE_ADDR", "")
