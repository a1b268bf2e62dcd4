"""RunExtras in the run search: one selected run lists its artifacts with download links."""

from __future__ import annotations

import io
from pathlib import Path

from streamvis.client import Client
from streamvis.testing import ServerProcess
from streamvis.transfer import upload_artifact


def test_one_selected_run_shows_its_artifacts_to_download(server: ServerProcess, page) -> None:
    with Client(server.uri) as client:
        run = client.create_run(tags=["with-artifacts"]).handle
        other = client.create_run().handle
        upload_artifact(client, run, "model.pt", io.BytesIO(b"weights" * 1000), step=7)
    page.goto(f"{server.web_url}runs")
    page.check(f".row[data-run='{run}'] input[type=checkbox]")
    extras = page.locator(f"section.extras[data-run='{run}']")
    link = extras.locator("a", has_text="model.pt")
    link.wait_for()
    assert "6.8 KiB" in extras.inner_text()
    with page.expect_download() as info:
        link.click()
    assert info.value.suggested_filename == "model.pt"
    assert Path(info.value.path()).read_bytes() == b"weights" * 1000
    # Two selected: no single run to show.
    page.check(f".row[data-run='{other}'] input[type=checkbox]")
    extras.wait_for(state="detached")
    page.uncheck(f".row[data-run='{run}'] input[type=checkbox]")
    page.locator(f"section.extras[data-run='{other}']", has_text="No artifacts").wait_for()


def test_controls_set_from_the_page_reach_the_run(server: ServerProcess, page) -> None:
    from streamvis.model.controls import check_spec  # noqa: PLC0415

    with Client(server.uri) as client:
        run = client.create_run().handle
        client.declare_controls(run, [check_spec("checkpoint", "button"),
                                      check_spec("ema", "toggle")])
    page.goto(f"{server.web_url}runs")
    page.check(f".row[data-run='{run}'] input[type=checkbox]")
    controls = page.locator(f".controls[data-run='{run}']")
    controls.locator("button", has_text="checkpoint").click()
    controls.locator("[data-control=checkpoint]", has_text="pressed 1 times").wait_for()
    controls.locator("[data-control=ema] input").check()
    controls.locator("[role=status]", has_text="ema set").wait_for()
    with Client(server.uri) as client:
        assert {c.spec.name: c.value for c in client.controls(run)} == {
            "checkpoint": 1, "ema": True,
        }


def test_a_dashboard_cell_shows_a_runs_controls(server: ServerProcess, page) -> None:
    from streamvis.model.controls import check_spec  # noqa: PLC0415

    with Client(server.uri) as client:
        run = client.create_run().handle
        client.declare_controls(run, [check_spec("lr", "slider", 0.5, min=0, max=1)])
    page.goto(f"{server.web_url}?rows=controls:{run}")
    cell = page.locator(f"[data-plot='controls:{run}'] .controls")
    cell.locator("[data-control=lr]", has_text="0.5").wait_for()
