"""The command line against a real server: tables, --json, apply, errors."""

import json
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest

from streamvis.cli import main
from streamvis.client import Client
from streamvis.testing import ServerProcess


@pytest.fixture(scope="module")
def uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with ServerProcess(str(tmp_path_factory.mktemp("cli-store"))) as server:
        yield server.uri


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_fields_and_series_round_trip(uri, capsys):
    assert run(capsys, "create-field", "step", "int", "the step", "--uri", uri)[0] == 0
    assert run(capsys, "create-field", "loss", "float", "--uri", uri)[0] == 0
    code, out, _ = run(capsys, "create-series", "train", "step", "loss", "--uri", uri)
    assert code == 0
    assert "train  step, loss" in out
    code, out, _ = run(capsys, "fields", "--uri", uri)
    assert out.splitlines()[0].split() == ["NAME", "TYPE", "DESCRIPTION"]
    assert any(line.split()[:2] == ["step", "int"] for line in out.splitlines())
    code, out, _ = run(capsys, "series", "--json", "--uri", uri)
    assert {"name": "train", "fields": ["step", "loss"]} in json.loads(out)
    code, out, _ = run(capsys, "update-field", "loss", "--description", "training loss",
                       "--json", "--uri", uri)
    assert json.loads(out)[0]["description"] == "training loss"


def test_create_series_names_its_x_and_series_shows_it(uri, capsys, tmp_path):
    for name, type_name in (("xt", "float"), ("xwave", "int"), ("xnote", "string")):
        assert run(capsys, "create-field", name, type_name, "--uri", uri)[0] == 0
    code, out, err = run(capsys, "create-series", "xwaves", "xt", "xwave", "--x", "xt",
                         "--uri", uri)
    assert code == 0, err
    assert out.splitlines()[0].split() == ["NAME", "FIELDS", "X"]
    assert out.splitlines()[1].split() == ["xwaves", "xt,", "xwave", "xt"]
    code, out, _ = run(capsys, "series", "--json", "--uri", uri)
    assert {"name": "xwaves", "fields": ["xt", "xwave"], "x": "xt"} in json.loads(out)
    # The same declaration again changes nothing; another x is a one-line error.
    code, _, err = run(capsys, "create-series", "xwaves", "xwave", "xt", "--x", "xt",
                       "--uri", uri)
    assert code == 0 and "exists already as declared" in err
    for argv, message in [([], "and x 'xt': a series never changes"),
                          (["--x", "xwave"], "and x 'xt'")]:
        code, out, err = run(capsys, "create-series", "xwaves", "xt", "xwave", *argv,
                             "--uri", uri)
        assert (code, out) == (1, "") and message in err and err.count("\n") == 1
    code, _, err = run(capsys, "create-series", "xnotes", "xwave", "xnote", "--x", "xnote",
                       "--uri", uri)
    assert code == 1 and "is a string field" in err and "int or float" in err
    schema = tmp_path / "schema.yaml"
    schema.write_text("series: {xwaves: {fields: [xwave, xt], x: xt}}\n")
    assert "nothing to change" in run(capsys, "apply", str(schema), "--uri", uri)[1]


def test_errors_are_one_line_and_change_nothing(uri, capsys):
    run(capsys, "create-field", "dup", "int", "--uri", uri)
    code, out, err = run(capsys, "create-field", "dup", "float", "--uri", uri)
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("streamvis create-field: error: ") and "dup" in err
    code, _, err = run(capsys, "create-series", "bad", "nope", "--uri", uri)
    assert code == 1 and "nope" in err
    code, out, _ = run(capsys, "series", "--json", "--uri", uri)
    assert "bad" not in [s["name"] for s in json.loads(out)]
    code, _, err = run(capsys, "update-field", "dup", "--uri", uri)
    assert code == 1 and "--name" in err


def test_unreachable_server_says_what_to_do(capsys):
    code, _, err = run(capsys, "fields", "--uri", "127.0.0.1:1")
    assert code == 1
    assert "streamvis serve" in err


