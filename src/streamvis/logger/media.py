"""Media values in `write`: what the caller's thread keeps, and how the flusher encodes it.

On the caller's thread (`snapshot_media`) a value of an `image`, `audio` or `video`
field is only checked (shape, dtype, the first bytes of encoded data) and frozen the way
tensors.py freezes any array (a numpy copy, a device-side torch clone, a jax reference);
nothing is encoded, and no GPU is waited for. A leading batch dimension makes a value
N values: an (N, H, W, C) batch with `step=np.arange(N)` gives N rows.

On the flusher thread (`encode`) each value is brought to the host and encoded as its
field's options say (model/media.py): PNG (lossless, the default), JPEG or WebP with
Pillow; WAV with the standard library's `wave`; MP4 with PyAV (the `video` extra).
Encoded bytes given by the program (PNG, JPEG, WebP, WAV, MP4) are stored as given.

Audio arrays carry their sample rate: `streamvis.Audio(samples, rate)`, samples 1-D
(mono) or 2-D (samples, channels), floats in [-1, 1] or int16.
"""

from __future__ import annotations

import importlib.util
import io
import math
import sys
import wave
from dataclasses import dataclass
from typing import Any

import numpy as np

from streamvis.logger import tensors
from streamvis.logger.buffers import BUFFERS, Pool
from streamvis.logger.tensors import CudaValue, snapshot
from streamvis.model.errors import InvalidArgumentError
from streamvis.model.limits import MAX_MEDIA_PIXELS, MAX_MEDIA_VALUE_BYTES
from streamvis.model.media import ENCODINGS, NO_OPTIONS, FieldOptions, MediaRef

_CHANNELS = (1, 3, 4)


class Audio:
    """One audio clip for an `audio` field: `samples` at `rate` samples per second."""

    __slots__ = ("rate", "samples")

    def __init__(self, samples: Any, rate: int) -> None:
        if isinstance(rate, bool) or not isinstance(rate, int) or not 1 <= rate <= 768_000:
            raise InvalidArgumentError(
                f"audio rate must be an integer from 1 to 768000 samples per second, got {rate!r}"
            )
        snap = snapshot(samples)
        if len(snap.shape) not in (1, 2) or snap.kind not in "fi" or not snap.shape[0] or (
            len(snap.shape) == 2 and not 1 <= snap.shape[1] <= 8
        ):
            raise InvalidArgumentError(
                f"audio samples must be 1-D (mono) or 2-D (samples, channels <= 8) floats "
                f"in [-1, 1] or int16, got shape {snap.shape} of kind {snap.kind!r}"
            )
        self.samples = snap.value
        self.rate = rate


@dataclass(slots=True)
class MediaValue:
    """One write's value of a media field: `count` values (None: one, unbatched)."""

    source: Any  # a frozen array, a PIL image, bytes, or an Audio
    form: str  # "array", "pil", "bytes", "audio"
    count: int | None
    layout: str = ""  # arrays: "HWC", "CHW", "HW" (images); "THWC" (videos)
    host: Any = None  # the array on the host, once the flusher copied it
    pooled: bool = False  # `source` came from BUFFERS (buffers.py): give it back once encoded

    def release(self) -> None:
        """The flusher is done with the value: its buffer serves a later write."""
        if self.pooled:
            self.pooled = False
            BUFFERS.give(self.source)
            self.source = self.host = None

    def on_host(self) -> np.ndarray:
        if self.host is None:
            self.host = _host(self.source)
        return self.host  # type: ignore[no-any-return]

    @property
    def shape(self) -> tuple[int, ...]:
        return () if self.count is None else (self.count,)




