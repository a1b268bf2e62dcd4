"""Versioned schema migrations, applied when a store opens.

The database records its version in `schema_version`. Each step below moves it
up by one and runs in its own transaction, so a crash between steps leaves a
database at a known version, and the next open carries on from there. A
database of a version newer than this code is refused rather than misread.

Steps are written once, with type slots (`{pk}`, `{text}`, ...) that each
dialect fills in. Never edit a released step: add a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from streamvis.model.errors import FailedPreconditionError
from streamvis.store.dialect import Dialect, Session
from streamvis.store.run_row_checks import check_per_statement

T = TypeVar("T")


@dataclass(frozen=True)
class Step:
    version: int
    description: str
    # SQL with type slots, or code for what differs more between the databases.
    statements: tuple[str | Callable[[Session], None], ...]


def _value_indexes() -> list[str]:
    # Partial, so each index holds only the rows of fields of its type.
    return [
        f"CREATE INDEX run_attributes_{t} ON run_attributes (field_id, v_{t}, run_id) "
        f"WHERE v_{t} IS NOT NULL"
        for t in ("int", "float", "str", "bool")
    ]


_V1_CORE = Step(
    1,
    "fields, series, runs with tags and attributes, chunks, sequence counter",
    (
        """CREATE TABLE fields (
            id {pk},
            handle {uuid} NOT NULL UNIQUE,
            name {text} NOT NULL UNIQUE,
            type {text} NOT NULL CHECK (type IN ('int', 'float', 'string', 'bool')),
            description {text} NOT NULL DEFAULT ''
        )""",
        """CREATE TABLE series (
            id {pk},
            name {text} NOT NULL UNIQUE
        )""",
        """CREATE TABLE series_fields (
            series_id BIGINT NOT NULL REFERENCES series (id),
            field_id BIGINT NOT NULL REFERENCES fields (id),
            position INTEGER NOT NULL,
            PRIMARY KEY (series_id, position),
            UNIQUE (series_id, field_id)
        ){norowid}""",
        """CREATE TABLE runs (
            id {pk},
            handle {uuid} NOT NULL UNIQUE,
            started_at {float} NOT NULL
        )""",
        "CREATE INDEX runs_started_at ON runs (started_at)",
        """CREATE TABLE run_tags (
            run_id BIGINT NOT NULL REFERENCES runs (id),
            tag {text} NOT NULL,
            PRIMARY KEY (run_id, tag)
        ){norowid}""",
        "CREATE INDEX run_tags_tag ON run_tags (tag, run_id)",
        # One typed column per field type, so that conditions compare in the
        # field's own type and each can use an index. A row of a float field with
        # every column NULL holds NaN, which then matches no comparison anywhere.
        """CREATE TABLE run_attributes (
            run_id BIGINT NOT NULL REFERENCES runs (id),
            field_id BIGINT NOT NULL REFERENCES fields (id),
            v_int BIGINT,
            v_float {float},
            v_str {text},
            v_bool {bool},
            PRIMARY KEY (run_id, field_id)
        ){norowid}""",
        *_value_indexes(),
        # `sequence` is NULL only inside the appending transaction (PostgreSQL
        # sets it last, see chunks.py), so no reader ever sees a NULL.
        """CREATE TABLE chunks (
            id {pk},
            sequence BIGINT UNIQUE,
            run_id BIGINT NOT NULL REFERENCES runs (id),
            series_id BIGINT NOT NULL REFERENCES series (id),
            row_count BIGINT NOT NULL,
            data {blob} NOT NULL
        )""",
        "CREATE INDEX chunks_series ON chunks (series_id, sequence)",
        "CREATE INDEX chunks_run ON chunks (run_id, series_id)",
        """CREATE TABLE seq_counter (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            value BIGINT NOT NULL
        )""",
        "INSERT INTO seq_counter (id, value) VALUES (1, 0)",
    ),
)

_V2_APPEND_KEYS = Step(
    2,
    "idempotency keys of appends",
    (
        # Keyed to the chunk, so a key goes when its chunk goes; the UNIQUE index on
        # chunk_id also keeps deleting chunks from scanning this table.
        """CREATE TABLE append_keys (
            idempotency_key {text} PRIMARY KEY,
            chunk_id BIGINT NOT NULL UNIQUE REFERENCES chunks (id)
        )""",
    ),
)

_V3_PLOTS = Step(
    3,
    "saved plot specs",
    (
        """CREATE TABLE plots (
            id {pk},
            name {text} NOT NULL UNIQUE,
            spec {text} NOT NULL,
            updated_at {float} NOT NULL
        )""",
    ),
)

_V4_DASHBOARDS = Step(
    4,
    "saved dashboards",
    (
        """CREATE TABLE dashboards (
            id {pk},
            name {text} NOT NULL UNIQUE,
            spec {text} NOT NULL,
            updated_at {float} NOT NULL
        )""",
    ),
)

# The CHECK of step 1, as it stands in SQLite's schema text.
_TYPE_CHECK = " CHECK (type IN ('int', 'float', 'string', 'bool'))"


def _drop_type_check(s: Session) -> None:
    """Field types are the type registry's (model/types.py): the database lists none."""
    if s.dialect.name == "postgresql":
        s.run("ALTER TABLE fields DROP CONSTRAINT IF EXISTS fields_type_check")
        return
    # SQLite cannot drop a constraint; rewriting the table's schema text is the way it
    # documents for removing a CHECK (sqlite.org/lang_altertable.html, section 7), with
    # the schema cookie bumped so that every connection rereads the schema.
    cookie = int(s.scalar("PRAGMA schema_version"))
    s.run("PRAGMA writable_schema = ON")
    s.run(
        "UPDATE sqlite_master SET sql = replace(sql, ?, '') "
        "WHERE type = 'table' AND name = 'fields'", (_TYPE_CHECK,),
    )
    s.run(f"PRAGMA schema_version = {cookie + 1}")
    s.run("PRAGMA writable_schema = RESET")


