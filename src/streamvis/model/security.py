"""Who may use a server, and how it is exposed: the token, its checks, the serve options.

One `Gate` per server process checks the token for both the gRPC service and the web
app. Comparison is constant-time (`hmac.compare_digest`), and the right token is always
let in: it is checked before any lockout, so no one who merely shares an address with a
client (a local user, everyone behind one proxy) can lock an honest logger out by sending
wrong tokens. Wrong tokens are throttled (`FailedAttempts`, token buckets of
`AUTH_FAILURE_BURST` failures, then one more per `AUTH_FAILURE_REFILL_SECONDS`): each
wrong credential per client address, so a client that repeats one is slowed, and the
distinct wrong credentials per address, so guessing is; gRPC and HTTP count apart.
Every failure is logged with its address.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import ipaddress
import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from streamvis.model.environment import TOKEN_ENV
from streamvis.model.errors import FailedPreconditionError, InvalidArgumentError
from streamvis.model.limits import (
    AUTH_FAILURE_BURST,
    AUTH_FAILURE_REFILL_SECONDS,
    MIN_TOKEN_LENGTH,
)

log = logging.getLogger("streamvis.auth")

_BASE_URL = re.compile(r"^(/[A-Za-z0-9._~-]+)+$")
_HOST_NAME = re.compile(r"^[a-z0-9._:-]{1,253}$")
#: Buckets kept before full (forgiven) ones are dropped: bounds memory under a scan.
_MAX_TRACKED = 10_000


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable only from this machine."""
    bare = host.strip("[]")
    if bare == "localhost":
        return True
    try:
        return ipaddress.ip_address(bare).is_loopback
    except ValueError:
        return False


def normalize_host_names(names: Sequence[str] | None) -> tuple[str, ...]:
    """`--allowed-host` values as the Host header carries them: lower case, no port."""
    out = []
    for name in names or ():
        bare = name.strip().strip("[]").lower()
        if not _HOST_NAME.match(bare):
            raise InvalidArgumentError(
                f"--allowed-host {name!r} is not a host name: give a name such as "
                "streamvis.example.org or an address, without scheme, port or path"
            )
        out.append(bare)
    return tuple(out)


def normalize_base_url(base_url: str | None) -> str:
    """'/prefix' (no trailing slash) or '' for none; refuses what a URL path cannot be."""
    text = (base_url or "").strip().rstrip("/")
    if not text:
        return ""
    if not _BASE_URL.match(text):
        raise InvalidArgumentError(
            f"--base-url {base_url!r} is not a URL path: give one like /streamvis or "
            "/team/streamvis (letters, digits, '.', '_', '~', '-' between slashes)"
        )
    return text


