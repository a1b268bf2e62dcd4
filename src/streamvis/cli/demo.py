"""`streamvis demo`: a live demo run to watch in the browser, and the example to copy.

    streamvis demo                       # or: python examples/demo.py
    streamvis demo --runs 4 --async      # a small sweep, logged with AsyncDataLogger

It finds the server at --uri or starts one on the embedded store, declares a schema,
saves its plots, prints the dashboards' URLs and logs, step by step: a training-like
loss curve (noise, rare spikes), a family of sine waves (one write gives all of them:
`wave` broadcasts against `value`), a rotating cloud of 10,000 points (and a 3-D one that
rises as it turns), every few steps a layer's weights (a histogram over steps) and
predictions (a confusion matrix), and every 50 steps a sample image with boxes, a
generated text beside the expected one and an audio clip (docs/logging.md, Media). Every run
gets tags and attributes, so a sweep (--runs) can be searched and compared.
Ctrl-C stops it; everything logged so far is flushed first.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import math
import re
import signal
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, TypeVar

import numpy as np

import streamvis
from streamvis import AsyncDataLogger, DataLogger, declare_schema
from streamvis.cli.local_server import LocalServer, ensure_server
from streamvis.client import Client
from streamvis.logger.core import LoggerCore
from streamvis.logger.declare import FieldDecl, SeriesDecl
from streamvis.model.schema import Series

# What is logged: every field is typed, every series a fixed set of fields.
FIELDS: dict[str, FieldDecl] = {
    "step": ("int", "training step"),
    "loss": ("float", "training loss"),
    "t": ("float", "time in the demo, in seconds"),
    "wave": ("int", "which sine wave of the family"),
    "value": ("float", "the value of a sine wave"),
    "x": ("float", "horizontal position"),
    "y": ("float", "vertical position"),
    "z": ("float", "height of a point of the 3-D cloud"),
    "angle": ("float", "how far the point cloud has turned, in radians"),
    "weight": ("float", "one weight of a layer"),
    "label": ("int", "the true class of an example"),
    "prediction": ("int", "the class the model predicted"),
    # Attributes are fields too: one value per run.
    "lr": ("float", "learning rate"),
    "optimizer": ("string", "optimizer name"),
    "batch_size": ("int", "examples per step"),
    "best_loss": ("float", "the lowest loss of the run"),
    # Media: a sample image (with boxes, logger.image), generated text beside the text
    # expected, and a short audio clip.
    "sample": ("image", "a sample image"),
    "caption": ("string", "what the sample shows"),
    "generated": {"type": "string", "description": "text the model generated",
                  "options": {"format": "markdown"}},
    "expected": ("string", "the text it should have generated"),
    "clip": ("audio", "a short sound"),
}
SERIES: dict[str, list[str]] = {
    "demo-train": ["step", "loss"],
    "demo-waves": ["t", "wave", "value"],
    "demo-cloud": ["step", "x", "y", "angle"],
    "demo-cloud3d": ["step", "x", "y", "z", "angle"],
    "demo-weights": ["step", "weight"],
    "demo-preds": ["step", "label", "prediction"],
    "demo-samples": ["step", "sample", "caption"],
    "demo-text": ["step", "generated", "expected"],
    "demo-audio": ["step", "clip"],
}
#: The x of a series whose first int field is not its step (`wave`: which wave a row is).
SERIES_X = {"demo-waves": "t"}


def declared_series(have: Iterable[Series] = ()) -> dict[str, SeriesDecl]:
    """SERIES with their x, for declare_schema. One the server has (`have`) with these
    fields and no x was made by an older demo and is kept so (a series never changes)."""
    old = {s.name for s in have if s.x is None and set(s.fields) == set(SERIES.get(s.name, ()))}
    return {name: {"fields": fields, "x": SERIES_X[name]}
            if name in SERIES_X and name not in old else fields for name, fields in SERIES.items()}


DASHBOARD = "?rows=demo-loss,demo-waves;demo-cloud&height=1,1"
#: The aggregating kinds: a weight distribution over steps, and a confusion matrix; and
#: the 3-D point cloud.
KINDS_DASHBOARD = "?rows=demo-weights,demo-confusion,demo-cloud3d"
#: The media: sample images with their boxes, the generated text's diff, the audio clips.
MEDIA_DASHBOARD = "?rows=demo-samples,demo-audio;demo-text&height=2,1"
WEIGHTS = 2_000  # weights logged per snapshot
WEIGHTS_EVERY = 5  # steps between snapshots of the weights and predictions
CLASSES = 5
PREDICTIONS = 200  # examples scored per snapshot
CLOUD_POINTS = 10_000
CLOUD_EVERY = 20  # steps between snapshots of the cloud
WAVES = 8
MEDIA_EVERY = 50  # steps between a sample image, a text sample and an audio clip
EXPECTED = "The quick brown fox jumps over the lazy dog."
L = TypeVar("L", DataLogger, AsyncDataLogger)


def plot_specs(handles: Iterable[object]) -> list[dict[str, Any]]:
    """The demo's plots, showing only the runs of `handles` (docs/plots.md)."""
    runs = {"handles": [str(h) for h in handles]}
    return [
        {"name": "demo-loss", "kind": "line", "title": "training loss, colored by lr",
         "datasets": [{"series": "demo-train", "filter": runs, "attributes": ["lr"],
                       "bindings": {"x": "step", "y": "loss", "color": "lr"}}],
         "scales": {"y": "log"}},
        {"name": "demo-waves", "kind": "line", "title": "sine waves, one line per wave",
         "datasets": [{"series": "demo-waves", "filter": runs,
                       "bindings": {"x": "t", "y": "value", "group": "wave", "color": "wave"}}],
         "palette": "tab10"},
        # The frame binding shows one snapshot per run (the latest, or the slider's step), so
        # the cloud turns instead of piling every snapshot on the last; colored by run.
        {"name": "demo-cloud", "kind": "scatter",
         "title": "a turning point cloud: one snapshot per run, the slider steps through them",
         "datasets": [{"series": "demo-cloud", "filter": runs,
                       "bindings": {"x": "x", "y": "y", "color": "run", "frame": "step"}}]},
        {"name": "demo-weights", "kind": "histogram",
         "title": "a layer's weights over steps: the distribution shifts and narrows",
         "reduce": {"bins": 60},
         "datasets": [{"series": "demo-weights", "filter": runs,
                       "bindings": {"x": "weight", "t": "step"}}]},
        {"name": "demo-confusion", "kind": "heatmap",
         "title": "confusion matrix: examples per (label, prediction)",
         "datasets": [{"series": "demo-preds", "filter": runs,
                       "bindings": {"x": "label", "y": "prediction"}}]},
        {"name": "demo-cloud3d", "kind": "scatter3d",
         "title": "a 3-D point cloud, the latest snapshot: drag to orbit",
         "datasets": [{"series": "demo-cloud3d", "filter": runs,
                       "bindings": {"x": "x", "y": "y", "z": "z", "color": "z",
                                    "frame": "step"}}]},
        # The boxes are an overlay dataset, joined to the images on the step.
        {"name": "demo-samples", "kind": "media",
         "title": "sample images with their boxes: a score threshold and a class filter",
         "datasets": [{"series": "demo-samples", "filter": runs,
                       "bindings": {"media": "sample", "frame": "step"}},
                      {"series": "demo-samples.boxes", "filter": runs,
                       "bindings": {"x0": "box.x0", "y0": "box.y0", "x1": "box.x1",
                                    "y1": "box.y1", "label": "box.label",
                                    "score": "box.score"}}]},
        {"name": "demo-audio", "kind": "media", "title": "an audio clip: a rising tone",
         "datasets": [{"series": "demo-audio", "filter": runs,
                       "bindings": {"media": "clip", "frame": "step"}}]},
        {"name": "demo-text", "kind": "text",
         "title": "generated text against the expected text",
         "datasets": [{"series": "demo-text", "filter": runs,
                       "bindings": {"text": "generated", "expected": "expected",
                                    "frame": "step"}}]},
    ]


