"""Run search page at 10,000 runs (`--runs`): time to load, and time per filter change.

Seeds the runs (tags and six attributes each, no data) into a fresh store, starts
`streamvis serve` on it, and drives the production bundle in headless Chromium
(Debian's, through Playwright). Prints one JSON line per figure.

- load: navigation start to the table showing its first rows and the count of matches
  (the fields, the first page of rows from /api/run-search, and the first render);
  best and median of `--loads` page loads.
- filter change: from the input event (a checkbox, a tag mode, a slider step, a typed
  character) to the frame after the table shows the new count and its first rows (the
  server counts, sorts and pages: decision 0037); median and worst over `--repeats`
  rounds of each; and where it went (decision 0048): input to the rows' request sent,
  the server's wait, the rows' answer to the frame, and how many other requests the
  server answered meanwhile.

`--data DIR` keeps the seeded store and reuses it: old and new code (run this file with
each tree's `PYTHONPATH`: the server serves that tree's built bundle) measure one store.

Goals (issues 5 and 13): load under 1 s, each filter change under 100 ms, at 100,000 runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.browser.explore_data import seed

from streamvis.testing import ServerProcess

ARGS = ["--no-sandbox", "--headless=new", "--use-angle=swiftshader",
        "--enable-unsafe-swiftshader", "--disable-gpu"]

# Each action changes the filter once and returns a promise of the time to the next frame.
TIMED = """async (action) => {
  const q = (s) => document.querySelector(s);
  const before = q('.matches').dataset.count;
  performance.clearResourceTimings();
  const t0 = performance.now();
  if (action === 'checkbox') q("fieldset[data-field=optimizer] label:nth-of-type(1) input").click();
  else if (action === 'tag') {
    const s = q("label[data-tag=baseline] select");
    s.value = s.value === 'any' ? '' : 'any';
    s.dispatchEvent(new Event('change', { bubbles: true }));
  } else if (action === 'slider') {
    const r = q("fieldset[data-field=lr] input[type=range]");
    r.value = String(Number(r.value) === 0 ? 2000 : 0);
    r.dispatchEvent(new Event('input', { bubbles: true }));
  } else if (action === 'type') {
    const t = q("input[aria-label='find runs']");
    t.value = t.value === '' ? 'sweep-1' : '';
    t.dispatchEvent(new Event('input', { bubbles: true }));
  }
  // The server answers: wait for the new count and the first row it lists.
  const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  do await frame(); while ((q('.matches').dataset.count === before || !q('.body .row[data-run]'))
      && performance.now() - t0 < 10000);
  const ms = performance.now() - t0;
  // The requests that ended meanwhile (an earlier change's among them): when each was
  // sent and answered, relative to the input; the server's time is the wait for the
  // answer's first byte on this one machine.
  const reqs = performance.getEntriesByType('resource').map((e) => ({
    path: new URL(e.name).pathname, url: e.name, start: e.startTime - t0,
    first: e.responseStart - t0, end: e.responseEnd - t0,
    server: e.responseStart - e.requestStart }));
  return { ms, shown: Number(q('.matches').dataset.count), reqs };
}"""


def _split(got: list[dict[str, Any]]) -> dict[str, Any]:
    """Where a change's time went (medians): the rows' request from input to sent, the
    server's wait, and after its answer to the frame; and how many other requests
    overlapped it on the server (the filter panel's counts, the progress columns, ...)."""
    sent, server, after, others = [], [], [], []
    for g in got:
        rows = [r for r in g["reqs"] if r["path"] == "/api/run-search" and r["start"] >= 0]
        if not rows:
            continue
        first = min(rows, key=lambda r: r["start"])
        sent.append(first["start"])
        server.append(first["server"])
        after.append(g["ms"] - max(r["end"] for r in rows))
        others.append(sum(1 for r in g["reqs"] if r is not first and r["start"] < first["first"]
                          and r["end"] > first["start"]))
    def med(xs: Sequence[float]) -> float | None:
        return round(statistics.median(xs), 1) if xs else None

    return {"to_sent_ms": med(sent), "server_ms": med(server), "after_answer_ms": med(after),
            "overlapping": med(others), "overlapping_max": max(others, default=0)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--loads", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--data", type=Path, help="a store seeded by an earlier run with the same "
                    "--runs, kept and reused (seeded there when missing): rounds of old and "
                    "new code then measure one store")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data or Path(tmp) / "data"
        if not data.exists():
            t = time.perf_counter()
            seed(data, runs=args.runs, data=False)
            print(json.dumps({"figure": "seed_s", "runs": args.runs,
                              "value": round(time.perf_counter() - t, 2)}), file=sys.stderr)
        with ServerProcess(str(data)) as srv, sync_playwright() as pw:
            api = []
            for _ in range(args.loads):
                t = time.perf_counter()
                n = len(httpx.get(srv.web_url + "api/runs", timeout=60).json())
                api.append((time.perf_counter() - t) * 1000)
            print(json.dumps({"figure": "api_runs_ms", "runs": n,
                              "median": round(statistics.median(api), 1)}))
            browser = pw.chromium.launch(executable_path=args.chromium, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 860})
            loads = []
            for _ in range(args.loads):
                page.goto(srv.web_url + "runs", wait_until="commit")
                page.wait_for_selector(".matches", timeout=60_000)
                page.wait_for_selector(".body .row[data-run]")
                loads.append(page.evaluate("performance.now()"))
            shown = page.get_attribute(".matches", "data-count")
            # The filter panel's counts come after the rows: the timed actions need them.
            page.wait_for_selector("fieldset[data-field=optimizer] input", timeout=60_000)
            page.wait_for_selector("fieldset[data-field=lr] input[type=range]", timeout=60_000)
            print(json.dumps({"figure": "search_page_load_ms", "runs": args.runs,
                              "rows_matched": int(shown or 0), "best": round(min(loads), 1),
                              "median": round(statistics.median(loads), 1), "goal": 1000}))
            for action in ("checkbox", "tag", "slider", "type"):
                got = [page.evaluate(TIMED, action) for _ in range(args.repeats)]
                times = [g["ms"] for g in got]
                print(json.dumps({"figure": "search_filter_change_ms", "action": action,
                                  "runs": args.runs, "median": round(statistics.median(times), 1),
                                  "max": round(max(times), 1), "goal": 100,
                                  **_split(got)}))
            browser.close()


if __name__ == "__main__":
    main()
