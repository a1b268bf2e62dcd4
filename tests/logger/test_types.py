"""The type and broadcasting matrix: what write accepts, what arrives, what it refuses."""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

from streamvis import DataLogger, LoggerWarning
from streamvis.model.errors import FailedPreconditionError, InvalidArgumentError, NotFoundError
from tests.served import series_rows as query_rows


def _as(kind: str, values: Any, dtype: str | None = None) -> Any:
    """`values` (a Python scalar or nested list) as a value of the given kind."""
    if kind == "python":
        return values
    if kind == "list":
        return values if isinstance(values, list) else [values]
    if kind == "numpy":
        return np.asarray(values, dtype=dtype)
    if kind == "torch":
        return torch.tensor(values, dtype=getattr(torch, dtype) if dtype else None)
    assert kind == "jax"
    # jax is 32-bit unless jax_enable_x64 is set.
    return jnp.asarray(values, dtype=dtype.replace("64", "32") if dtype else None)


KINDS = ["python", "list", "numpy", "torch", "jax"]
# (series, field, value, numpy dtype, expected rows); each value given as every kind.
ACCEPTED: list[tuple[str, str, Any, str, list[Any]]] = [
    ("ints", "i", 7, "int64", [7]),
    ("ints", "i", [1, 2, 3], "int32", [1, 2, 3]),
    ("floats", "f", 0.5, "float32", [0.5]),
    ("floats", "f", [[1.5, 2.5], [3.5, 4.5]], "float64", [1.5, 2.5, 3.5, 4.5]),
    ("floats", "f", [1, 2], "int64", [1.0, 2.0]),  # an int widens to float
    ("bools", "b", True, "bool", [True]),
    ("bools", "b", [True, False], "bool", [True, False]),
]


@pytest.mark.parametrize("kind", KINDS)
def test_accepted_values_arrive(uri: str, spool: Path, kind: str) -> None:
    with DataLogger(uri=uri, spool_dir=spool, strict=True) as logger:
        for series, field, value, dtype, _ in ACCEPTED:
            if kind == "python" and isinstance(value, list):
                continue
            logger.write(series, **{field: _as(kind, value, dtype)})
        assert logger.flush(timeout=30)
    for series, field in (("ints", "i"), ("floats", "f"), ("bools", "b")):
        expected = [
            v for s, _, value, _, rows in ACCEPTED if s == series
            for v in rows if not (kind == "python" and isinstance(value, list))
        ]
        assert query_rows(uri, logger.run_handle, series)[field] == expected


def test_strings(uri: str, spool: Path) -> None:
    with DataLogger(uri=uri, spool_dir=spool, strict=True) as logger:
        logger.write("strings", s="a")
        logger.write("strings", s=["b", "c"])
        logger.write("strings", s=np.array(["d", "é"]))
        logger.write("strings", s=np.array(["f"], dtype=object))
    assert query_rows(uri, logger.run_handle, "strings")["s"] == ["a", "b", "c", "d", "é", "f"]


BROADCASTS = [
    # (i, f, b, s) -> expected rows as (i, f, b, s) tuples
    ((1, 0.5, True, "x"), [(1, 0.5, True, "x")]),
    (([1, 2, 3], 0.5, False, "x"), [(1, 0.5, False, "x"), (2, 0.5, False, "x"),
                                    (3, 0.5, False, "x")]),
    ((np.array([[1], [2]]), np.array([0.5, 1.5]), True, ["x", "y"]),
     [(1, 0.5, True, "x"), (1, 1.5, True, "y"), (2, 0.5, True, "x"), (2, 1.5, True, "y")]),
    ((torch.tensor([1, 2]), jnp.array([[0.5], [1.5]]), np.array(1, dtype=bool), "z"),
     [(1, 0.5, True, "z"), (2, 0.5, True, "z"), (1, 1.5, True, "z"), (2, 1.5, True, "z")]),
    ((torch.arange(3).reshape(3, 1), torch.zeros(1, 2), torch.tensor([True, False]), "w"),
     [(r, 0.0, b, "w") for r in range(3) for b in (True, False)]),
]


def test_broadcasting(uri: str, spool: Path) -> None:
    expected: list[tuple[Any, ...]] = []
    with DataLogger(uri=uri, spool_dir=spool, strict=True) as logger:
        for (i, f, b, s), rows in BROADCASTS:
            logger.write("all", i=i, f=f, b=b, s=s)
            expected += rows
    got = query_rows(uri, logger.run_handle, "all")
    assert list(zip(got["i"], got["f"], got["b"], got["s"], strict=True)) == expected