_V5_OPEN_TYPES = Step(5, "field types are the type registry's", (_drop_type_check,))

_V6_BLOBS = Step(
    6,
    "content-addressed blobs in parts, and the artifacts of runs that reference them",
    (
        # `complete` once every part is there and their bytes hash to `sha256`.
        """CREATE TABLE blobs (
            sha256 {text} PRIMARY KEY,
            size BIGINT NOT NULL,
            complete {bool} NOT NULL,
            created_at {float} NOT NULL
        )""",
        # A rowid table in SQLite: WITHOUT ROWID suits small rows, not 1 MiB ones.
        """CREATE TABLE blob_parts (
            sha256 {text} NOT NULL REFERENCES blobs (sha256),
            part INTEGER NOT NULL,
            data {blob} NOT NULL,
            PRIMARY KEY (sha256, part)
        )""",
        """CREATE TABLE artifacts (
            id {pk},
            run_id BIGINT NOT NULL REFERENCES runs (id),
            name {text} NOT NULL,
            step BIGINT,
            sha256 {text} NOT NULL REFERENCES blobs (sha256),
            media_type {text} NOT NULL,
            created_at {float} NOT NULL
        )""",
        "CREATE INDEX artifacts_run ON artifacts (run_id, name, step)",
        "CREATE INDEX artifacts_blob ON artifacts (sha256)",
    ),
)

_V7_CONTROLS = Step(
    7,
    "controls of runs: declared by programs, set from the UI",
    (
        """CREATE TABLE controls (
            run_id BIGINT NOT NULL REFERENCES runs (id),
            name {text} NOT NULL,
            spec {text} NOT NULL,
            value {text} NOT NULL,
            version BIGINT NOT NULL,
            updated_at {float} NOT NULL,
            PRIMARY KEY (run_id, name)
        )""",
    ),
)


def _run_page_index(s: Session) -> None:
    """Run listings are keyset pages over (started_at, id) (store/run_batches.py). In
    SQLite the index on started_at ends with the rowid, which is the id: it serves them
    as it is. PostgreSQL's needs the id beside started_at to seek a page's start."""
    if s.dialect.name == "postgresql":
        s.run("CREATE INDEX runs_started_at_id ON runs (started_at, id)")
        s.run("DROP INDEX runs_started_at")


_V8_RUN_PAGES = Step(8, "runs indexed for keyset pages", (_run_page_index,))