def test_runs_filters_tags_and_delete(uri, capsys):
    run(capsys, "create-field", "lr", "float", "--uri", uri)
    with Client(uri) as c:
        a = c.create_run(tags=["baseline"], attributes={"lr": 1e-3})
        b = c.create_run(tags=["ablation"], attributes={"lr": 1e-1})
    code, out, _ = run(capsys, "runs", "--where", "lr=1e-4..1e-2", "--json", "--uri", uri)
    assert [r["handle"] for r in json.loads(out)] == [str(a.handle)]
    code, out, _ = run(capsys, "runs", "--tag-none", "baseline", "--json", "--uri", uri)
    assert str(a.handle) not in {r["handle"] for r in json.loads(out)}
    code, out, _ = run(capsys, "tag", str(b.handle), "x", "y", "--json", "--uri", uri)
    assert json.loads(out)[0]["tags"] == ["ablation", "x", "y"]
    code, out, _ = run(capsys, "untag", str(b.handle), "x", "--json", "--uri", uri)
    assert json.loads(out)[0]["tags"] == ["ablation", "y"]
    code, out, _ = run(capsys, "runs", "--tag-any", "y", "--uri", uri)
    assert str(b.handle) in out and "lr=0.1" in out
    code, _, err = run(capsys, "runs", "--where", "lr=abc", "--uri", uri)
    assert code == 1 and "not a valid float" in err
    code, _, err = run(capsys, "delete-run", "not-a-uuid", "--uri", uri)
    assert code == 1 and "nor a prefix" in err
    assert run(capsys, "delete-run", str(b.handle), "--uri", uri)[0] == 0
    with Client(uri) as c:
        assert b.handle not in {r.handle for r in c.runs()}


def test_commands_take_a_unique_handle_prefix(uri, capsys):
    with Client(uri) as c:
        a = c.create_run(uuid.UUID("c0de0000-0000-4000-8000-000000000001"))
        b = c.create_run(uuid.UUID("c0de0000-0000-4000-8000-000000000102"))
    code, out, _ = run(capsys, "tag", "c0de0000-0000-4000-8000-0000000000", "x", "--json",
                       "--uri", uri)
    assert code == 0 and json.loads(out)[0]["handle"] == str(a.handle)
    code, out, _ = run(capsys, "run", "C0DE0000-0000-4000-8000-000000000102", "--json",
                       "--uri", uri)
    assert code == 0 and json.loads(out)["handle"] == str(b.handle)
    code, _, err = run(capsys, "delete-run", str(a.handle), "c0de", "--uri", uri)
    assert code == 1 and f"ambiguous: it matches {a.handle}, {b.handle}" in err
    with Client(uri) as c:  # one refused prefix deletes nothing
        assert {a.handle, b.handle} <= {r.handle for r in c.runs()}
    code, _, err = run(capsys, "artifacts", "c0df", "--uri", uri)
    assert code == 1 and "no run with a handle starting 'c0df'" in err
    code, out, _ = run(capsys, "runs", "--run", str(a.handle).replace("-", "")[:-1], "--run",
                       str(b.handle), "--json", "--uri", uri)
    assert code == 0 and {r["handle"] for r in json.loads(out)} == {str(a.handle), str(b.handle)}
    code, out, _ = run(capsys, "runs", "--run", "C0DE0000-0000-4000-8000-0000000001",
                       "--tag-any", "x", "--json", "--uri", uri)
    assert code == 0 and json.loads(out) == []  # b, which has no tag x
    assert run(capsys, "delete-run", str(a.handle)[:-1], "--uri", uri)[0] == 0


SCHEMA = """\
fields:
  epoch: int
  acc: {type: float, description: accuracy}
series:
  eval: [epoch, acc]
"""


def test_apply_is_idempotent_and_refuses_conflicts(uri, capsys, tmp_path):
    path = tmp_path / "schema.yaml"
    path.write_text(SCHEMA)
    code, out, _ = run(capsys, "apply", str(path), "--uri", uri)
    assert code == 0
    assert "created field epoch (int)" in out and "created series eval (epoch, acc)" in out
    code, out, _ = run(capsys, "apply", str(path), "--uri", uri)
    assert code == 0 and out.startswith("nothing to change")
    path.write_text(SCHEMA.replace("epoch: int", "epoch: float").replace("[epoch, acc]",
                                                                         "[epoch, acc, new]")
                    + "  other: [new]\n")
    code, _, err = run(capsys, "apply", str(path), "--uri", uri)
    assert code == 1
    assert "'epoch' is int on the server but declared float" in err
    with Client(uri) as c:
        assert "other" not in {s.name for s in c.series()}


