"""The run search page loads runs in pages: the table fills from the first page, the
count of all runs shows while the rest come in, and every page ends up loaded."""

from __future__ import annotations

from streamvis.client import Client
from streamvis.model.schema import NewRun
from streamvis.testing import ServerProcess

from .explore_fixtures import wait_until

RUNS = 6_000  # the first page (500) and two more (5,000 each)


def test_every_page_of_runs_is_loaded(server: ServerProcess, page) -> None:
    with Client(server.uri) as client:
        client.create_field("seed", "int")
        client.create_runs([
            NewRun(tags=["odd" if i % 2 else "even"], attributes={"seed": i},
                   started_at=1.7e9 + i)
            for i in range(RUNS)
        ])
    page.goto(f"{server.web_url.rstrip('/')}/runs")
    page.wait_for_selector(".body .row")  # rows show from the first page
    wait_until(page, f"document.querySelector('.matches')?.dataset.count == {RUNS}")
    assert page.text_content(".matches") == f"{RUNS} of {RUNS} runs"
    page.select_option("label[data-tag=odd] select", "any")
    wait_until(page, f"document.querySelector('.matches').dataset.count == {RUNS // 2}")
