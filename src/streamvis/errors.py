"""The one exception hierarchy of streamvis.

Every error raised on purpose by streamvis is a `StreamvisError`. The subclasses
mirror gRPC status codes so that the service, the client and the CLI translate
them one to one. Messages say what was wrong and what to do about it.
"""

from __future__ import annotations


class StreamvisError(Exception):
    """Base class of every streamvis error."""

    #: The gRPC status code name this error travels as.
    code = "UNKNOWN"


class InvalidArgumentError(StreamvisError):
    """The request is malformed: a bad name, a wrong type, ragged columns."""

    code = "INVALID_ARGUMENT"


class NotFoundError(StreamvisError):
    """A named field, series or run does not exist."""

    code = "NOT_FOUND"


class AlreadyExistsError(StreamvisError):
    """A field, series or run of that name or handle exists already."""

    code = "ALREADY_EXISTS"


class FailedPreconditionError(StreamvisError):
    """The request is well formed but the current state forbids it."""

    code = "FAILED_PRECONDITION"


class ResourceExhaustedError(StreamvisError):
    """The request is larger than a configured limit."""

    code = "RESOURCE_EXHAUSTED"


class UnavailableError(StreamvisError):
    """The server or the database cannot be reached."""

    code = "UNAVAILABLE"


class PermissionDeniedError(StreamvisError):
    """The server refuses the request (read-only mode)."""

    code = "PERMISSION_DENIED"


class UnauthenticatedError(StreamvisError):
    """The request carries no valid token."""

    code = "UNAUTHENTICATED"


ERRORS_BY_CODE: dict[str, type[StreamvisError]] = {
    cls.code: cls
    for cls in (
        StreamvisError,
        InvalidArgumentError,
        NotFoundError,
        AlreadyExistsError,
        FailedPreconditionError,
        ResourceExhaustedError,
        UnavailableError,
        PermissionDeniedError,
        UnauthenticatedError,
    )
}
