"""Keras 3: `StreamvisCallback`, a `keras.callbacks.Callback` (any backend: torch, JAX
or TensorFlow; streamvis needs none of them itself; with no backend chosen and no
TensorFlow installed, importing this module picks torch, else JAX, for Keras).

    from streamvis.integrations.keras import StreamvisCallback
    model.fit(x, y, epochs=10, callbacks=[StreamvisCallback(tags=["baseline"])])

- `on_train_begin`: the run starts; `fit`'s parameters (`epochs`, `steps`, `verbose`)
  become `config.*` run attributes and the optimizer's settings `config.optimizer.*`;
- `on_train_batch_end`: each metric of the batch logs (Keras' running means over the
  epoch) as series `batch/<metric>` at the count of batches since `fit` began, every
  `batch_every` batches (None: none);
- `on_epoch_end`: each metric of the epoch, validation ones included, as series
  `epoch/<metric>` at the epoch (`epoch/loss`, `epoch/val_loss`, fields `step` and the
  metric name) — the names W&B's Keras callback uses;
- `on_train_end`: everything is sent (a flush); the logger stops when the program ends
  or at `callback.finish()`, so a second `fit` logs into the same run.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from streamvis.integrations._common import float_metrics, start_run, without_none
from streamvis.model.capture import CONFIG
from streamvis.quick import QuickRun


def _default_backend() -> None:
    """Keras defaults to TensorFlow (and writes that into ~/.keras/keras.json on its first
    import), and fails to import without it. When the backend configured is not installed
    and KERAS_BACKEND does not choose one, pick one that is (torch, then JAX), as the user
    would have to; a working choice, or one made in the environment, is kept."""
    if "keras" in sys.modules or os.environ.get("KERAS_BACKEND"):
        return
    configured = "tensorflow"
    config = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras") / "keras.json"
    with contextlib.suppress(OSError, ValueError, AttributeError):
        configured = str(json.loads(config.read_text()).get("backend", configured))
    if importlib.util.find_spec(configured) is not None:
        return
    for backend in ("torch", "jax"):
        if importlib.util.find_spec(backend) is not None:
            os.environ["KERAS_BACKEND"] = backend
            return


_default_backend()

import keras  # noqa: E402 - after the backend is chosen


class StreamvisCallback(keras.callbacks.Callback):  # type: ignore[misc]  # untyped Keras
    """Log a Keras `fit`'s metrics and parameters to a streamvis server (module doc).

    `uri` of the server (default STREAMVIS_URI or localhost:8001), `tags` of the run,
    `run` to log into a run already started (`streamvis.init`), `batch_every` (batches
    between two rows of the `batch/*` series; None for epoch rows only), and any
    DataLogger argument by keyword.
    """

    def __init__(
        self,
        uri: str | None = None,
        *,
        tags: Sequence[str] = (),
        run: QuickRun | None = None,
        batch_every: int | None = 1,
        **options: Any,
    ) -> None:
        super().__init__()
        self._uri, self._tags, self._options = uri, tuple(tags), options
        self.run = run
        self.batch_every = batch_every
        self._batches = 0  # batches since the first fit began: the batch series' step

    def _started(self) -> QuickRun:
        if self.run is None:
            self.run = start_run(None, self._uri, self._tags, self._options)
        return self.run

    def on_train_begin(self, logs: Mapping[str, Any] | None = None) -> None:
        run = self._started()
        run.logger.log_config(without_none(dict(self.params or {})), CONFIG)
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None:
            settings = float_metrics(optimizer.get_config())  # the numbers: rates, betas
            names = {k: v for k, v in optimizer.get_config().items() if isinstance(v, str)}
            run.logger.log_config({**settings, **names}, CONFIG + "optimizer")

    def on_train_batch_end(self, batch: int, logs: Mapping[str, Any] | None = None) -> None:
        step = self._batches
        self._batches += 1
        if self.batch_every is None or step % self.batch_every or not logs:
            return
        self._started().log(float_metrics(logs, "batch/"), step=step)

    def on_epoch_end(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
        if logs:
            self._started().log(float_metrics(logs, "epoch/"), step=epoch)

    def on_train_end(self, logs: Mapping[str, Any] | None = None) -> None:
        if self.run is not None:
            self.run.logger.flush()

    def finish(self) -> None:
        """Stop the run's logger now (everything logged is sent)."""
        if self.run is not None:
            self.run.finish()
