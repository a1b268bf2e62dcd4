"""The settings of `streamvis serve`: one table, read by the command line, the
environment and the docs.

Each `Setting` row names its option (`--grpc-port`), its environment variable
(`STREAMVIS_GRPC_PORT`), its type, default and help. `add_arguments` makes the
`serve` options from the table, `resolve` reads the parsed options and the
environment into `ServeSettings` (a flag wins over its variable, the variable over
the default), and `markdown_table` is the table docs/cli.md shows. A new setting is
one row here and one attribute of `ServeSettings` (a test keeps the two in step).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from streamvis.model.environment import TOKEN_ENV
from streamvis.model.errors import InvalidArgumentError
from streamvis.model.limits import (
    DEFAULT_CACHE_BYTES,
    DEFAULT_MAX_ARTIFACT_BYTES,
    DEFAULT_MAX_POINTS,
    DEFAULT_MAX_REQUEST_BYTES,
)
from streamvis.model.security import (
    ServeSecurity,
    normalize_base_url,
    normalize_host_names,
)

MIB = 1024 * 1024
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


@dataclass(frozen=True)
class Setting:
    """One setting of `streamvis serve`."""

    #: The attribute of ServeSettings, and the option's name with "_" for "-".
    name: str
    #: bool (a switch), int, str, or list (a repeatable str; comma-separated in the env).
    type: type
    default: Any
    help: str
    #: Its group in `streamvis serve --help`.
    group: str = "server"
    metavar: str | None = None
    #: Least value of an int setting.
    minimum: int | None = None
    #: The environment variable; by default STREAMVIS_ and the name in capitals.
    env_name: str | None = None

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def env(self) -> str:
        return self.env_name or "STREAMVIS_" + self.name.upper()

    def parse(self, text: str, source: str) -> Any:
        """The value of `text` given by `source` (the flag or the variable)."""
        if self.type is bool:
            word = text.strip().lower()
            if word in _TRUE | _FALSE:
                return word in _TRUE
            raise InvalidArgumentError(f"{source}={text!r}: give 1 or 0 (true or false)")
        if self.type is list:
            return [part.strip() for part in text.split(",") if part.strip()]
        if self.type is int:
            try:
                value = int(text)
            except ValueError:
                raise InvalidArgumentError(
                    f"{source}={text!r} is not a whole number: {self.help}"
                ) from None
            if self.minimum is not None and value < self.minimum:
                raise InvalidArgumentError(
                    f"{source}={value}: give {self.minimum} or more ({self.help})"
                )
            return value
        return text


def _switch(name: str, help_text: str, group: str = "server") -> Setting:
    """A setting that is off unless given."""
    return Setting(name, bool, default=False, help=help_text, group=group)


_SECURITY = "security (docs/security.md)"
_LIMITS = "limits and memory (docs/deployment.md)"

#: Every setting of `streamvis serve`, in the order --help lists them.
SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", str, "./streamvis-data",
            "directory of the embedded SQLite store (default: ./streamvis-data)"),
    Setting("db", str, None, "PostgreSQL URL instead of --data-dir",
            metavar="postgresql://..."),
    Setting("host", str, "127.0.0.1", "address to listen on (default: loopback)"),
    Setting("grpc_port", int, 8001, "gRPC port (default 8001; 0: any)", minimum=0),
    Setting("http_port", int, 8080,
            "port of the web UI and its HTTP API (default 8080; 0: any)", minimum=0),
    _switch("no_web",
            "serve gRPC only: no web UI and no HTTP API (replicas still hear each other)"),
    Setting("max_request_mb", int, DEFAULT_MAX_REQUEST_BYTES // MIB,
            f"largest accepted gRPC request in MiB (default {DEFAULT_MAX_REQUEST_BYTES // MIB})",
            group=_LIMITS, minimum=1),
    Setting("max_points", int, DEFAULT_MAX_POINTS,
            f"points a scatter plot is sent whole up to; larger ones are thinned "
            f"(default {DEFAULT_MAX_POINTS:,})", group=_LIMITS, minimum=1),
    Setting("cache_mb", int, DEFAULT_CACHE_BYTES // MIB,
            f"MiB the web app keeps between requests: decoded columns, line summaries and "
            f"the rows at pixel edges, all in one budget "
            f"(default {DEFAULT_CACHE_BYTES // MIB}; 0: none)", group=_LIMITS, minimum=0),
    Setting("max_artifact_mb", int, DEFAULT_MAX_ARTIFACT_BYTES // MIB,
            f"largest artifact a logger may save, in MiB "
            f"(default {DEFAULT_MAX_ARTIFACT_BYTES // MIB})", group=_LIMITS, minimum=1),
    Setting("token", str, None,
            "access token every client must send; required when --host is not loopback, "
            "unless --no-auth (the variable keeps it out of the process list)",
            group=_SECURITY, env_name=TOKEN_ENV),
    _switch("no_auth",
            "listen beyond loopback without a token (a warning is logged): only behind a "
            "proxy that authenticates", group=_SECURITY),
    _switch("read_only",
            "refuse changes (delete, replace, tag, save plots and dashboards, edit fields "
            "and attributes) from the web UI, the HTTP API and gRPC; loggers may still log "
            "new runs", group=_SECURITY),
    _switch("no_ingest",
            "refuse what loggers send (runs, rows, attributes, new fields)", group=_SECURITY),
    Setting("tls_cert", str, None,
            "serve gRPC and HTTP over TLS with this certificate (PEM chain)",
            group=_SECURITY, metavar="CERT.pem"),
    Setting("tls_key", str, None, "the private key (PEM) of --tls-cert",
            group=_SECURITY, metavar="KEY.pem"),
    Setting("base_url", str, "",
            "path prefix the web UI is reached under behind a reverse proxy, e.g. /streamvis",
            group=_SECURITY, metavar="/PREFIX"),
    Setting("allowed_host", list, [],
            "a host name the web UI may be reached by besides localhost, 127.0.0.1 and ::1, "
            "such as a same-machine proxy's public name (repeatable; comma-separated in the "
            "variable); without a token, a loopback server refuses others",
            group=_SECURITY, metavar="NAME", env_name="STREAMVIS_ALLOWED_HOSTS"),
)
BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class ServeSettings:
    """What `streamvis serve` runs with: one attribute per row of SETTINGS."""

    data_dir: str
    db: str | None
    host: str
    grpc_port: int
    http_port: int
    no_web: bool
    max_request_mb: int
    max_points: int
    cache_mb: int
    max_artifact_mb: int
    token: str | None
    no_auth: bool
    read_only: bool
    no_ingest: bool
    tls_cert: str | None
    tls_key: str | None
    base_url: str
    allowed_host: list[str]

    @classmethod
    def defaults(cls, **changes: Any) -> ServeSettings:
        """Every setting at its default, but for `changes`."""
        return cls(**{s.name: s.default for s in SETTINGS} | changes)

    @property
    def location(self) -> str:
        """The store: the PostgreSQL URL if there is one, else the data directory."""
        return self.db or self.data_dir

    @property
    def max_request_bytes(self) -> int:
        return self.max_request_mb * MIB

    @property
    def max_artifact_bytes(self) -> int:
        return self.max_artifact_mb * MIB

    @property
    def cache_bytes(self) -> int:
        return self.cache_mb * MIB

    def security(self) -> ServeSecurity:
        """The security options (raises InvalidArgumentError for a malformed one)."""
        return ServeSecurity(
            token=self.token or None, no_auth=self.no_auth, read_only=self.read_only,
            no_ingest=self.no_ingest, tls_cert=self.tls_cert, tls_key=self.tls_key,
            base_url=normalize_base_url(self.base_url),
            allowed_hosts=normalize_host_names(self.allowed_host),
        )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `serve` options, one per setting. Every default is None ("not given"), so
    that `resolve` can tell a flag from the environment and the default."""
    groups: dict[str, Any] = {"server": parser}
    where = parser.add_mutually_exclusive_group()
    for s in SETTINGS:
        if s.group not in groups:
            groups[s.group] = parser.add_argument_group(s.group)
        target = where if s.name in {"data_dir", "db"} else groups[s.group]
        help_text = f"{s.help} [${s.env}]"
        if s.type is bool:
            target.add_argument(s.flag, action="store_const", const=True, default=None,
                                help=help_text)
        elif s.type is list:
            target.add_argument(s.flag, action="append", default=None, metavar=s.metavar,
                                help=help_text)
        else:
            target.add_argument(s.flag, default=None, metavar=s.metavar, help=help_text)


