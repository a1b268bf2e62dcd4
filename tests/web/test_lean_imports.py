"""The web app starts without what only some requests need (decision 0037): numba and
llvmlite (≈ 70 MB of the server's memory) load on the first histogram, not at start-up."""

from __future__ import annotations

import subprocess
import sys

from streamvis.web import reduce_bins


def _loaded_after(statement: str) -> set[str]:
    code = f"{statement}; import sys; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    return set(out.stdout.split())


def test_the_app_and_server_import_no_numba() -> None:
    loaded = _loaded_after("import streamvis.web.app, streamvis.server")
    assert "streamvis.web.app" in loaded
    assert not {m for m in loaded if m.split(".")[0] in {"numba", "llvmlite"}}
    assert "streamvis.web.bin_kernel" not in loaded


def test_the_first_histogram_loads_the_kernel() -> None:
    # The kernel still counts: imported where it is used, whichever way it counts.
    import numpy as np  # noqa: PLC0415 - the test's own data

    from streamvis.web.bin_rules import Edges  # noqa: PLC0415

    edges = Edges(0.0, 1.0, 4)
    counts = reduce_bins.count_cells(np.array([0.1, 1.5, 3.9, 3.95]), None, edges, None)
    assert counts.tolist() == [1, 1, 0, 2]
