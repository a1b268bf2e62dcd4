"""The dashboard routes: named URL layouts of saved plots (store/dashboards.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from streamvis.model.schema import validate_name
from streamvis.web.http import JSON, blocking, check_writable, json_body, state


async def list_dashboards(request: Request) -> Response:
    return JSON(await blocking(state(request).store.list_dashboards))


async def get_dashboard(request: Request) -> Response:
    name = validate_name("dashboard", request.path_params["name"])
    return JSON(await blocking(state(request).store.get_dashboard, name))


async def put_dashboard(request: Request) -> Response:
    check_writable(request)
    name = request.path_params["name"]
    body = await json_body(request)
    return JSON(await blocking(state(request).store.save_dashboard, name, body))


async def delete_dashboard(request: Request) -> Response:
    check_writable(request)
    name = validate_name("dashboard", request.path_params["name"])
    return JSON(await blocking(state(request).store.delete_dashboard, name))


ROUTES: list[BaseRoute] = [
    Route("/api/dashboards", list_dashboards, methods=["GET"]),
    Route("/api/dashboards/{name}", get_dashboard, methods=["GET"]),
    Route("/api/dashboards/{name}", put_dashboard, methods=["PUT"]),
    Route("/api/dashboards/{name}", delete_dashboard, methods=["DELETE"]),
]
