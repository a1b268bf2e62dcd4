"""A fault test's figure line: what was written and what arrived, for
benchmarks/bench_reliability.py, which runs the fault tests with `-s` and reads these."""

from __future__ import annotations

import json


def report_fault(fault: str, rows_written: int, rows_delivered: int) -> None:
    """Print `{"figure": "fault", ...}` for one injected fault the test survived."""
    print(json.dumps({
        "figure": "fault", "fault": fault, "rows_written": rows_written,
        "rows_delivered": rows_delivered, "rows_lost": rows_written - rows_delivered,
    }), flush=True)
