"""Field options and media references (model/media.py, model/media_arrow.py)."""

from __future__ import annotations

import subprocess
import sys

import pyarrow as pa
import pytest

from streamvis.model.errors import InvalidArgumentError
from streamvis.model.limits import MAX_MEDIA_PIXELS, MAX_MEDIA_VALUE_BYTES
from streamvis.model.media import FieldOptions, MediaRef, check_options
from streamvis.model.media_arrow import MEDIA_STRUCT, refs_to_struct
from streamvis.model.types import TYPES

SHA = "ab" * 32


def test_defaults_are_filled_in_from_the_type_row() -> None:
    row = TYPES["video"]
    assert check_options("video", row.media, row.options, None) == \
        FieldOptions(encoding="mp4", fps=10.0)
    row = TYPES["string"]
    assert check_options("string", row.media, row.options, {}).format == "plain"
    assert FieldOptions.from_text(FieldOptions(format="svg").text()) == FieldOptions("svg")


def test_media_types_take_only_the_media_roles() -> None:
    """Media values are no numbers and no groups: only the media kind's roles (and a
    table's columns) take them; a mask (`pixels`) only an image."""
    assert {t: TYPES[t].traits for t in ("image", "audio", "video")} == {
        "image": {"media", "pixels"}, "audio": {"media"}, "video": {"media"}}
    assert not TYPES["image"].scalars  # never the scalar fast path of write()


def test_a_reference_round_trips_and_parses_to_a_struct() -> None:
    ref = MediaRef(SHA, "image/png", 10, 3, 2)
    assert MediaRef.parse(ref.text()) == ref
    column = refs_to_struct(pa.array([ref.text(), ref.text()]))
    assert column.type == MEDIA_STRUCT
    assert column.to_pylist()[1] == ref.to_json()


@pytest.mark.parametrize(("ref", "message"), [
    (MediaRef(SHA, "image/png", -1), "non-negative"),
    (MediaRef(SHA, "image/png", MAX_MEDIA_VALUE_BYTES + 1), "MAX_MEDIA_VALUE_BYTES"),
    (MediaRef(SHA, "image/png", 1, MAX_MEDIA_PIXELS, 2), "MAX_MEDIA_PIXELS"),
    (MediaRef(SHA, "audio/wav", 1, duration=1e9), "MAX_MEDIA_DURATION_SECONDS"),
    (MediaRef("AB" * 32, "image/png", 1), "not a sha256"),
])
def test_references_past_the_limits_are_refused(ref: MediaRef, message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        MediaRef.parse(ref.text())


def test_reference_structs_are_what_pa_array_builds():
    # Built from buffers (no pandas import on a fetch): the same values, nulls none.
    refs = [MediaRef("a" * 64, "image/png", 100, 3, 4),
            MediaRef("b" * 64, "audio/wav", 7, 0, 0, 1.5),
            MediaRef("c" * 64, "video/mp4", 2**20, 2**31 - 1, 0, 3600)]
    texts = [r.text() for r in (*refs, refs[0])]
    got = refs_to_struct(pa.array(texts))
    got.validate(full=True)
    assert got.equals(pa.array([MediaRef.parse(t).to_json() for t in texts], MEDIA_STRUCT))
    assert refs_to_struct(pa.array([], pa.string())).equals(pa.array([], MEDIA_STRUCT))
    with pytest.raises((pa.ArrowInvalid, OverflowError)):  # a width no int32 holds
        refs_to_struct(pa.array([MediaRef("d" * 64, "image/png", 1, 2**31, 0).text()]))


def test_reference_structs_do_not_import_pandas():
    code = ("import sys\nfrom streamvis.model.media import MediaRef\n"
            "from streamvis.model.media_arrow import refs_to_struct\n"
            "from streamvis.model.arrays import strings\n"
            "refs_to_struct(strings([MediaRef('a' * 64, 'image/png', 1, 2, 3).text()]))\n"
            "print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout.strip()
    assert out == "False"
