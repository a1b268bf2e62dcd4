"""Screenshots of the line family for docs/plots.md: smoothed loss curves, stems,
stacked areas and runs as bands.

Run: .venv/bin/python -m tests.browser.explore_line_kinds (needs a built UI and Chromium).
"""

from __future__ import annotations

import numpy as np

from streamvis.client import Client

from .explore_shots import screenshot_plots


def seed(c: Client) -> None:
    rng = np.random.default_rng(3)
    c.create_field("step", "int")
    c.create_field("loss", "float")
    c.create_field("grad_norm", "float")
    c.create_field("optimizer", "string")
    c.create_series("train", ["step", "loss"])
    c.create_series("grads", ["step", "grad_norm"])
    c.create_series("sweep", ["step", "loss"])
    steps = np.arange(2_000)
    for lr in (0.3, 0.1):
        run = c.create_run(tags=["lines"])
        loss = 2.5 * np.exp(-steps * lr / 300) + 0.25 + rng.normal(0, 0.12, steps.size)
        c.append(run.handle, "train", {"step": steps, "loss": loss})
    for opt, rate in (("adam", 0.3), ("sgd", 0.12)):
        for seed in range(5):
            run = c.create_run(tags=["sweep"], attributes={"optimizer": opt})
            own = np.arange(0, 2_000, 2 + seed)  # each run its own steps
            c.append(run.handle, "sweep", {"step": own, "loss": 2.5 * np.exp(
                -own * rate * rng.uniform(0.6, 1.4) / 300) + 0.3 + rng.normal(0, 0.03, own.size)})
    c.save_plot("sweep-bands", {"kind": "band", "title": "loss of 5 seeds per optimizer",
                                "datasets": [{"series": "sweep", "attributes": ["optimizer"],
                                              "bindings": {"x": "step", "y": "loss",
                                                           "group": "optimizer"}}]})
    c.create_field("tokens", "float")
    c.create_field("source", "string")
    c.create_series("tokens", ["step", "source", "tokens"])
    mix = c.create_run(tags=["areas"])
    s = np.arange(300)
    for i, source in enumerate(("web", "code", "books")):
        c.append(mix.handle, "tokens", {"step": s, "source": np.full(s.size, source),
                                        "tokens": 1_000 * (3 - i) + 400 * np.sin(s / 40 + i)})
    ticks = np.arange(60)
    run = c.create_run(tags=["stems"])
    c.append(run.handle, "grads", {"step": ticks, "grad_norm": np.abs(
        np.sin(ticks / 6) * 3 + rng.normal(0, 0.3, ticks.size))})
    c.save_plot("smoothed-loss", {"kind": "line", "title": "loss, EMA 0.9 over the raw line",
                                  "smooth": {"ema": 0.9}, "datasets": [
                                      {"series": "train", "bindings": {"x": "step", "y": "loss"}}]})
    c.save_plot("stacked", {"kind": "area", "title": "tokens per step by source, stacked",
                            "datasets": [{"series": "tokens", "bindings": {
                                "x": "step", "y": "tokens", "group": "source"}}]})
    c.save_plot("grad-stems", {"kind": "stem", "title": "gradient norm per step", "datasets": [
        {"series": "grads", "bindings": {"x": "step", "y": "grad_norm"}}]})


def main() -> None:
    screenshot_plots(seed, [("smoothed-loss", "kind-smooth.png"), ("grad-stems", "kind-stem.png"),
                             ("stacked", "kind-area.png"), ("sweep-bands", "kind-band.png")],
                     height=420, settle_ms=500)


if __name__ == "__main__":
    main()
