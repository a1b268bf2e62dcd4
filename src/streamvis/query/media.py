"""Media values in the data API: a reference (what `fetch` gives per row) to its bytes.

`fetch` gives a media column as structs (model/media.MEDIA_STRUCT: sha256, media type,
width, height, duration, bytes); `Connection.media(ref)` loads the blob it names, part
by part (transfer.py, hash checked), as bytes, a PIL image or a numpy array;
`Connection.download_media(ref, path)` writes it to a file without holding it whole.
"""

from __future__ import annotations

import io
import os
import wave
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from streamvis.client import Client
from streamvis.model.errors import InvalidArgumentError
from streamvis.model.media import MediaRef
from streamvis.transfer import download_blob

#: What `media(ref, as_=...)` gives.
FORMS = ("bytes", "pil", "numpy")
#: File name extensions by media type (export, download_media).
EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp",
              "audio/wav": ".wav", "video/mp4": ".mp4"}


def as_ref(ref: object) -> MediaRef:
    """A reference from what `fetch` gives (a dict, via `to_pylist()`), a MediaRef or
    the stored JSON text."""
    if isinstance(ref, MediaRef):
        return ref
    if isinstance(ref, str):
        return MediaRef.parse(ref)
    if isinstance(ref, Mapping):
        try:
            return MediaRef(
                str(ref["sha256"]), str(ref["media_type"]), int(ref["bytes"]),
                int(ref.get("width") or 0), int(ref.get("height") or 0),
                float(ref.get("duration") or 0.0),
            ).checked()
        except (KeyError, TypeError, ValueError):
            pass
    raise InvalidArgumentError(
        f"{type(ref).__name__} is no media reference: give a value of a media column of "
        "fetch() (a dict with sha256, media_type and bytes)"
    )


def load(client: Client, ref: object, as_: str = "bytes") -> Any:
    """The media value `ref` names, as bytes, a PIL image ("pil", images) or a numpy
    array ("numpy": images as (H, W[, C]) uint8; WAV audio as (samples[, channels]))."""
    if as_ not in FORMS:
        raise InvalidArgumentError(f"as_={as_!r}: use one of {', '.join(FORMS)}")
    r = as_ref(ref)
    out = io.BytesIO()
    download_blob(client, r.sha256, out)
    data = out.getvalue()
    if as_ == "bytes":
        return data
    if r.media_type.startswith("image/"):
        from PIL import Image  # noqa: PLC0415 -- only images need it

        img = Image.open(io.BytesIO(data))
        img.load()
        return img if as_ == "pil" else np.asarray(img)
    if as_ == "numpy" and r.media_type == "audio/wav":
        with wave.open(io.BytesIO(data), "rb") as w:
            width, channels = w.getsampwidth(), w.getnchannels()
            frames = w.readframes(w.getnframes())
        samples = np.frombuffer(frames, dtype={1: "u1", 2: "<i2", 4: "<i4"}[width])
        return samples.reshape(-1, channels) if channels > 1 else samples
    raise InvalidArgumentError(
        f"a {r.media_type} value loads as bytes only here: use as_='bytes'"
    )


def download(client: Client, ref: object, path: str | os.PathLike[str]) -> Path:
    """Write the value's bytes to `path` (a directory: `<sha256><ext>` in it)."""
    r = as_ref(ref)
    target = Path(path)
    if target.is_dir():
        target = target / f"{r.sha256}{EXTENSIONS.get(r.media_type, '')}"
    with target.open("wb") as f:
        download_blob(client, r.sha256, f)
    return target
