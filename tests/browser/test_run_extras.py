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