def test_one_series_mixes_kinds_in_one_batch(uri: str, spool: Path) -> None:
    with DataLogger(uri=uri, spool_dir=spool, strict=True, flush_every=3600) as logger:
        logger.write("train", step=0, loss=0.25)
        logger.write("train", step=np.int64(1), loss=torch.tensor(0.5))
        logger.write("train", step=2, loss=jnp.float32(0.75))
        logger.write("train", step=[3, 4], loss=np.float16(1.0))
        logger.write("train", step=5, loss=float("nan"))
    got = query_rows(uri, logger.run_handle, "train")
    assert got["step"] == [0, 1, 2, 3, 4, 5]
    assert got["loss"][:5] == [0.25, 0.5, 0.75, 1.0, 1.0]
    assert math.isnan(got["loss"][5])


def test_value_is_taken_at_write_time(uri: str, spool: Path) -> None:
    arr = np.zeros(3)
    ten = torch.zeros(3)
    lst = [1, 2, 3]
    with DataLogger(uri=uri, spool_dir=spool, strict=True, flush_every=3600) as logger:
        logger.write("floats", f=arr)
        logger.write("floats", f=ten)
        logger.write("ints", i=lst)
        arr += 1
        ten.add_(1)  # in place, as an optimizer step does
        lst[0] = 99
        logger.write("floats", f=arr)
        logger.write("floats", f=ten)
    assert query_rows(uri, logger.run_handle, "floats")["f"] == [0.0] * 6 + [1.0] * 6
    assert query_rows(uri, logger.run_handle, "ints")["i"] == [1, 2, 3]


def test_jax_values_are_kept_at_write_and_converted_by_the_flusher(
    uri: str, spool: Path, jax_conversions: list[tuple[str, bool]]
) -> None:
    calls = jax_conversions
    steps = jnp.arange(12, dtype=jnp.int32).reshape(3, 4)
    with DataLogger(uri=uri, spool_dir=spool, strict=True, flush_every=3600) as logger:
        assert logger.flush(timeout=30)  # the flusher is idle from here on
        for row, count in enumerate((5, 7, 3)):  # flushes of as many parts each
            for k in range(count):
                logger.write("train", step=steps[row], loss=jnp.float32(row + k / 8))
                logger.write("floats", f=jnp.full((2, 2), k, dtype=jnp.float32))
            assert calls == []  # kept as jax arrays: nothing was converted at write
            assert logger.flush(timeout=30)
            assert calls and all(c == ("streamvis-flusher", True) for c in calls)
            calls.clear()
    got = query_rows(uri, logger.run_handle, "train")
    want_steps = [int(s) for row, count in enumerate((5, 7, 3))
                  for _ in range(count) for s in range(4 * row, 4 * row + 4)]
    assert got["step"] == want_steps
    assert got["loss"] == [row + k / 8 for row, count in enumerate((5, 7, 3))
                           for k in range(count) for _ in range(4)]
    assert query_rows(uri, logger.run_handle, "floats")["f"] == [
        float(k) for count in (5, 7, 3) for k in range(count) for _ in range(4)
    ]


def test_a_jax_array_donated_after_write_drops_that_write_alone(uri: str, spool: Path) -> None:
    # Kept by reference: a jit with donate_argnums deletes it before the flush reads it.
    double = jax.jit(lambda a: a * 2, donate_argnums=0)
    with DataLogger(uri=uri, spool_dir=spool, flush_every=3600) as logger:
        assert logger.flush(timeout=30)
        loss = jnp.arange(4, dtype=jnp.float32) + 1
        logger.write("train", step=np.arange(4), loss=loss)
        logger.write("train", step=9, loss=1.5)
        double(loss)
        with pytest.warns(LoggerWarning, match="deleted"):
            assert logger.flush(timeout=30)
            logger.write("train", step=10, loss=2.5)  # the warning surfaces at the next call
    got = query_rows(uri, logger.run_handle, "train")
    assert (got["step"], got["loss"]) == ([9, 10], [1.5, 2.5])


# -- what is refused ------------------------------------------------------------------------

