"""Storing appended chunks: one group commit's inserts, in its open transaction.

Sequence numbers come from the one-row `seq_counter`, incremented inside the
appending transaction, once for a whole group (store/group_commit.py). On PostgreSQL
that happens after the blobs are written, as the transaction's last step: the
counter's row lock is then held only from there to COMMIT, and a second writer
blocks on it until the first has committed, so numbers are handed out in commit
order and a reader that has seen N can never later find a new chunk below N. SQLite
runs one writer at a time, which gives the same order; there the numbers are taken
first so each blob row is written once.

PostgreSQL pays a round trip per statement, so there a chunk is stored by one
statement (its checks, the chunk and its idempotency key, in data-modifying WITH
clauses) and the group's numbers are taken and set by one more; SQLite, in process,
runs the plain statements.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from streamvis.model.errors import NotFoundError
from streamvis.model.events import RowsAppended
from streamvis.store.dialect import ForeignKeyViolation, Session
from streamvis.store.media_refs import record_media
from streamvis.store.summaries import ChunkSummaries
from streamvis.store.summary_rows import insert_summaries


class KeyTaken(Exception):  # noqa: N818 -- internal signal
    """A concurrent append with the same idempotency key committed first."""


@dataclass(frozen=True)
class Pending:
    """An append validated and encoded, waiting for its group's transaction."""

    handle: uuid.UUID
    run_id: int
    series: str
    series_id: int
    data: bytes
    summaries: ChunkSummaries
    media: dict[str, int]  # sha256 -> bytes of the media blobs the chunk references
    rows: int
    key: str | None

    def nbytes(self) -> int:
        made = self.summaries
        return len(self.data) + sum(len(blob) for *_, blob in made.summaries + made.buckets)


def store_group(s: Session, group: Sequence[Pending]) -> list[int]:
    """Store `group`'s chunks in the open write transaction `s`; their sequence
    numbers, in order. KeyTaken or NotFoundError if one of them cannot be stored
    (the caller rolls the transaction back)."""
    serial = s.dialect.serial_writes
    first = _take_sequences(s, len(group)) if serial else 0
    if serial:
        chunk_ids = [_insert(s, p, first + i) for i, p in enumerate(group)]
    else:
        chunk_ids = [_insert_in_one(s, p) for p in group]
    # Summaries live and die with their chunk: same transaction.
    for chunk_id, p in zip(chunk_ids, group, strict=True):
        insert_summaries(s, chunk_id, p.summaries)
    if not serial:
        first = _number(s, chunk_ids)
    for i, p in enumerate(group):
        s.publish_after_commit(RowsAppended(p.handle, p.series, first + i, p.rows))
    return [first + i for i in range(len(group))]


def _take_sequences(s: Session, n: int) -> int:
    """Take `n` sequence numbers from the counter; the first of them."""
    last = int(s.scalar(
        "UPDATE seq_counter SET value = value + ? WHERE id = 1 RETURNING value", (n,)
    ))
    return last - n + 1


def _number(s: Session, chunk_ids: list[int]) -> int:
    """Take numbers for `chunk_ids` and set them, in order, in one statement; the first."""
    n = len(chunk_ids)
    # A VALUES list in FROM, not dialect.int_pairs: as a CTE beside the UPDATE, or as
    # arrays, one writer's appends to PostgreSQL went 9.0-9.6 -> 7.1-8.3 M values/s.
    values = ", ".join(["(CAST(? AS BIGINT), CAST(? AS BIGINT))"] * n)
    last = s.scalar(
        "WITH n AS (UPDATE seq_counter SET value = value + ? WHERE id = 1 RETURNING value) "
        "UPDATE chunks SET sequence = n.value - ? + v.i "
        f"FROM n, (VALUES {values}) AS v (id, i) WHERE chunks.id = v.id RETURNING n.value",
        [n, n, *(x for i, chunk_id in enumerate(chunk_ids, 1) for x in (chunk_id, i))],
    )
    return int(last) - n + 1


def _gone(p: Pending) -> NotFoundError:
    return NotFoundError(
        f"run {p.handle} or series {p.series!r} was deleted (or the run replaced) while "
        "appending to it: nothing was stored"
    )


def _insert(s: Session, p: Pending, seq: int) -> int:
    """Insert one chunk with its number, statement by statement; its row id."""
    # What was looked up before this transaction may have changed since.
    run_id, series_id, taken = s.one(
        "SELECT (SELECT id FROM runs WHERE handle = ?), (SELECT id FROM series WHERE name = ?), "
        "(SELECT 1 FROM append_keys WHERE idempotency_key = ?)",
        (p.handle, p.series, p.key),
    ) or (None, None, None)
    if taken is not None:
        raise KeyTaken
    if run_id != p.run_id or series_id != p.series_id:
        raise _gone(p)
    try:
        chunk_id = int(s.scalar(
            "INSERT INTO chunks (sequence, run_id, series_id, row_count, data) "
            "VALUES (?, ?, ?, ?, ?) RETURNING id",
            (seq, p.run_id, p.series_id, p.rows, p.data),
        ))
    except ForeignKeyViolation:
        raise _gone(p) from None
    if p.key is not None and not s.all(
        "INSERT INTO append_keys (idempotency_key, chunk_id) VALUES (?, ?) "
        "ON CONFLICT (idempotency_key) DO NOTHING RETURNING chunk_id",
        (p.key, chunk_id),
    ):
        raise KeyTaken
    record_media(s, p.run_id, p.media)
    return chunk_id


def _insert_in_one(s: Session, p: Pending) -> int:
    """Insert one chunk without its number (set by `_number`), its checks and its key
    in one statement; its row id."""
    # The chunk is inserted only if its run and series are still the ones looked up.
    # A concurrent holder of the same key makes the key's insert wait for it to finish;
    # if that one committed, no key row comes back and this transaction rolls back.
    try:
        row = s.one(
            "WITH c AS (INSERT INTO chunks (run_id, series_id, row_count, data) "
            "SELECT r.id, se.id, ?, ? FROM runs r, series se "
            "WHERE r.id = ? AND r.handle = ? AND se.id = ? AND se.name = ? RETURNING id), "
            "k AS (INSERT INTO append_keys (idempotency_key, chunk_id) "
            "SELECT CAST(? AS TEXT), id FROM c WHERE CAST(? AS TEXT) IS NOT NULL "
            "ON CONFLICT (idempotency_key) DO NOTHING RETURNING chunk_id) "
            "SELECT (SELECT id FROM c), (SELECT chunk_id FROM k)",
            (p.rows, p.data, p.run_id, p.handle, p.series_id, p.series, p.key, p.key),
        )
    except ForeignKeyViolation:
        raise _gone(p) from None
    chunk_id, keyed = row or (None, None)
    if chunk_id is None:
        raise _gone(p)
    if p.key is not None and keyed is None:
        raise KeyTaken
    record_media(s, p.run_id, p.media)
    return int(chunk_id)
