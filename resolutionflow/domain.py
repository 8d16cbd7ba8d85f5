"""Errors raised by service functions, mapped to HTTP status by pages and the API.

Services never know about requests; they raise one of these with a message a
tech can read, and the caller picks the response (toast, 4xx JSON, exit code).
"""


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, **extra):
        super().__init__(message)
        self.message = message
        self.extra = extra


class InvalidOperation(DomainError):
    """The request makes no sense for the object's current state (400)."""

    status_code = 400


class RoleRequired(DomainError):
    """The user belongs to the account but lacks the role (403)."""

    status_code = 403


class Conflict(DomainError):
    """Someone else got there first (409), e.g. a lost claim race."""

    status_code = 409
