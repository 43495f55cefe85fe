"""Errors an action raises, each with a stable code and a Chinese message."""


class ActionError(Exception):
    code = "action_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field


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