_V9_LINE_SUMMARIES = Step(
    9,
    "per chunk, a multi-resolution M4 summary of each numeric field (store/summaries.py)",
    (
        # Empty `data`: the chunk's x decreases somewhere, so it has no summary. Chunks
        # older than this step have no row at all until their first read builds one.
        """CREATE TABLE line_summaries (
            chunk_id BIGINT NOT NULL REFERENCES chunks (id),
            field_id BIGINT NOT NULL REFERENCES fields (id),
            x_field_id BIGINT NOT NULL REFERENCES fields (id),
            data {blob} NOT NULL,
            PRIMARY KEY (chunk_id, field_id)
        ){norowid}""",
    ),
)

_V10_MEDIA = Step(
    10,
    "field options (a string's format, a media encoding); the blobs media values reference",
    (
        # JSON of the declared options (model/media.FieldOptions); '' for none.
        "ALTER TABLE fields ADD COLUMN options {text} NOT NULL DEFAULT ''",
        # One row per (run, blob) a chunk's media column references: what keeps a
        # blob from going with the last artifact that named it, and what lets a run's
        # deletion drop the blobs only it referenced.
        """CREATE TABLE media_refs (
            run_id BIGINT NOT NULL REFERENCES runs (id),
            sha256 {text} NOT NULL REFERENCES blobs (sha256),
            PRIMARY KEY (run_id, sha256)
        ){norowid}""",
        "CREATE INDEX media_refs_blob ON media_refs (sha256)",
    ),
)

_V11_LINE_BUCKETS = Step(
    11,
    "per chunk, the heads of its line summaries and its raw values bucket by bucket",
    (
        # A summary's levels above 0 (store/summaries.head): a line over many chunks
        # reads these, not whole summaries. Chunks older than this step have none
        # until their first read builds them with their buckets.
        """CREATE TABLE line_heads (
            chunk_id BIGINT NOT NULL REFERENCES chunks (id),
            field_id BIGINT NOT NULL REFERENCES fields (id),
            data {blob} NOT NULL,
            PRIMARY KEY (chunk_id, field_id)
        ){norowid}""",
        # The values of x and of each summarized field, one row per level-0 bucket
        # (store/bucket_rows.bucket_values): the rows a pixel edge cuts through.
        """CREATE TABLE line_buckets (
            chunk_id BIGINT NOT NULL REFERENCES chunks (id),
            field_id BIGINT NOT NULL REFERENCES fields (id),
            bucket INTEGER NOT NULL,
            data {blob} NOT NULL,
            PRIMARY KEY (chunk_id, field_id, bucket)
        )""",
    ),
)


def _build_listings(s: Session) -> None:
    from streamvis.store.run_listing import rebuild_listings  # noqa: PLC0415 - store imports this

    rebuild_listings(s)


_V12_RUN_LISTINGS = Step(
    12,
    "each run keeps its listing's JSON object (store/run_listing.py)",
    ("ALTER TABLE runs ADD COLUMN listing {text}", _build_listings),
)

_V13_LINE_GROUPS = Step(
    13,
    "per run, series and field, the top summary records of each group of 64 chunks",
    (
        # store/summary_groups.py: a line over many chunks reads one row per 64 of
        # them. Built on the first read that finds a whole group unstored, so a store
        # migrated to this step gets its groups then; nothing to build here.
        """CREATE TABLE line_groups (
            run_id BIGINT NOT NULL REFERENCES runs (id),
            series_id BIGINT NOT NULL REFERENCES series (id),
            field_id BIGINT NOT NULL REFERENCES fields (id),
            grp INTEGER NOT NULL,
            data {blob} NOT NULL,
            PRIMARY KEY (run_id, series_id, field_id, grp)
        )""",
    ),
)

_V14_SERIES_X = Step(
    14,
    "a series may name the field it is drawn against (NULL: its first int field)",
    ("ALTER TABLE series ADD COLUMN x_field BIGINT REFERENCES fields (id)",),
)

_V15_RUN_ROW_CHECKS = Step(
    15,
    "PostgreSQL: run_tags' and run_attributes' references checked once a statement",
    (check_per_statement,),
)

#: The tables whose blobs PostgreSQL moves out of line (TOAST) past 2 KB: chunks (Arrow
#: IPC, lz4 already), line summaries, heads, groups and bucket rows, and media and
#: artifact parts.
_BLOB_TABLES = ("chunks", "line_summaries", "line_heads", "line_groups", "line_buckets",
                "blob_parts")


