"""The TensorBoard drop-in against a real server: a tensorboardX script run unchanged
with its import swapped, the mapping of each call, media and text coming back as
logged, and the calls streamvis has no type for refused."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import numpy as np
import pytest
import torch

import streamvis
from streamvis.client import Client
from streamvis.declare import apply_declaration, parse_declaration
from streamvis.model.errors import InvalidArgumentError, StreamvisError, UnimplementedError
from streamvis.model.schema import RunFilter
from streamvis.tensorboard import SummaryWriter
from tests.served import series_rows

#: A training script as written for tensorboardX; the test swaps its first line.
SCRIPT = textwrap.dedent("""\
    from tensorboardX import SummaryWriter
    import sys
    import torch

    torch.manual_seed(0)
    model = torch.nn.Linear(4, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(32, 4), torch.randn(32, 1)
    writer = SummaryWriter(log_dir=sys.argv[1], comment="_lr0.1")
    for step in range(5):
        loss = torch.nn.functional.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        writer.add_scalar("train/loss", loss.item(), step)
        writer.add_scalar("train/lr", 0.1, global_step=step)
        writer.add_scalars("loss", {"train": loss.item(), "val": 2 * loss.item()}, step)
        writer.add_histogram("weights", model.weight.detach(), step)
    writer.add_text("notes", "first try", 4)
    writer.add_image("inputs", torch.rand(3, 8, 8), 4)
    writer.add_hparams({"lr": 0.1, "opt": "sgd"}, {"hparam/loss": loss.item()})
    writer.flush()
    writer.close()
    print("done", loss.item())
""")
DROPIN_IMPORT = "from streamvis.tensorboard import SummaryWriter"


pytestmark = pytest.mark.usefixtures("private_cache")


def _run(script: str, tmp_path: Path, logdir: str, uri: str) -> str:
    path = tmp_path / "train.py"
    path.write_text(script)
    env = {**os.environ, "STREAMVIS_URI": uri, "STREAMVIS_CAPTURE": "0"}
    done = subprocess.run([sys.executable, str(path), logdir], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_a_tensorboardx_script_runs_unchanged_with_the_import_swapped(
    uri: str, tmp_path: Path
) -> None:
    # As written, it is a working tensorboardX script (it writes event files) ...
    tbx_dir = tmp_path / "tbx"
    _run(SCRIPT, tmp_path, str(tbx_dir), uri)
    assert any(tbx_dir.iterdir())
    # ... and with one line changed, it logs to streamvis.
    name = f"exp-{uuid.uuid4().hex[:8]}"
    swapped = SCRIPT.replace("from tensorboardX import SummaryWriter", DROPIN_IMPORT)
    assert swapped.count("\n") == SCRIPT.count("\n") and swapped != SCRIPT
    out = _run(swapped, tmp_path, f"runs/{name}", uri)
    final = float(out.split()[-1])
    with Client(uri) as client:
        (run,) = client.runs(RunFilter(tags_all=(name,)))
    assert run.attributes["tensorboard.log_dir"] == f"runs/{name}"
    assert run.attributes["tensorboard.comment"] == "_lr0.1"
    assert run.attributes["config.lr"] == 0.1
    assert run.attributes["config.opt"] == "sgd"
    assert run.attributes["metric.hparam/loss"] == pytest.approx(final)
    loss = series_rows(uri, run.handle, "train/loss")
    assert loss["step"] == [0, 1, 2, 3, 4]
    assert loss["loss"][-1] == pytest.approx(final)
    assert series_rows(uri, run.handle, "train/lr") == {"step": [0, 1, 2, 3, 4], "lr": [0.1] * 5}
    val = series_rows(uri, run.handle, "loss/val")
    assert val["val"] == pytest.approx([2 * v for v in loss["loss"]])
    assert series_rows(uri, run.handle, "loss/train")["train"] == loss["loss"]
    weights = series_rows(uri, run.handle, "weights")
    assert weights["step"] == [s for s in range(5) for _ in range(4)]  # 4 raw values a step
    assert series_rows(uri, run.handle, "notes") == {"step": [4], "notes": ["first try"]}
    assert series_rows(uri, run.handle, "inputs")["step"] == [4]
    # The plot docs/compat.md gives for add_histogram is accepted for what it stored.
    with Client(uri) as client:
        apply_declaration(client, parse_declaration({"plots": {f"{name}-weights": {
            "kind": "histogram", "datasets": [{
                "series": "weights", "filter": {"tags_any": [name]},
                "bindings": {"x": "weights", "t": "step"}}]}}}))


def test_each_call_maps_as_documented(uri: str) -> None:
    with SummaryWriter(uri=uri, strict=True) as writer:
        writer.add_scalar("acc", np.float32(0.5))  # no step: step 0, as in TensorBoard
        writer.add_scalar("acc", 0.75, np.int64(3))
        writer.add_histogram("grads", np.arange(6).reshape(2, 3), 1)
        writer.add_text("log/msg", "hello", 2)
        writer.add_scalar("gpu/loss", torch.tensor(0.25), torch.tensor(4))  # no .item()
        writer.add_histogram("w", torch.ones(2, 2), 0)
        assert writer.get_logdir() == ""
    handle = uuid.UUID(writer.run_handle)
    assert series_rows(uri, handle, "acc") == {"step": [0, 3], "acc": [0.5, 0.75]}
    assert series_rows(uri, handle, "grads") == {"step": [1] * 6, "grads": [0.0, 1, 2, 3, 4, 5]}
    assert series_rows(uri, handle, "log/msg") == {"step": [2], "msg": ["hello"]}
    assert series_rows(uri, handle, "gpu/loss") == {"step": [4], "loss": [0.25]}
    assert series_rows(uri, handle, "w") == {"step": [0] * 4, "w": [1.0] * 4}


def test_media_and_text_come_back_as_logged(uri: str) -> None:
    rng = np.random.default_rng(0)
    hwc = rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)
    batch = rng.integers(0, 256, (2, 4, 6, 3), dtype=np.uint8)
    grey = rng.integers(0, 256, (3, 3), dtype=np.uint8)  # small: its layout is ambiguous
    clip = np.sin(np.linspace(0, 20, 800, dtype=np.float32)) * 0.5
    with SummaryWriter(uri=uri, strict=True) as writer:
        writer.add_image("samples/input", torch.from_numpy(hwc).permute(2, 0, 1), 3)  # CHW
        writer.add_image("samples/input", hwc, 4, dataformats="HWC")
        writer.add_image("grey", grey, 0, dataformats="HW")
        writer.add_images("batch", batch.transpose(0, 3, 1, 2), 1)  # NCHW: 2 rows
        writer.add_text("notes/md", "**bold** and `code`", 2)
        writer.add_audio("speech", clip[None, :], 5, sample_rate=8000)  # (1, L) as torch's
    run = writer.run_handle
    with streamvis.connect(uri) as sv:
        images = sv.fetch("samples/input", runs=[run])
        assert images.column("step").to_pylist() == [3, 4]
        for ref in images.column("input").to_pylist():
            assert np.array_equal(sv.media(ref, as_="numpy"), hwc)  # bit-exact (PNG)
        (ref,) = sv.fetch("grey", runs=[run]).column("grey").to_pylist()
        assert np.array_equal(sv.media(ref, as_="numpy").reshape(3, 3), grey)
        rows = sv.fetch("batch", runs=[run])
        assert rows.column("step").to_pylist() == [1, 1]
        got = [sv.media(r, as_="numpy") for r in rows.column("batch").to_pylist()]
        assert np.array_equal(np.stack(got), batch)
        assert sv.fetch("notes/md", runs=[run]).to_pylist() == [
            {"run": run, "step": 2, "md": "**bold** and `code`"}]
        fields = {f.name: f for f in sv.fields()}
        assert fields["md"].options.format == "markdown"
        assert str(fields["input"].type) == "image"
        (ref,) = sv.fetch("speech", runs=[run]).column("speech").to_pylist()
        wav = sv.media(ref)
        assert wav[:4] == b"RIFF" and int.from_bytes(wav[24:28], "little") == 8000
        samples = sv.media(ref, as_="numpy")
        assert samples.shape == (800,)
        assert np.allclose(samples / 32767, clip, atol=1 / 32767)  # 16-bit WAV


def test_a_figure_and_a_video(uri: str) -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415 -- after the backend is chosen

    fig, ax = plt.subplots(figsize=(2, 1), dpi=50)
    ax.plot([0, 1], [1, 0])
    frames = np.zeros((1, 3, 3, 8, 8), np.uint8)  # N, T, C, H, W
    frames[0, :, 0] = 255  # red
    with SummaryWriter(uri=uri, strict=True) as writer:
        writer.add_figure("plots/curve", fig, 1)
        writer.add_video("clips/red", frames, 2, fps=5)
    assert not plt.fignum_exists(fig.number)  # closed, as TensorBoard does by default
    run = writer.run_handle
    with streamvis.connect(uri) as sv:
        (ref,) = sv.fetch("plots/curve", runs=[run]).column("curve").to_pylist()
        assert sv.media(ref, as_="pil").size == (100, 50)
        (ref,) = sv.fetch("clips/red", runs=[run]).column("red").to_pylist()
        assert sv.media(ref)[4:8] == b"ftyp"  # an MP4
        assert {f.name: f for f in sv.fields()}["red"].options.fps == 5


def test_bad_media_is_refused_with_what_to_do(uri: str) -> None:
    with SummaryWriter(uri=uri, strict=True) as writer:
        with pytest.raises(InvalidArgumentError, match="dataformats='CHW'"):
            writer.add_image("bad", np.zeros((2, 2)), 0)
        with pytest.raises(InvalidArgumentError, match="2 channels"):
            writer.add_image("bad", np.zeros((4, 4, 2)), 0, dataformats="HWC")
        with pytest.raises(InvalidArgumentError, match=r"\(N, T, C, H, W\)"):
            writer.add_video("bad", np.zeros((3, 4, 4, 3)), 0)


@pytest.mark.parametrize("call", ["add_pr_curve", "add_embedding", "add_graph", "add_mesh"])
def test_calls_without_a_field_type_say_so(uri: str, call: str) -> None:
    with SummaryWriter(uri=uri) as writer, \
            pytest.raises(UnimplementedError, match="no streamvis field type"):
        getattr(writer, call)("img", np.zeros((3, 2, 2)), 0)


def test_add_scalars_fast_path_stores_what_write_would(uri: str) -> None:
    # add_scalar's fast path (DataLogger.pair_writer) takes Python floats at int steps;
    # every other value falls back to `write` in order, and what write refuses is refused.
    with SummaryWriter(uri=uri, strict=True) as writer:
        writer.add_scalar("fast/loss", 0.5, 0)  # first call: declares, then the fast path
        writer.add_scalar("fast/loss", 1, 1)  # an int for the float field
        writer.add_scalar("fast/loss", np.float64(0.25), 2)  # numpy: the long way
        writer.add_scalar("fast/loss", 0.125)  # no step: step 0
        writer.add_scalar("fast/loss", 2.0, np.int32(5))
        writer.add_scalar("fast/loss", 4.0, 6)
        with pytest.raises(InvalidArgumentError, match="got a bool"):
            writer.add_scalar("fast/loss", scalar_value=True, global_step=7)  # as write does
        with pytest.raises(InvalidArgumentError, match="64 bits"):
            writer.add_scalar("fast/loss", 1.0, 2**63)  # past int64: refused by write
        with pytest.raises(InvalidArgumentError, match="loss"):
            writer.add_scalar("fast/loss", "high", 7)  # a string: refused by write
    handle = uuid.UUID(writer.run_handle)
    assert series_rows(uri, handle, "fast/loss") == {
        "step": [0, 1, 2, 0, 5, 6], "loss": [0.5, 1.0, 0.25, 0.125, 2.0, 4.0]}
    # After close, a call goes the long way and is refused as write refuses it.
    with pytest.raises(StreamvisError, match="stopped"):
        writer.logger.strict = True
        writer.add_scalar("fast/loss", 0.5, 8)


def test_pair_writer_takes_only_what_write_would_take_at_once(uri: str) -> None:
    with SummaryWriter(uri=uri, strict=True) as writer:
        put = writer.logger.pair_writer("pairs/x", "step", "x")
        assert not put(0, 1.0)  # the series is not known yet: the caller writes
        writer.logger.write("pairs/x", step=0, x=1.0)  # declares it (infer=True)
        assert put(1, 2.0) and put(2, 3)
        assert not put(3, "a") and not put(1.5, 2.0) and not put(2**64, 1.0)
        assert not writer.logger.pair_writer("pairs/x", "step", "nope")(4, 1.0)
    assert not put(5, 1.0)  # stopped: nothing queued
    assert series_rows(uri, uuid.UUID(writer.run_handle), "pairs/x") == {
        "step": [0, 1, 2], "x": [1.0, 2.0, 3.0]}