@dataclass
class DemoRun:
    """One synthetic training run: its tags, attributes and what it logs each step."""

    index: int
    sweep: bool = False
    rng: np.random.Generator = field(init=False)
    cloud: np.ndarray = field(init=False)  # (2, CLOUD_POINTS): a three-armed spiral
    best: float = math.inf

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng(self.index)
        r = self.rng.gamma(2.0, 0.4, CLOUD_POINTS)
        theta = self.rng.integers(0, 3, CLOUD_POINTS) * (2 * np.pi / 3) + 1.8 * r
        theta += self.rng.normal(0.0, 0.25, CLOUD_POINTS)
        self.cloud = np.stack([r * np.cos(theta), r * np.sin(theta)])

    @property
    def tags(self) -> tuple[str, ...]:
        return ("demo", "sweep" if self.sweep else "baseline")

    @property
    def attributes(self) -> dict[str, Any]:
        return {"lr": 1e-3 * 3**self.index, "optimizer": ("adam", "sgd")[self.index % 2],
                "batch_size": 32 << (self.index % 3)}

    def log_step(self, logger: LoggerCore, step: int) -> None:
        lr = self.attributes["lr"]
        # Decays faster with a larger lr, but noisier; now and then a spike.
        loss = 0.05 + 2.0 * math.exp(-2 * lr * step) + 0.02 * self.rng.standard_normal() ** 2
        loss *= math.exp(self.rng.normal(0.0, 0.05 + 5 * lr))
        if self.rng.random() < 0.01:
            loss *= 1.0 + self.rng.exponential(2.0)
        self.best = min(self.best, loss)
        logger.write("demo-train", step=step, loss=loss)

        t = step * 0.05
        waves = np.arange(WAVES)  # one row per wave: `t` is repeated, `value` is not
        value = np.sin((1 + 0.2 * self.index) * t + 0.4 * waves) * (1 + 0.15 * waves)
        logger.write("demo-waves", t=t, wave=waves, value=value)

        if step % CLOUD_EVERY == 0:
            a = 0.04 * step / CLOUD_EVERY
            x, y = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]]) @ self.cloud
            logger.write("demo-cloud", step=step, x=x, y=y, angle=a)
            # The same arms in 3-D: each rises along its length, a little more each snapshot.
            radius = np.hypot(x, y)
            z = radius * (0.5 + 0.1 * a) + 0.1 * self.rng.standard_normal(radius.size)
            logger.write("demo-cloud3d", step=step, x=x, y=y, z=z, angle=a)

        if step % WEIGHTS_EVERY == 0:
            self.log_weights(logger, step)
        if step % MEDIA_EVERY == 0:
            self.log_media(logger, step)

    def log_media(self, logger: LoggerCore, step: int) -> None:
        """A 64x64 image of two moving discs with their boxes, a text that gets closer
        to the expected one, and a quarter second of a rising tone."""
        yy, xx = np.mgrid[0:64, 0:64]
        img = np.zeros((64, 64, 3), np.uint8)
        boxes, labels = [], []
        for k, (color, r) in enumerate((((230, 80, 60), 9), ((60, 140, 230), 6))):
            cx = 32 + 20 * math.cos(0.05 * step + 2.5 * k)
            cy = 32 + 20 * math.sin(0.07 * step + 2.5 * k)
            img[(xx - cx) ** 2 + (yy - cy) ** 2 <= r * r] = color
            boxes.append([cx - r, cy - r, cx + r, cy + r])
            labels.append(("red disc", "blue disc")[k])
        progress = min(1.0, step / 500)
        scores = [round(0.5 + 0.5 * progress, 3), round(0.3 + 0.6 * progress, 3)]
        logger.image("demo-samples", img, step=step, caption=f"two discs at step {step}",
                     boxes=boxes, labels=labels, scores=scores)
        words = EXPECTED.split()
        kept = max(1, round(len(words) * progress))
        text = " ".join(words[:kept] + ["*lorem*"] * (len(words) - kept))
        logger.write("demo-text", step=step, generated=text, expected=EXPECTED)
        t = np.arange(2000) / 8000
        tone = 0.3 * np.sin(2 * np.pi * (330 + step % 400) * t).astype(np.float32)
        logger.write("demo-audio", step=step, clip=streamvis.Audio(tone, 8000))

    def log_weights(self, logger: LoggerCore, step: int) -> None:
        """A layer's weights drifting and narrowing; predictions right more often."""
        progress = 1 - math.exp(-step / 200)
        weight = self.rng.normal(0.5 * progress, 1.0 - 0.6 * progress, WEIGHTS)
        logger.write("demo-weights", step=step, weight=weight)
        label = self.rng.integers(0, CLASSES, PREDICTIONS)
        right = self.rng.random(PREDICTIONS) < 0.3 + 0.6 * progress
        prediction = np.where(right, label, self.rng.integers(0, CLASSES, PREDICTIONS))
        logger.write("demo-preds", step=step, label=label, prediction=prediction)

    def finish(self, logger: LoggerCore) -> None:
        logger.set_attributes(best_loss=self.best)
        logger.add_tags("finished")


