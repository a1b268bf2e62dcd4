"""The run page's routes (/api/runs/{handle}/capture, /console, /api/progress) on each
store, through a real server."""

from __future__ import annotations

import uuid

import pyarrow as pa
import pytest

from streamvis.model import capture as cap
from streamvis.model.limits import MAX_PROGRESS_RUNS
from streamvis.model.schema import FieldType
from streamvis.store import Store

from .helpers import append_train, error


@pytest.fixture
def run(store: Store, schema: object) -> uuid.UUID:  # noqa: ARG001 - train's fields
    for name in sorted({f for s in (cap.CAPTURE_SERIES, cap.CONSOLE_SERIES,
                                    cap.PROGRESS_SERIES) for f in cap.SERIES[s]}
                       | {"config.lr", "git.commit"}):
        store.create_field(name, FieldType(cap.FIELDS.get(name, "float")
                                           if name != "git.commit" else "string"))
    for s in (cap.CAPTURE_SERIES, cap.CONSOLE_SERIES, cap.PROGRESS_SERIES):
        store.create_series(s, list(cap.SERIES[s]))
    r = store.create_run(tags=["t"], attributes={"config.lr": 0.1, "git.commit": "abc",
                                                 "lr": 0.5})
    h = r.handle
    store.append(h, cap.CAPTURE_SERIES, {
        cap.CAPTURE_KEY: pa.array(["git.diff", "git.diff", "env.packages"]),
        cap.CAPTURE_PART: pa.array([0, 1, 0]),
        cap.CAPTURE_TEXT: pa.array(["+a", "+b", "numpy==2"]),
    })
    for first in (0, 2):
        store.append(h, cap.CONSOLE_SERIES, {
            cap.CONSOLE_LINE: pa.array([first, first + 1]),
            cap.CONSOLE_TIME: pa.array([1.0, 2.0]),
            cap.CONSOLE_STREAM: pa.array(["stdout", "stderr"]),
            cap.CONSOLE_TEXT: pa.array([f"line {first}", f"Warning {first + 1}"]),
        })
    store.append(h, cap.PROGRESS_SERIES, {
        cap.PROGRESS_DESC: pa.array(["epoch", "epoch", "load"]),
        cap.PROGRESS_DONE: pa.array([10, 50, 3]),
        cap.PROGRESS_TOTAL: pa.array([100, 100, -1]),
        cap.PROGRESS_RATE: pa.array([5.0, 10.0, 1.0]),
        cap.PROGRESS_TIME: pa.array([1.0, 2.0, 3.0]),
        cap.PROGRESS_ELAPSED: pa.array([2.0, 5.0, 3.0]),
    })
    append_train(store, h, [0, 1, 2])
    return h


def test_capture_groups_texts_series_and_progress(http, run):
    doc = http.get(f"/api/runs/{run}/capture").json()
    assert doc["handle"] == str(run)
    assert doc["tags"] == ["t"]
    assert doc["groups"] == {"config": {"config.lr": 0.1}, "git": {"git.commit": "abc"},
                             "": {"lr": 0.5}}
    assert doc["texts"] == {"git.diff": "+a+b", "env.packages": "numpy==2"}
    assert {s["name"]: s["rows"] for s in doc["series"]} == {
        "capture": 3, "console": 4, "progress": 3, "train": 3}
    bars = {b["desc"]: b for b in doc["progress"]}
    assert bars["epoch"]["done"] == 50
    assert bars["epoch"]["eta"] == 5.0
    assert bars["load"]["eta"] is None


def test_console_pages_and_searches(http, run):
    doc = http.get(f"/api/runs/{run}/console").json()
    assert [line["text"] for line in doc["lines"]] == ["line 0", "Warning 1", "line 2",
                                                       "Warning 3"]
    again = http.get(f"/api/runs/{run}/console", params={"after": doc["next"]}).json()
    assert again == {"lines": [], "next": doc["next"]}
    found = http.get(f"/api/runs/{run}/console", params={"search": "warning"}).json()
    assert [line["line"] for line in found["lines"]] == [1, 3]


