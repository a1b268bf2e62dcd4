"""`logger.image`: the image row and its box series, written in one call."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

import streamvis
from streamvis.model.errors import InvalidArgumentError
from streamvis.testing import ServerProcess

NewStore = Callable[[str], contextlib.AbstractContextManager[str]]


@pytest.fixture(scope="module")
def server(new_store: NewStore) -> Iterator[ServerProcess]:
    with new_store("sqlite") as location, ServerProcess(location) as proc:
        streamvis.declare_schema({"step": "int", "img": "image", "caption": "string"},
                                 {"det": ["step", "img", "caption"]}, uri=proc.uri)
        yield proc


def test_one_image_and_a_batch_with_boxes(server: ServerProcess, tmp_path: Path) -> None:
    imgs = np.random.default_rng(0).integers(0, 256, (2, 16, 16, 3), dtype=np.uint8)
    with streamvis.DataLogger(uri=server.uri, spool_dir=tmp_path, strict=True) as lg:
        lg.image("det", imgs[0], step=0, caption="one",
                 boxes=[[1, 2, 5, 6], [0, 0, 3, 3]], labels=[1, 0], scores=[0.9, 0.2],
                 classes=["cat", "dog"])
        lg.image("det", imgs, step=np.array([1, 2]), caption="batch",
                 boxes=[np.array([[2.0, 2, 4, 4]]), np.zeros((0, 4))], labels=[["car"], []])
        run = lg.run_handle
    with streamvis.connect(server.uri) as sv:
        images = sv.fetch("det", runs=[run])
        boxes = sv.fetch("det.boxes", runs=[run]).to_pylist()
        assert images.column("step").to_pylist() == [0, 1, 2]
        assert np.array_equal(sv.media(images.column("img")[2].as_py(), as_="numpy"), imgs[1])
    assert [(b["step"], b["box.label"], b["box.score"], b["box.x1"]) for b in boxes] == [
        (0, "dog", 0.9, 5.0), (0, "cat", 0.2, 3.0), (1, "car", 1.0, 4.0),
    ]


def test_bad_boxes_are_refused(server: ServerProcess, tmp_path: Path) -> None:
    img = np.zeros((8, 8, 3), np.uint8)
    with streamvis.DataLogger(uri=server.uri, spool_dir=tmp_path, strict=True) as lg:
        with pytest.raises(InvalidArgumentError, match=r"\(K, 4\)"):
            lg.image("det", img, step=0, caption="", boxes=[1, 2, 3])
        with pytest.raises(InvalidArgumentError, match="2 labels for 1 boxes"):
            lg.image("det", img, step=0, caption="", boxes=[[0, 0, 1, 1]], labels=["a", "b"])
        with pytest.raises(InvalidArgumentError, match="key field 'step'"):
            lg.image("det", img, caption="", boxes=[[0, 0, 1, 1]])