def _lz4_toast(s: Session) -> None:
    """PostgreSQL compresses a value past 2 KB before moving it out of line, with pglz
    by default, and keeps it uncompressed when that saves under a quarter. On a chunk,
    lz4-compressed already, pglz ran over every byte for nothing (its header
    compresses, which kept pglz from giving up early): 5 ms of a 320 KB append. lz4
    (PostgreSQL 14 and up, where built with it) gives up as fast and compresses what
    compresses better (decision 0056). New values only; those stored before read the
    same. Left as it is where the server has no lz4."""
    if s.dialect.name != "postgresql" or not s.scalar(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
            "WHERE name = 'default_toast_compression'"):
        return
    for table in _BLOB_TABLES:
        s.run(f"ALTER TABLE {table} ALTER COLUMN data SET COMPRESSION lz4")


_V16_LZ4_TOAST = Step(
    16,
    "PostgreSQL: blobs moved out of line compressed with lz4, not pglz",
    (_lz4_toast,),
)

#: No table changes: a bucket row may now hold one value with its count
#: (store/bucket_rows.CONSTANT), which code of version 16 would misread; the version
#: makes that code refuse the store instead.
_V17_CONSTANT_BUCKETS = Step(
    17,
    "Line bucket rows may store a run of one value once (older versions refuse the store)",
    (),
)


STEPS: tuple[Step, ...] = (
    _V1_CORE, _V2_APPEND_KEYS, _V3_PLOTS, _V4_DASHBOARDS, _V5_OPEN_TYPES, _V6_BLOBS,
    _V7_CONTROLS, _V8_RUN_PAGES, _V9_LINE_SUMMARIES, _V10_MEDIA, _V11_LINE_BUCKETS,
    _V12_RUN_LISTINGS, _V13_LINE_GROUPS, _V14_SERIES_X, _V15_RUN_ROW_CHECKS,
    _V16_LZ4_TOAST, _V17_CONSTANT_BUCKETS,
)
LATEST = STEPS[-1].version


Statement = str | Callable[[Session], None]


def steps_for(dialect: Dialect) -> list[tuple[int, list[Statement]]]:
    """The ordered migration steps as SQL (or code) for one dialect."""
    return [
        (s.version, [dialect.ddl(sql) if isinstance(sql, str) else sql for sql in s.statements])
        for s in STEPS
    ]


def current_version(session: Session) -> int:
    """The version recorded in the database (0 for an empty one); in a transaction."""
    session.run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    version = session.scalar("SELECT MAX(version) FROM schema_version")
    if version is None:
        session.run("INSERT INTO schema_version (version) VALUES (0)")
        return 0
    return int(version)


def migrate(session: Session, where: str, target: int | None = None) -> int:
    """Bring the database up to `target` (default: latest), one transaction per step.

    `session` must be outside a transaction. `where` names the database in errors.
    Returns the version the database is at afterwards.
    """
    dialect = session.dialect
    target = LATEST if target is None else target
    version = _locked(session, current_version)
    _refuse_newer(version, where)
    for step_version, statements in steps_for(dialect):
        if step_version > target:
            break
        if step_version <= version:
            continue

        def apply(s: Session, v: int = step_version, sql: list[Statement] = statements) -> int:
            found = current_version(s)
            _refuse_newer(found, where)
            if found >= v:  # another process applied it while we waited for the lock
                return found
            for statement in sql:
                if isinstance(statement, str):
                    s.run(statement)
                else:
                    statement(s)
            s.run("UPDATE schema_version SET version = ?", (v,))
            return v

        version = _locked(session, apply)
    return version


def _locked(session: Session, body: Callable[[Session], T]) -> T:
    session.begin(write=True)
    try:
        for statement in session.dialect.migration_lock:
            session.run(statement)
        result = body(session)
    except BaseException:
        session.rollback()
        raise
    session.commit()
    return result


def _refuse_newer(version: int, where: str) -> None:
    if version > LATEST:
        raise FailedPreconditionError(
            f"the database {where} has schema version {version}, but this streamvis "
            f"knows versions up to {LATEST}: upgrade streamvis to open it"
        )
