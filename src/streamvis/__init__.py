"""streamvis: log typed, rectangular data from running programs and watch it live.

The public names load on first use (PEP 562 module `__getattr__`): the logger and
the data API bring numpy, pyarrow and gRPC, which a command line that only lists runs
or prints its help should not pay for (`import streamvis` starts in milliseconds;
tests/cli/test_startup.py guards it). The errors are plain Python and load at once.
"""

# Only modules and private names beside the public ones (tests/test_public_api.py).
import importlib
import typing

from streamvis._version import __version__
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

if typing.TYPE_CHECKING:
    from streamvis.logger import AsyncDataLogger, DataLogger, declare_schema
    from streamvis.logger.media import Audio
    from streamvis.model.schema import AttributeCondition, Run, RunFilter
    from streamvis.notebook import show
    from streamvis.query import connect
    from streamvis.quick import init

#: Each lazily loaded public name, and the module that holds it.
_LAZY = {
    "AsyncDataLogger": "streamvis.logger",
    "Audio": "streamvis.logger.media",
    "DataLogger": "streamvis.logger",
    "declare_schema": "streamvis.logger",
    "AttributeCondition": "streamvis.model.schema",
    "Run": "streamvis.model.schema",
    "RunFilter": "streamvis.model.schema",
    "connect": "streamvis.query",
    "init": "streamvis.quick",
    "show": "streamvis.notebook",
}


def __getattr__(name: str) -> typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'streamvis' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups find it without coming here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "AlreadyExistsError",
    "AsyncDataLogger",
    "AttributeCondition",
    "Audio",
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
    "init",
    "show",
]