PLOTS = """\
fields:
  t: int
  val: float
  optim: string
series:
  curves: [t, val, optim]
plots:
  loss:
    kind: line
    title: training loss
    datasets:
      - series: curves
        filter: {tags_any: [baseline]}
        bindings: {x: t, y: val, group: run, color: optim}
    scales: {y: log}
  points:
    kind: scatter
    datasets: [{series: curves, bindings: {x: t, y: val}}]
"""


def test_apply_plots_list_and_delete(uri, capsys, tmp_path):
    path = tmp_path / "plots.yaml"
    path.write_text(PLOTS)
    code, out, _ = run(capsys, "apply", str(path), "--uri", uri)
    assert code == 0
    assert "created plot loss (line of curves)" in out
    assert "created plot points (scatter of curves)" in out
    code, out, _ = run(capsys, "apply", str(path), "--uri", uri)
    assert code == 0 and out.startswith("nothing to change")

    code, out, _ = run(capsys, "plots", "--uri", uri)
    assert out.splitlines()[0].split() == ["NAME", "KIND", "SERIES", "TITLE"]
    assert "loss    line     curves  training loss" in out
    code, out, _ = run(capsys, "plots", "--json", "--uri", uri)
    by_name = {p["name"]: p for p in json.loads(out)["plots"]}
    assert by_name["loss"]["datasets"][0]["bindings"]["color"] == "optim"
    assert by_name["loss"]["scales"] == {"y": "log"}

    path.write_text(PLOTS.replace("scales: {y: log}", "scales: {y: lin}"))
    code, out, _ = run(capsys, "apply", str(path), "--uri", uri)
    assert (code, out.strip()) == (0, "updated plot loss")

    # A bad plot refuses the whole file: the new field is not created either.
    path.write_text(PLOTS.replace("optim: string", "optim: string\n  extra: int")
                    .replace("y: val, group: run", "y: optim, group: run"))
    code, out, err = run(capsys, "apply", str(path), "--uri", uri)
    assert code == 1 and out == ""
    assert "plot 'loss': datasets[0].bindings.y: y takes float or int fields" in err
    with Client(uri) as c:
        assert "extra" not in {f.name for f in c.fields()}
        assert c.plot("loss")["datasets"][0]["bindings"]["y"] == "val"

    code, out, _ = run(capsys, "delete-plot", "points", "--uri", uri)
    assert (code, out.strip()) == (0, "deleted 1 plot(s)")
    code, out, _ = run(capsys, "plots", "--json", "--uri", uri)
    assert [p["name"] for p in json.loads(out)["plots"]] == ["loss"]
    code, _, err = run(capsys, "delete-plot", "points", "--uri", uri)
    assert code == 1 and "no plot named 'points'" in err


DASHBOARDS = PLOTS.replace("plots:\n", "plots:\n  kept: {kind: line, datasets: [{series: curves, "
                            "bindings: {x: t, y: val}}]}\n") + """\
dashboards:
  overview:
    layout: "rows=kept,spread;kept&height=2,1"
    plots: [kept, spread]
    title: the overview
  single: {layout: "cols=kept", plots: [kept]}
"""


