"""What the drop-ins (tensorboard.py, legacy.py) share for media and text: their
arrays in the layout streamvis's media fields take, and a series declared once with
the field types inference cannot guess (images, audio, video, formatted strings).

TensorBoard and visdom say how an image array is laid out (`dataformats="CHW"`);
streamvis's image fields guess it from the shape, which is ambiguous for small images
(3x3x3). So the drop-ins permute the axes to a shape the guess reads right: (N,)C,H,W
when W is not a channel count, else (N,)H,W,C (a trailing 1, 3 or 4 is read as C).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from typing import Any

import numpy as np

from streamvis.logger import DataLogger
from streamvis.logger.declare import FieldDecl
from streamvis.model.errors import InvalidArgumentError, UnimplementedError
from streamvis.quick import STEP, series_and_field

#: Field declarations for formatted strings, as the text plot kind reads them.
MARKDOWN: FieldDecl = {"type": "string", "options": {"format": "markdown"}}
HTML: FieldDecl = {"type": "string", "options": {"format": "html"}}
#: The seconds the schema refresh may take before a media series' first declaration.
REFRESH_TIMEOUT = 5.0
#: The channel counts an image field takes: 1 (grey), 3 (RGB), 4 (RGBA).
_CHANNELS = (1, 3, 4)


def host_array(value: Any) -> np.ndarray[Any, Any]:
    """A numpy, torch (maybe on a device) or jax array as a numpy array on the host."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def image_array(img: Any, dataformats: str) -> np.ndarray[Any, Any]:
    """`img`, laid out as `dataformats` says (letters N, C, H, W), as (N,)C,H,W where
    an image field reads that shape unambiguously (W not 1, 3 or 4), else (N,)H,W,C.

    Channels first stay first because moving them is a strided copy (about 0.5 ms for
    256x256x3) that the media layer does on its flusher thread instead; the axes are
    only permuted here (a view), and `write` makes the one copy. Floats are clipped to
    [0, 1] and ints other than uint8 cast to uint8 (as TensorBoard scales them); a
    missing C becomes a channel of 1 (grey)."""
    fmt = dataformats.upper()
    arr = host_array(img)
    if (len(set(fmt)) != len(fmt) or not set(fmt) <= set("NCHW") or not {"H", "W"} <= set(fmt)
            or arr.ndim != len(fmt)):
        raise InvalidArgumentError(
            f"an image of shape {arr.shape} does not fit dataformats={dataformats!r}: give "
            "one letter per dimension, from N, C, H, W (H and W needed), e.g. 'CHW', 'HWC', "
            "'NCHW'"
        )
    if "C" not in fmt:
        arr, fmt = arr[..., None], fmt + "C"
    batch = "N" if "N" in fmt else ""
    chw = np.transpose(arr, [fmt.index(d) for d in batch + "CHW"])
    if chw.shape[-1] not in _CHANNELS and chw.shape[-3] in _CHANNELS:
        arr = chw
    else:
        arr = np.transpose(arr, [fmt.index(d) for d in batch + "HWC"])
        if arr.shape[-1] not in _CHANNELS:
            raise InvalidArgumentError(
                f"an image has {arr.shape[-1]} channels: give 1 (grey), 3 (RGB) or 4 (RGBA)"
            )
    if arr.dtype.kind == "f":
        arr = np.clip(arr, 0.0, 1.0)
    elif arr.dtype != np.uint8:
        arr = np.clip(arr, 0, 255).astype(np.uint8)
    return arr


def audio_samples(snd: Any) -> np.ndarray[Any, Any]:
    """A clip as (L,) or (L, channels) floats in [-1, 1]; TensorBoard's (1, L) is (L,)."""
    arr = host_array(snd).astype(np.float32, copy=False)
    if arr.ndim == 2 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.ndim not in (1, 2) or arr.size == 0:
        raise InvalidArgumentError(
            f"an audio clip of shape {arr.shape} cannot be logged: give (L,), (1, L) or "
            "(L, channels) samples in [-1, 1]"
        )
    clipped: np.ndarray[Any, Any] = np.clip(arr, -1.0, 1.0)
    return clipped


def video_array(vid: Any) -> np.ndarray[Any, Any]:
    """TensorBoard's (N, T, C, H, W) video as (N, T, H, W, C); needs PyAV to encode."""
    if importlib.util.find_spec("av") is None:
        raise UnimplementedError(
            "add_video encodes MP4 with PyAV, which is not installed: pip install "
            "'streamvis[video]' (the video extra)"
        )
    arr = host_array(vid)
    if arr.ndim != 5:
        raise InvalidArgumentError(
            f"a video of shape {arr.shape} cannot be logged: give (N, T, C, H, W), "
            "C in 1, 3"
        )
    arr = np.transpose(arr, (0, 1, 3, 4, 2))
    arr = np.clip(arr, 0.0, 1.0) if arr.dtype.kind == "f" else arr.astype(np.uint8)
    return np.ascontiguousarray(arr)


def declare_series(logger: DataLogger, series: str, fields: Mapping[str, FieldDecl]) -> None:
    """Declare `series` with `fields` unless the server or the logger knows it already;
    a field that exists keeps its type (a write of another type is refused as usual)."""
    schema = logger._schema  # noqa: SLF001 -- the drop-ins extend the logger's declarations
    if schema.lookup(series) is None and logger._client is not None:  # noqa: SLF001
        schema.try_refresh(logger._client, REFRESH_TIMEOUT)  # noqa: SLF001
    if schema.lookup(series) is not None:
        return
    new = {name: decl for name, decl in fields.items() if name not in schema.types}
    logger.declare(new, {series: list(fields)})


def step_series(logger: DataLogger, tag: str, decl: FieldDecl) -> tuple[str, str]:
    """TensorBoard's mapping for `tag` (series `tag`, fields `step` and the tag's last
    part), declared with the value field as `decl` on first use."""
    series, field = series_and_field(tag)
    declare_series(logger, series, {STEP: "int", field: decl})
    return series, field


__all__ = [
    "HTML", "MARKDOWN", "audio_samples", "declare_series", "host_array", "image_array",
    "step_series", "video_array",
]
