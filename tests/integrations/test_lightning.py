"""The Lightning logger: a tiny model trained 2 epochs on CPU, its metrics read back from
a real server value for value against what Lightning's own CSVLogger wrote beside it."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import lightning.pytorch as pl
import pytest
import torch
from lightning.pytorch.loggers import CSVLogger
from torch.utils.data import DataLoader, TensorDataset

from streamvis.client import Client
from streamvis.integrations.lightning import StreamvisLogger
from tests.served import run_info
from tests.served import series_rows as rows

# Lightning's advice about workers and logging intervals, for a model this small, and its
# use of a torch pytree name that torch 2.13 deprecates: neither is streamvis's.
pytestmark = [pytest.mark.filterwarnings("ignore::UserWarning"),
              pytest.mark.filterwarnings("ignore::FutureWarning")]


class Tiny(pl.LightningModule):
    def __init__(self, lr: float = 0.1, width: int = 2) -> None:
        super().__init__()
        self.save_hyperparameters()  # lr and width, read from this frame's arguments
        self.layer = torch.nn.Linear(width, 1)
        self.lr = lr

    def training_step(self, batch: Any, _: int) -> torch.Tensor:
        x, y = batch
        loss = torch.nn.functional.mse_loss(self.layer(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch: Any, _: int) -> None:
        x, y = batch
        self.log("val/loss", torch.nn.functional.mse_loss(self.layer(x), y))

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=self.lr)


def _data() -> DataLoader[Any]:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(16, 2, generator=g)
    return DataLoader(TensorDataset(x, x.sum(1, keepdim=True)), batch_size=4)


def _csv_metrics(path: Path) -> dict[str, list[tuple[int, float]]]:
    out: dict[str, list[tuple[int, float]]] = {}
    with path.open() as f:
        for row in csv.DictReader(f):
            for key, value in row.items():
                if key != "step" and value != "":
                    out.setdefault(key, []).append((int(row["step"]), float(value)))
    return out


def test_two_epochs_of_metrics_hparams_and_checkpoints_reach_the_server(
    uri: str, tmp_path: Path
) -> None:
    torch.manual_seed(0)
    logger = StreamvisLogger(uri, tags=["lightning-test"], log_checkpoints=True, strict=True)
    csv_logger = CSVLogger(tmp_path, name="csv")
    trainer = pl.Trainer(
        max_epochs=2, accelerator="cpu", logger=[logger, csv_logger], log_every_n_steps=1,
        enable_progress_bar=False, enable_model_summary=False, default_root_dir=tmp_path,
    )
    trainer.fit(Tiny(), _data(), _data())
    handle = logger.version
    assert handle is not None

    expected = _csv_metrics(Path(csv_logger.log_dir) / "metrics.csv")
    assert set(expected) == {"train_loss", "val/loss", "epoch"}
    assert len(expected["train_loss"]) == 8  # 4 batches x 2 epochs
    for key, points in expected.items():
        field = key.rsplit("/", 1)[-1]
        got = rows(uri, handle, key)
        assert got["step"] == [s for s, _ in points], key
        # CSVLogger writes what Lightning gave it: the same Python floats.
        assert all(math.isclose(a, b, rel_tol=0, abs_tol=0)
                   for a, b in zip(got[field], (v for _, v in points), strict=True)), key

    info = run_info(uri, handle)
    assert "lightning-test" in info.tags
    assert info.attributes["config.lr"] == 0.1
    assert info.attributes["config.width"] == 2
    assert info.attributes["lightning.status"] == "success"
    with Client(uri) as client:
        names = {a.name for a in client.artifacts(handle)}
    # Each checkpoint as it was written (Lightning deletes epoch 0's file; the run keeps it).
    assert names == {"checkpoints/epoch=0-step=4.ckpt", "checkpoints/epoch=1-step=8.ckpt"}


def test_nothing_logged_means_no_run_and_finalize_does_nothing() -> None:
    logger = StreamvisLogger("localhost:1")
    logger.finalize("success")
    assert logger.version is None
