"""The environment variables every client reads: where the server is and its token.

Apart from model/security.py (the server's checks: hashing, addresses, logging) so
that the command line and the client read them without loading any of that
(tests/cli/test_startup.py lists what `streamvis runs` must not load).
"""

from __future__ import annotations

import os

TOKEN_ENV = "STREAMVIS_TOKEN"  # noqa: S105 - the variable's name, not a token
#: Where clients look for the server: $STREAMVIS_URI, else DEFAULT_URI.
URI_ENV = "STREAMVIS_URI"
DEFAULT_URI = "localhost:8001"


def default_uri() -> str:
    """The server address a client uses when given none."""
    return os.environ.get(URI_ENV, DEFAULT_URI)
