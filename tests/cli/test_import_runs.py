"""`streamvis import-runs` against a real server."""

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from streamvis.cli import main
from streamvis.client import Client
from streamvis.model.limits import MAX_RUNS_PER_CREATE
from streamvis.model.schema import RunFilter
from streamvis.testing import ServerProcess


@pytest.fixture(scope="module")
def uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with ServerProcess(str(tmp_path_factory.mktemp("import-store"))) as server:
        with Client(server.uri) as c:
            c.create_field("lr", "float")
        yield server.uri


def write(path: Path, lines: list[object]) -> str:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines))
    return str(path)


def test_imports_every_line(uri, tmp_path, capsys):
    handle = str(uuid.uuid4())
    rows: list[object] = [
        {"handle": handle, "tags": ["imp"], "attributes": {"lr": 0.1},
         "started_at": "2026-01-02T03:04:05"},
        "",
        *({"tags": ["imp", "many"], "started_at": 1.7e9 + i}
          for i in range(MAX_RUNS_PER_CREATE + 5)),  # more than one batch
    ]
    assert main(["import-runs", write(tmp_path / "runs.jsonl", rows), "--uri", uri,
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["created"] == MAX_RUNS_PER_CREATE + 6
    with Client(uri) as c:
        runs = c.runs(RunFilter(tags_all=("imp",)))
        assert len(runs) == MAX_RUNS_PER_CREATE + 6
        [first] = [r for r in runs if str(r.handle) == handle]
        assert first.attributes == {"lr": 0.1}
        assert first.started_at == 1767323045.0


@pytest.mark.parametrize(("line", "match"), [
    ("{not json", "line 2: not JSON"),
    ('{"tags": "a"}', "line 2: tags must be a list"),
    ('{"handle": "x"}', "line 2: handle 'x' is not a UUID"),
    ('{"colour": 1}', "line 2: unknown key"),
    ('{"started_at": true}', "line 2: started_at"),
    ('{"attributes": {"nope": 1}}', "names no field"),
])
def test_a_bad_line_imports_nothing(uri, tmp_path, capsys, line, match):
    tag = f"bad{uuid.uuid4().hex[:8]}"
    path = write(tmp_path / "bad.jsonl", [{"tags": [tag]}, line])
    assert main(["import-runs", path, "--uri", uri]) == 1
    assert match in capsys.readouterr().err
    with Client(uri) as c:
        assert c.runs(RunFilter(tags_any=(tag,))) == []


def test_a_missing_file_is_one_line(uri, capsys):
    assert main(["import-runs", "/nonexistent/runs.jsonl", "--uri", uri]) == 1
    assert "cannot read" in capsys.readouterr().err
