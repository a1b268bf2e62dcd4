"""Inferred declarations: the opt-in mode (`DataLogger(infer=True)`) for a first try.

Declaring fields and series before writing is streamvis's rule, and stays the default.
With `infer=True`, a write to a series that neither the server nor the logger knows
declares it: each field keeps the type it already has on the server (or in this
logger's declarations), and a new field takes the type the type registry guesses from
its first value's dtype kind (`TypeRow.guessed_from`, model/types.py: int, float, bool,
string), or a media type from its form (`guess_media`, logger/media.py: a streamvis.Audio,
a PIL image, a matplotlib figure, a uint8 (H, W, C) array). The declaration goes through
the logger's ordered queue, like `declare`, so it reaches the server before the write and
works while the server is away.

A later write that disagrees with what was inferred (another type, another field set)
is refused like any other bad write, with a note that says where the types came from
and what to do (`hint`).
"""

from __future__ import annotations

from collections.abc import Mapping

from streamvis.logger.declare import FieldDecl
from streamvis.logger.media import guess_media
from streamvis.logger.tensors import snapshot
from streamvis.model.errors import InvalidArgumentError, StreamvisError
from streamvis.model.schema import FieldType, validate_name
from streamvis.model.types import TYPES


def infer_declaration(
    series: str, values: Mapping[str, object], known: Mapping[str, FieldType]
) -> tuple[dict[str, FieldDecl], dict[str, tuple[str, ...]]]:
    """The fields to declare and the series, inferred from `series`' first write.

    `known` holds the field types already declared (server or logger): those fields keep
    theirs, and the write is checked against them as usual. Raises InvalidArgumentError
    for a value whose type the registry cannot guess (a list of dicts, an object).
    """
    validate_name("series", series)
    if not values:
        raise InvalidArgumentError(
            f"write to series {series!r} gives no fields: give at least one field=value"
        )
    fields: dict[str, FieldDecl] = {}
    for name, value in values.items():
        validate_name("field", name)
        if name in known:
            continue
        media = guess_media(value)
        if media is not None:
            fields[name] = TYPES.type(media)
            continue
        try:
            kind = snapshot(value).kind
        except InvalidArgumentError as exc:
            raise InvalidArgumentError(
                f"write to series {series!r}, field {name!r}: {exc}"
            ) from None
        guessed = TYPES.guess(kind)
        if guessed is None:
            choices = ", ".join(r.name for r in TYPES.rows() if r.guessed_from)
            raise InvalidArgumentError(
                f"write to series {series!r}: the type of field {name!r} cannot be "
                f"inferred from a {type(value).__name__} (dtype kind {kind!r}): log "
                f"{choices} values, or declare the field"
            )
        fields[name] = guessed
    return fields, {series: tuple(values)}


def hint(series: str, exc: StreamvisError) -> StreamvisError:
    """A refused write to an inferred series, with where its types came from."""
    return type(exc)(
        f"{exc} — series {series!r} was declared from its first write (infer=True), "
        "so later writes must give the same fields with the same types: convert the "
        "value, log it under another series or field name, or declare the series "
        "before its first write"
    )
