"""dropin_media: the drop-ins' arrays in the layout media fields take (no server)."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
import torch

from streamvis.dropin_media import audio_samples, image_array, video_array
from streamvis.model.errors import InvalidArgumentError, UnimplementedError


def test_image_axes_follow_dataformats() -> None:
    hwc = np.arange(3 * 3 * 3, dtype=np.uint8).reshape(3, 3, 3)  # ambiguous by shape
    assert np.array_equal(image_array(hwc.transpose(2, 0, 1), "CHW"), hwc)
    assert np.array_equal(image_array(hwc, "hwc"), hwc)
    assert np.array_equal(image_array(torch.from_numpy(hwc).permute(2, 1, 0), "CWH"), hwc)
    batch = np.stack([hwc, hwc + 1])
    assert np.array_equal(image_array(batch.transpose(0, 3, 1, 2), "NCHW"), batch)
    assert image_array(np.zeros((4, 5), np.uint8), "HW").shape == (1, 4, 5)  # grey CHW


def test_channels_first_stay_first_where_unambiguous() -> None:
    # Moving channels last is a slow strided copy: the media layer does it off the
    # caller's thread, so an unambiguous CHW (W not 1, 3, 4) passes as a view.
    chw = np.zeros((3, 8, 10), np.uint8)
    out = image_array(chw, "CHW")
    assert out.shape == (3, 8, 10) and np.shares_memory(out, chw)
    assert image_array(chw.transpose(1, 2, 0), "HWC").shape == (3, 8, 10)
    assert image_array(np.zeros((2, 8, 10, 4), np.uint8), "NHWC").shape == (2, 4, 8, 10)
    assert image_array(np.zeros((8, 3, 3), np.uint8), "HWC").shape == (8, 3, 3)  # W is 3
    assert image_array(np.zeros((2, 4, 5), np.uint8), "NHW").shape == (2, 1, 4, 5)
    assert image_array(np.zeros((4, 3), np.uint8), "HW").shape == (4, 3, 1)  # W is 3


def test_image_values_are_scaled_as_tensorboard_does() -> None:
    floats = image_array(np.array([[-1.0, 0.5, 2.0]]), "HW")
    assert floats.ravel().tolist() == [0.0, 0.5, 1.0]
    ints = image_array(np.array([[-5, 7, 300]]), "HW")
    assert ints.dtype == np.uint8 and ints.ravel().tolist() == [0, 7, 255]


@pytest.mark.parametrize(("shape", "formats", "message"), [
    ((2, 2), "CHW", "does not fit dataformats='CHW'"),
    ((2, 2, 3), "CCW", "does not fit"),
    ((3, 2, 2), "CHX", "from N, C, H, W"),
    ((4, 4, 2), "HWC", "2 channels"),
])
def test_bad_layouts_say_what_fits(shape: tuple[int, ...], formats: str, message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        image_array(np.zeros(shape), formats)


def test_audio_takes_tensorboards_shapes() -> None:
    assert audio_samples(torch.tensor([[0.5, -2.0, 1.5]])).tolist() == [0.5, -1.0, 1.0]
    assert audio_samples(np.zeros((10, 2))).shape == (10, 2)
    with pytest.raises(InvalidArgumentError, match=r"give \(L,\), \(1, L\)"):
        audio_samples(np.zeros((2, 3, 4)))


def test_video_moves_channels_last_or_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    vid = np.zeros((1, 2, 3, 4, 5), np.uint8)  # N, T, C, H, W
    assert video_array(vid).shape == (1, 2, 4, 5, 3)
    with pytest.raises(InvalidArgumentError, match=r"\(N, T, C, H, W\)"):
        video_array(vid[0])
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "av" else real(name, *a))
    with pytest.raises(UnimplementedError, match=r"streamvis\[video\]"):
        video_array(vid)
