"""Notebooks: a plot, a dashboard, a run or the workspace, inline in a Jupyter cell.

    import streamvis
    streamvis.show("loss")                 # the saved plot or dashboard named "loss"
    streamvis.show()                       # the workspace: a panel per metric, every run
    streamvis.show(run)                    # a run's page (streamvis.init's run, a logger)
    streamvis.show("rows=loss,acc;grads")  # a layout, as the dashboard URL writes it

Each is an IFrame to the server's web app (its address from the server: GetInfo), so
what it shows is live: plots update as the program logs, as in a browser tab. `show`
displays the frame in the cell (IPython's `display`; outside IPython it prints the
URL) and returns nothing, so a cell that ends with it shows one frame, not two.
`streamvis.notebook.view(...)` returns the `View` instead: left as a cell's last
expression it displays itself (`_repr_html_`). Nothing of IPython is imported here.
"""

from __future__ import annotations

import html
import sys
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from streamvis.client import Client
from streamvis.model.errors import InvalidArgumentError, NotFoundError, StreamvisError

#: The frame's height in pixels unless told.
HEIGHT = 600


@dataclass(frozen=True)
class View:
    """A page of the web app, shown inline in a notebook (an IFrame to `url`)."""

    url: str
    height: int = HEIGHT

    def _repr_html_(self) -> str:
        src = html.escape(self.url, quote=True)
        return (f'<iframe src="{src}" width="100%" height="{int(self.height)}" '
                'style="border:0" allow="clipboard-write"></iframe>'
                f'<div><a href="{src}" target="_blank">open in a new tab</a></div>')

    def __str__(self) -> str:
        return self.url


def _target(what: Any, client: Client) -> str:
    """The path and query of the page that shows `what`, from the web app's root."""
    if what is None:
        return "workspace"
    handle = getattr(what, "handle", None) or getattr(what, "run_handle", None)
    if handle is not None:  # streamvis.init's run, a DataLogger, a SummaryWriter
        return f"runs/{handle}"
    if isinstance(what, dict):
        layout = what.get("layout")
        if not isinstance(layout, str):
            raise InvalidArgumentError(
                "show: a dict is a dashboard and needs its 'layout' (rows=A,B;C)")
        return "?" + layout
    if not isinstance(what, str) or not what:
        raise InvalidArgumentError(
            f"show: {what!r} is a {type(what).__name__}: give a saved plot or dashboard "
            "name, a layout (rows=A,B;C), a URL, a run, or nothing for the workspace")
    if what.startswith(("rows=", "cols=")):
        return "?" + what
    try:
        return "?" + str(client.dashboard(what)["layout"])
    except NotFoundError:
        pass
    try:
        client.plot(what)
    except NotFoundError:
        raise NotFoundError(
            f"show: the server has no saved plot or dashboard named {what!r}: save one "
            "(streamvis plot save / the builder's Save), or list them: streamvis plots"
        ) from None
    return "?rows=" + quote(what, safe="")


def view(what: Any = None, *, uri: str | None = None, height: int = HEIGHT) -> View:
    """The `View` of `what` (see the module doc), without displaying it."""
    if isinstance(what, str) and what.startswith(("http://", "https://")):
        return View(what, height)
    with Client(uri) as client:
        web = client.info().web_url
        if not web:
            raise StreamvisError(
                f"the server at {client.uri} serves no web app: start it with `streamvis "
                "serve` (not --no-web) to see plots")
        return View(web.rstrip("/") + "/" + _target(what, client), height)


def show(what: Any = None, *, uri: str | None = None, height: int = HEIGHT) -> None:
    """Show a saved plot or dashboard (by name), a layout, a run, a URL or (no argument)
    the workspace inline in a notebook cell (outside IPython: print its URL)."""
    shown = view(what, uri=uri, height=height)
    ipython = sys.modules.get("IPython")  # loaded already in any notebook kernel
    if ipython is not None and ipython.get_ipython() is not None:
        ipython.display.display(shown)
    else:
        print(shown.url)  # noqa: T201 - a script's show: the address to open
