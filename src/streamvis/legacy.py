"""The older streamvis APIs' one-call plots: the Bokeh-era `tandem_lines`,
`multi_lines`, `scatter` with `ColorSpec` and `GridSpec`, `set_layout` and
`append=False`, and visdom's `line(Y, X, win=..., update='append')`, as a thin layer
over the current model (DESIGN.md: "This one model covers the older designs too").

    from streamvis.legacy import Plots
    plots = Plots(tags=["quick"])              # a DataLogger(infer=True) underneath
    for step in range(100):
        plots.tandem_lines("losses", step, [train_loss, val_loss])
    plots.line(Y=np.sin(t), X=t, win="wave")   # visdom: replaces the window's lines
    plots.stop()

One call writes the rows, and on a plot's first call saves the plot (named as the plot
or window, its datasets this run) and adds it as a cell of the dashboard `dashboard`
(one plot a row unless `set_layout` says otherwise). Each plot is a series of its own
name, with fields

- `x`, `y` (float): the point; `line` (int): which line (the index along the lines'
  axis), bound to the plot's group and color roles;
- `call` (int): the how-many-th call to this plot. `append=False` (Bokeh) and visdom's
  default `update=None` replace what the plot showed: the plot binds `call` to the frame
  role, whose default is the latest frame only, and older calls stay a slider away.
  `append=True` / `update='append'` leave `call` unbound: every call's points are drawn.

`scatter(name, data, spatial_dim, append, color, grid)` takes an array with one dimension
of size 2 (`spatial_dim`: x and y) and any others as indices: `ColorSpec(palette, dim)`
colors points by their index along `dim` (field `color`, the color role), and
`GridSpec(dim, num_columns)` draws one panel per index along `dim` (field `panel`, the
facet role, `num_columns` panels a row). Its series has `x`, `y`, `call`, `color` and
`panel` (0 where no spec asks).

visdom's `image(img, win=, opts=)` writes a row of series `win` (fields `call`, `image`,
`caption` from `opts`): the series only, since streamvis has no media panel yet (fetch
it, or `sv.media` a row). visdom's `text(text, win=, append=)` writes a row of `win`
(fields `call`, `text`: HTML, as visdom shows it) and saves a `text` plot and cell that
show the latest call; `append=True` adds to the window's text after a `<br>`.

The first call decides a plot's mode; a later call with another is drawn the first's way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from streamvis.client import Client
from streamvis.dropin_media import HTML, declare_series, host_array, image_array
from streamvis.logger import DataLogger, Delivery
from streamvis.model.errors import InvalidArgumentError

#: The fields every legacy plot's series has.
X, Y, LINE, CALL = "x", "y", "line", "call"
#: The index fields of `scatter`'s series.
COLOR, PANEL = "color", "panel"
#: The value fields of visdom's `image` and `text` windows.
IMAGE, CAPTION, TEXT = "image", "caption", "text"


@dataclass(frozen=True)
class ColorSpec:
    """`scatter`: color points by their index along `dim` of the data, from `palette`."""

    palette: str = "tab10"
    dim: int | None = None


@dataclass(frozen=True)
class GridSpec:
    """`scatter`: one panel per index along `dim` of the data, `num_columns` a row."""

    dim: int
    num_columns: int = 4


class Plots:
    """One-call plots of the older APIs, logged to one run (see the module doc).

    `uri` of the server (default STREAMVIS_URI or localhost:8001), `dashboard` the name
    of the dashboard the plots are cells of, `tags` of the run, and any DataLogger
    argument by keyword.
    """

    def __init__(self, uri: str | None = None, *, dashboard: str = "legacy",
                 tags: Sequence[str] = (), **options: Any) -> None:
        self.logger = DataLogger(uri, tags=tags, infer=True, **options).start()
        self.uri = uri
        self.dashboard = dashboard
        self._connection = {k: options[k] for k in ("token", "tls", "tls_ca") if k in options}
        self._calls: dict[str, int] = {}
        self._cells: list[str] = []
        self._layout: list[list[str]] | None = None
        #: What each visdom text window shows now (append=True adds to it).
        self._texts: dict[str, str] = {}

    # -- the Bokeh era --------------------------------------------------------------

    def tandem_lines(self, name: str, x: float, ys: Any, *, append: bool = True) -> None:
        """One point on each of len(ys) lines, all at `x` (a step's losses, say)."""
        y = _floats(ys, "ys").ravel()
        self._write(name, append, x=np.full(len(y), float(x)), y=y,
                    line=np.arange(len(y), dtype=np.int64))

    def multi_lines(self, name: str, data: Any, *, append: bool = False) -> None:
        """Whole lines at once: `data` is [lines, points], x the point's index."""
        d = _floats(data, "data")
        if d.ndim != 2:
            raise InvalidArgumentError(
                f"multi_lines {name!r}: data has shape {d.shape}: give [lines, points]")
        lines, points = d.shape
        self._write(name, append, x=np.tile(np.arange(points, dtype=np.float64), lines),
                    y=d.ravel(), line=np.repeat(np.arange(lines, dtype=np.int64), points))

    def scatter(  # noqa: PLR0917 - the Bokeh-era signature, positional arguments and all
        self, name: str, data: Any, spatial_dim: int = -1, append: bool = True,
        color: ColorSpec | None = None, grid: GridSpec | None = None,
    ) -> None:
        """Points: `data` has a dimension of size 2 (`spatial_dim`: x, y); its other
        dimensions index the points, which `color` and `grid` may color and panel by."""
        d = _floats(data, "data")
        if d.ndim == 0 or d.shape[spatial_dim] != 2:
            raise InvalidArgumentError(
                f"scatter {name!r}: data has shape {d.shape}, so dimension {spatial_dim} "
                "is not of size 2 (x, y): give spatial_dim, the dimension holding x and y")
        spatial = spatial_dim % d.ndim
        index_shape = d.shape[:spatial] + d.shape[spatial + 1:]
        points = np.moveaxis(d, spatial, -1).reshape(-1, 2)
        indices: np.ndarray[Any, np.dtype[np.int64]] = np.indices(
            index_shape, dtype=np.int64).reshape(len(index_shape), -1)

        def along(spec_dim: int | None, what: str) -> np.ndarray[Any, Any]:
            if spec_dim is None:
                return np.zeros(len(points), np.int64)
            dim = spec_dim % d.ndim
            if dim == spatial:
                raise InvalidArgumentError(
                    f"scatter {name!r}: {what} dim {spec_dim} is the spatial dimension: "
                    "give one of the index dimensions")
            picked: np.ndarray[Any, Any] = indices[dim if dim < spatial else dim - 1]
            return picked

        color_index = along(color.dim if color else None, "ColorSpec")
        panel_index = along(grid.dim if grid else None, "GridSpec")
        extra: dict[str, Any] = {}
        bindings = {"x": X, "y": Y}
        if color is not None:
            extra["palette"] = color.palette
            if color.dim is not None:
                bindings["color"] = COLOR
        if grid is not None:
            bindings["facet"] = PANEL
            extra["facet"] = {"columns": grid.num_columns}
        self._write(name, append, kind="scatter", bindings=bindings, extra=extra,
                    x=points[:, 0], y=points[:, 1], color=color_index, panel=panel_index)

    def set_layout(self, rows: Sequence[Sequence[str]]) -> None:
        """The dashboard's cells: a list of rows, each a list of plot names."""
        self._layout = [list(r) for r in rows]
        self._save_dashboard()

    # -- visdom -----------------------------------------------------------------------

    def line(self, Y: Any, X: Any = None, win: str | None = None,  # noqa: N803 - visdom's
             update: str | None = None, **_opts: Any) -> str:
        """visdom's `line`: Y is [N] or [N, lines], X the same or [N] (default 0..N-1);
        `update='append'` adds to the window, None replaces it. Returns the window."""
        if update not in (None, "append", "replace"):
            raise InvalidArgumentError(
                f"line: update={update!r}: give None (replace), 'replace' or 'append'")
        y = _floats(Y, "Y")
        y = y[:, None] if y.ndim == 1 else y
        if y.ndim != 2:
            raise InvalidArgumentError(f"line: Y has shape {y.shape}: give [N] or [N, lines]")
        n, lines = y.shape
        x = np.arange(n, dtype=np.float64) if X is None else _floats(X, "X")
        x = np.broadcast_to(x[:, None] if x.ndim == 1 else x, (n, lines))
        window = win or f"window_{len(self._calls)}"
        self._write(window, update == "append", x=x.ravel(), y=y.ravel(),
                    line=np.tile(np.arange(lines, dtype=np.int64), n))
        return window

    def image(self, img: Any, win: str | None = None, env: str | None = None,
              opts: dict[str, Any] | None = None) -> str:
        """visdom's `image`: (C, H, W) or (H, W), floats in [0, 1] (or 0..255, as visdom
        scales them), as a row of series `win` (fields `call`, `image`, `caption` from
        opts). No plot: there is no media panel yet. Returns the window; `env` (visdom's
        environment) has no effect: the plots are this run's."""
        del env
        arr = host_array(img)
        if arr.dtype.kind == "f" and arr.size and float(arr.max()) > 1.0:
            arr = np.clip(arr, 0, 255).astype(np.uint8)  # visdom's 0..255 floats
        hwc = image_array(arr, "HW" if arr.ndim == 2 else "CHW")
        window = win or f"window_{len(self._calls)}"
        declare_series(self.logger, window, {CALL: "int", IMAGE: "image", CAPTION: "string"})
        call = self._calls.get(window, -1) + 1
        self._calls[window] = call
        caption = str((opts or {}).get("caption", ""))
        self.logger.write(window, **{CALL: call, IMAGE: hwc, CAPTION: caption})
        return window

    def text(self, text: str, win: str | None = None, env: str | None = None,
             opts: dict[str, Any] | None = None, append: bool = False) -> str:
        """visdom's `text`: HTML shown in window `win` (a `text` plot and a dashboard
        cell); `append=True` adds it to what the window shows, after a `<br>`, as
        visdom does. Each call is a row (`call`, `text`: the window's whole text, format
        html); the plot shows the latest, older calls a slider away. `env` and `opts` have
        no effect."""
        del env, opts
        window = win or f"window_{len(self._calls)}"
        shown = str(text)
        if append and window in self._texts:
            shown = f"{self._texts[window]}<br>{shown}"
        self._texts[window] = shown
        declare_series(self.logger, window, {CALL: "int", TEXT: HTML})
        self._write(window, append=False, kind="text", bindings={"text": TEXT}, text=shown)
        return window

    # -- the run ----------------------------------------------------------------------

    def stop(self, timeout: float | None = 30.0) -> Delivery:
        """Send what is left and end the run's logging."""
        return self.logger.stop(timeout)

    def _write(self, name: str, append: bool, *, kind: str = "line",
               bindings: dict[str, str] | None = None, extra: dict[str, Any] | None = None,
               **columns: Any) -> None:
        call = self._calls.get(name, -1) + 1
        self._calls[name] = call
        self.logger.write(name, **{CALL: call, **columns})
        if call == 0:
            # The first write declares the series, which must exist before a plot of it
            # is saved: sent now, once per plot.
            self.logger.flush()
            self._save_plot(name, append, kind, bindings, extra or {})

    def _save_plot(self, name: str, append: bool, kind: str,
                   bindings: dict[str, str] | None, extra: dict[str, Any]) -> None:
        roles = dict(bindings or {"x": X, "y": Y, "group": LINE, "color": LINE})
        if not append:
            roles["frame"] = CALL
        spec = {"name": name, "kind": kind, "title": name, **extra, "datasets": [{
            "series": name, "filter": {"handles": [str(self.logger.run_handle)]},
            "bindings": roles}]}
        with Client(self.uri, **self._connection) as client:
            client.save_plot(name, spec)
        self._cells.append(name)
        self._save_dashboard()

    def _save_dashboard(self) -> None:
        rows = self._layout or [[c] for c in self._cells]
        if not rows:
            return
        layout = "rows=" + ";".join(",".join(r) for r in rows)
        plots = sorted({p for r in rows for p in r})
        with Client(self.uri, **self._connection) as client:
            client.save_dashboard(self.dashboard, {"layout": layout, "plots": plots})


def _floats(values: Any, what: str) -> np.ndarray[Any, np.dtype[np.float64]]:
    if hasattr(values, "detach"):  # a torch tensor, maybe on a device
        values = values.detach().cpu().numpy()
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"{what} must be numbers, got {type(values).__name__}") from None