def resolve(
    args: argparse.Namespace, environ: Mapping[str, str] | None = None
) -> ServeSettings:
    """The settings: each from its flag, else its environment variable, else its default.

    Raises InvalidArgumentError naming the flag or variable whose value is malformed.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    given: dict[str, bool] = {}
    for s in SETTINGS:
        raw = getattr(args, s.name, None)
        given[s.name] = raw is not None
        if raw is not None:
            values[s.name] = _from_flag(s, raw)
        elif s.env in environ:
            values[s.name] = s.parse(environ[s.env], f"${s.env}")
        else:
            values[s.name] = s.default
    # --data-dir on the command line beats $STREAMVIS_DB: a flag beats any variable.
    if given["data_dir"] and not given["db"]:
        values["db"] = None
    return ServeSettings(**values)


def _from_flag(s: Setting, raw: Any) -> Any:
    if s.type is bool:
        return True
    if s.type is list:
        return list(raw)
    return s.parse(str(raw), s.flag)


def markdown_table() -> str:
    """The settings as a Markdown table: option, variable, default, meaning."""
    rows = ["| option | environment variable | default | what it sets |",
            "| --- | --- | --- | --- |"]
    for s in SETTINGS:
        default = _shown(s)
        rows.append(f"| `{s.flag}` | `{s.env}` | {default} | {s.help} |")
    return "\n".join(rows)


def _shown(s: Setting) -> str:
    if s.type is bool:
        return "off"
    if s.default in (None, "", []):
        return "none"
    return f"`{s.default}`"


def field_names() -> list[str]:
    """The attributes of ServeSettings (the drift test compares them with SETTINGS)."""
    return [f.name for f in fields(ServeSettings)]