def test_apply_dashboards_list_and_delete(uri, capsys, tmp_path):
    path = tmp_path / "dashboards.yaml"
    path.write_text(DASHBOARDS.replace("  points:", "  spread:"))
    code, out, _ = run(capsys, "apply", str(path), "--uri", uri)
    assert code == 0
    # Dashboards come after the plots they show.
    lines = [line for line in out.splitlines() if line.startswith("created")]
    assert lines[-2:] == ["created dashboard overview (rows=kept,spread;kept&height=2,1)",
                          "created dashboard single (cols=kept)"]
    assert "created plot spread (scatter of curves)" in lines
    code, out, _ = run(capsys, "apply", str(path), "--uri", uri)
    assert code == 0 and out.startswith("nothing to change")

    code, out, _ = run(capsys, "plots", "--uri", uri)
    plots_table, boards_table = out.rstrip("\n").split("\n\n")
    assert plots_table.splitlines()[0].split() == ["NAME", "KIND", "SERIES", "TITLE"]
    assert any(line.split()[:2] == ["spread", "scatter"] for line in plots_table.splitlines())
    assert [re.split(r"\s{2,}", line) for line in boards_table.splitlines()] == [
        ["DASHBOARD", "LAYOUT", "PLOTS"],
        ["overview", "rows=kept,spread;kept&height=2,1", "kept, spread"],
        ["single", "cols=kept", "kept"],
    ]
    code, out, _ = run(capsys, "plots", "--json", "--uri", uri)
    listed = json.loads(out)
    assert set(listed) == {"plots", "dashboards"}
    assert {"name": "single", "layout": "cols=kept", "plots": ["kept"]} in listed["dashboards"]
    assert [d["name"] for d in listed["dashboards"]] == ["overview", "single"]

    path.write_text(DASHBOARDS.replace("  points:", "  spread:").replace("the overview", "all"))
    code, out, _ = run(capsys, "apply", str(path), "--uri", uri)
    assert (code, out.strip()) == (0, "updated dashboard overview")

    # A bad dashboard refuses the whole file: nothing before it is applied either.
    path.write_text(DASHBOARDS.replace("  points:", "  spread:")
                    .replace("optim: string", "optim: string\n  later: int")
                    .replace("title: training loss", "title: changed")
                    .replace('"cols=kept"', '"kept"'))
    code, out, err = run(capsys, "apply", str(path), "--uri", uri)
    assert code == 1 and out == ""
    assert "dashboards[1] (single)" in err and "rows= or cols=" in err
    with Client(uri) as c:
        assert "later" not in {f.name for f in c.fields()}
        assert c.plot("loss")["title"] != "changed"
        assert c.dashboard("overview")["title"] == "all"
        assert c.dashboard("single")["layout"] == "cols=kept"
    # So does a dashboard that shows a plot neither in the file nor on the server.
    path.write_text(DASHBOARDS.replace("  points:", "  spread:")
                    .replace("optim: string", "optim: string\n  later: int")
                    .replace("plots: [kept]}", "plots: [kept, typo]}"))
    code, out, err = run(capsys, "apply", str(path), "--uri", uri)
    assert code == 1 and out == ""
    assert "dashboard 'single' shows plot(s) typo" in err
    with Client(uri) as c:
        assert "later" not in {f.name for f in c.fields()}
        assert c.dashboard("single")["plots"] == ["kept"]

    code, out, _ = run(capsys, "delete-dashboard", "single", "overview", "--uri", uri)
    assert (code, out.strip()) == (0, "deleted 2 dashboard(s)")
    code, out, _ = run(capsys, "plots", "--json", "--uri", uri)
    assert json.loads(out)["dashboards"] == []
    code, _, err = run(capsys, "delete-dashboard", "single", "--uri", uri)
    assert code == 1 and "no dashboard named 'single'" in err
    with Client(uri) as c:
        c.save_dashboard("scripted", {"layout": "rows=kept"})
    code, out, _ = run(capsys, "delete-dashboard", "--json", "scripted", "--uri", uri)
    assert (code, json.loads(out)) == (0, {"deleted": ["scripted"]})


def test_console_entry_point_has_no_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "streamvis", "fields", "--uri", "127.0.0.1:1"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("streamvis fields: error:")


def test_a_closed_pipe_ends_the_command_quietly(uri, capsys):
    """`streamvis fields --json | head -1`: no BrokenPipeError traceback."""
    run(capsys, "create-field", "piped", "int", "--uri", uri)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamvis", "fields", "--json", "--uri", uri],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the command writes a byte
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 141  # 128 + SIGPIPE, as `cat` ends in a pipe
    assert err == ""


