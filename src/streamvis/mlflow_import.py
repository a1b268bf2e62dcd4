"""`streamvis import-mlflow STORE`: the runs of an MLflow tracking store, into runs.

STORE is a tracking URI (`sqlite:///mlflow.db`, `postgresql://...`, `file:///...`, an
MLflow server's `http://...`) or a path to a file store (`./mlruns`). It is read with
MLflow's own client (the `mlflow` extra: mlflow-skinny, plus SQLAlchemy for database
stores). Each MLflow run, in every experiment (deleted ones left out), becomes one
streamvis run (docs/compat.md has the table):

- the run's handle is the MLflow run id (a UUID in hex), so importing again replaces the
  runs imported before instead of adding copies; its start time is the run's;
- params -> `config.<key>` attributes. MLflow keeps params as text; a number is stored
  as a float (whatever its spelling: `10` and `0.1` give one float field, never an int
  field that a later `0.1` would not fit), `true`/`false` as a bool, the rest as text;
- metrics -> a series per key, as `streamvis.init`'s `log` maps keys (series the key,
  its value field the key's last `/` part), with a third field `wall_time`: MLflow's
  timestamp in seconds since the epoch, which is also each row's wall-clock `_time`.
  Every value of the history, step for step;
- tags -> the run's tags: `key=value` (or `key` alone for an empty value); MLflow's own
  `mlflow.*` tags are attributes of that name (`mlflow.user`, `mlflow.source.name`, ...)
  and the run name is a tag of its own. Attributes `mlflow.run_id`,
  `mlflow.experiment` and `mlflow.status` say where the run came from.
"""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from streamvis.logger import DataLogger
from streamvis.model.errors import FailedPreconditionError, InvalidArgumentError
from streamvis.model.schema import validate_name
from streamvis.model.wallclock import TIME
from streamvis.quick import STEP, series_and_field

#: The field of each metric series that holds MLflow's timestamp (seconds).
WALL_TIME = "wall_time"
#: MLflow's own tags: attributes, not tags.
SYSTEM_TAG = "mlflow."
PARAMS = "config"


@dataclass
class Imported:
    """What one import did: the runs made, and how many params, metric values and tags."""

    runs: list[str] = field(default_factory=list)
    params: int = 0
    metrics: int = 0
    tags: int = 0


def tracking_uri(store: str) -> str:
    """A tracking URI for `store`: as given when it has a scheme, else a file store path."""
    if "://" in store or store.startswith("file:"):
        return store
    path = Path(store)
    if not path.is_dir():
        raise InvalidArgumentError(
            f"{store!r} is neither a tracking URI (sqlite:///mlflow.db, http://host:5000) "
            "nor a directory: give an MLflow store"
        )
    return path.resolve().as_uri()


def param_value(text: str) -> float | bool | str:
    """An MLflow param (always text) as an attribute value: a float, a bool, or text."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        number = float(text)
    except ValueError:
        return text
    return text if math.isnan(number) and lowered != "nan" else number


@contextmanager
def _file_stores_allowed() -> Iterator[None]:
    """MLflow 3 refuses to open a file store (./mlruns) unless told it may: reading an
    existing one is what an import is for, so it is allowed while the import reads."""
    before = os.environ.get("MLFLOW_ALLOW_FILE_STORE")
    os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("MLFLOW_ALLOW_FILE_STORE", None)
        else:
            os.environ["MLFLOW_ALLOW_FILE_STORE"] = before


def _client(uri: str) -> Any:
    try:
        from mlflow.tracking import MlflowClient  # noqa: PLC0415 - the optional extra
    except ImportError:
        raise FailedPreconditionError(
            "reading an MLflow store needs MLflow: pip install 'streamvis[mlflow]' "
            "(mlflow-skinny; SQLAlchemy too for a database store)"
        ) from None
    return MlflowClient(tracking_uri=uri)


def _tags_and_attributes(run: Any, experiment: str) -> tuple[list[str], dict[str, Any]]:
    tags: list[str] = []
    attributes: dict[str, Any] = {
        "mlflow.run_id": run.info.run_id, "mlflow.experiment": experiment,
        "mlflow.status": run.info.status,
    }
    if run.info.run_name:
        tags.append(run.info.run_name)
    for key, value in sorted(run.data.tags.items()):
        if key.startswith(SYSTEM_TAG):
            attributes[key] = value
            continue
        tag = f"{key}={value}" if value else key
        try:
            tags.append(validate_name("tag", tag))
        except InvalidArgumentError:
            attributes[f"mlflow.tags.{key}"] = value  # too long for a tag: kept as text
    return tags, attributes


def _import_run(client: Any, run: Any, experiment: str, out: Imported, *,
                uri: str | None, options: dict[str, Any]) -> None:
    tags, attributes = _tags_and_attributes(run, experiment)
    try:
        handle: uuid.UUID | None = uuid.UUID(hex=run.info.run_id)
    except ValueError:
        handle = None  # a store of another kind's ids: a fresh run each import
    logger = DataLogger(uri, run_handle=handle, tags=tags, infer=True, strict=True,
                        capture=False, started_at=run.info.start_time / 1000, **options)
    with logger:
        logger.log_config(attributes, prefix="")
        params = {k: param_value(v) for k, v in run.data.params.items()}
        logger.log_config(params, PARAMS)
        for key in sorted(run.data.metrics):
            history = client.get_metric_history(run.info.run_id, key)
            series, leaf = series_and_field(key)
            if leaf == WALL_TIME:
                raise InvalidArgumentError(
                    f"MLflow metric {key!r} ends in {WALL_TIME!r}, the field that holds "
                    "its timestamps: rename the metric in MLflow to import it")
            stamps = np.array([m.timestamp for m in history], np.float64) / 1000
            logger.write(series, **{
                STEP: np.array([m.step for m in history], np.int64),
                leaf: np.array([m.value for m in history], np.float64),
                WALL_TIME: stamps,
                TIME: stamps,  # each row's wall-clock `_time` is MLflow's, not the import's
            })
            out.metrics += len(history)
        out.params += len(params)
        out.tags += len(run.data.tags)
    out.runs.append(str(logger.run_handle))


def import_mlflow(store: str, uri: str | None = None, **options: Any) -> Imported:
    """Import every run of the MLflow store `store`; see the module docstring."""
    tracking = tracking_uri(store)
    out = Imported()
    with _file_stores_allowed():
        client = _client(tracking)
        experiments = client.search_experiments()
        for experiment in experiments:
            page_token = None
            while True:
                runs = client.search_runs([experiment.experiment_id], max_results=1000,
                                          page_token=page_token)
                for run in runs:
                    _import_run(client, run, experiment.name, out, uri=uri, options=options)
                page_token = runs.token
                if not page_token:
                    break
    return out