@dataclass(frozen=True)
class ServeSecurity:
    """The security options of `streamvis serve` (docs/security.md)."""

    token: str | None = None
    #: Listening beyond loopback without a token was asked for explicitly.
    no_auth: bool = False
    #: Take new runs and their rows only: refuse every change of what exists, from the
    #: web UI, the HTTP API and gRPC (Access.changes).
    read_only: bool = False
    #: Refuse what loggers send (runs, rows, attributes, new fields and series;
    #: Access.ingests).
    no_ingest: bool = False
    tls_cert: str | None = None
    tls_key: str | None = None
    #: Path prefix the app is reached under behind a reverse proxy ('' for none).
    base_url: str = ""
    #: More host names the web app answers to (a proxy's public name), lower case.
    allowed_hosts: tuple[str, ...] = ()

    @property
    def tls(self) -> bool:
        return self.tls_cert is not None

    def web_hosts(self, host: str) -> frozenset[str] | None:
        """The host names the web app answers to when listening on `host`; None: any.

        A loopback server without a token is what a laptop runs, and any web page its
        browser opens could reach it through DNS rebinding (a name of the page's site
        that resolves to 127.0.0.1) or read its live feed over a cross-site WebSocket;
        answering only to loopback names closes both. Where a token is required its
        SameSite=Strict cookie does that, and proxies may use any name.
        """
        if is_loopback(host) and self.token is None:
            return frozenset({"localhost", "127.0.0.1", "::1", *self.allowed_hosts})
        return frozenset(self.allowed_hosts) or None

    def check(self, host: str) -> None:
        """Refuse settings that would expose the server (raises FailedPreconditionError)."""
        if (self.tls_cert is None) != (self.tls_key is None):
            raise FailedPreconditionError(
                "TLS needs both --tls-cert and --tls-key: give the certificate (PEM) and "
                "its private key (PEM)"
            )
        if self.token is not None and len(self.token) < MIN_TOKEN_LENGTH:
            raise FailedPreconditionError(
                f"the token is {len(self.token)} characters: use at least "
                f"{MIN_TOKEN_LENGTH}, e.g. `python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))'`"
            )
        if self.token is not None and self.no_auth:
            raise FailedPreconditionError("--no-auth and a token contradict: give one of them")
        if not is_loopback(host) and self.token is None and not self.no_auth:
            raise FailedPreconditionError(
                f"listening on {host} (beyond this machine) needs a token: give --token or "
                f"set {TOKEN_ENV}, or pass --no-auth if a proxy in front authenticates"
            )


class Access(enum.Enum):
    """What a request does to the store: the serve modes refuse by this, never by name.

    `--read-only` refuses whatever `changes` what exists; `--no-ingest` refuses whatever a
    logger sends (`ingests`). The service and the web app each keep one table of their
    calls' access (service/guard.py `RPC_ACCESS`, web/middleware.py `ROUTE_ACCESS`).
    """

    #: Changes nothing.
    READ = "read"
    #: What a logger sends to log a new run: adds fields, series, runs and rows, and
    #: never changes or removes what exists.
    INGEST = "ingest"
    #: Changes or removes what exists (deletions, edits, replacements, tags).
    CHANGE = "change"
    #: What a logger sends that changes what exists (ReplaceRun, a tag added to a run):
    #: refused by either mode.
    LOGGED_CHANGE = "logged change"

    @property
    def ingests(self) -> bool:
        return self in {Access.INGEST, Access.LOGGED_CHANGE}

    @property
    def changes(self) -> bool:
        return self in {Access.CHANGE, Access.LOGGED_CHANGE}


def mode_refusal(access: Access, what: str, *, read_only: bool, no_ingest: bool) -> str | None:
    """Why `what` (an RPC or an HTTP route) is refused in this serve mode; None if allowed."""
    if no_ingest and access.ingests:
        return (f"{what} is refused: this server does not accept logged data "
                "(started with --no-ingest); log to a server without it")
    if read_only and access.changes:
        return (f"{what} is refused: this server is read-only (started with --read-only) "
                "and takes only new runs and their rows; make changes through a server "
                "started without it")
    return None


class Verdict(enum.Enum):
    OK = "ok"
    MISSING = "missing"
    WRONG = "wrong"
    LIMITED = "limited"


