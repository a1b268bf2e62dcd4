"""parse_json refuses what would fail later: half of a UTF-16 surrogate pair escaped alone."""

from __future__ import annotations

import pytest

from streamvis.checks.json_checks import parse_filter, parse_json
from streamvis.model.errors import InvalidArgumentError


@pytest.mark.parametrize("text", [
    '{"tags_all": ["\\ud800"]}', '["a\\uDFFFb"]', b'{"x": "\\udbff"}', '"\\ud83d"',
])
def test_an_unpaired_surrogate_escape_is_refused(text: str | bytes) -> None:
    with pytest.raises(InvalidArgumentError, match="unpaired UTF-16 surrogate"):
        parse_json(text, "the filter", "a JSON object")


def test_a_paired_escape_and_plain_text_are_kept() -> None:
    assert parse_json('["\\ud83d\\ude00", "\\u00e9", "x"]', "x") == ["\U0001f600", "é", "x"]
    assert parse_filter(parse_json('{"tags_all": ["\\ud83d\\ude00"]}', "x")).tags_all == (
        "\U0001f600",)
