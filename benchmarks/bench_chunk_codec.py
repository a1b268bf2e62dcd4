"""Chunk codecs: Arrow IPC uncompressed, with lz4 buffers and with zstd buffers (levels).

Encodes and decodes the chunks the ingest workloads store, the way store/chunks.py
does, and prints one JSON line per workload and codec:

    {"figure": "chunk_codec", "workload": "cloud", "codec": "lz4", "raw_bytes": ...,
     "stored_bytes": ..., "ratio": ..., "encode_mb_per_s": ..., "decode_mb_per_s": ...}

Workloads: `cloud` (one write of a 10,000-point cloud: x, y float32 and a broadcast
int64 step), `scalars` (10,000 rows of step int64, loss and acc float64 from a
training loop), `noise` (10,000 rows of random float64, which no codec shrinks), and two
as the server stores what the logger sends: `cloud_1m` (105 writes of that cloud in one
append, the step and the write's time as runs) and `scalars_times` (10,000 writes of
step, loss = 0.5 / (step + 1) and acc = 0.9, each row with its own time in float64
seconds). `raw_bytes` are the bytes of the values; MB/s are of raw bytes. `zstd-1` is
zstd's fastest level (-1), `zstd` its default (3). `chunk_codec_store` gives the bytes
store/chunks.py's own encoding stores for each workload.

    .venv/bin/python benchmarks/bench_chunk_codec.py [--repeat 50]
"""

from __future__ import annotations

import argparse
import json
import time
import uuid

import numpy as np
import pyarrow as pa

from streamvis.store.chunks import encode_chunk

ROWS = 10_000
CODECS: dict[str, pa.Codec | None] = {
    "none": None, "lz4": pa.Codec("lz4"), "zstd-1": pa.Codec("zstd", -1),
    "zstd1": pa.Codec("zstd", 1), "zstd": pa.Codec("zstd"),
}


def workloads() -> dict[str, pa.RecordBatch]:
    rng = np.random.default_rng(0)
    step = 417
    cloud = pa.RecordBatch.from_arrays([
        pa.array(np.full(ROWS, step, dtype=np.int64)),
        pa.array(rng.standard_normal(ROWS).astype(np.float32)),
        pa.array(rng.standard_normal(ROWS).astype(np.float32)),
    ], names=["step", "x", "y"])
    steps = np.arange(ROWS, dtype=np.int64)
    loss = 2.0 * np.exp(-steps / 3000) + 0.01 * rng.standard_normal(ROWS)
    scalars = pa.RecordBatch.from_arrays([
        pa.array(steps), pa.array(loss), pa.array(np.round(1 - loss / 3, 4)),
    ], names=["step", "loss", "acc"])
    noise = pa.RecordBatch.from_arrays([
        pa.array(rng.random(ROWS)), pa.array(rng.random(ROWS)),
    ], names=["a", "b"])
    writes = 105
    ends = pa.array(np.arange(1, writes + 1, dtype=np.int32) * ROWS)
    cloud_1m = pa.RecordBatch.from_arrays([
        pa.RunEndEncodedArray.from_arrays(ends, pa.array(np.arange(writes, dtype=np.int64))),
        pa.array(rng.standard_normal(writes * ROWS).astype(np.float32)),
        pa.array(rng.standard_normal(writes * ROWS).astype(np.float32)),
        pa.RunEndEncodedArray.from_arrays(ends, pa.array(1.7e9 + np.arange(writes) * 1e-4)),
    ], names=["step", "x", "y", "_time"])
    times = 1.7e9 + np.cumsum(rng.uniform(0.5e-6, 3e-6, ROWS))
    scalars_times = pa.RecordBatch.from_arrays([
        pa.array(steps), pa.array(0.5 / (steps + 1)), pa.array(np.full(ROWS, 0.9)),
        pa.array(times),
    ], names=["step", "loss", "acc", "_time"])
    return {"cloud": cloud, "scalars": scalars, "noise": noise, "cloud_1m": cloud_1m,
            "scalars_times": scalars_times}


def encode(batch: pa.RecordBatch, codec: pa.Codec | None) -> bytes:
    options = pa.ipc.IpcWriteOptions(compression=codec)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema, options=options) as writer:
        writer.write_batch(batch)
    return bytes(sink.getvalue().to_pybytes())


def measure(name: str, batch: pa.RecordBatch, label: str, repeat: int) -> dict[str, object]:
    codec = CODECS[label]
    raw = sum(c.nbytes for c in batch.columns)
    data = encode(batch, codec)
    start = time.perf_counter()
    for _ in range(repeat):
        encode(batch, codec)
    encode_s = (time.perf_counter() - start) / repeat
    start = time.perf_counter()
    for _ in range(repeat):
        pa.ipc.open_stream(pa.py_buffer(data)).read_next_batch()
    decode_s = (time.perf_counter() - start) / repeat
    return {
        "figure": "chunk_codec", "workload": name, "codec": label,
        "raw_bytes": raw, "stored_bytes": len(data), "ratio": round(len(data) / raw, 3),
        "encode_mb_per_s": round(raw / encode_s / 1e6),
        "decode_mb_per_s": round(raw / decode_s / 1e6),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    for name, batch in workloads().items():
        repeat = max(args.repeat * ROWS // batch.num_rows, 3)
        for label in CODECS:
            print(json.dumps(measure(name, batch, label, repeat)), flush=True)
        # What the store writes today, for the record.
        stored = encode_chunk(batch, [uuid.uuid4() for _ in batch.schema.names])
        print(json.dumps({"figure": "chunk_codec_store", "workload": name,
                          "stored_bytes": len(stored)}), flush=True)


if __name__ == "__main__":
    main()
