"""`streamvis.init` / `run.log` against a real server: inference, keys, config, refusal."""

from __future__ import annotations

import uuid

import numpy as np
import pytest

import streamvis
from streamvis.client import Client
from streamvis.model.errors import InvalidArgumentError, LoggerWarning
from streamvis.model.schema import RunFilter
from streamvis.quick import series_and_field
from tests.served import series_rows

pytestmark = pytest.mark.usefixtures("private_cache")


def test_init_log_finish_round_trip_with_prefixed_keys(uri: str) -> None:
    run = streamvis.init(uri, tags=["quick"], config={"lr": 0.1, "opt": {"name": "adam"}},
                         attributes={"note": "first try"}, strict=True)
    for i in range(3):
        run.log({"train/loss": 1.0 / (i + 1), "train/acc": i / 4})
    run.log({"val/loss": np.float32(0.5), "epoch": 0, "done": True}, step=10)
    run.log({"train/loss": 0.1})
    assert run.finish().delivered
    assert series_rows(uri, run.handle, "train/loss") == {
        "step": [0, 1, 2, 11], "loss": [1.0, 0.5, 1 / 3, 0.1]}
    assert series_rows(uri, run.handle, "train/acc") == {"step": [0, 1, 2], "acc": [0, 0.25, 0.5]}
    assert series_rows(uri, run.handle, "val/loss") == {"step": [10], "loss": [0.5]}
    assert series_rows(uri, run.handle, "epoch") == {"step": [10], "epoch": [0]}
    with Client(uri) as client:
        (info,) = client.runs(RunFilter(handles=(uuid.UUID(run.handle),)))
    assert "quick" in info.tags
    assert info.attributes["config.lr"] == 0.1
    assert info.attributes["config.opt.name"] == "adam"
    assert info.attributes["note"] == "first try"


def test_log_infers_images_and_audio(uri: str) -> None:
    pixels = np.random.default_rng(2).integers(0, 256, (4, 6, 3), dtype=np.uint8)
    run = streamvis.init(uri, strict=True)
    run.log({"samples/pic": pixels, "sound/clip": streamvis.Audio(np.zeros(400, np.float32),
                                                                  8000)})
    assert run.finish().delivered
    with Client(uri) as client:
        types = {f.name: str(f.type) for f in client.fields()}
    assert (types["pic"], types["clip"]) == ("image", "audio")
    with streamvis.connect(uri) as sv:
        (row,) = sv.fetch("samples/pic", runs=[run.handle]).to_pylist()
        assert row["step"] == 0
        assert np.array_equal(sv.media(row["pic"], as_="numpy"), pixels)


def test_a_metric_of_another_type_later_is_refused_and_the_rest_kept(uri: str) -> None:
    key = f"score-{uuid.uuid4().hex[:6]}"
    with streamvis.init(uri) as run:
        run.log({key: 1.5})
        with pytest.warns(LoggerWarning, match=r"is float but got a str.*infer=True"):
            run.log({key: "n/a"})
        run.log({key: 2.5})
    assert series_rows(uri, run.handle, key)[key.rsplit("/", 1)[-1]] == [1.5, 2.5]
    assert series_rows(uri, run.handle, key)["step"] == [0, 2]


def test_log_refuses_a_step_key_and_a_bad_step(uri: str) -> None:
    with streamvis.init(uri, strict=True) as run:
        with pytest.raises(InvalidArgumentError, match="pass the step as"):
            run.log({"train/step": 1})
        with pytest.raises(InvalidArgumentError, match="give an int step"):
            run.log({"x": 1.0}, step=1.5)  # type: ignore[arg-type]
        assert run.step == 1  # the refused key's call still took step 0
        run.log({"y": 1.0}, step=np.int64(5))
        assert run.step == 6


def test_series_and_field() -> None:
    assert series_and_field("train/loss") == ("train/loss", "loss")
    assert series_and_field("loss") == ("loss", "loss")
    assert series_and_field("a/b/c") == ("a/b/c", "c")
