"""The routes of saved plot specs and dashboards (store/saved.py): list, get, put, delete.

Both kinds have the same four routes under `/api/plots` and `/api/dashboards`. They
differ in what a PUT checks before the store saves it: a plot spec its shape and the
types of the fields it binds (checks/plot_specs.py); a dashboard is checked by the
store itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from streamvis.checks.plot_specs import check_binding_types, check_plot_spec
from streamvis.model.schema import validate_name
from streamvis.store.base import Store
from streamvis.web.http import JSON, blocking, json_body, state


def _save_plot(store: Store, name: str, body: object) -> dict[str, Any]:
    spec = check_plot_spec(body, name)
    check_binding_types(spec, store.list_fields())
    store.save_plot(name, spec)
    return spec


def _save_dashboard(store: Store, name: str, body: object) -> dict[str, Any]:
    return store.save_dashboard(name, body)  # type: ignore[arg-type] # the store checks it


@dataclass(frozen=True)
class _Kind:
    #: The path's last word is this plus "s"; the word in messages.
    what: str
    #: Checks and saves a PUT's body (blocking); returns what was stored.
    save: Callable[[Store, str, object], dict[str, Any]]
    #: The store's list_, get_ and delete_ methods of this kind (blocking).
    list_all: Callable[[Store], list[dict[str, Any]]]
    get: Callable[[Store, str], dict[str, Any]]
    delete: Callable[[Store, str], dict[str, Any]]


def _routes(kind: _Kind) -> list[BaseRoute]:
    async def list_all(request: Request) -> Response:
        return JSON(await blocking(kind.list_all, state(request).store))

    async def get_one(request: Request) -> Response:
        name = validate_name(kind.what, request.path_params["name"])
        return JSON(await blocking(kind.get, state(request).store, name))

    async def put_one(request: Request) -> Response:
        name = request.path_params["name"]
        body = await json_body(request)
        return JSON(await blocking(kind.save, state(request).store, name, body))

    async def delete_one(request: Request) -> Response:
        name = validate_name(kind.what, request.path_params["name"])
        return JSON(await blocking(kind.delete, state(request).store, name))

    path = f"/api/{kind.what}s"
    return [
        Route(path, list_all, methods=["GET"]),
        Route(path + "/{name}", get_one, methods=["GET"]),
        Route(path + "/{name}", put_one, methods=["PUT"]),
        Route(path + "/{name}", delete_one, methods=["DELETE"]),
    ]


PLOTS = _Kind(
    "plot", _save_plot, list_all=lambda store: store.list_plots(),
    get=lambda store, name: store.get_plot(name),
    delete=lambda store, name: store.delete_plot(name),
)
DASHBOARDS = _Kind(
    "dashboard", _save_dashboard, list_all=lambda store: store.list_dashboards(),
    get=lambda store, name: store.get_dashboard(name),
    delete=lambda store, name: store.delete_dashboard(name),
)
ROUTES: list[BaseRoute] = [*_routes(PLOTS), *_routes(DASHBOARDS)]
