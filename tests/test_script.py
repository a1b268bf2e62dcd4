"""The (scope, name, index) era against a real server: `await logger.write(...)` and
`write_config` in an asyncio program, read back with the script API's DataFrames."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from streamvis import AsyncDataLogger, DataLogger, script
from streamvis.logger.written import WRITTEN
from streamvis.model.errors import InvalidArgumentError, StreamvisError
from streamvis.testing import ServerProcess


@pytest.fixture(scope="module")
def uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with ServerProcess(str(tmp_path_factory.mktemp("script"))) as proc:
        yield proc.uri


@pytest.fixture(scope="module")
def runs(uri: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Two runs written the older way (await write, write_config) and one DataLogger run."""
    spool = tmp_path_factory.mktemp("spool")

    async def old_style(tag: str, lr: float) -> str:
        async with AsyncDataLogger(uri, tags=[tag], infer=True, strict=True,
                                   spool_dir=spool, capture=False) as logger:
            await logger.write_config({"lr": lr, "model": {"depth": 3}})
            for i in range(4):
                await logger.write("loss", step=i, value=lr * i)  # `await None` would raise
            await logger.write("acc", step=0, value=0.5)
        return str(logger.run_handle)

    out = {"base": asyncio.run(old_style("baseline", 0.5)),
           "abl": asyncio.run(old_style("ablation-1", 0.25))}
    with DataLogger(uri, tags=["other"], infer=True, strict=True, spool_dir=spool,
                    capture=False) as logger:
        logger.write("loss", step=0, value=9.0)
    out["other"] = str(logger.run_handle)
    return out


def test_write_returns_an_awaitable_that_is_done() -> None:
    async def main() -> None:
        await WRITTEN
        await WRITTEN  # the one object, awaited again

    asyncio.run(main())
    with DataLogger("127.0.0.1:1", disabled=True) as logger:
        assert logger.write("x", a=1) is WRITTEN  # a DataLogger may ignore it


def test_scopes_select_runs_by_tag_or_handle(uri: str, runs: dict[str, str]) -> None:
    every = script.scopes(uri=uri)
    assert list(every.columns) == ["scope", "tags", "started_at"]
    assert set(every["scope"]) == set(runs.values())
    assert every["started_at"].is_monotonic_increasing
    picked = script.scopes("baseline|ablation-.*", uri=uri)
    assert set(picked["scope"]) == {runs["base"], runs["abl"]}
    by_handle = script.scopes(f"^{runs['other'][:8]}", uri=uri)
    assert list(by_handle["scope"]) == [runs["other"]]
    assert list(by_handle["tags"]) == [["other"]]
    assert script.scopes("nothing-matches", uri=uri).empty


def test_names_lists_series_per_scope(uri: str, runs: dict[str, str]) -> None:
    table = script.names("baseline", uri=uri)
    assert table.to_dict("records") == [
        {"scope": runs["base"], "name": "acc", "rows": 1},
        {"scope": runs["base"], "name": "loss", "rows": 4},
    ]
    assert list(script.names(names="^lo", uri=uri)["name"]) == ["loss"] * 3


def test_fetch_gives_scope_name_index_and_fields(uri: str, runs: dict[str, str]) -> None:
    df = script.fetch("loss", scopes="baseline|ablation", uri=uri)
    assert list(df.columns) == ["scope", "name", "index", "step", "value"]
    base = df[df["scope"] == runs["base"]]
    assert list(base["index"]) == [0, 1, 2, 3]
    assert list(base["value"]) == [0.0, 0.5, 1.0, 1.5]
    assert set(df["name"]) == {"loss"}
    assert list(df[df["scope"] == runs["abl"]]["value"]) == [0.0, 0.25, 0.5, 0.75]
    empty = script.fetch("loss", scopes="nothing-matches", uri=uri)
    assert empty.empty and list(empty.columns)[:3] == ["scope", "name", "index"]


def test_config_is_one_row_of_attributes_per_scope(uri: str, runs: dict[str, str]) -> None:
    cfg = script.config("baseline|ablation", uri=uri).set_index("scope")
    assert cfg.loc[runs["base"], "lr"] == 0.5
    assert cfg.loc[runs["abl"], "lr"] == 0.25
    assert cfg.loc[runs["abl"], "model.depth"] == 3
    other = script.config("other", uri=uri)
    assert pd.isna(other.iloc[0].get("lr"))


def test_a_bad_pattern_says_what_to_give(uri: str) -> None:
    with pytest.raises(InvalidArgumentError, match="not a regular expression"):
        script.scopes("(", uri=uri)
    with pytest.raises(InvalidArgumentError, match="names="):
        script.names(names="[", uri=uri)


def test_write_config_sets_attributes_by_their_own_names(
    uri: str, tmp_path: Path, runs: dict[str, str]  # noqa: ARG001 -- lr declared there
) -> None:
    with DataLogger(uri, strict=True, spool_dir=tmp_path, capture=False) as logger:
        logger.write_config({"lr": 0.1, "note": "x"})
        # lr is a float field now (the runs above): a value it cannot take is refused.
        with pytest.raises(StreamvisError, match="attribute 'lr' dropped"):
            logger.write_config({"lr": "high"})
    cfg = script.config(f"^{logger.run_handle}$", uri=uri)
    assert cfg.loc[0, "lr"] == 0.1 and cfg.loc[0, "note"] == "x"
    assert uuid.UUID(cfg.loc[0, "scope"]) == logger.run_handle
