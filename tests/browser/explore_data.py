"""Realistic data for the run search and builder tests, screenshots and benchmark:
hundreds (or thousands) of runs of a hyperparameter sweep, with several series.

Written straight into a store before a server opens it, so a test starts from a
known state in a second or two.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from streamvis.model.limits import MAX_RUNS_PER_CREATE
from streamvis.model.schema import FieldType, NewRun
from streamvis.store import open_store

OPTIMIZERS = ("adam", "sgd", "lion")
MODELS = ("resnet", "vit", "mlp")
T0 = 1_760_000_000.0  # 2025-10-09, the first run's start


@dataclass
class Sweep:
    runs: list[uuid.UUID] = field(default_factory=list)
    tags: dict[uuid.UUID, list[str]] = field(default_factory=dict)
    attributes: dict[uuid.UUID, dict[str, object]] = field(default_factory=dict)


def seed(location: Path | str, runs: int = 300, steps: int = 120, *, data: bool = True) -> Sweep:
    """A sweep of `runs` runs; with `data`, each has series train, eval and layers."""
    rng = np.random.default_rng(7)
    out = Sweep()
    with open_store(str(location)) as store:
        for name, kind in (("step", FieldType.INT), ("loss", FieldType.FLOAT),
                           ("accuracy", FieldType.FLOAT), ("lr", FieldType.FLOAT),
                           ("optimizer", FieldType.STRING), ("model", FieldType.STRING),
                           ("batch", FieldType.INT), ("seed", FieldType.INT),
                           ("warmup", FieldType.BOOL), ("layer", FieldType.STRING),
                           ("grad_norm", FieldType.FLOAT), ("tokens", FieldType.FLOAT)):
            store.create_field(name, kind)
        store.create_series("train", ["step", "loss", "tokens"])
        store.create_series("eval", ["step", "accuracy"])
        store.create_series("layers", ["step", "layer", "grad_norm"])
        batch: list[NewRun] = []  # without data: created MAX_RUNS_PER_CREATE at a time
        for i in range(runs):
            lr = float(10 ** rng.uniform(-5, -1))
            attrs: dict[str, object] = {
                "lr": lr, "optimizer": OPTIMIZERS[i % 3], "model": MODELS[(i // 3) % 3],
                "batch": int(2 ** (5 + i % 4)), "seed": i % 10, "warmup": bool(i % 2),
            }
            tags = ["sweep"] + (["baseline"] if i % 10 == 0 else []) + (
                ["broken"] if i % 37 == 5 else []) + ([f"sweep-{i % 4}"])
            if not data:
                handle = uuid.uuid4()
                batch.append(NewRun(handle, tags, attrs, T0 + 600.0 * i))
                out.runs.append(handle)
                out.tags[handle], out.attributes[handle] = tags, attrs
                if len(batch) == MAX_RUNS_PER_CREATE or i == runs - 1:
                    store.create_runs(batch)
                    batch.clear()
                continue
            run = store.create_run(tags=tags, attributes=attrs, started_at=T0 + 600.0 * i)
            out.runs.append(run.handle)
            out.tags[run.handle] = tags
            out.attributes[run.handle] = attrs
            step = np.arange(steps, dtype=np.int64) * 10
            decay = 0.5 + 3 * abs(np.log10(lr) + 3) / 2
            loss = 2.5 * np.exp(-step / (300 * decay)) + 0.05 * rng.standard_normal(steps) + 0.2
            store.append(run.handle, "train", {
                "step": pa.array(step), "loss": pa.array(loss),
                "tokens": pa.array(step * 4096.0 * attrs["batch"])})  # type: ignore[operator]
            ev = step[::10]
            acc = 1 - loss[::10] / 3 + 0.01 * rng.standard_normal(ev.size)
            store.append(run.handle, "eval", {"step": pa.array(ev), "accuracy": pa.array(acc)})
            if i < 40:
                ls = np.repeat(step[::20], 3)
                layer = ["embed", "block", "head"] * (ls.size // 3)
                grad = np.abs(rng.standard_normal(ls.size)) / (1 + ls / 500)
                store.append(run.handle, "layers", {
                    "step": pa.array(ls), "layer": pa.array(layer), "grad_norm": pa.array(grad)})
    return out