def _sniff(data: bytes) -> str:
    """The media type of encoded bytes, from their first bytes ("" if none we take)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data[4:8] == b"ftyp":
        return "video/mp4"
    return ""


def _check_bytes(media: str, data: bytes) -> None:
    kind = _sniff(data)
    allowed = ENCODINGS[media].values()
    if kind not in allowed:
        raise InvalidArgumentError(
            f"bytes given for a {media} field are {kind or 'no format streamvis reads'}: give "
            f"{', '.join(t.split('/')[1].upper() for t in allowed)} bytes, or an array"
        )
    if len(data) > MAX_MEDIA_VALUE_BYTES:
        raise InvalidArgumentError(
            f"the {media} has {len(data):,} bytes; at most {MAX_MEDIA_VALUE_BYTES:,} "
            "(MAX_MEDIA_VALUE_BYTES): log it smaller, or save it as an artifact"
        )
    # Cheap checks for a cut-off file; the flusher decodes the header and refuses the rest.
    if (kind == "image/png" and not data.endswith(b"IEND\xaeB`\x82")) or (
        kind == "image/jpeg" and not data.rstrip(b"\x00").endswith(b"\xff\xd9")
    ):
        raise InvalidArgumentError(
            f"the {kind.split('/')[1].upper()} bytes are truncated (no end marker): give the "
            "whole file"
        )


def _image_layout(shape: tuple[int, ...], batch: bool) -> str:
    dims = shape[1:] if batch else shape
    if len(dims) == 2:
        layout, h, w = "HW", dims[0], dims[1]
    elif len(dims) == 3 and dims[-1] in _CHANNELS:
        layout, h, w = "HWC", dims[0], dims[1]
    elif len(dims) == 3 and dims[0] in _CHANNELS:
        layout, h, w = "CHW", dims[1], dims[2]
    else:
        raise InvalidArgumentError(
            f"an image array must be (H, W), (H, W, C) or (C, H, W) with C in 1, 3, 4, and "
            f"(N, ...) for a batch of N; got shape {shape}"
        )
    if h * w > MAX_MEDIA_PIXELS or not h or not w:
        raise InvalidArgumentError(
            f"an image of {w}x{h} pixels cannot be logged: at most {MAX_MEDIA_PIXELS:,} "
            "pixels (MAX_MEDIA_PIXELS), at least 1"
        )
    return layout


def _is_pil(value: object) -> bool:
    return type(value).__module__.startswith("PIL.") and hasattr(value, "getbands")


def _is_figure(value: object) -> bool:
    return hasattr(value, "savefig") and type(value).__module__.startswith("matplotlib")


def guess_media(value: object) -> str | None:
    """The media type a first value shows by its form (`infer=True`, logger/infer.py), or
    None: a streamvis.Audio is audio; a PIL image, a matplotlib figure or a uint8 numpy
    array (H, W, C) with C 1, 3 or 4 is an image. A float array or a batch stays a
    number field: declare an image field for those."""
    if isinstance(value, Audio):
        return "audio"
    if _is_pil(value) or _is_figure(value):
        return "image"
    if (type(value) is np.ndarray and value.dtype == np.uint8 and value.ndim == 3
            and value.shape[-1] in {1, 3, 4}):
        return "image"
    return None


_HAS_AV: bool | None = None


def _need_av() -> None:
    global _HAS_AV  # noqa: PLW0603 -- looked up once per process
    if _HAS_AV is None:
        _HAS_AV = importlib.util.find_spec("av") is not None
    if not _HAS_AV:
        raise InvalidArgumentError(
            "encoding video arrays needs PyAV: pip install 'streamvis[video]' (or give "
            "MP4 bytes)"
        )


def snapshot_media(media: str, value: object) -> tuple[MediaValue, int]:
    """Check and freeze a value of a `media` field; (the value, bytes it holds)."""
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        _check_bytes(media, data)
        return MediaValue(data, "bytes", None), len(data)
    if media == "audio":
        if isinstance(value, Audio):
            n = int(getattr(value.samples, "nbytes", 0))
            return MediaValue(value, "audio", None), n
        raise InvalidArgumentError(
            f"an audio value is streamvis.Audio(samples, rate) or WAV bytes, not a "
            f"{type(value).__name__}"
        )
    if media == "image" and _is_pil(value):
        return MediaValue(value.copy(), "pil", None), value.width * value.height * 4  # type: ignore[attr-defined]
    if media == "image" and _is_figure(value):
        # Rendered now: a figure is drawn by the thread that owns it, and may change.
        out = io.BytesIO()
        value.savefig(out, format="png")  # type: ignore[attr-defined]
        return MediaValue(out.getvalue(), "bytes", None), out.tell()
    if type(value) is np.ndarray:
        # Checked before the copy, so a huge array is refused without being copied.
        return snapshot_array(array_form(media, value), value), value.nbytes
    snap = snapshot(value)
    batch, layout = _array_form(media, snap.shape, snap.kind, _itemsize(snap.value), value)
    nbytes = math.prod(snap.shape) * _itemsize(snap.value)
    return MediaValue(snap.value, "array", snap.shape[0] if batch else None, layout), nbytes


@dataclass(slots=True, frozen=True)
class ArrayForm:
    """What checking a numpy array for a media field found: kept by the field
    (validate.SeriesState.forms), so the next write of the same shape and dtype — an
    image a step — is not checked again and finds its free buffers at once."""

    shape: tuple[int, ...]
    dtype: np.dtype[Any]
    count: int | None  # a batch of `count` values; None: one
    layout: str
    pool: Pool  # free buffers of this shape and dtype (buffers.py)
    rows: tuple[int, ...] = ()  # the write's shape: (count,), or () for one value


def array_form(media: str, value: np.ndarray) -> ArrayForm:
    """Check a numpy array given for a `media` field; InvalidArgumentError if it is none."""
    dtype = value.dtype
    batch, layout = _array_form(media, value.shape, dtype.kind, dtype.itemsize, value)
    count = value.shape[0] if batch else None
    return ArrayForm(value.shape, dtype, count, layout, BUFFERS.pool(value),
                     () if count is None else (count,))


def snapshot_array(form: ArrayForm, value: np.ndarray) -> MediaValue:
    """`value` (of `form`) frozen: copied into a free buffer, given back once encoded."""
    return MediaValue(BUFFERS.take_from(form.pool, value), "array", form.count, form.layout,
                      pooled=True)


def _array_form(
    media: str, shape: tuple[int, ...], kind: str, itemsize: int, value: object
) -> tuple[bool, str]:
    """(whether the array is a batch, its layout); InvalidArgumentError if it is none."""
    if kind not in "uf" or (kind == "u" and itemsize != 1):
        raise InvalidArgumentError(
            f"a {media} array must be uint8, or float in [0, 1]; got {_describe(value)}"
        )
    ndim = len(shape)
    if media == "image":
        batch = ndim == 4
        return batch, _image_layout(shape, batch)
    if media != "video":
        raise InvalidArgumentError(
            "an audio value is streamvis.Audio(samples, rate) or WAV bytes, not an array"
        )
    # video: (T, H, W, C), or (N, T, H, W, C)
    if ndim not in (4, 5) or shape[-1] not in (1, 3):
        raise InvalidArgumentError(
            f"a video array must be (T, H, W, C) with C in 1, 3, or (N, T, H, W, C) for a "
            f"batch; got shape {shape}"
        )
    _need_av()
    _image_layout(shape[-3:], batch=False)
    return ndim == 5, "THWC"


def _itemsize(value: Any) -> int:
    v = value.tensor if isinstance(value, CudaValue) else value
    size = getattr(getattr(v, "dtype", None), "itemsize", None)
    return int(size) if size is not None else 1


def _describe(value: object) -> str:
    return f"{type(value).__name__} of dtype {getattr(value, 'dtype', '?')}"


# -- the flusher's side --------------------------------------------------------------------

def _host(value: Any) -> np.ndarray:
    """The frozen array on the host (the flusher's one device copy of it)."""
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, CudaValue):
        torch = sys.modules["torch"]
        with torch.cuda.stream(tensors.cuda_stream(value.stream)):
            return value.tensor.cpu().numpy()  # type: ignore[no-any-return]
    if type(value).__module__.startswith("torch"):
        return value.cpu().numpy()  # type: ignore[no-any-return]
    return tensors.jax_to_host(value)  # its write started the copy (a jax array is all else)


