"""Screenshots of the 2-D layouts for docs/plots.md: a histogram over steps as ridgelines,
bars grouped side by side, boxes split by color.

Run: .venv/bin/python -m tests.browser.explore_kinds_2d (needs a built UI and Chromium).
"""

from __future__ import annotations

import numpy as np

from streamvis.client import Client

from .explore_shots import screenshot_plots


def seed(c: Client) -> None:
    rng = np.random.default_rng(5)
    for name, kind in (("step", "int"), ("w", "float"), ("label", "int"), ("split", "string"),
                       ("model", "string"), ("score", "float")):
        c.create_field(name, kind)
    c.create_series("weights", ["step", "w"])
    c.create_series("preds", ["label", "split", "model", "score"])
    run = c.create_run(tags=["kinds2d"])
    steps = np.repeat(np.arange(30), 2_000)
    # A layer's weights: the mean drifts, the spread narrows, a second mode grows.
    w = np.where(rng.random(steps.size) < steps / 90, rng.normal(2.5, 0.3, steps.size),
                 rng.normal(steps / 30, 1.2 - steps / 50, steps.size))
    c.append(run.handle, "weights", {"step": steps, "w": w})
    n = 4_000
    label = rng.integers(0, 4, n)
    model = rng.choice(["small", "large"], n)
    c.append(run.handle, "preds", {
        "label": label, "split": rng.choice(["train", "val", "test"], n, p=[0.6, 0.25, 0.15]),
        "model": model, "score": rng.normal(label * 0.5 + np.where(model == "large", 1, 0), 0.6)})
    c.save_plot("ridges", {"kind": "histogram", "title": "weights per step, as ridgelines",
                           "reduce": {"bins": 40}, "view": "ridgeline", "datasets": [
                               {"series": "weights", "bindings": {"x": "w", "t": "step"}}]})
    c.save_plot("grouped", {"kind": "bar", "title": "rows per split, by model, side by side",
                            "view": "group", "datasets": [{"series": "preds", "bindings": {
                                "category": "split", "color": "model"}}]})
    c.save_plot("split-boxes", {"kind": "box", "title": "score per label, split by model",
                                "datasets": [{"series": "preds", "bindings": {
                                    "category": "label", "y": "score", "color": "model"}}]})


def main() -> None:
    screenshot_plots(seed, [("ridges", "kind-ridgeline.png"), ("grouped", "kind-bars-grouped.png"),
                             ("split-boxes", "kind-boxes-split.png")],
                     height=460, settle_ms=500)


if __name__ == "__main__":
    main()
