"""Line summaries spanning chunks: one row per group of `GROUP` chunks of a run's series.

A line over a billion rows has thousands of chunks (15,259 of 65,536 rows). Listing
each chunk's summary head (store/summaries.head, ~0.9 KiB) made a full-line request
read and scan one stored row per chunk. A group row holds, for `GROUP` consecutive
chunks of one run's series (in sequence order), each chunk's sequence, row count
and *top* record (the one bucket spanning the whole chunk): 64 chunks in ~7 KiB,
so a full line reads chunks / 64 rows, and the reduction scans one record per
chunk, reading the heads of only the chunks a pixel edge cuts through.

Groups are numbered from 0 in the order of the run's chunks. Only whole groups are
stored, built from the chunks' heads on the first read that finds `GROUP` chunks
after the last stored group (store/lines.py): a chunk is never changed or removed
on its own (only its whole run is deleted), and sequences are handed out in commit
order, so a whole group never changes. The chunks after the last whole group (fewer
than `GROUP` once a read has built the groups) are read as heads.

A chunk without a summary (x decreasing in it) keeps a top record of count 0.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from streamvis.store.summaries import record_dtype

#: Chunks per group row.
GROUP = 64
_MAGIC = b"SVG1"
_HEADER = 16  # magic, y kind, padding, chunk count (int64)
Ints = npt.NDArray[np.int64]


def top(head: bytes, kind: str) -> npt.NDArray[Any]:
    """The top record of a chunk's summary head (its last record); count 0 if none."""
    dtype = record_dtype(kind)
    if not head:
        return np.zeros(1, dtype)
    return np.frombuffer(memoryview(head)[-dtype.itemsize:], dtype).copy()


def head_kind(head: bytes) -> str | None:
    """The y kind ('i' or 'f') of a summary head, None for an empty one."""
    return head[4:5].decode() if head else None


def encode_group(sequences: Ints, rows: Ints, tops: npt.NDArray[Any], kind: str) -> bytes:
    """One group row: its chunks' sequences, row counts and top records."""
    n = int(sequences.size)
    return (_MAGIC + kind.encode() + b"\0" * 3 + struct.pack("<q", n)
            + sequences.astype("<i8").tobytes() + rows.astype("<i8").tobytes()
            + tops.tobytes())


def decode_groups(blobs: list[bytes], kind: str) -> tuple[Ints, Ints, npt.NDArray[Any]]:
    """(sequences, row counts, top records) of the chunks of several group rows, in order."""
    dtype = record_dtype(kind)
    seqs, rows, tops = [], [], []
    for blob in blobs:
        (n,) = struct.unpack_from("<q", blob, 8)
        view = memoryview(blob)
        seqs.append(view[_HEADER : _HEADER + 8 * n])
        rows.append(view[_HEADER + 8 * n : _HEADER + 16 * n])
        tops.append(view[_HEADER + 16 * n : _HEADER + 16 * n + n * dtype.itemsize])
    # Joined as bytes: one copy each, not one numpy call per group.
    return (np.frombuffer(b"".join(seqs), np.int64), np.frombuffer(b"".join(rows), np.int64),
            np.frombuffer(b"".join(tops), dtype))


def blob_kind(blob: bytes) -> str:
    return blob[4:5].decode()


@dataclass(frozen=True)
class LineTops:
    """One run's chunks of a series, each with the top record of one field's summary.

    `first_group` is the group the first chunk begins; `whole` how many whole groups
    (of `GROUP` chunks) the listing starts with, the rest being chunks after them.
    """

    x: str  # the field the summaries are against
    first_group: int
    whole: int
    sequences: Ints  # per chunk
    rows: Ints  # per chunk, its row count
    tops: npt.NDArray[Any]  # per chunk, its top record (record_dtype); count 0: none

    @property
    def nbytes(self) -> int:
        return int(self.tops.nbytes) + 16 * int(self.sequences.size)

    def ordered(self) -> bool:
        """Whether every chunk has a summary and x never decreases across chunks."""
        t = self.tops
        if not t.size:
            return True
        return bool(np.all(t["count"] > 0)) and bool(
            np.all(t["x_first"][1:] >= t["x_last"][:-1]))

    def upto(self, chunks: int) -> LineTops:
        """The first `chunks` chunks (a whole number of groups: the tail is re-read)."""
        return LineTops(self.x, self.first_group, min(self.whole, chunks // GROUP),
                        self.sequences[:chunks], self.rows[:chunks], self.tops[:chunks])

    def then(self, more: LineTops) -> LineTops:
        """This listing's whole groups followed by `more`, which starts where they end."""
        head = self.upto(self.whole * GROUP)
        return LineTops(self.x, self.first_group, head.whole + more.whole,
                        np.concatenate((head.sequences, more.sequences)),
                        np.concatenate((head.rows, more.rows)),
                        np.concatenate((head.tops, more.tops)))

    def after(self, low: int, high: int) -> LineTops:
        """The chunks with low < sequence <= high (no longer aligned to groups)."""
        a, b = np.searchsorted(self.sequences, [low, high], "right").tolist()
        whole = self.whole if a == 0 and b >= self.whole * GROUP else 0
        return LineTops(self.x, self.first_group, whole, self.sequences[a:b],
                        self.rows[a:b], self.tops[a:b])
