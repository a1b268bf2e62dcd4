"""streamvis: log typed, rectangular data from running programs and watch it live."""

from streamvis._version import __version__
from streamvis.logger import AsyncDataLogger, DataLogger, declare_schema
from streamvis.model.errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    InvalidArgumentError,
    LoggerWarning,
    NotFoundError,
    PermissionDeniedError,
    ResourceExhaustedError,
    ServerStartError,
    StreamvisError,
    UnauthenticatedError,
    UnavailableError,
)
from streamvis.model.schema import AttributeCondition, Run, RunFilter
from streamvis.query import connect

__all__ = [
    "AlreadyExistsError",
    "AsyncDataLogger",
    "AttributeCondition",
    "DataLogger",
    "FailedPreconditionError",
    "InvalidArgumentError",
    "LoggerWarning",
    "NotFoundError",
    "PermissionDeniedError",
    "ResourceExhaustedError",
    "Run",
    "RunFilter",
    "ServerStartError",
    "StreamvisError",
    "UnauthenticatedError",
    "UnavailableError",
    "__version__",
    "connect",
    "declare_schema",
]
