"""Images served at the size they are shown: `GET /api/blobs/{sha256}?w=N`.

A media panel shows 16 images of 512 x 512 in columns 100-200 pixels wide, and the
browser decodes each at full size before it paints: a jump to a step nothing decoded
ahead waited 435 ms for 16 PNG decodes (docs/decisions/0039-image-variants.md). With
`?w=N` the blob route answers a copy of the image scaled down to the width N rounded up
to a power of two (at least MIN_VARIANT_WIDTH; the height in proportion), made here with
Pillow and kept in a bounded cache by hash and width. A blob never changes, so neither
does its variant: the same immutable caching as the blob itself, its ETag the hash and
the width.

A variant not made yet is not waited for: the answer is the whole image, cached for
PENDING_VARIANT_MAX_AGE_S only (the page shows what it decoded ahead of the slider without
asking again; later it asks with If-None-Match and gets the variant), and the variant is
made after the answer (ImageVariants). `w` is a hint, never a refusal once it is a
width: a blob that is not a raster image Pillow reads, one no wider than the width asked
for, or one over MAX_IMAGE_VARIANT_SOURCE_BYTES or MAX_MEDIA_PIXELS is served whole, as
without `w`.
"""

from __future__ import annotations

import collections
import io
import threading
import warnings
from dataclasses import dataclass

from streamvis.model.errors import InvalidArgumentError
from streamvis.model.limits import (
    IMAGE_VARIANT_CACHE_BYTES,
    MAX_IMAGE_VARIANT_SOURCE_BYTES,
    MAX_MEDIA_PIXELS,
)
from streamvis.store.base import Store

#: Seconds the whole image answered for a variant not made yet may be kept: long enough
#: for the page to show the step it decoded ahead (`no-cache` made every <img> ask again,
#: and get the variant: the next step waited 229-412 ms for the round trip and the decode),
#: short enough that the page asks again soon after the variant is made.
PENDING_VARIANT_MAX_AGE_S = 10
#: The narrowest variant made: below it the bytes saved are not worth a request's cost.
MIN_VARIANT_WIDTH = 32
#: The widest width `w` may ask for (wider: the whole image is what is wanted).
MAX_VARIANT_WIDTH = 8192


@dataclass(frozen=True, slots=True)
class Variant:
    """An image scaled down: its encoded bytes and their media type."""

    data: bytes
    media_type: str


def variant_width(given: str) -> int:
    """The width a `w` query value asks for, rounded up to a power of two (the cache
    then holds a few widths per image, whatever widths the pages are laid out at)."""
    try:
        w = int(given)
    except ValueError:
        w = 0
    if not 1 <= w <= MAX_VARIANT_WIDTH:
        raise InvalidArgumentError(
            f"w={given!r} is not a width: give a whole number of pixels from 1 to "
            f"{MAX_VARIANT_WIDTH}, or leave w out for the image at full size"
        )
    return max(MIN_VARIANT_WIDTH, 1 << (w - 1).bit_length())


def scaled(data: bytes, width: int) -> Variant | None:
    """`data` (an encoded image) scaled down to `width`, or None where it is served
    whole: not an image Pillow reads, no wider than `width`, or too large to decode."""
    from PIL import Image  # noqa: PLC0415 -- the web app needs Pillow only for this

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data))
            w, h, fmt = *opened.size, opened.format
            if w <= width or w * h > MAX_MEDIA_PIXELS or fmt not in _FORMATS:
                return None
            height = max(1, round(h * width / w))
            if fmt == "JPEG":
                opened.draft("RGB", (width, height))  # decodes at 1/2, 1/4, 1/8 size directly
            opened.load()
            img: Image.Image = opened
            if img.mode not in ("RGB", "RGBA", "L", "LA"):
                img = img.convert("RGBA" if "transparency" in img.info or "A" in img.mode
                                  else "RGB")
            small = img.resize((width, height), Image.Resampling.BILINEAR, reducing_gap=2.0)
    except (OSError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None  # not an image Pillow reads whole: the browser gets the blob itself
    out = io.BytesIO()
    if fmt == "JPEG" or (fmt == "WEBP" and "A" not in small.mode):
        small.save(out, "JPEG", quality=_JPEG_QUALITY)
        return Variant(out.getvalue(), "image/jpeg")
    # PNG for the rest: lossless sources stay lossless; level 1: the variant is made
    # while a page waits, and is a tenth of the source's bytes at any level.
    small.save(out, "PNG", compress_level=1)
    return Variant(out.getvalue(), "image/png")


_FORMATS = frozenset({"PNG", "JPEG", "WEBP", "GIF", "BMP"})
_JPEG_QUALITY = 85


class ImageVariants:
    """Variants made on request, the most recently used kept within a byte bound.

    Making one costs a decode of the whole image (7 ms of CPU for a 512 x 512 PNG,
    measured), more than the browser's own decode would, so the route never waits for
    it: a variant not made yet is asked for (`claim`), made after the answer on a worker
    thread (`make`), and meanwhile the whole image is what the page gets (a page that
    waited for the variant of the step it decodes ahead waited longer than for the whole
    image: 92 ms median against 26 ms at load 8, decision 0039). None — "serve
    the blob whole" — is kept too, so a small image is read once. A lock guards the map.
    """

    def __init__(self, max_bytes: int = IMAGE_VARIANT_CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self.held = 0
        self._kept: collections.OrderedDict[tuple[str, int], Variant | None] = \
            collections.OrderedDict()
        self._making: set[tuple[str, int]] = set()
        self._lock = threading.Lock()

    def cached(self, sha256: str, width: int) -> Variant | bool | None:
        """The variant if made (None: served whole), else False: not made yet."""
        key = (sha256, width)
        with self._lock:
            if key not in self._kept:
                return False
            self._kept.move_to_end(key)
            return self._kept[key]

    def claim(self, sha256: str, width: int) -> bool:
        """Whether the caller is to make this variant (no one else is making it)."""
        with self._lock:
            if (sha256, width) in self._making:
                return False
            self._making.add((sha256, width))
            return True

    def make(self, store: Store, sha256: str, size: int, width: int) -> Variant | None:
        """Make and keep the variant of complete blob `sha256` (`size` bytes) at `width`;
        None: serve the blob whole. Blocking (reads the blob, decodes, encodes)."""
        key = (sha256, width)
        try:
            made = None if size > MAX_IMAGE_VARIANT_SOURCE_BYTES else \
                scaled(b"".join(store.iter_blob(sha256)), width)
        except BaseException:
            with self._lock:
                self._making.discard(key)
            raise
        with self._lock:  # kept and no longer being made at once: no ask sees neither
            self._making.discard(key)
            old = self._kept.pop(key, None)
            self.held -= len(old.data) if old else 0
            self._kept[key] = made
            self.held += len(made.data) if made else 0
            while self.held > self.max_bytes or len(self._kept) > _MAX_ENTRIES:
                _, gone = self._kept.popitem(last=False)
                self.held -= len(gone.data) if gone else 0
        return made


#: Entries kept at most, counting the "served whole" answers (which hold no bytes).
_MAX_ENTRIES = 100_000
