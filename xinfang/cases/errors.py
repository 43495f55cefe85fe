"""Errors an action raises, each with a stable code and a Chinese message."""

from xinfang.core.errors import DomainError


class ActionError(DomainError):
    code = "action_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message, field=field)
        if code:
            self.code = code

    @property
    def error_code(self) -> str:  # type: ignore[override]
        return self.code


class NotAllowed(ActionError):
    """The user's role or org may not take this action on this case."""

    code = "not_allowed"
    status = 403


class InvalidTransition(ActionError):
    code = "invalid_transition"
    status = 409


class Conflict(ActionError):
    """Someone else changed the case since the form was opened."""

    code = "conflict"
    status = 409


class Invalid(ActionError):
    code = "invalid"
    status = 422
