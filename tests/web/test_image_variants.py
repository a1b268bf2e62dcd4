"""Images at the size they are shown: `GET /api/blobs/{sha256}?w=N` (web/image_variants.py)."""

from __future__ import annotations

import io
import time

import httpx
import numpy as np
import pytest
from PIL import Image

from streamvis.model.limits import MAX_IMAGE_VARIANT_SOURCE_BYTES
from streamvis.store.base import Store
from streamvis.web.image_variants import (
    PENDING_VARIANT_MAX_AGE_S,
    ImageVariants,
    Variant,
    scaled,
    variant_width,
)

from .helpers import SQLITE_ONLY, error
from .test_artifacts_api import DATA, _blob


def _encoded(pixels: np.ndarray, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, fmt)
    return out.getvalue()


def _halves(width: int = 512, height: int = 256) -> np.ndarray:
    """Left half red, right half blue: what a scaled copy must still show."""
    img = np.zeros((height, width, 3), np.uint8)
    img[:, : width // 2] = (255, 0, 0)
    img[:, width // 2:] = (0, 0, 255)
    return img


def _made(http: httpx.Client, url: str) -> httpx.Response:
    """The answer to `url` once its variant is made: until then the route answers the
    whole image, not for good, and makes the variant after answering."""
    deadline = time.monotonic() + 30
    while "immutable" not in (reply := http.get(url)).headers["cache-control"] and \
            time.monotonic() < deadline:
        time.sleep(0.05)
    return reply


def test_an_image_is_served_scaled_down_to_the_power_of_two_over_the_width(
    store: Store, http: httpx.Client
) -> None:
    sha = _blob(store, whole := _encoded(_halves()))
    first = http.get(f"/api/blobs/{sha}?type=image%2Fpng&w=100")
    # Not made yet: the whole image meanwhile, to be asked again, and made after the answer.
    assert (first.status_code, first.content) == (200, whole)
    assert first.headers["cache-control"] == f"public, max-age={PENDING_VARIANT_MAX_AGE_S}"
    assert first.headers["etag"] == f'"{sha}"'
    again = http.get(f"/api/blobs/{sha}?type=image%2Fpng&w=100",
                     headers={"If-None-Match": f'"{sha}"'})
    assert again.status_code in (200, 304)  # the variant, or the whole one still
    if again.status_code == 200:
        assert again.headers["etag"] == f'"{sha}-w128"'
    reply = _made(http, f"/api/blobs/{sha}?type=image%2Fpng&w=100")
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "image/png"
    assert reply.headers["etag"] == f'"{sha}-w128"'
    assert "immutable" in reply.headers["cache-control"]
    assert "accept-ranges" not in reply.headers  # a variant is sent whole
    small = np.asarray(Image.open(io.BytesIO(reply.content)))
    assert small.shape == (64, 128, 3)
    assert tuple(small[32, 10]) == (255, 0, 0) and tuple(small[32, 118]) == (0, 0, 255)
    assert len(reply.content) < len(whole)
    again = http.get(f"/api/blobs/{sha}?w=128", headers={"If-None-Match": f'"{sha}-w128"'})
    assert again.status_code == 304
    head = http.head(f"/api/blobs/{sha}?w=128")
    assert int(head.headers["content-length"]) == len(reply.content) and not head.content


def test_an_image_no_wider_or_not_an_image_is_served_whole(
    store: Store, http: httpx.Client
) -> None:
    narrow = _blob(store, png := _encoded(_halves(64, 32)))
    reply = _made(http, f"/api/blobs/{narrow}?type=image%2Fpng&w=100")
    assert (reply.content, reply.headers["etag"]) == (png, f'"{narrow}"')
    other = _blob(store, DATA)
    _made(http, f"/api/blobs/{other}?w=64")
    reply = http.get(f"/api/blobs/{other}?w=64", headers={"Range": "bytes=0-2"})
    assert (reply.status_code, reply.content) == (206, DATA[:3])
    # A download is the file as stored, whatever else is asked.
    big = _blob(store, png := _encoded(_halves()))
    assert http.get(f"/api/blobs/{big}?w=64&name=a.png").content == png


@SQLITE_ONLY
def test_a_width_that_is_no_width_is_refused(store: Store, http: httpx.Client) -> None:
    sha = _blob(store, _encoded(_halves()))
    for bad in ("abc", "0", "-5", "1.5", "9000", ""):
        assert "is not a width" in error(http.get(f"/api/blobs/{sha}?w={bad}"), 400)


def test_widths_round_up_to_a_power_of_two() -> None:
    assert [variant_width(w) for w in ("1", "32", "33", "100", "128", "129", "8192")] == [
        32, 32, 64, 128, 128, 256, 8192]


@pytest.mark.parametrize("fmt, media", [("JPEG", "image/jpeg"), ("WEBP", "image/jpeg"),
                                        ("PNG", "image/png"), ("GIF", "image/png")])
def test_each_raster_format_scales_keeping_its_colors(fmt: str, media: str) -> None:
    got = scaled(_encoded(_halves(), fmt), 64)
    assert got is not None and got.media_type == media
    small = np.asarray(Image.open(io.BytesIO(got.data)).convert("RGB")).astype(int)
    assert small.shape == (32, 64, 3)
    assert np.abs(small[16, 4] - (255, 0, 0)).max() < 40
    assert np.abs(small[16, 60] - (0, 0, 255)).max() < 40


def test_a_png_with_transparency_keeps_it() -> None:
    rgba = np.zeros((64, 256, 4), np.uint8)
    rgba[:, :128] = (0, 255, 0, 255)
    got = scaled(_encoded(rgba), 64)
    assert got is not None and got.media_type == "image/png"
    small = np.asarray(Image.open(io.BytesIO(got.data)))
    assert tuple(small[8, 4]) == (0, 255, 0, 255) and small[8, 60, 3] == 0


def test_truncated_or_foreign_bytes_are_served_whole() -> None:
    png = _encoded(_halves())
    assert scaled(png[: len(png) // 2], 64) is None
    assert scaled(b"<svg xmlns='http://www.w3.org/2000/svg'/>", 64) is None


def test_the_cache_keeps_the_most_recently_used_within_its_bytes(sqlite_store: Store) -> None:
    shas = [_blob(sqlite_store, _encoded(_halves() // (i + 1))) for i in range(3)]
    one = scaled(_encoded(_halves()), 128)
    assert one is not None
    cache = ImageVariants(max_bytes=len(one.data) * 5 // 2)
    for sha in shas:
        assert cache.cached(sha, 128) is False
        assert cache.claim(sha, 128) and not cache.claim(sha, 128)  # one maker at a time
        cache.make(sqlite_store, sha, 1, 128)
    assert cache.held <= cache.max_bytes
    assert [k[0] for k in cache._kept] == shas[1:]  # the oldest went
    assert cache.cached(shas[0], 128) is False and cache.claim(shas[0], 128)
    assert isinstance(cache.cached(shas[1], 128), Variant)
    assert cache.make(sqlite_store, shas[0], MAX_IMAGE_VARIANT_SOURCE_BYTES + 1, 128) is None
