"""`GET /api/info`: what the UI needs to know about this server before it offers controls.

The UI hides or disables its change controls when `read_only` is true; `limits` lets
it say in advance what a server will refuse; `types` is the field type registry, so
that it parses and formats values by type without knowing the type names; `grammar`
is the plot grammar (checks/grammar.py): the builder's roles, kinds and refusal
reasons, and each kind's painter, which the UI takes from here rather than keeping a copy.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from streamvis._version import __version__
from streamvis.checks.grammar import GRAMMAR
from streamvis.model import limits
from streamvis.model.types import TYPES
from streamvis.web.http import JSON, state


async def info(request: Request) -> Response:
    config = state(request).config
    return JSON({
        "version": __version__,
        "read_only": config.read_only,
        "auth": bool(getattr(request.app.state, "streamvis_auth", False)),
        "tls": config.tls,
        "base_url": config.base_url,
        "limits": {
            "max_body_bytes": config.max_body_bytes,
            "max_rows_per_append": limits.MAX_ROWS_PER_APPEND,
            "max_string_length": limits.MAX_STRING_LENGTH,
            "max_fields_per_series": limits.MAX_FIELDS_PER_SERIES,
            "max_sockets_per_client": limits.MAX_SOCKETS_PER_CLIENT,
        },
        "types": field_types(),
        "grammar": GRAMMAR.as_json(),
    })


def field_types() -> list[dict[str, object]]:
    """The registered field types, as the browser reads them (frontend lib/api/types.ts)."""
    return [
        {
            "name": row.name,
            "description": row.description,
            "traits": sorted(row.traits),
            "value": row.json_kind,  # what a value is in JSON: number, string or boolean
            "continuous": row.continuous,  # joined by lines; ticks may fall between values
            "media": row.media,  # "image", "audio", "video": values are blob references
            "options": sorted(row.options),  # what a field of it may declare (model/media.py)
        }
        for row in TYPES.rows()
    ]


ROUTES: list[BaseRoute] = [Route("/api/info", info, methods=["GET"])]
