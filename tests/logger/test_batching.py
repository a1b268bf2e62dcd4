"""What a batch puts on the wire: arrays as logged, a broadcast int once per write."""

from __future__ import annotations

import gc
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from streamvis import DataLogger
from tests.served import series_rows

from .fake_server import FakeServer


def test_a_cloud_goes_as_logged(fake: FakeServer, spool: Path) -> None:
    fake.declare({"px": "float", "py": "float"}, {"cloud": ["step", "px", "py"]})
    rng = np.random.default_rng(1)
    xs = [rng.standard_normal(1_000).astype(np.float32) for _ in range(4)]
    with DataLogger(uri=fake.uri, spool_dir=spool, flush_every=3600) as logger:
        for step, x in enumerate(xs):
            logger.write("cloud", step=step, px=x, py=np.float64(0.5) * x.astype(np.float64))
    ((_, _, batch),) = [c for c in fake.service.chunks if c[1] == "cloud"]
    # One batch of four writes: the step is four runs, x float32, y (float64) float64.
    step = batch.column("step")
    assert pa.types.is_run_end_encoded(step.type)
    assert step.run_ends.to_pylist() == [1_000, 2_000, 3_000, 4_000]
    assert batch.column("px").type == pa.float32()
    assert batch.column("px").to_numpy().tobytes() == np.concatenate(xs).tobytes()
    assert batch.column("py").type == pa.float64()
    rows = fake.service.rows(logger.run_handle, "cloud")
    assert rows["step"] == [s for s in range(4) for _ in range(1_000)]


def test_scalar_steps_stay_plain(fake: FakeServer, spool: Path) -> None:
    with DataLogger(uri=fake.uri, spool_dir=spool, flush_every=3600) as logger:
        for step in range(1_000):
            logger.write("train", step=step, loss=0.5)
    ((_, _, batch),) = [c for c in fake.service.chunks if c[1] == "train"]
    assert batch.column("step").type == pa.int64()
    assert batch.column("loss").type == pa.float64()


def test_each_write_is_stamped_with_its_time(fake: FakeServer, spool: Path) -> None:
    fake.declare({"px": "float"}, {"cloud": ["step", "px"]})
    before = time.time()
    with DataLogger(uri=fake.uri, spool_dir=spool, flush_every=3600) as logger:
        logger.write("train", step=0, loss=0.5)
        time.sleep(0.02)
        logger.write("train", step=1, loss=0.25)
        for step in range(3):
            logger.write("cloud", step=step, px=np.zeros(100, np.float32))
            time.sleep(0.01)
    after = time.time()
    by_series = {c[1]: t for c, t in zip(fake.service.chunks, fake.service.times, strict=True)}
    train = by_series["train"]
    assert train is not None and train.type == pa.int64()  # microseconds
    first, second = (t / 1e6 for t in train.to_pylist())
    assert before <= first < second <= after
    assert second - first >= 0.02
    # The rows of one write share its time, and travel once a write.
    cloud = by_series["cloud"]
    assert cloud is not None and pa.types.is_run_end_encoded(cloud.type)
    assert cloud.run_ends.to_pylist() == [100, 200, 300]
    stamps = cloud.values.to_pylist()
    assert stamps == sorted(stamps) and len(set(stamps)) == 3


def test_a_step_sent_as_runs_does_not_count_a_row_each_toward_a_batch(
    fake: FakeServer, spool: Path,
) -> None:
    # 8 writes of 1,000 float32 points: 32 KB of points. The step, sent as a run a
    # write, counts as those runs, not as 8 bytes a point, so a 40 KB batch bound
    # keeps them in one request (it took two when the step counted 64 KB).
    fake.declare({"px": "float"}, {"cloud": ["step", "px"]})
    xs = [np.full(1_000, i, np.float32) for i in range(8)]
    with DataLogger(uri=fake.uri, spool_dir=spool, flush_every=3600,
                    max_batch_bytes=40_000) as logger:
        for step, x in enumerate(xs):
            logger.write("cloud", step=step, px=x)
    batches = [c[2] for c in fake.service.chunks if c[1] == "cloud"]
    assert len(batches) == 1
    assert batches[0].column("step").run_ends.to_pylist() == [1_000 * (i + 1) for i in range(8)]


