"""The rows a chunk's line summaries are stored in, written in the chunk's transaction.

Three tables hold what a line plot reads instead of whole chunks (store/summaries.py):
`line_summaries` (a chunk's whole summary of one field), `line_heads` (its levels
above 0: what a line over many chunks reads of each) and `line_buckets` (the raw
values of each level-0 bucket of x and of each summarized field, so the rows a
pixel edge cuts through are read bucket by bucket, not chunk by chunk; a bucket of
one or two x values has only x's marker row and is read from its chunk). A head row
is written last: where it exists, the chunk's buckets exist too. A fourth,
`line_groups`, packs the top records of 64 chunks of a run's series
(store/summary_groups.py); it is built on read, not here, and deleted with its run.
"""

from __future__ import annotations

from streamvis.store.dialect import Session
from streamvis.store.summaries import ChunkSummaries, head

_SUMMARY = (
    "INSERT INTO line_summaries (chunk_id, field_id, x_field_id, data) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (chunk_id, field_id) DO NOTHING"
)
_BUCKET = (
    "INSERT INTO line_buckets (chunk_id, field_id, bucket, data) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (chunk_id, field_id, bucket) DO NOTHING"
)
_HEAD = (
    "INSERT INTO line_heads (chunk_id, field_id, data) VALUES (?, ?, ?) "
    "ON CONFLICT (chunk_id, field_id) DO NOTHING"
)
# Stored only while the group's last chunk is still the run's: a run deleted (or
# replaced, maybe under the same id) since the group was read leaves no stale group.
# Sequences are never reused, so that one chunk tells.
_GROUP = (
    "INSERT INTO line_groups (run_id, series_id, field_id, grp, data) "
    "SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM chunks WHERE sequence = ? "
    "AND run_id = ?) ON CONFLICT (run_id, series_id, field_id, grp) DO NOTHING"
)
#: Tables holding a chunk's line rows, deleted with it (children of `chunks`).
TABLES = ("line_heads", "line_buckets", "line_summaries")


def insert_summaries(s: Session, chunk_id: int, made: ChunkSummaries) -> None:
    """Store one chunk's summaries, heads and bucket rows, inside the transaction given."""
    if not made:
        return
    s.run_many(_SUMMARY, [(chunk_id, f, x, data) for f, x, data in made.summaries])
    if made.buckets:
        s.run_many(_BUCKET, [(chunk_id, f, b, data) for f, b, data in made.buckets])
    s.run_many(_HEAD, [(chunk_id, f, head(data)) for f, _, data in made.summaries])


def insert_group(s: Session, key: tuple[int, int, int], grp: int, data: bytes,
                 last_sequence: int) -> None:
    """Store one whole group of (run id, series id, field id) `key` (summary_groups),
    whose last chunk is `last_sequence`, if that chunk is still the run's."""
    s.run(_GROUP, (*key, grp, data, last_sequence, key[0]))
