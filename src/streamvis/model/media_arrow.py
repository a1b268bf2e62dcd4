"""Media references as Arrow values: the struct the data API and export give per row.

Apart from model/media.py so that what only needs the options (the command line's
parser) does not load pyarrow.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from streamvis.model.media import MediaRef

#: How the data API and export give a media column: one reference per row.
MEDIA_STRUCT = pa.struct([
    ("sha256", pa.string()), ("media_type", pa.string()), ("width", pa.int32()),
    ("height", pa.int32()), ("duration", pa.float64()), ("bytes", pa.int64()),
])


def refs_to_struct(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A column of reference texts (as stored) as MEDIA_STRUCT values; each distinct
    reference parsed once (a broadcast image repeats one)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if pa.types.is_run_end_encoded(column.type):
        column = pc.run_end_decode(column)
    encoded = column.dictionary_encode()
    refs = [MediaRef.parse(str(t)) for t in encoded.dictionary.to_pylist()]
    distinct = pa.array([r.to_json() for r in refs], type=MEDIA_STRUCT)
    return distinct.take(encoded.indices)