def _steps(steps: int) -> Iterable[int]:
    return range(steps) if steps > 0 else itertools.count()


class _Stop:
    """Ctrl-C, `kill` and a closed terminal stop the demo between steps, never inside
    one: a step writes every series, so what was logged stays in step (the interrupt
    that arrives mid-step is raised when the step is done)."""

    deferring = False
    pending = False


def _interrupt(signum: int, frame: FrameType | None) -> None:  # noqa: ARG001 - a handler
    if _Stop.deferring:
        _Stop.pending = True
        return
    raise KeyboardInterrupt


@contextlib.contextmanager
def _whole_step() -> Iterator[None]:
    _Stop.deferring = True
    try:
        yield
    finally:
        _Stop.deferring = False
    if _Stop.pending:
        _Stop.pending = False
        raise KeyboardInterrupt


def log_sync(loggers: list[DataLogger], runs: list[DemoRun], steps: int, pause: float) -> None:
    with contextlib.ExitStack() as stack:  # leaving it stops every logger: a final flush
        for logger in loggers:
            stack.enter_context(logger)
        for step in _steps(steps):
            with _whole_step():
                for run, logger in zip(runs, loggers, strict=True):
                    run.log_step(logger, step)
            time.sleep(pause)
        for run, logger in zip(runs, loggers, strict=True):
            run.finish(logger)


