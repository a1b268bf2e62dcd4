"""What the CLI's tables show: numbers as the web UI shows them."""

from __future__ import annotations

import argparse
import json
import uuid
from pathlib import Path

import pytest

from streamvis.cli.tables import format_number, show_runs
from streamvis.model.schema import Run

CASES = Path(__file__).resolve().parents[2] / "frontend/src/lib/plot/formatValue.cases.json"


@pytest.mark.parametrize(("text", "shown"), json.loads(CASES.read_text())["cases"])
def test_a_number_reads_as_in_the_web_ui(text: str, shown: str):
    """The same cases as the UI's formatValue test (format.test.ts)."""
    assert format_number(float(text)) == shown


def test_int_values_are_exact_at_any_size():
    assert format_number(2**63 - 1) == "9223372036854775807"


def test_runs_table_shows_attributes_as_the_web_ui_does():
    run = Run(uuid.uuid4(), 0.0, ("demo",), {"lr": 1e-3 * 9, "adam": True, "opt": "sgd"})
    out = show_runs([run], argparse.Namespace(json=False))
    assert out.splitlines()[1].endswith("adam=true lr=0.009 opt=sgd")
    shown = json.loads(show_runs([run], argparse.Namespace(json=True)))
    assert shown[0]["attributes"]["lr"] == 0.009000000000000001  # --json: the full value
