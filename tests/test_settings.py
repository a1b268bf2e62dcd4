"""The settings registry of `streamvis serve`: flags, environment variables, defaults,
and that each reaches a real server."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import httpx
import numpy as np
import pytest

from streamvis import settings
from streamvis.cli import build_parser
from streamvis.client import Client
from streamvis.model.errors import InvalidArgumentError, ServerStartError
from streamvis.settings import SETTINGS, ServeSettings, resolve
from streamvis.testing import ServerProcess


def _serve_args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["serve", *argv])


def test_every_setting_is_one_attribute_with_one_flag_and_one_variable():
    assert settings.field_names() == [s.name for s in SETTINGS]
    assert len({s.env for s in SETTINGS}) == len(SETTINGS)
    assert all(s.env.startswith("STREAMVIS_") for s in SETTINGS)
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    help_text = commands.choices["serve"].format_help()
    for s in SETTINGS:
        assert s.flag in help_text and f"${s.env}" in help_text


def test_defaults_when_neither_flag_nor_variable_is_given():
    assert resolve(_serve_args(), environ={}) == ServeSettings.defaults()
    got = ServeSettings.defaults()
    assert (got.location, got.grpc_port, got.http_port, got.token) == (
        "./streamvis-data", 8001, 8080, None)
    assert got.max_points == 2_000_000 and got.cache_bytes == 512 * 1024 * 1024


def test_a_flag_beats_its_variable_and_a_variable_beats_the_default():
    env = {"STREAMVIS_GRPC_PORT": "9001", "STREAMVIS_MAX_POINTS": "50",
           "STREAMVIS_READ_ONLY": "yes", "STREAMVIS_ALLOWED_HOSTS": "a.example, b.example",
           "STREAMVIS_DB": "postgresql://db/x", "STREAMVIS_CACHE_MB": "0"}
    got = resolve(_serve_args("--grpc-port", "7001"), environ=env)
    assert got.grpc_port == 7001
    assert got.max_points == 50 and got.read_only is True and got.cache_bytes == 0
    assert got.allowed_host == ["a.example", "b.example"]
    assert got.location == "postgresql://db/x"
    # --data-dir on the command line wins over $STREAMVIS_DB.
    assert resolve(_serve_args("--data-dir", "d"), environ=env).location == "d"
    both = resolve(_serve_args("--allowed-host", "c.example"), environ=env)
    assert both.allowed_host == ["c.example"]
    assert resolve(_serve_args(), environ={"STREAMVIS_READ_ONLY": "0"}).read_only is False


def test_the_token_variable_still_works():
    assert resolve(_serve_args(), environ={"STREAMVIS_TOKEN": "t" * 20}).token == "t" * 20
    assert resolve(_serve_args("--token", "f" * 20),
                   environ={"STREAMVIS_TOKEN": "t" * 20}).token == "f" * 20


@pytest.mark.parametrize(("argv", "env", "fragment"), [
    ((), {"STREAMVIS_GRPC_PORT": "eighty"}, "$STREAMVIS_GRPC_PORT='eighty' is not a whole"),
    ((), {"STREAMVIS_NO_WEB": "maybe"}, "$STREAMVIS_NO_WEB='maybe': give 1 or 0"),
    ((), {"STREAMVIS_MAX_POINTS": "0"}, "$STREAMVIS_MAX_POINTS=0: give 1 or more"),
    (("--cache-mb", "-1"), {}, "--cache-mb=-1: give 0 or more"),
    (("--http-port", "x"), {}, "--http-port='x' is not a whole number"),
])
def test_a_malformed_value_is_refused_naming_where_it_came_from(argv, env, fragment):
    with pytest.raises(InvalidArgumentError) as info:
        resolve(_serve_args(*argv), environ=env)
    assert fragment in str(info.value)


def test_the_cli_reference_lists_every_setting():
    text = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text("utf-8")
    assert settings.markdown_table() in text


# -- on a real server -------------------------------------------------------------


def _raw_rows(server: ServerProcess, rows: int) -> int:
    """Asks the server's web app for `rows` unreduced rows; the HTTP status it answers."""
    with Client(server.uri) as client:
        client.create_field("step", "int")
        client.create_series("train", ["step"])
        run = client.create_run()
        client.append(run.handle, "train", {"step": np.arange(rows)})
    with httpx.Client(base_url=server.web_url, timeout=30) as http:
        return http.post("/api/data", json={"series": "train"}).status_code


def test_max_points_from_the_flag_and_from_the_variable_reach_the_server(tmp_path: Path):
    with ServerProcess(str(tmp_path / "a"), extra_args=["--max-points", "50"]) as server:
        assert _raw_rows(server, 100) == 413
    env = {**os.environ, "STREAMVIS_MAX_POINTS": "50"}
    with ServerProcess(str(tmp_path / "b"), env=env) as server:
        assert _raw_rows(server, 100) == 413
    # The flag wins over the variable.
    with ServerProcess(str(tmp_path / "c"), env=env, extra_args=["--max-points", "500"]) as s:
        assert _raw_rows(s, 100) == 200


def test_no_web_from_the_variable_serves_grpc_only(tmp_path: Path):
    env = {**os.environ, "STREAMVIS_NO_WEB": "1"}
    with ServerProcess(str(tmp_path), env=env) as server:
        assert server.web_url == ""
        assert any("web UI off" in line for line in server.output)
        with Client(server.uri) as client:
            assert client.fields() == []


def test_a_malformed_variable_stops_the_start_with_its_name(tmp_path: Path):
    env = {**os.environ, "STREAMVIS_CACHE_MB": "lots"}
    with pytest.raises(ServerStartError) as info:
        ServerProcess(str(tmp_path), env=env, startup_timeout=30).start()
    assert "$STREAMVIS_CACHE_MB='lots' is not a whole number" in str(info.value)