async def log_async(
    loggers: list[AsyncDataLogger], runs: list[DemoRun], steps: int, pause: float
) -> None:
    async with contextlib.AsyncExitStack() as stack:
        for logger in loggers:
            await stack.enter_async_context(logger)
        for step in _steps(steps):
            with _whole_step():
                for run, logger in zip(runs, loggers, strict=True):
                    run.log_step(logger, step)  # write() only queues: no await needed
            await asyncio.sleep(pause)
        for run, logger in zip(runs, loggers, strict=True):
            run.finish(logger)


def _say(text: str) -> None:
    print(f"streamvis demo: {text}", flush=True)


def new_loggers(kind: type[L], uri: str, runs: list[DemoRun]) -> list[L]:
    """A logger per run; not started yet, but each knows its run's handle."""
    return [kind(uri, flush_every=0.5, tags=r.tags, attributes=r.attributes) for r in runs]


def _names(layout: str) -> list[str]:
    """The plots a dashboard URL lays out: "?rows=a,b;c&height=1,1" -> a, b, c."""
    return re.split("[,;]", layout.removeprefix("?rows=").split("&")[0])


def announce(server: LocalServer, loggers: list[L], steps: int) -> None:
    """Save the plots for these runs and say where to look."""
    with streamvis.connect(server.uri) as sv:
        specs = plot_specs(lg.run_handle for lg in loggers)
        for spec in specs:
            sv.client.save_plot(spec["name"], spec)
        # Saved too, so the Dashboards page lists the demo's layout by name.
        sv.client.save_dashboard("demo", {"layout": DASHBOARD.removeprefix("?"),
                                          "plots": _names(DASHBOARD),
                                          "title": "the streamvis demo"})
        sv.client.save_dashboard("demo-kinds", {
            "layout": KINDS_DASHBOARD.removeprefix("?"), "plots": _names(KINDS_DASHBOARD),
            "title": "histogram over steps, confusion matrix and a 3-D point cloud"})
        sv.client.save_dashboard("demo-media", {
            "layout": MEDIA_DASHBOARD.removeprefix("?"), "plots": _names(MEDIA_DASHBOARD),
            "title": "images with boxes, audio and a text diff"})
    length = f"{steps} steps" if steps > 0 else "until Ctrl-C"
    _say(f"logging {len(loggers)} run(s), {length}, with {type(loggers[0]).__name__}; "
         "Ctrl-C stops it")
    _say(f"from Python: streamvis.connect({server.uri!r}).fetch('demo-train')")
    print(f"dashboard: {server.web_url}{DASHBOARD}", flush=True)
    print(f"histograms, heatmap and 3-D: {server.web_url}{KINDS_DASHBOARD}", flush=True)
    print(f"images, audio and text: {server.web_url}{MEDIA_DASHBOARD}", flush=True)


