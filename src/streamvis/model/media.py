"""Rich media in the data model: field options, and the reference a chunk holds.

A field may declare **options** beside its type, as immutable as the type: a string
field's display `format` (plain, markdown, html, svg), an image field's `encoding`
(png, lossless, the default; jpeg or webp with a `quality`), an audio field's (wav) and
a video field's (mp4, with the `fps` an array of frames is encoded at). Which options a
type takes, and their defaults, are the type row's (`TypeRow.options`); this module
checks them.

A media value (`image`, `audio`, `video`) is a content-addressed blob in the store's
blob storage (store/blobs.py: the same bytes are stored once). The chunk's column holds
one compact JSON **reference** per row: the blob's sha256, its media type, and what a
viewer wants to know before it loads the bytes (width, height, duration, bytes). See
docs/decisions/0023-media-references.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from streamvis.model.errors import InvalidArgumentError
from streamvis.model.limits import (
    MAX_MEDIA_DURATION_SECONDS,
    MAX_MEDIA_PIXELS,
    MAX_MEDIA_VALUE_BYTES,
)

#: The display formats a string field may declare.
STRING_FORMATS = ("plain", "markdown", "html", "svg")
#: The encodings each media kind may declare, the first its default, with media types.
ENCODINGS: dict[str, dict[str, str]] = {
    "image": {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"},
    "audio": {"wav": "audio/wav"},
    "video": {"mp4": "video/mp4"},
}
#: Encodings whose `quality` option means something (1..100).
LOSSY = frozenset({"jpeg", "webp"})
DEFAULT_QUALITY = 90
DEFAULT_FPS = 10.0

_SHA = re.compile(r"[0-9a-f]{64}\Z")


@dataclass(frozen=True)
class FieldOptions:
    """A field's declared options; empty strings and zeros are "not declared"."""

    format: str = ""
    encoding: str = ""
    quality: int = 0
    fps: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The declared options only (what the store keeps and the APIs show)."""
        out: dict[str, Any] = {}
        if self.format:
            out["format"] = self.format
        if self.encoding:
            out["encoding"] = self.encoding
        if self.quality:
            out["quality"] = self.quality
        if self.fps:
            out["fps"] = self.fps
        return out

    def text(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_text(cls, text: str | None) -> FieldOptions:
        """From what the store keeps (checked when it was written)."""
        if not text:
            return NO_OPTIONS
        return cls(**json.loads(text))

    @property
    def media_type(self) -> str:
        """The media type a media field's values are encoded as (by its encoding)."""
        for table in ENCODINGS.values():
            if self.encoding in table:
                return table[self.encoding]
        return ""


NO_OPTIONS = FieldOptions()

_OPTION_NAMES = ("format", "encoding", "quality", "fps")


def check_options(type_name: str, media: str, takes: frozenset[str],
                  options: Mapping[str, Any] | FieldOptions | None) -> FieldOptions:
    """The options of a field of type `type_name`, checked and completed with their
    defaults (a string field is `plain`, an image field `png`, ...).

    `media` and `takes` are the type row's (`TypeRow.media`, `TypeRow.options`).
    """
    given = options.to_json() if isinstance(options, FieldOptions) else dict(options or {})
    unknown = sorted(set(given) - set(_OPTION_NAMES))
    if unknown:
        raise InvalidArgumentError(
            f"unknown field option {', '.join(map(repr, unknown))}: the options are "
            f"{', '.join(_OPTION_NAMES)}"
        )
    refused = sorted(k for k, v in given.items() if v not in ("", 0, None) and k not in takes)
    if refused:
        allowed = ", ".join(sorted(takes)) or "none"
        raise InvalidArgumentError(
            f"a {type_name} field takes no option {', '.join(map(repr, refused))} "
            f"(its options: {allowed})"
        )
    fmt = str(given.get("format") or "")
    if "format" in takes:
        fmt = fmt or STRING_FORMATS[0]
        if fmt not in STRING_FORMATS:
            raise InvalidArgumentError(
                f"unknown string format {fmt!r}: use one of {', '.join(STRING_FORMATS)}"
            )
    encoding = str(given.get("encoding") or "")
    quality = given.get("quality") or 0
    fps = given.get("fps") or 0.0
    if media:
        table = ENCODINGS[media]
        encoding = encoding or next(iter(table))
        if encoding not in table:
            raise InvalidArgumentError(
                f"unknown {media} encoding {encoding!r}: use one of {', '.join(table)}"
            )
        if isinstance(quality, bool) or not isinstance(quality, int) or not 0 <= quality <= 100:
            raise InvalidArgumentError(
                f"quality must be an integer from 1 to 100, got {quality!r}"
            )
        if quality and encoding not in LOSSY:
            raise InvalidArgumentError(
                f"quality applies to lossy encodings ({', '.join(sorted(LOSSY))}), not "
                f"{encoding!r}: leave it out"
            )
        if encoding in LOSSY:
            quality = quality or DEFAULT_QUALITY
        if "fps" in takes:
            if isinstance(fps, bool) or not isinstance(fps, int | float) or not 0 <= fps <= 1000:
                raise InvalidArgumentError(f"fps must be a number from 0 to 1000, got {fps!r}")
            fps = float(fps or DEFAULT_FPS)
    return FieldOptions(fmt, encoding, int(quality), float(fps))