def _uint8(arr: np.ndarray) -> np.ndarray:
    if arr.dtype == np.uint8:
        return arr
    if not np.isfinite(arr).all():
        raise InvalidArgumentError("a float image or video has NaN or infinite values")
    out: np.ndarray = np.round(np.clip(arr, 0.0, 1.0) * 255.0).astype(np.uint8)
    return out


def _hwc(arr: np.ndarray, layout: str) -> np.ndarray:
    if layout == "CHW":
        arr = np.moveaxis(arr, 0, -1)
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    return np.ascontiguousarray(_uint8(arr))


def _encode_image(img: Any, options: FieldOptions) -> tuple[bytes, str]:
    encoding = options.encoding or "png"
    if encoding == "jpeg" and img.mode not in ("L", "RGB"):
        img = img.convert("RGB")
    out = io.BytesIO()
    if encoding == "png":
        img.save(out, format="PNG")
    else:
        img.save(out, format=encoding.upper(), quality=options.quality or 90)
    return out.getvalue(), ENCODINGS["image"][encoding]


def _image_ref_size(data: bytes) -> tuple[int, int]:
    from PIL import Image  # noqa: PLC0415 -- only a program that logs images needs Pillow

    try:
        with Image.open(io.BytesIO(data)) as img:
            size = img.size
            img.verify()  # walks the chunks: a cut or corrupt file fails here
    except Exception as exc:  # noqa: BLE001 -- Pillow raises many kinds
        raise InvalidArgumentError(
            f"the image bytes cannot be read ({exc}): give a whole file"
        ) from None
    return int(size[0]), int(size[1])


