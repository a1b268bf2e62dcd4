"""Every limit the server enforces, in one place (docs/security.md, "Limits").

Each guards the server's memory and time against one oversized request or one greedy
client; each is checked once, where every way in passes, and refused with
RESOURCE_EXHAUSTED (HTTP 413, or 429 for rate limits) and a message naming the limit
and what to do instead (but for MAX_NAME_LENGTH and MAX_JSON_DEPTH, which are refused
with INVALID_ARGUMENT, HTTP 400, like any other malformed input). The `#:` line above
each is its row in docs/security.md (`scripts/gen-limits-docs` writes the table; a
test fails when it drifts).

The DEFAULT_ values are where `streamvis serve` starts (settings.py makes them
settable); the others are fixed.
"""

from __future__ import annotations

#: Characters in a name: field, series, tag, plot, dashboard.
MAX_NAME_LENGTH = 128
#: Bytes in one gRPC request (`streamvis serve --max-request-mb`).
DEFAULT_MAX_REQUEST_BYTES = 256 * 1024 * 1024
#: Bytes in one JSON body of the HTTP API.
MAX_BODY_BYTES = 1024 * 1024
#: Rows in one append (AppendToSeries); the logger splits larger batches.
MAX_ROWS_PER_APPEND = 16 * 1024 * 1024
#: Characters in one string value: a string field's value or a string attribute.
MAX_STRING_LENGTH = 64 * 1024
#: Characters in a field's description (CreateField, UpdateField).
MAX_DESCRIPTION_LENGTH = 4 * 1024
#: Fields one batch creates (CreateFields; a declaration with more goes in batches of
#: this many).
MAX_FIELDS_PER_CREATE = 1_000
#: Runs one batch creates (CreateRuns, `streamvis import-runs` sends larger files in
#: batches of this many).
MAX_RUNS_PER_CREATE = 5_000
#: Runs in one page of a run listing (ListRuns `limit` with `after`, `/api/runs?limit=`);
#: an unpaged listing is read and sent in pages of this many, so the server's memory
#: does not grow with the number of runs.
MAX_RUNS_PER_PAGE = 5_000
#: Distinct values of one attribute the run search's filter panel counts or gives a
#: range slider (/api/run-facets); a field with more gets no value list, and its slider
#: steps through that many of its values, evenly picked.
MAX_FACET_VALUES = 1_000
#: Hex digits a run handle prefix must have to stand for a run (CLI, HTTP routes, data
#: API); shorter ones would match too many runs to be worth typing.
MIN_HANDLE_PREFIX = 4
#: Runs an ambiguous handle prefix's error lists.
MAX_PREFIX_MATCHES_SHOWN = 10
#: Fields in one series (CreateSeries).
MAX_FIELDS_PER_SERIES = 256
#: Controls one run may declare (logger.control: buttons, sliders, text boxes, toggles).
MAX_CONTROLS = 256
#: Levels of arrays and objects nested in one JSON value: a request body, a `filter`
#: parameter, a plot spec or dashboard (INVALID_ARGUMENT, HTTP 400).
MAX_JSON_DEPTH = 64
#: Bytes of a saved plot spec or dashboard, as the compact JSON that is stored.
MAX_SPEC_BYTES = 64 * 1024
#: Datasets in one plot.
MAX_DATASETS = 8
#: Facet panels in one row of a plot (`facet.columns`).
MAX_FACET_COLUMNS = 12
#: Pixel columns one `/api/data` request may ask level of detail for (`pixels`).
MAX_PIXELS = 100_000
#: Bins one histogram axis may have (`bins`, `t_bins`, or what `bin_width` makes); a
#: heatmap's binned axis too.
MAX_BINS = 10_000
#: Points a line's moving-window smoothing (`smooth.window`) may average.
MAX_SMOOTH_WINDOW = 10_000
#: Distinct categories one axis of a bar, box or heatmap plot may have.
MAX_CATEGORIES = 10_000
#: Grid nodes of one surface (a 1,000 x 1,000 grid); a finer grid is binned down to
#: `bins` per axis, and more bins than this allows are refused.
MAX_SURFACE_NODES = 1_000_000
#: Iso-lines one contour plot draws (its spec's `levels`).
MAX_CONTOUR_LEVELS = 100
#: Outliers a box plot sends per box; past it, the most extreme ones.
MAX_OUTLIERS = 1_000
#: Points `/api/data` sends whole before thinning a scatter or refusing raw rows
#: (`streamvis serve --max-points`).
DEFAULT_MAX_POINTS = 2_000_000
#: Bytes the web app keeps between requests: decoded columns, line summaries and the
#: raw rows at pixel edges, one budget for all (`streamvis serve --cache-mb`).
DEFAULT_CACHE_BYTES = 512 * 1024 * 1024
#: Events a live WebSocket or a gRPC Watch may fall behind before it is told to
#: reconnect (or resume with after_sequence).
MAX_EVENTS_BEHIND = 10_000
#: Live-event WebSockets (`/api/events`) open at once from one client address (HTTP 429).
MAX_SOCKETS_PER_CLIENT = 32
#: Bytes of the browser login form read; the rest is ignored.
MAX_LOGIN_FORM_BYTES = 8 * 1024
#: Characters of the shortest token `streamvis serve` accepts: a guessable token is no
#: protection.
MIN_TOKEN_LENGTH = 16
#: Wrong tokens one client address may present in a burst, per door (gRPC, HTTP):
#: the same one again, or distinct ones...
AUTH_FAILURE_BURST = 10
#: ...after which each gets one more attempt per this many seconds (the right token
#: is never refused).
AUTH_FAILURE_REFILL_SECONDS = 6.0
#: Bytes of the git diff against HEAD a logger stores with its run (the capture); a
#: larger diff is cut there and the cut said in the stored text.
MAX_CAPTURE_DIFF_BYTES = 1024 * 1024
#: Console lines one `/api/runs/{handle}/console` response carries; the run page asks
#: again from where it stopped (not refused: the rest comes next time).
MAX_CONSOLE_LINES = 5_000
#: Runs one `/api/progress` request may name (the run search asks for a page of runs).
MAX_PROGRESS_RUNS = 1_000
#: Bytes of one saved artifact (`streamvis serve --max-artifact-mb`): larger uploads are
#: refused before any part is stored.
DEFAULT_MAX_ARTIFACT_BYTES = 4 * 1024 * 1024 * 1024
#: Bytes of one part of a blob, as stored and as sent (BeginUpload, PutBlobPart): every
#: part but the last has exactly this size.
BLOB_PART_BYTES = 1024 * 1024
#: Characters of an artifact's media type.
MAX_MEDIA_TYPE_LENGTH = 255
#: Bytes of one media value (an image, audio clip or video, as encoded): a larger one
#: is refused by `write` and by the server; save it as an artifact instead.
MAX_MEDIA_VALUE_BYTES = 64 * 1024 * 1024
#: Pixels of one image or video frame (width x height).
MAX_MEDIA_PIXELS = 64 * 1024 * 1024
#: Seconds of one audio clip or video.
MAX_MEDIA_DURATION_SECONDS = 3600
#: Bytes of an image the blob route scales down for `?w=` (web/image_variants.py): a
#: larger one is served whole (not refused).
MAX_IMAGE_VARIANT_SOURCE_BYTES = 16 * 1024 * 1024
#: Bytes of scaled-down images (`GET /api/blobs/{sha256}?w=`) the web app keeps in
#: memory, the most recently used first; the rest are made again when asked for.
IMAGE_VARIANT_CACHE_BYTES = 64 * 1024 * 1024
#: Media values (rows of media fields) one append may reference.
MAX_MEDIA_PER_APPEND = 10_000
#: Rows one `POST /api/media` response carries; the page asks again from
#: `last_sequence` (not refused: the rest comes next time).
MAX_MEDIA_ROWS_PER_RESPONSE = 1_000
#: Bytes of text (the text and expected fields) one text plot's `/api/data` response
#: carries: past it, the newest rows of each run that fit are sent and the reply says
#: how many were left out.
MAX_TEXT_BYTES = 1024 * 1024
#: Rows of one run one media plot's `/api/data` response carries (kind "media": the
#: frame shown, each run's latest step by default): past it, the newest rows of each run
#: are sent and the reply says how many were left out.
MAX_MEDIA_PANEL_ROWS = 256
#: Rows in one page of a table plot (`/api/data` with kind "table", `limit`).
MAX_TABLE_PAGE_ROWS = 1_000
#: Appends one group commit stores in one transaction (store/group_commit.py): appends
#: arriving while a commit is in flight wait for the next; past this many, for the one
#: after (not refused).
GROUP_COMMIT_APPENDS = 64
#: Bytes of encoded chunks one group commit holds, so a transaction's size (and the
#: time the appends in it wait) stays bounded (not refused: the rest wait their turn).
GROUP_COMMIT_BYTES = 64 * 1024 * 1024
#: Runs of one x value a level-0 bucket of a line's summaries may hold and still keep
#: no copy of its rows in `line_buckets` (store/bucket_rows.py): a pixel edge cuts such a
#: bucket at most this many minus one times, and it is read from its chunk instead. Two
#: covers a point cloud's broadcast step (one x per bucket, two where a step ends).
LINE_CHUNK_BUCKET_RUNS = 2
#: Level-0 summary buckets per pixel column up to which a line plot reads a run's line
#: raw (web/raw_lines.py: x and y of every run of the request in one query, reduced by
#: M4) instead of walking its summaries: with so few rows per column a pixel edge cuts
#: most buckets, so the walk reads most rows raw anyway, in many more queries.
LINE_RAW_BUCKETS_PER_PIXEL = 2
#: Rows one query of that raw path reads (of all the runs it asks together): past it,
#: the request's runs are read in several queries, so its memory stays bounded.
LINE_RAW_READ_ROWS = 4_000_000
#: Bytes of free copy buffers a logger keeps for media arrays (logger/buffers.py), so
#: an image a step is copied into warm memory; past it, a returned buffer is dropped.
MEDIA_BUFFER_POOL_BYTES = 64 * 1024 * 1024
#: Bytes of free copy buffers of one shape the flusher keeps ready ahead of the writes
#: (logger/buffers.py `stock`) when they outrun the buffers it gives back, so that a
#: write does not pay for new memory's page faults; part of the pool's bytes.
MEDIA_BUFFER_RESERVE_BYTES = 8 * 1024 * 1024
