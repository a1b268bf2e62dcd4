"""Every size limit the server enforces, in one place (docs/security.md, "Limits").

Each guards the server's memory and time against one oversized request or one greedy
client; each is refused with RESOURCE_EXHAUSTED (HTTP 413, or 429 for rate limits) and
a message naming the limit and what to do instead.
"""

from __future__ import annotations

#: Characters in a name: field, series, tag, plot, dashboard.
MAX_NAME_LENGTH = 128
#: Largest gRPC request, unless `streamvis serve --max-request-mb` says otherwise.
DEFAULT_MAX_REQUEST_BYTES = 256 * 1024 * 1024
#: Largest JSON body of an HTTP API request.
MAX_BODY_BYTES = 1024 * 1024
#: Rows in one append (one AppendToSeries request). The logger splits larger batches.
MAX_ROWS_PER_APPEND = 16 * 1024 * 1024
#: Characters in one string value: a string field's value or a string attribute.
MAX_STRING_LENGTH = 64 * 1024
#: Characters in a field's description.
MAX_DESCRIPTION_LENGTH = 4 * 1024
#: Fields in one series.
MAX_FIELDS_PER_SERIES = 256
#: Live-event WebSockets (`/api/events`) open at once from one client address.
MAX_SOCKETS_PER_CLIENT = 32
#: Failed token attempts one client address may make in a burst...
AUTH_FAILURE_BURST = 10
#: ...after which it gets one more attempt per this many seconds.
AUTH_FAILURE_REFILL_SECONDS = 6.0