def _wav(samples: np.ndarray, rate: int) -> bytes:
    if samples.dtype.kind == "f":
        if not np.isfinite(samples).all():
            raise InvalidArgumentError("audio samples have NaN or infinite values")
        pcm = np.round(np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")
    else:
        pcm = samples.astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1 if pcm.ndim == 1 else pcm.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return out.getvalue()


def _wav_duration(data: bytes) -> float:
    try:
        with wave.open(io.BytesIO(data), "rb") as w:
            return w.getnframes() / float(w.getframerate())
    except (wave.Error, EOFError, ZeroDivisionError) as exc:
        raise InvalidArgumentError(
            f"the WAV bytes cannot be read ({exc}): give a whole file"
        ) from None


def _mp4(frames: np.ndarray, fps: float) -> bytes:
    import av  # noqa: PLC0415 -- the optional `video` extra

    frames = _uint8(frames)
    if frames.shape[-1] == 1:
        frames = np.repeat(frames, 3, axis=-1)
    h, w = frames.shape[1] - frames.shape[1] % 2, frames.shape[2] - frames.shape[2] % 2
    out = io.BytesIO()
    with av.open(out, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264" if "libx264" in av.codecs_available else
                                      "mpeg4", rate=round(fps))
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        for frame in frames:
            vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame[:h, :w]), format="rgb24")
            container.mux(stream.encode(vf))
        container.mux(stream.encode())
    return out.getvalue()


def encode(value: MediaValue, index: int, media: str,
           options: FieldOptions = NO_OPTIONS) -> tuple[bytes, MediaRef]:
    """Value `index` of a write (0 if unbatched), encoded, and its reference."""
    import hashlib  # noqa: PLC0415

    width = height = 0
    duration = 0.0
    if value.form == "bytes":
        data: bytes = value.source
        media_type = _sniff(data)
        if media == "image":
            width, height = _image_ref_size(data)
        elif media_type == "audio/wav":
            duration = _wav_duration(data)
    elif value.form == "audio":
        clip: Audio = value.source
        samples = _host(clip.samples)
        data, media_type = _wav(samples, clip.rate), "audio/wav"
        duration = samples.shape[0] / clip.rate
    elif media == "video":
        frames = value.on_host()
        frames = frames[index] if value.count is not None else frames
        fps = options.fps or 10.0
        data, media_type = _mp4(frames, fps), "video/mp4"
        height, width, duration = frames.shape[1], frames.shape[2], frames.shape[0] / fps
    else:
        from PIL import Image  # noqa: PLC0415

        if value.form == "pil":
            img = value.source
        else:
            arr = value.on_host()
            arr = arr[index] if value.count is not None else arr
            img = Image.fromarray(_hwc(arr, value.layout))
        width, height = img.size
        data, media_type = _encode_image(img, options)
    ref = MediaRef(hashlib.sha256(data).hexdigest(), media_type, len(data), int(width),
                   int(height), float(duration))
    return data, ref.checked()


__all__ = ["Audio", "MediaValue", "encode", "snapshot_media"]
