"""Media references as Arrow values: the struct the data API and export give per row.

Apart from model/media.py so that what only needs the options (the command line's
parser) does not load pyarrow.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamvis.model.arrays import numbers, strings
from streamvis.model.media import MediaRef

_INT32_MAX = 2**31 - 1

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
    return _struct(refs).take(encoded.indices)


def _struct(refs: list[MediaRef]) -> pa.StructArray:
    """The references as MEDIA_STRUCT values, built from buffers rather than with
    `pa.array`, so that a fetch does not import pandas (model/arrays.py)."""
    if any(r.width > _INT32_MAX or r.height > _INT32_MAX for r in refs):
        return pa.array([r.to_json() for r in refs], type=MEDIA_STRUCT)  # pyarrow refuses
    return pa.StructArray.from_arrays([
        strings([r.sha256 for r in refs]), strings([r.media_type for r in refs]),
        *(numbers(np.array([getattr(r, f.name) for r in refs]), f.type)
          for f in list(MEDIA_STRUCT)[2:]),
    ], fields=list(MEDIA_STRUCT))