def test_creating_what_exists_as_declared_changes_nothing_as_apply_does(uri, capsys, tmp_path):
    assert run(capsys, "create-field", "epochs", "int", "whole passes", "--uri", uri)[0] == 0
    assert run(capsys, "create-field", "acc", "float", "--uri", uri)[0] == 0
    assert run(capsys, "create-series", "evals", "epochs", "acc", "--uri", uri)[0] == 0
    with Client(uri) as c:
        before = (c.fields(), c.series())
    # The same declaration again, as `apply` of it would be: exit 0, nothing changed.
    for argv, what in [
        (["create-field", "epochs", "int", "whole passes"], "field 'epochs' (int)"),
        (["create-field", "epochs", "int"], "field 'epochs' (int)"),  # no description given
        (["create-series", "evals", "epochs", "acc"], "series 'evals' (epochs, acc)"),
        (["create-series", "evals", "acc", "epochs"], "series 'evals' (epochs, acc)"),
    ]:
        code, out, err = run(capsys, *argv, "--json", "--uri", uri)
        assert code == 0, err
        assert err == f"streamvis {argv[0]}: {what} exists already as declared; nothing changed\n"
        assert json.loads(out)[0]["name"] == argv[1]
    schema = tmp_path / "schema.yaml"
    schema.write_text("fields: {epochs: int, acc: float}\nseries: {evals: [acc, epochs]}\n")
    assert "nothing to change" in run(capsys, "apply", str(schema), "--uri", uri)[1]
    # A different declaration under the name is an error that says what differs.
    for argv, message in [
        (["create-field", "epochs", "float"], "with type int, not float"),
        (["create-field", "epochs", "int", "steps"], "described as 'whole passes'"),
        (["create-series", "evals", "epochs"], "with fields epochs, acc"),
    ]:
        code, out, err = run(capsys, *argv, "--uri", uri)
        assert (code, out) == (1, "")
        assert message in err and err.count("\n") == 1
    with Client(uri) as c:
        assert (c.fields(), c.series()) == before


def test_artifacts_are_listed_and_downloaded(uri, capsys, tmp_path):
    import io  # noqa: PLC0415

    from streamvis.transfer import upload_artifact  # noqa: PLC0415

    with Client(uri) as client:
        handle = client.create_run().handle
        upload_artifact(client, handle, "model.pt", io.BytesIO(b"weights" * 100), step=5)
    code, out, err = run(capsys, "artifacts", str(handle), "--uri", uri)
    assert code == 0, err
    assert out.splitlines()[0].split()[:3] == ["NAME", "STEP", "BYTES"]
    assert out.splitlines()[1].split()[:3] == ["model.pt", "5", "700"]
    code, out, _ = run(capsys, "artifacts", str(handle), "--json", "--uri", uri)
    assert [(a["name"], a["step"], a["size"]) for a in json.loads(out)] == [("model.pt", 5, 700)]
    target = tmp_path / "m.bin"
    code, out, _ = run(capsys, "download", str(handle), "model.pt", "-o", str(target), "--uri", uri)
    assert code == 0 and "wrote 700 bytes" in out
    assert target.read_bytes() == b"weights" * 100
    code, out, err = run(capsys, "download", str(handle), "nothing", "--uri", uri)
    assert code == 1 and "no artifact 'nothing'" in err


def test_runs_shows_the_programs_attributes_and_those_asked(uri, capsys):
    # What the logger captured by itself (command, git, environment) is left out of the
    # table unless asked: it is the same long text on every run.
    for name, kind in [("lr", "float"), ("command.argv", "string"), ("git.commit", "string"),
                       ("config.batch", "int")]:
        run(capsys, "create-field", name, kind, "--uri", uri)
    with Client(uri) as c:
        r = c.create_run(tags=["attrs"], attributes={
            "lr": 0.5, "command.argv": "python train.py --epochs 3", "git.commit": "0f6c1a",
            "config.batch": 64})
    code, out, _ = run(capsys, "runs", "--tag-any", "attrs", "--uri", uri)
    assert code == 0 and "lr=0.5" in out and "config.batch=64" in out
    assert "train.py" not in out and "0f6c1a" not in out
    code, out, _ = run(capsys, "runs", "--tag-any", "attrs", "--attributes", "git.,lr",
                       "--uri", uri)
    assert "git.commit=0f6c1a" in out and "lr=0.5" in out
    assert "train.py" not in out and "config.batch" not in out
    code, out, _ = run(capsys, "runs", "--tag-any", "attrs", "--json", "--uri", uri)
    assert json.loads(out)[0]["attributes"]["command.argv"] == "python train.py --epochs 3"
    assert json.loads(out)[0]["handle"] == str(r.handle)
