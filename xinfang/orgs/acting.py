"""Who is making a change, for the audit records that model signals write.

The admin (and the staff screens that change accounts) run their work inside
``acting(request)``; the signal handlers in ``xinfang.orgs.signals`` read the
request from here, so a role grant saved by an admin inline, an org moved in
the admin or a password reset records who did it and from where. A change
made outside any request (a management command, the demo loader) has none.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_current: ContextVar[Any] = ContextVar("xinfang_acting_request", default=None)


@contextmanager
def acting(request) -> Iterator[None]:
    token = _current.set(request)
    try:
        yield
    finally:
        _current.reset(token)


def current_request():
    """The request whose person is making the change under way, or None."""
    return _current.get()


class AuditedAdmin:
    """A ModelAdmin mixin: every view that may change data runs inside ``acting(request)``."""

    def changeform_view(self, request, *args, **kwargs):
        with acting(request):
            return super().changeform_view(request, *args, **kwargs)  # type: ignore[misc]

    def changelist_view(self, request, *args, **kwargs):  # admin actions and list_editable
        with acting(request):
            return super().changelist_view(request, *args, **kwargs)  # type: ignore[misc]

    def delete_view(self, request, *args, **kwargs):
        with acting(request):
            return super().delete_view(request, *args, **kwargs)  # type: ignore[misc]
