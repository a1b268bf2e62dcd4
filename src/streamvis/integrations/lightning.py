"""PyTorch Lightning: `StreamvisLogger`, a `lightning.pytorch.loggers.Logger`.

    from streamvis.integrations.lightning import StreamvisLogger
    trainer = Trainer(logger=StreamvisLogger(tags=["baseline"]), max_epochs=10)

- `log_metrics(metrics, step)`: each metric a series of its own (`train_loss` -> series
  `train_loss`, fields `step` and `train_loss`; `val/acc` -> series `val/acc`, fields
  `step` and `acc`), values as floats (integrations/__init__.py);
- `log_hyperparams(params)` (what `self.save_hyperparameters()` records): `config.*` run
  attributes, nested keys joined by ".";
- `log_checkpoints=True`: after each checkpoint the ModelCheckpoint callback writes, its
  file is saved as the run's artifact `checkpoints/<file name>` (`logger.save`);
- `finalize(status)`: the run's logger stops (everything sent); the status is the
  attribute `lightning.status`.

The run starts when Lightning first asks for it (`experiment`), on rank 0 only: the other
ranks of a distributed job log nothing, as with Lightning's own loggers.
"""

from __future__ import annotations

from argparse import Namespace
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lightning.fabric.loggers.logger import rank_zero_experiment
from lightning.pytorch.callbacks import ModelCheckpoint
from lightning.pytorch.loggers.logger import Logger
from lightning.pytorch.utilities import rank_zero_only

from streamvis.integrations._common import float_metrics, start_run
from streamvis.quick import QuickRun

#: The attribute `finalize` records Lightning's final status in.
STATUS_ATTRIBUTE = "lightning.status"
#: Where checkpoints go among the run's artifacts.
CHECKPOINTS = "checkpoints/"


class StreamvisLogger(Logger):
    """A Lightning logger that writes to a streamvis server (see the module doc).

    `uri` of the server (default STREAMVIS_URI or localhost:8001), `tags` of the run,
    `run` to log into a run already started (`streamvis.init`), `log_checkpoints` to save
    each checkpoint as an artifact, and any DataLogger argument by keyword.
    """

    def __init__(
        self,
        uri: str | None = None,
        *,
        tags: Sequence[str] = (),
        run: QuickRun | None = None,
        log_checkpoints: bool = False,
        **options: Any,
    ) -> None:
        super().__init__()
        self._uri, self._tags, self._options = uri, tuple(tags), options
        self._run = run
        self.log_checkpoints = log_checkpoints
        self._saved: set[str] = set()

    @property
    @rank_zero_experiment
    def experiment(self) -> QuickRun:
        """The streamvis run (started on first use): `.log`, `.logger.save`, `.handle`."""
        if self._run is None:
            self._run = start_run(None, self._uri, self._tags, self._options)
        return self._run

    @property
    def name(self) -> str:
        return "streamvis"

    @property
    def version(self) -> str | None:
        """The run's handle, once the run has started."""
        return None if self._run is None else self._run.handle

    @rank_zero_only
    def log_metrics(self, metrics: Mapping[str, Any], step: int | None = None) -> None:
        values = float_metrics(metrics)
        if values:
            self.experiment.log(values, step=step)

    @rank_zero_only
    def log_hyperparams(self, params: Mapping[str, Any] | Namespace, *args: Any,
                        **kwargs: Any) -> None:
        del args, kwargs  # other loggers' extras (metrics for TensorBoard's hparams view)
        self.experiment.config(vars(params) if isinstance(params, Namespace) else params)

    @rank_zero_only
    def after_save_checkpoint(self, checkpoint_callback: ModelCheckpoint) -> None:
        if not self.log_checkpoints:
            return
        # The files the callback keeps now (best, best k, last); each saved once, as written.
        kept = [checkpoint_callback.best_model_path, *checkpoint_callback.best_k_models,
                checkpoint_callback.last_model_path]
        for path in kept:
            if path and path not in self._saved and Path(path).is_file():
                self.experiment.logger.save(Path(path), CHECKPOINTS + Path(path).name)
                self._saved.add(path)

    @rank_zero_only
    def save(self) -> None:
        if self._run is not None:
            self._run.logger.flush()

    @rank_zero_only
    def finalize(self, status: str) -> None:
        if self._run is None:
            return  # nothing was logged: no run to end
        self._run.logger.log_config({STATUS_ATTRIBUTE: status}, prefix="")
        self._run.finish()
