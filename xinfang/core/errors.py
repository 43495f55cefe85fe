"""The one base of every refusal the domain explains to a person.

Actions, identifier validation and the clock rules raise subclasses of
``DomainError``; the screens show ``message`` at ``field`` (or at the top of
the form) and the API answers ``{"code": error_code, "message", "field"}``
with ``status``, from a single handler each. A subclass may keep a finer
``code`` of its own (an ID number's "checksum"), but ``error_code`` is the
stable code callers program against.
"""

from __future__ import annotations


class DomainError(Exception):
    error_code = "invalid"
    status = 422
    field: str | None = None

    def __init__(self, message: str = "", *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field

    def __str__(self) -> str:
        return self.message