def run_demo(
    uri: str, data_dir: str, http_port: int, *, steps: int = 3000, runs: int = 1,
    interval: float = 0.1, use_async: bool = False,
) -> None:
    """The whole demo; returns when it is done (or raises KeyboardInterrupt on Ctrl-C)."""
    server = ensure_server(uri, data_dir, http_port)
    try:
        if server.started_here:
            _say(f"started a server on the embedded store in {data_dir} (gRPC {server.uri})")
        with Client(server.uri) as client:
            have = client.series()
        declare_schema(FIELDS, declared_series(have), uri=server.uri)
        demo_runs = [DemoRun(i, sweep=runs > 1) for i in range(runs)]
        if use_async:
            async_loggers = new_loggers(AsyncDataLogger, server.uri, demo_runs)
            announce(server, async_loggers, steps)
            asyncio.run(log_async(async_loggers, demo_runs, steps, interval))
        else:
            loggers = new_loggers(DataLogger, server.uri, demo_runs)
            announce(server, loggers, steps)
            log_sync(loggers, demo_runs, steps, interval)
        _say(f"logged {steps} steps")
        if server.started_here:
            _say("the server keeps running for you to explore; Ctrl-C stops it")
            while True:
                time.sleep(3600)
    finally:
        server.stop()


def main(
    uri: str, data_dir: str, http_port: int, *, steps: int = 3000, runs: int = 1,
    interval: float = 0.1, use_async: bool = False,
) -> None:
    """`run_demo` until done or stopped: Ctrl-C, `kill` or a closed terminal all stop it
    cleanly (loggers flushed, a server it started stopped)."""
    # asyncio.run stops its loop on SIGINT by itself, at an await (between steps).
    names = ("SIGTERM", "SIGHUP") if use_async else ("SIGINT", "SIGTERM", "SIGHUP")
    for name in names:
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _interrupt)
    try:
        run_demo(uri, data_dir, http_port, steps=steps, runs=runs, interval=interval,
                 use_async=use_async)
    except KeyboardInterrupt:
        _say("stopped")
