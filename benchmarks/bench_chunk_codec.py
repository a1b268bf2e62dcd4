"""Chunk codecs: Arrow IPC uncompressed, with lz4 buffers and with zstd buffers.

Encodes and decodes the chunks the ingest workloads store, the way store/chunks.py
does, and prints one JSON line per workload and codec:

    {"figure": "chunk_codec", "workload": "cloud", "codec": "lz4", "raw_bytes": ...,
     "stored_bytes": ..., "ratio": ..., "encode_mb_per_s": ..., "decode_mb_per_s": ...}

Workloads: `cloud` (one write of a 10,000-point cloud: x, y float32 and a broadcast
int64 step), `scalars` (10,000 rows of step int64, loss and acc float64 from a
training loop) and `noise` (10,000 rows of random float64, which no codec shrinks).
`raw_bytes` are the bytes of the values; MB/s are of raw bytes.

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
CODECS = (None, "lz4", "zstd")


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
    return {"cloud": cloud, "scalars": scalars, "noise": noise}


def encode(batch: pa.RecordBatch, codec: str | None) -> bytes:
    options = pa.ipc.IpcWriteOptions(compression=codec)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema, options=options) as writer:
        writer.write_batch(batch)
    return bytes(sink.getvalue().to_pybytes())


def measure(name: str, batch: pa.RecordBatch, codec: str | None, repeat: int) -> dict[str, object]:
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
        "figure": "chunk_codec", "workload": name, "codec": codec or "none",
        "raw_bytes": raw, "stored_bytes": len(data), "ratio": round(len(data) / raw, 3),
        "encode_mb_per_s": round(raw / encode_s / 1e6),
        "decode_mb_per_s": round(raw / decode_s / 1e6),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    for name, batch in workloads().items():
        for codec in CODECS:
            print(json.dumps(measure(name, batch, codec, args.repeat)), flush=True)
    # What the store writes today, for the record.
    cloud = workloads()["cloud"]
    stored = encode_chunk(cloud, [uuid.uuid4() for _ in cloud.schema.names])
    print(json.dumps({"figure": "chunk_codec_store", "workload": "cloud",
                      "stored_bytes": len(stored)}), flush=True)


if __name__ == "__main__":
    main()
