"""The one exception hierarchy of streamvis, and its one warning.

    StreamvisError                    every error streamvis raises on purpose
    ├── InvalidArgumentError          a bad name, a wrong type, ragged columns
    ├── NotFoundError                 no such field, series, run, plot or dashboard
    ├── AlreadyExistsError            a different declaration holds that name already
    ├── FailedPreconditionError       well formed, but the current state forbids it
    ├── ResourceExhaustedError        larger than a limit (model/limits.py)
    ├── UnavailableError              the server or the database cannot be reached
    │   └── ServerStartError          a server child process exited or did not answer
    ├── PermissionDeniedError         the server is read-only
    ├── UnauthenticatedError          no valid token
    └── UnimplementedError            asked of streamvis, not in it yet (media types)

    LoggerWarning (a UserWarning)     a logging problem; the program goes on

The subclasses mirror gRPC status codes so that the service, the client and the CLI
translate them one to one. Messages say what was wrong and what to do about it. All
of them are importable from the package: `streamvis.InvalidArgumentError`.
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


class ServerStartError(UnavailableError):
    """A server child process (`streamvis.testing.ServerProcess`, the demo's server)
    exited or did not answer in time."""


class PermissionDeniedError(StreamvisError):
    """The server refuses the request (read-only mode)."""

    code = "PERMISSION_DENIED"


class UnauthenticatedError(StreamvisError):
    """The request carries no valid token."""

    code = "UNAUTHENTICATED"


class DataLossError(StreamvisError):
    """Bytes came back other than they were stored: an artifact download that does
    not hash to its key."""

    code = "DATA_LOSS"


class UnimplementedError(StreamvisError):
    """What was asked is not in streamvis yet: the message says where it is tracked and
    what to do meanwhile (the TensorBoard drop-in's media calls, say)."""

    code = "UNIMPLEMENTED"


class LoggerWarning(UserWarning):
    """A logging problem: the write (or operation) named was dropped; the program goes on."""


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
        DataLossError,
        UnimplementedError,
    )
}
