"""Hugging Face Transformers: `StreamvisCallback`, a `TrainerCallback`.

    import streamvis.integrations.transformers           # registers report_to="streamvis"
    args = TrainingArguments(..., report_to="streamvis")
    # or: Trainer(..., callbacks=[StreamvisCallback(tags=["baseline"])])

Importing this module registers the name `streamvis` with Transformers' `report_to`
(its table of integrations, `INTEGRATION_TO_CALLBACK`): the Trainer then makes the
callback itself, with the server from STREAMVIS_URI. Pass the callback in `callbacks=`
for other arguments (`uri`, `tags`, `run`, `log_checkpoints`, any DataLogger argument).

- `on_train_begin`: the run starts (on the main process only); the TrainingArguments
  become `config.*` run attributes and the model's config `config.model.*`;
- `on_log`: each metric a series of its own at `state.global_step`, keys grouped as the
  W&B callback groups them — `eval_loss` -> `eval/loss`, `test_acc` -> `test/acc`, the
  rest under `train/` — so series `train/loss` and `eval/loss` share the field `loss`.
  The run's totals logged once at the end (`train_runtime`, `train_loss`, `total_flos`,
  ...) are `summary.*` attributes instead: one value each, searchable;
- `log_checkpoints=True`: each checkpoint directory the Trainer writes is saved as the
  run's artifact `checkpoints/<directory name>` (a tar, `logger.save`);
- `on_train_end`: everything logged is sent (a flush); the logger stops when the program
  ends, or at `callback.finish()`, so a later `trainer.evaluate()` is still logged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from transformers import (
    TrainerCallback,
    TrainerControl,
    TrainerState,
    TrainingArguments,
)
from transformers.integrations import integration_utils

from streamvis.integrations._common import float_metrics, start_run, without_none
from streamvis.model.capture import CONFIG
from streamvis.quick import QuickRun

#: The run's totals the Trainer logs once, at the end: attributes, not series.
SUMMARY_KEYS = frozenset({"train_runtime", "train_samples_per_second",
                          "train_steps_per_second", "train_loss", "total_flos"})
SUMMARY = "summary"
#: Where checkpoints go among the run's artifacts.
CHECKPOINTS = "checkpoints/"
#: The prefixes Transformers gives evaluation and test metrics, and their groups here.
_GROUPS = (("eval_", "eval/"), ("test_", "test/"))


def group_key(key: str) -> str:
    """A Trainer log key's series name: `eval_loss` -> `eval/loss`, `loss` -> `train/loss`."""
    for prefix, group in _GROUPS:
        if key.startswith(prefix):
            return group + key[len(prefix):]
    return "train/" + key


class StreamvisCallback(TrainerCallback):
    """Log a Trainer's metrics and arguments to a streamvis server (see the module doc)."""

    def __init__(
        self,
        uri: str | None = None,
        *,
        tags: Sequence[str] = (),
        run: QuickRun | None = None,
        log_checkpoints: bool = False,
        **options: Any,
    ) -> None:
        self._uri, self._tags, self._options = uri, tuple(tags), options
        self.run = run
        self.log_checkpoints = log_checkpoints

    def _start(self, args: TrainingArguments, state: TrainerState, model: Any) -> QuickRun | None:
        """The run, started on first need; None on the processes that do not log."""
        if not state.is_world_process_zero:
            return None
        if self.run is None:
            self.run = start_run(None, self._uri, self._tags, self._options)
            settings = args.to_dict()  # type: ignore[no-untyped-call]
            self.run.logger.log_config(without_none(settings), CONFIG)
            model_config = getattr(model, "config", None)
            if model_config is not None and hasattr(model_config, "to_dict"):
                self.run.logger.log_config(without_none(model_config.to_dict()),
                                           CONFIG + "model")
        return self.run

    def on_train_begin(self, args: TrainingArguments, state: TrainerState,
                       control: TrainerControl, model: Any = None, **kwargs: Any) -> None:
        self._start(args, state, model)

    def on_log(self, args: TrainingArguments, state: TrainerState, control: TrainerControl,
               model: Any = None, logs: Mapping[str, Any] | None = None,
               **kwargs: Any) -> None:
        run = self._start(args, state, model)
        if run is None or not logs:
            return
        summary = float_metrics({k: v for k, v in logs.items() if k in SUMMARY_KEYS})
        metrics = float_metrics({group_key(k): v for k, v in logs.items()
                                 if k not in SUMMARY_KEYS})
        if metrics:
            run.log(metrics, step=state.global_step)
        if summary:
            run.logger.log_config(summary, SUMMARY)

    def on_save(self, args: TrainingArguments, state: TrainerState, control: TrainerControl,
                **kwargs: Any) -> None:
        run = self._start(args, state, kwargs.get("model"))
        if run is None or not self.log_checkpoints:
            return
        # The Trainer's own naming: output_dir/checkpoint-<global step>.
        directory = Path(args.output_dir or ".") / f"checkpoint-{state.global_step}"
        if directory.is_dir():
            run.logger.save(directory, CHECKPOINTS + directory.name, step=state.global_step)

    def on_train_end(self, args: TrainingArguments, state: TrainerState,
                     control: TrainerControl, **kwargs: Any) -> None:
        if self.run is not None:
            self.run.logger.flush()

    def finish(self) -> None:
        """Stop the run's logger now (everything logged is sent)."""
        if self.run is not None:
            self.run.finish()


# report_to="streamvis": Transformers looks integrations up in this table by name.
integration_utils.INTEGRATION_TO_CALLBACK["streamvis"] = StreamvisCallback