@dataclass(frozen=True)
class MediaRef:
    """What a chunk's media column holds for one row: a blob and what it shows."""

    sha256: str
    media_type: str
    bytes: int
    width: int = 0
    height: int = 0
    duration: float = 0.0  # seconds; 0 for images

    def text(self) -> str:
        """The compact JSON kept in the chunk (keys in one order: equal refs, equal text)."""
        return json.dumps(
            {"sha256": self.sha256, "media_type": self.media_type, "bytes": self.bytes,
             "width": self.width, "height": self.height, "duration": self.duration},
            separators=(",", ":"),
        )

    def to_json(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "media_type": self.media_type, "width": self.width,
                "height": self.height, "duration": self.duration, "bytes": self.bytes}

    @classmethod
    def parse(cls, text: str, field: str = "") -> MediaRef:
        """A reference from its text, checked; InvalidArgumentError says what is wrong."""
        where = f" of field {field!r}" if field else ""
        try:
            raw = json.loads(text)
            ref = cls(str(raw["sha256"]), str(raw["media_type"]), raw["bytes"],
                      raw.get("width", 0), raw.get("height", 0), raw.get("duration", 0.0))
        except (ValueError, KeyError, TypeError):
            raise InvalidArgumentError(
                f"value {text[:80]!r}{where} is no media reference: send "
                '{"sha256": ..., "media_type": ..., "bytes": ...} after uploading the blob '
                "(the logger does both)"
            ) from None
        return ref.checked(where)

    def checked(self, where: str = "") -> MediaRef:
        if not _SHA.match(self.sha256):
            raise InvalidArgumentError(
                f"media reference{where} names {self.sha256[:80]!r}, not a sha256: give "
                "64 lowercase hex digits"
            )
        for name in ("bytes", "width", "height"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise InvalidArgumentError(
                    f"media reference{where}: {name} must be a non-negative integer, got {v!r}"
                )
        d = self.duration
        if isinstance(d, bool) or not isinstance(d, int | float) or not 0 <= d <= \
                MAX_MEDIA_DURATION_SECONDS:
            raise InvalidArgumentError(
                f"media reference{where}: duration {d!r} is not from 0 to "
                f"{MAX_MEDIA_DURATION_SECONDS} seconds (MAX_MEDIA_DURATION_SECONDS)"
            )
        check_media_size(self.bytes, self.width, self.height, where)
        return self


def check_media_size(nbytes: int, width: int, height: int, where: str = "") -> None:
    """Refuse a value past the per-value limits (limits.py)."""
    if nbytes > MAX_MEDIA_VALUE_BYTES:
        raise InvalidArgumentError(
            f"media value{where} has {nbytes:,} bytes; at most {MAX_MEDIA_VALUE_BYTES:,} "
            "(MAX_MEDIA_VALUE_BYTES): log it smaller, or save it as an artifact"
        )
    if width * height > MAX_MEDIA_PIXELS:
        raise InvalidArgumentError(
            f"image{where} is {width}x{height} pixels; at most {MAX_MEDIA_PIXELS:,} "
            "(MAX_MEDIA_PIXELS): resize it"
        )


def media_type_allowed(media: str, media_type: str) -> bool:
    return media_type in ENCODINGS.get(media, {}).values()


__all__ = ["DEFAULT_FPS", "DEFAULT_QUALITY", "ENCODINGS", "LOSSY", "NO_OPTIONS",
           "STRING_FORMATS", "FieldOptions", "MediaRef", "check_media_size", "check_options",
           "media_type_allowed"]