Bad = tuple[str, dict[str, Any], type[Exception], str]
BAD: list[Bad] = [
    ("ints", {"i": 1.5}, InvalidArgumentError, "field 'i' is int"),
    ("ints", {"i": True}, InvalidArgumentError, "field 'i' is int"),
    ("ints", {"i": np.array([1.0])}, InvalidArgumentError, "dtype float64"),
    ("ints", {"i": torch.tensor([1.0])}, InvalidArgumentError, "field 'i' is int"),
    ("ints", {"i": jnp.array([1.0])}, InvalidArgumentError, "field 'i' is int"),
    ("ints", {"i": 2**70}, InvalidArgumentError, "64 bits"),
    ("ints", {"i": "1"}, InvalidArgumentError, "field 'i' is int"),
    ("floats", {"f": "x"}, InvalidArgumentError, "field 'f' is float"),
    ("floats", {"f": np.array([True])}, InvalidArgumentError, "field 'f' is float"),
    ("floats", {"f": torch.tensor([1j])}, InvalidArgumentError, "complex"),
    ("floats", {"f": [1, "a"]}, InvalidArgumentError, "field 'f' is float"),
    ("floats", {"f": [[1.0], [2.0, 3.0]]}, InvalidArgumentError, "rectangular"),
    ("floats", {"f": None}, InvalidArgumentError, "cannot log a NoneType"),
    ("floats", {"f": {"a": 1}}, InvalidArgumentError, "cannot log a dict"),
    ("bools", {"b": 1}, InvalidArgumentError, "field 'b' is bool"),
    ("strings", {"s": 1}, InvalidArgumentError, "field 's' is string"),
    ("strings", {"s": np.array([1, 2])}, InvalidArgumentError, "field 's' is string"),
    ("train", {"step": 1}, InvalidArgumentError, "missing loss"),
    ("train", {"step": 1, "loss": 1.0, "lr": 0.1}, InvalidArgumentError, "no such field lr"),
    ("train", {"step": [1, 2, 3], "loss": [1.0, 2.0]}, InvalidArgumentError, "do not broadcast"),
    ("no_such_series", {"x": 1}, NotFoundError, "does not exist"),
]


@pytest.mark.parametrize("case", BAD, ids=[f"{c[0]}-{c[3]}" for c in BAD])
def test_bad_write_warns_at_caller_and_is_dropped(uri: str, spool: Path, case: Bad) -> None:
    series, values, _, message = case
    with DataLogger(uri=uri, spool_dir=spool) as logger:
        with pytest.warns(LoggerWarning, match=message) as record:
            logger.write(series, **values)
        assert record[0].filename == __file__  # the warning points at this line
        logger.write("all", i=1, f=1.0, b=True, s="ok")
    assert query_rows(uri, logger.run_handle, "all")["s"] == ["ok"]
    if series != "no_such_series":
        assert query_rows(uri, logger.run_handle, series) == {}


@pytest.mark.parametrize("case", BAD, ids=[f"{c[0]}-{c[3]}" for c in BAD])
def test_bad_write_raises_when_strict(uri: str, spool: Path, case: Bad) -> None:
    series, values, error, message = case
    with DataLogger(uri=uri, spool_dir=spool, strict=True) as logger, \
            pytest.raises(error, match=message):
        logger.write(series, **values)


def test_warning_points_at_the_calling_line(uri: str, spool: Path) -> None:
    with DataLogger(uri=uri, spool_dir=spool) as logger, warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        logger.write("ints", i=0.5); line = _line()  # noqa: E702
        logger.write("ints", i=np.zeros(2)); line2 = _line()  # noqa: E702
        logger.set_attributes(f="not a float"); line3 = _line()  # noqa: E702
    assert [(x.filename, x.lineno) for x in w][:2] == [(__file__, line), (__file__, line2)]
    assert (w[2].filename, w[2].lineno) == (__file__, line3)


def _line() -> int:
    import inspect  # noqa: PLC0415

    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return frame.f_back.f_lineno


def test_write_outside_start_stop(uri: str, spool: Path) -> None:
    logger = DataLogger(uri=uri, spool_dir=spool)
    with pytest.warns(LoggerWarning, match="not started"):
        logger.write("ints", i=1)
    logger.start()
    logger.stop()
    with pytest.warns(LoggerWarning, match="stopped"):
        logger.write("ints", i=1)
    strict = DataLogger(uri=uri, spool_dir=spool, strict=True)
    with pytest.raises(FailedPreconditionError):
        strict.write("ints", i=1)
