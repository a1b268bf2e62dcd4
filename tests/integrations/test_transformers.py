"""The Transformers callback: a 2-layer BERT with hidden size 8 trained a few steps on CPU
through `report_to="streamvis"`, its logs read back from a real server value for value
against the Trainer's own log history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

from streamvis.client import Client
from streamvis.integrations.transformers import SUMMARY_KEYS, StreamvisCallback, group_key
from tests.served import run_info
from tests.served import series_rows as rows

# Transformers' notes about a model this small and untrained heads: not streamvis's.
pytestmark = [pytest.mark.filterwarnings("ignore::UserWarning"),
              pytest.mark.filterwarnings("ignore::FutureWarning")]


def _model() -> BertForSequenceClassification:
    torch.manual_seed(0)
    config = BertConfig(vocab_size=32, hidden_size=8, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=16,
                        max_position_embeddings=16)  # two labels, the default
    return BertForSequenceClassification(config)


def _data(n: int) -> list[dict[str, Any]]:
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(1, 32, (n, 6), generator=g)
    return [{"input_ids": row, "labels": int(row[0] % 2)} for row in ids]


def test_report_to_streamvis_logs_the_trainers_history(
    uri: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STREAMVIS_URI", uri)
    args = TrainingArguments(
        output_dir=str(tmp_path / "out"), report_to="streamvis", max_steps=4,
        per_device_train_batch_size=4, logging_steps=1, eval_strategy="steps", eval_steps=2,
        save_strategy="no", use_cpu=True, learning_rate=5e-3, seed=0,
        disable_tqdm=True,
    )
    trainer = Trainer(model=_model(), args=args, train_dataset=_data(16),
                      eval_dataset=_data(8))
    (callback,) = [c for c in trainer.callback_handler.callbacks
                   if isinstance(c, StreamvisCallback)]
    trainer.train()
    callback.finish()
    assert callback.run is not None
    handle = callback.run.handle

    expected: dict[str, list[tuple[int, float]]] = {}
    summary: dict[str, float] = {}
    for entry in trainer.state.log_history:
        for key, value in entry.items():
            if key == "step":
                continue
            if key in SUMMARY_KEYS:
                summary[key] = float(value)
            else:
                expected.setdefault(group_key(key), []).append((int(entry["step"]), float(value)))
    assert {"train/loss", "eval/loss", "train/learning_rate"} <= set(expected)
    assert len(expected["train/loss"]) == 4
    for series, points in expected.items():
        got = rows(uri, handle, series)
        assert got == {"step": [s for s, _ in points],
                       series.rsplit("/", 1)[-1]: [v for _, v in points]}, series

    info = run_info(uri, handle)
    assert info.attributes["config.learning_rate"] == 5e-3
    assert info.attributes["config.max_steps"] == 4
    assert info.attributes["config.model.hidden_size"] == 8
    for key, value in summary.items():
        assert info.attributes[f"summary.{key}"] == value


def test_checkpoints_are_saved_as_artifacts(uri: str, tmp_path: Path) -> None:
    callback = StreamvisCallback(uri, tags=["hf-test"], log_checkpoints=True, strict=True)
    args = TrainingArguments(
        output_dir=str(tmp_path / "out"), report_to="none", max_steps=2,
        per_device_train_batch_size=4, logging_steps=1, save_strategy="steps", save_steps=2,
        use_cpu=True, disable_tqdm=True,
    )
    Trainer(model=_model(), args=args, train_dataset=_data(8), callbacks=[callback]).train()
    callback.finish()
    assert callback.run is not None
    assert "hf-test" in run_info(uri, callback.run.handle).tags
    with Client(uri) as client:
        saved = [(a.name, a.step) for a in client.artifacts(callback.run.handle)]
    assert saved == [("checkpoints/checkpoint-2", 2)]


def test_group_key_follows_the_trainers_prefixes() -> None:
    assert group_key("eval_loss") == "eval/loss"
    assert group_key("test_accuracy") == "test/accuracy"
    assert group_key("grad_norm") == "train/grad_norm"