class FailedAttempts:
    """Token buckets of wrong tokens: one per credential presented from an address, and
    one per address that only each new (distinct) credential draws from.

    Keys are opaque strings; the caller puts the door and the address into the address
    key and a digest of the credential into the credential key. Memory stays bounded
    under a scan: the address bucket lets only `burst` new credentials in, then one per
    `refill_seconds`, and past `_MAX_TRACKED` buckets the full (forgiven) ones are
    dropped, then the oldest.
    """

    def __init__(
        self, burst: int = AUTH_FAILURE_BURST, refill_seconds: float = AUTH_FAILURE_REFILL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.burst = burst
        self.refill_seconds = refill_seconds
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, as of)
        self._lock = threading.Lock()

    def _level(self, key: str, now: float) -> float:
        tokens, since = self._buckets.get(key, (float(self.burst), now))
        return min(float(self.burst), tokens + (now - since) / self.refill_seconds)

    def _wait(self, key: str, now: float) -> float:
        level = self._level(key, now)
        return 0.0 if level >= 1 else (1 - level) * self.refill_seconds

    def wait_seconds(self, address: str, credential: str) -> float:
        """0 if `credential` may be tried from `address` now, else how long until it may."""
        with self._lock:
            now = self.clock()
            wait = self._wait(credential, now)
            if credential not in self._buckets:
                wait = max(wait, self._wait(address, now))
        return wait

    def fail(self, address: str, credential: str) -> int:
        """Count one failure; the attempts `credential` has left before being refused."""
        with self._lock:
            now = self.clock()
            if len(self._buckets) >= _MAX_TRACKED:
                self._forget(now)
            if credential not in self._buckets:
                self._buckets[address] = (self._level(address, now) - 1, now)
            level = self._level(credential, now) - 1
            self._buckets[credential] = (level, now)
        return max(0, int(level))

    def _forget(self, now: float) -> None:
        self._buckets = {
            k: b for k, b in self._buckets.items()
            if b[0] + (now - b[1]) / self.refill_seconds < self.burst
        }
        if len(self._buckets) >= _MAX_TRACKED:  # a scan from very many addresses
            newest = sorted(self._buckets.items(), key=lambda kb: kb[1][1])
            self._buckets = dict(newest[len(newest) // 2:])


class Gate:
    """Checks presented tokens (or browser sessions) against the server's token."""

    def __init__(self, token: str | None, attempts: FailedAttempts | None = None) -> None:
        self._token = token.encode() if token is not None else None
        self.attempts = attempts or FailedAttempts()
        #: What the login cookie carries: derived from the token, so that the cookie
        #: never holds the token itself and a new token logs every browser out.
        self.session = (
            hmac.new(self._token, b"streamvis browser session", hashlib.sha256).hexdigest()
            if self._token is not None else ""
        )

    @property
    def enabled(self) -> bool:
        return self._token is not None

    @staticmethod
    def _keys(door: str, address: str, token: str) -> tuple[str, str]:
        """The (address, credential) keys of FailedAttempts; the token only as a digest."""
        base = f"{door} {address}"
        return base, f"{base} {hashlib.sha256(token.encode()).hexdigest()[:32]}"

    def check(
        self, address: str, *, door: str, token: str | None = None,
        session: str | None = None, where: str = "",
    ) -> Verdict:
        """The verdict on a request from `address` through `door` ("gRPC", "HTTP")
        carrying `token` or a login `session`.

        The right token is OK whatever failed before: lockouts are per credential, so
        they slow guessing without shutting out a client that has the token. A wrong
        session cookie is MISSING, not WRONG: it is a stale login (the token changed),
        cannot be guessed (256 bits), and must not use up attempts while a browser
        reloads its assets.
        """
        if self._token is None:
            return Verdict.OK
        if token is None:
            if session is not None and hmac.compare_digest(session.encode(), self.session.encode()):
                return Verdict.OK
            return Verdict.MISSING
        if hmac.compare_digest(token.encode(), self._token):
            return Verdict.OK
        keys = self._keys(door, address, token)
        if self.attempts.wait_seconds(*keys) > 0:
            log.warning("refused %s from %s: too many failed token attempts", where, address)
            return Verdict.LIMITED
        left = self.attempts.fail(*keys)
        log.warning(
            "refused %s from %s: wrong token (%d attempt(s) left before it is refused for "
            "a while)", where, address, left,
        )
        return Verdict.WRONG

    def retry_after(self, address: str, *, door: str, token: str) -> int:
        """Seconds until `token` may be tried again from `address` through `door`."""
        return max(1, round(self.attempts.wait_seconds(*self._keys(door, address, token))))


def bearer(value: str | None) -> str | None:
    """The token of an `Authorization: Bearer T` value; None if there is none."""
    if not value:
        return None
    scheme, _, token = value.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None