def test_steps_given_every_way_arrive_row_for_row(fake: FakeServer, spool: Path) -> None:
    # Python ints, numpy ints, arrays and a write of no rows, in one batch, split in
    # several requests by a small batch bound: each row keeps its step.
    fake.declare({"px": "float"}, {"cloud": ["step", "px"]})
    writes = [(0, 300), (np.int32(1), 200), (np.arange(2, 102), 100), (3, 0), (3, 500),
              (np.int64(3), 50), (4, 1)]
    with DataLogger(uri=fake.uri, spool_dir=spool, flush_every=3600,
                    max_batch_bytes=2_000) as logger:
        for step, n in writes:
            logger.write("cloud", step=step, px=np.arange(n, dtype=np.float32))
    rows = fake.service.rows(logger.run_handle, "cloud")
    expected = np.concatenate([np.broadcast_to(np.asarray(s), (n,)) for s, n in writes])
    assert rows["step"] == expected.tolist()
    assert rows["px"] == np.concatenate([np.arange(n) for _, n in writes]).tolist()
    assert len([c for c in fake.service.chunks if c[1] == "cloud"]) > 1


def test_a_cloud_with_steps_as_runs_round_trips_through_a_server(uri: str, spool: Path) -> None:
    # The real server takes the runs the batch builds (step and time) and gives every
    # point back, bit for bit, with its write's step.
    rng = np.random.default_rng(5)
    writes: list[tuple[Any, int]] = [(7, 3_000), (7, 2_000), (np.int32(8), 1), (9, 0),
                                     (10, 4_000), (11, 20)]
    losses = [rng.standard_normal(n).astype(np.float32) for _, n in writes]
    with DataLogger(uri=uri, spool_dir=spool, flush_every=3600, strict=True) as logger:
        for (step, _), loss in zip(writes, losses, strict=True):
            logger.write("train", step=step, loss=loss)
    got = series_rows(uri, logger.run_handle, "train")
    assert got["step"] == [int(s) for s, n in writes for _ in range(n)]
    assert np.array(got["loss"], np.float32).tobytes() == np.concatenate(losses).tobytes()


def test_queued_scalar_writes_are_not_for_the_collector_to_scan(
        fake: FakeServer, spool: Path) -> None:
    # A queued scalar write is its own dict of numbers (its state's slot and time under
    # int keys), which the garbage collector does not track: a full collection no longer
    # scans every write waiting to be sent. Two series interleaved, and the pair writer
    # the drop-ins use, arrive row for row in order.
    fake.declare({"acc": "float"}, {"eval": ["step", "acc"]})
    with DataLogger(uri=fake.uri, spool_dir=spool, flush_every=3600) as logger:
        put = logger.pair_writer("train", "step", "loss")
        for step in range(300):
            logger.write("train", step=step, loss=step / 2)
            logger.write("eval", step=step, acc=1.0 - step / 1000)
            assert put(1000 + step, 0.25)
        queued = list(logger._queue)  # what the collector would see
        assert len(queued) == 900
        assert not any(gc.is_tracked(item) for item in queued)
    rows: dict[str, dict[str, list[Any]]] = {
        s: {k: [] for k in b.schema.names} for _, s, b in fake.service.chunks}
    for _, s, batch in fake.service.chunks:
        for name in batch.schema.names:
            rows[s][name] += batch.column(name).to_pylist()
    assert rows["train"]["step"] == [v for step in range(300) for v in (step, 1000 + step)]
    assert rows["train"]["loss"] == [v for step in range(300) for v in (step / 2, 0.25)]
    assert rows["eval"]["acc"] == [1.0 - step / 1000 for step in range(300)]


def test_scalar_and_array_writes_of_one_series_keep_their_order(
        fake: FakeServer, spool: Path) -> None:
    # A series written now with scalars (queued as their own dicts), now with arrays,
    # with another series and control operations between: each row arrives in the
    # order written, with its write's time (the builder's fast path for a group of
    # scalar writes only, and the general one for a mixed group).
    fake.declare({"px": "float"}, {"cloud": ["step", "px"]})
    expected: list[tuple[int, float]] = []
    with DataLogger(uri=fake.uri, spool_dir=spool, flush_every=3600) as logger:
        for step in range(40):
            if step % 3 == 0:
                logger.write("cloud", step=step, px=np.full(step % 4 + 1, step, np.float32))
                expected += [(step, float(step))] * (step % 4 + 1)
            else:
                logger.write("cloud", step=step, px=step / 2)
                expected.append((step, step / 2))
            logger.write("train", step=step, loss=0.5)
            if step % 7 == 0:
                logger.add_tags(f"t{step}")
    rows = fake.service.rows(logger.run_handle, "cloud")
    assert list(zip(rows["step"], rows["px"], strict=True)) == expected
    assert fake.service.rows(logger.run_handle, "train")["step"] == list(range(40))
    times = [t for c, t in zip(fake.service.chunks, fake.service.times, strict=True)
             if c[1] == "cloud"]
    stamps = np.concatenate([t.to_numpy() for t in times if t is not None])
    assert len(stamps) == len(expected) and (np.diff(stamps) >= 0).all()
