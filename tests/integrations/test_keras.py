"""The Keras callback: a tiny Dense model fitted 2 epochs with the torch backend (no
TensorFlow), its batch and epoch logs read back from a real server value for value
against what Keras gave its own callbacks (History, a LambdaCallback)."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is imported: no TensorFlow

from typing import Any

import keras
import numpy as np
import pytest

from streamvis.integrations.keras import StreamvisCallback
from tests.served import run_info
from tests.served import series_rows as rows

# Keras' torch backend reads an optimizer's learning rate through a numpy call that numpy
# 2 deprecates (keras/src/backend/torch): Keras's to fix, not streamvis's.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def _model() -> Any:
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse",
                  metrics=["mae"])
    return model


def test_fit_logs_batches_epochs_and_parameters(uri: str) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    batches: list[dict[str, float]] = []
    record = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda _, logs: batches.append(
            {k: float(v) for k, v in logs.items()}))
    callback = StreamvisCallback(uri, tags=["keras-test"], strict=True)
    history = _model().fit(x, y, batch_size=8, epochs=2, validation_data=(x[:8], y[:8]),
                           verbose=0, callbacks=[callback, record])
    callback.finish()
    assert callback.run is not None
    handle = callback.run.handle

    assert set(history.history) == {"loss", "mae", "val_loss", "val_mae"}
    for key, values in history.history.items():
        got = rows(uri, handle, f"epoch/{key}")
        assert got == {"step": [0, 1], key: [float(v) for v in values]}, key
    assert len(batches) == 8  # 4 batches x 2 epochs
    for key in ("loss", "mae"):
        got = rows(uri, handle, f"batch/{key}")
        assert got == {"step": list(range(8)), key: [b[key] for b in batches]}, key

    info = run_info(uri, handle)
    assert "keras-test" in info.tags
    assert info.attributes["config.epochs"] == 2
    assert info.attributes["config.steps"] == 4
    assert info.attributes["config.optimizer.learning_rate"] == pytest.approx(0.05)
    assert info.attributes["config.optimizer.name"] == "sgd"


def test_batch_every_thins_the_batch_series(uri: str) -> None:
    x = np.zeros((16, 3), "float32")
    callback = StreamvisCallback(uri, batch_every=3, strict=True)
    _model().fit(x, x[:, :1], batch_size=4, epochs=2, verbose=0, callbacks=[callback])
    callback.finish()
    assert callback.run is not None
    assert rows(uri, callback.run.handle, "batch/loss")["step"] == [0, 3, 6]
