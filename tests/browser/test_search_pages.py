"""The run search page asks the server for the rows in view (decision 0037): the count of
every match shows at once, a row far down appears when scrolled to, the server sorts, a
filter change recounts, and "select all matches" acts on the server's filter."""

from __future__ import annotations

from streamvis.client import Client
from streamvis.model.schema import NewRun
from streamvis.testing import ServerProcess

from .explore_fixtures import wait_until

RUNS = 6_000  # sixty pages of the table's 100 rows


def _rows(page) -> list[str]:
    return list(page.eval_on_selector_all(".body .row[data-run]",
                                          "rs => rs.map(r => r.dataset.run)"))


def test_far_rows_load_when_scrolled_to_and_filters_run_on_the_server(
    server: ServerProcess, page,
) -> None:
    with Client(server.uri) as client:
        client.create_field("seed", "int")
        runs = client.create_runs([
            NewRun(tags=["odd" if i % 2 else "even"] + (["rare"] if i % 40 == 1 else []),
                   attributes={"seed": i},
                   started_at=1.7e9 + i)
            for i in range(RUNS)
        ])
    newest_first = [str(r.handle) for r in reversed(runs)]
    page.goto(f"{server.web_url.rstrip('/')}/runs")
    wait_until(page, f"document.querySelector('.matches')?.dataset.count == {RUNS}")
    assert page.text_content(".matches") == f"{RUNS} of {RUNS} runs"
    page.wait_for_selector(".body .row[data-run]")
    # The page drew only the rows in view, and holds no row it did not ask for.
    assert 0 < len(_rows(page)) < 100
    assert _rows(page)[0] == newest_first[0]
    # Scrolled near the end: the rows there are fetched and drawn in their places.
    page.eval_on_selector(".body", "b => { b.scrollTop = 28 * 5990; }")
    wait_until(page, f"document.querySelector(\".row[data-run='{newest_first[5995]}']\") !== null")
    at = page.get_attribute(f".row[data-run='{newest_first[5995]}']", "data-at")
    assert at == "5995"
    # A filter change is counted and listed by the server.
    page.select_option("label[data-tag=odd] select", "any")
    wait_until(page, f"document.querySelector('.matches').dataset.count == {RUNS // 2}")
    odd = [str(r.handle) for r in reversed(runs) if r.attributes["seed"] % 2]
    wait_until(page, f"document.querySelector(\".row[data-run='{odd[0]}']\") !== null")
    assert _rows(page)[0] == odd[0]
    # The server sorts by an attribute: the lowest odd seed first.
    page.click(".head button[title=seed]")
    wait_until(page, "document.querySelector('.body .row[data-run] .num')?.textContent === '1'")
    # Select all matches: an action reaches the runs never drawn too.
    rare = RUNS // 40
    page.select_option("label[data-tag=rare] select", "all")
    wait_until(page, f"document.querySelector('.matches').dataset.count == {rare}")
    page.check(f"input[aria-label='select all {rare} matches']")
    assert page.get_attribute(".actions .count", "data-count") == str(rare)
    assert len(_rows(page)) < rare
    page.fill("input[aria-label='tag to add or remove']", "picked")
    page.click("button:has-text('Add tag')")
    page.wait_for_selector(f".msg:has-text('tagged \"picked\": {rare} runs')", timeout=60_000)
    with Client(server.uri) as client:
        assert client.get_run(odd[-1]).tags == ("odd", "picked", "rare")
        assert client.get_run(runs[3].handle).tags == ("odd",)


def test_a_run_created_while_the_page_is_open_is_counted_and_listed(
    server: ServerProcess, page,
) -> None:
    with Client(server.uri) as client:
        client.create_runs([NewRun(tags=["old"], started_at=1.7e9 + i) for i in range(150)])
    page.goto(f"{server.web_url.rstrip('/')}/runs?any=new")
    wait_until(page, "document.querySelector('.matches')?.dataset.count == 0")
    with Client(server.uri) as client:
        made = client.create_run(tags=["new"], started_at=1.8e9)
    wait_until(page, "document.querySelector('.matches').dataset.count == 1")
    wait_until(page, f"document.querySelector(\".row[data-run='{made.handle}']\") !== null")
    assert page.text_content(".matches") == "1 of 151 runs"