def test_progress_of_runs_for_the_search(http, run, store):
    other = store.create_run().handle
    doc = http.get("/api/progress", params={"runs": f"{run},{other}"}).json()
    assert list(doc) == [str(run)]
    assert [b["desc"] for b in doc[str(run)]] == ["epoch", "load"]
    assert http.get("/api/progress").json() == {}


def test_row_counts_of_runs_for_the_search(http, run, store):
    other = store.create_run().handle
    doc = http.get("/api/run-rows", params={"runs": f"{run},{str(other)[:13]}"}).json()
    assert doc == {str(run): 3, str(other): 0}  # train's rows; capture's are left out
    assert http.get("/api/run-rows").json() == {}
    many = ",".join(str(uuid.uuid4()) for _ in range(MAX_PROGRESS_RUNS + 1))
    assert "MAX_PROGRESS_RUNS" in error(http.get("/api/run-rows", params={"runs": many}), 413)


def test_bad_requests_change_nothing_and_say_why(http, run):
    assert error(http.get(f"/api/runs/{uuid.uuid4()}/capture"), 404)
    assert error(http.get(f"/api/runs/{uuid.uuid4()}/console"), 404)
    assert error(http.get(f"/api/runs/{run}/console", params={"after": "x"}), 400)
    many = ",".join(str(uuid.uuid4()) for _ in range(MAX_PROGRESS_RUNS + 1))
    assert "MAX_PROGRESS_RUNS" in error(http.get("/api/progress", params={"runs": many}), 413)


@pytest.mark.usefixtures("schema")
def test_a_run_without_capture_has_empty_parts(http, store):
    h = store.create_run().handle
    doc = http.get(f"/api/runs/{h}/capture").json()
    assert (doc["groups"], doc["texts"], doc["series"], doc["progress"]) == ({}, {}, [], [])
    assert (doc["system"], doc["gpus"]) == (None, [])
    assert http.get(f"/api/runs/{h}/console").json() == {"lines": [], "next": 0}


def test_capture_has_the_last_system_sample_and_gpus(http, store):
    for name, kind in {**cap.SYSTEM_FIELDS, **cap.GPU_FIELDS}.items():
        store.create_field(name, FieldType(kind))
    store.create_series(cap.SYSTEM_SERIES, list(cap.SYSTEM_FIELDS))
    store.create_series(cap.GPU_SERIES, list(cap.GPU_FIELDS))
    h = store.create_run().handle
    sample = {n: pa.array([1.0, 2.0] if t == "float" else [1, 2])
              for n, t in cap.SYSTEM_FIELDS.items()}
    store.append(h, cap.SYSTEM_SERIES, sample)
    store.append(h, cap.GPU_SERIES, {
        "system.time": pa.array([1.0, 1.0, 2.0, 2.0]), "gpu.index": pa.array([0, 1, 0, 1]),
        "gpu.utilization": pa.array([10.0, 20.0, 30.0, 40.0]),
        "gpu.memory_used": pa.array([1, 2, 3, 4]), "gpu.temperature": pa.array([50.0] * 4),
        "gpu.power": pa.array([100.0] * 4),
    })
    doc = http.get(f"/api/runs/{h}/capture").json()
    assert doc["system"]["system.time"] == 2.0
    assert doc["system"]["system.memory_used"] == 2
    assert [(g["gpu.index"], g["gpu.utilization"]) for g in doc["gpus"]] == [(0, 30.0), (1, 40.0)]


@pytest.mark.usefixtures("schema")
def test_last_data_times_are_the_latest_time_of_each_runs_last_chunk(http, store):
    a, b, empty = (store.create_run(started_at=100.0).handle for _ in range(3))
    store.append(a, "train", {"step": pa.array([0, 1]), "loss": pa.array([1.0, 2.0]),
                              "_time": pa.array([150.0, 160.5])})
    store.append(b, "train", {"step": pa.array([0]), "loss": pa.array([1.0]),
                              "_time": pa.array([120.0])})
    store.append(a, "layers", {"step": pa.array([2]), "layer": pa.array(["l"]),
                               "loss": pa.array([0.5]), "_time": pa.array([170.25])})
    doc = http.get("/api/run-times", params={"runs": f"{a},{b},{str(empty)[:13]}"}).json()
    assert doc == {str(a): 170.25, str(b): 120.0}  # a run without rows is left out
    assert http.get("/api/run-times").json() == {}
