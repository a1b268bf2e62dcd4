"""Notebooks: a small notebook executed by a real Jupyter kernel (nbclient + ipykernel)
shows a saved plot, a dashboard and a run inline; the frames' URLs answer."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import nbformat
import pytest
from nbclient import NotebookClient

from streamvis.client import Client
from streamvis.model.errors import InvalidArgumentError, NotFoundError
from streamvis.notebook import View, show, view
from streamvis.testing import ServerProcess

PLOT = {"kind": "line", "datasets": [{"series": "nb", "bindings": {"x": "step", "y": "loss"}}]}
SRC = re.compile(r'<iframe src="([^"]+)"')


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(str(tmp_path_factory.mktemp("notebook"))) as proc:
        with Client(proc.uri) as client:
            client.create_field("step", "int")
            client.create_field("loss", "float")
            client.create_series("nb", ["step", "loss"])
            client.save_plot("nb-loss", {"name": "nb-loss", **PLOT})
            client.save_dashboard("nb-board", {"layout": "rows=nb-loss,nb-loss",
                                               "plots": ["nb-loss"]})
        yield proc


def _run_notebook(cells: list[str], tmp_path: Path) -> list[dict[str, object]]:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    return [out for cell in nb.cells for out in cell.outputs]


def test_a_notebook_shows_a_plot_a_dashboard_and_a_run_inline(
    server: ServerProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("STREAMVIS_CAPTURE", "0")
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[1] / "src"))
    outputs = _run_notebook([
        f"import streamvis\nURI = {server.uri!r}",
        "streamvis.show('nb-loss', uri=URI)",
        "streamvis.show('nb-board', uri=URI, height=300)",
        ("run = streamvis.init(URI)\nrun.log({'loss': 0.5})\nrun.finish()\n"
         "streamvis.show(run, uri=URI)"),
        "from streamvis.notebook import view\nview(uri=URI)",  # a View as the last value
    ], tmp_path)
    frames = [SRC.findall(str(o["data"]["text/html"]))[0]  # type: ignore[index]
              for o in outputs if "text/html" in o.get("data", {})]  # type: ignore[operator]
    web = server.web_url.rstrip("/")
    assert len(frames) == 4, outputs
    assert frames[0] == f"{web}/?rows=nb-loss"
    assert frames[1] == f"{web}/?rows=nb-loss,nb-loss"
    assert re.fullmatch(rf"{re.escape(web)}/runs/[0-9a-f-]{{36}}", frames[2])
    assert frames[3] == f"{web}/workspace"
    for url in frames:  # the web app serves each page (the app itself routes them)
        assert httpx.get(url.replace("&amp;", "&"), timeout=10).status_code == 200


def test_outside_a_notebook_show_prints_the_url(
    server: ServerProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "IPython" not in sys.modules or sys.modules["IPython"].get_ipython() is None
    show("rows=nb-loss;nb-loss", uri=server.uri)
    assert capsys.readouterr().out.strip().endswith("/?rows=nb-loss;nb-loss")


def test_a_view_is_an_iframe_with_its_url_escaped() -> None:
    html = View('http://h:1/?rows=a&b="x"', height=200)._repr_html_()
    assert 'src="http://h:1/?rows=a&amp;b=&quot;x&quot;"' in html
    assert 'height="200"' in html
    assert view("https://example.org/x").url == "https://example.org/x"


def test_unknown_names_and_odd_values_are_refused(server: ServerProcess) -> None:
    with pytest.raises(NotFoundError, match="no saved plot or dashboard named 'nope'"):
        view("nope", uri=server.uri)
    with pytest.raises(InvalidArgumentError, match="give a saved plot or dashboard name"):
        view(3, uri=server.uri)
    with pytest.raises(InvalidArgumentError, match="needs its 'layout'"):
        view({"plots": []}, uri=server.uri)
