"""The token check of the web app: a login page for browsers, bearer headers for scripts.

With a token set, every request but the login page needs either

- `Authorization: Bearer <token>` (scripts, curl), or
- the session cookie the login page sets once the token was typed in: HttpOnly,
  SameSite=Strict, Secure under TLS, scoped to the base URL. It holds a value derived
  from the token (security.Gate.session), never the token itself.

The live-event WebSocket is checked at the upgrade, with the same header or cookie.
Refusals: 401 JSON for the API, a redirect to the login page for pages, 429 with
Retry-After for a wrong token once it, or this address's guesses, failed too often
(security.FailedAttempts; the right token is never refused).
"""

from __future__ import annotations

import hashlib
import html
import urllib.parse

from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from streamvis.model.limits import MAX_LOGIN_FORM_BYTES
from streamvis.model.security import Gate, Verdict, bearer
from streamvis.web.http import JSON, WebConfig, error_response
from streamvis.web.middleware import refuse_socket

#: Largest login form body.
#: A login lasts this long (or until the server's token changes).
SESSION_SECONDS = 30 * 24 * 3600

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>streamvis: sign in</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 26em; margin: 5em auto; padding: 0 1em; }}
input {{ width: 100%; box-sizing: border-box; padding: .5em; margin: .5em 0 1em; }}
button {{ padding: .5em 1.5em; }}
.error {{ color: #b00020; }}
</style></head>
<body>
<h1>streamvis</h1>
<p>This server needs its access token: ask whoever started it
(<code>streamvis serve --token</code> or <code>STREAMVIS_TOKEN</code>).</p>
{message}
<form method="post" action="login">
<label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="current-password" autofocus required>
<input type="hidden" name="next" value="{next}">
<button type="submit">Sign in</button>
</form>
</body></html>
"""


def cookie_name(gate: Gate) -> str:
    # Per token, so that two servers on one host (cookies ignore ports) keep apart.
    return "streamvis_session_" + hashlib.sha256(gate.session.encode()).hexdigest()[:8]


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class AuthGate:
    """ASGI middleware: lets a request through only with the token (module docstring)."""

    def __init__(self, app: ASGIApp, gate: Gate, config: WebConfig) -> None:
        self.app = app
        self.gate = gate
        self.base = config.base_url
        self.secure = config.tls
        self.cookie = cookie_name(gate)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"} or not self.gate.enabled:
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if scope["type"] == "http" and path == "/login":
            await self._login(scope, receive, send)
            return
        if scope["type"] == "http" and path == "/logout":
            await self._logout()(scope, receive, send)
            return
        headers = Headers(scope=scope)
        token = bearer(headers.get("authorization"))
        session = cookie_parser(headers.get("cookie", "")).get(self.cookie)
        address = _client(scope)
        method = scope.get("method", "WebSocket")
        verdict = self.gate.check(address, door="HTTP", token=token, session=session,
                                  where=f"HTTP {method} {path}")
        if verdict is Verdict.OK:
            await self.app(scope, receive, send)
            return
        response = self._refusal(verdict, address, token or "", path, scope)
        if scope["type"] == "websocket":
            await refuse_socket(scope, receive, send, response)
        else:
            await response(scope, receive, send)

    def _refusal(
        self, verdict: Verdict, address: str, token: str, path: str, scope: Scope,
    ) -> Response:
        if verdict is Verdict.LIMITED:
            wait = self.gate.retry_after(address, door="HTTP", token=token)
            return JSON(
                {"error": "RESOURCE_EXHAUSTED",
                 "message": f"too many wrong tokens from this address: wait {wait} s, then "
                            "retry with the right token"},
                status_code=429, headers={"retry-after": str(wait)},
            )
        is_page = (scope["type"] == "http" and scope["method"] in {"GET", "HEAD"}
                   and not path.startswith("/api/"))
        if is_page:
            query = scope.get("query_string", b"").decode("latin-1")
            target = self.base + path + (f"?{query}" if query else "")
            return RedirectResponse(
                f"{self.base}/login?{urllib.parse.urlencode({'next': target})}", 303
            )
        why = ("the token is wrong" if verdict is Verdict.WRONG
               else "this server needs a token")
        return JSON(
            {"error": "UNAUTHENTICATED",
             "message": f"{why}: send `Authorization: Bearer <token>` with the token the "
                        "server was started with, or sign in at "
                        f"{self.base}/login in a browser"},
            status_code=401, headers={"www-authenticate": 'Bearer realm="streamvis"'},
        )

    def _safe_next(self, target: str) -> str:
        home = f"{self.base}/"
        # Only a path of this app: never another site (`//evil`, `https://...`).
        if (not target.startswith(home) or target.startswith("//") or "\\" in target
                or any(ord(c) < 0x20 for c in target)):
            return home
        return target

    def _page(self, next_target: str, message: str = "", status: int = 200,
              headers: dict[str, str] | None = None) -> Response:
        body = _PAGE.format(
            message=f'<p class="error">{html.escape(message)}</p>' if message else "",
            next=html.escape(self._safe_next(next_target), quote=True),
        )
        return HTMLResponse(body, status, headers={"cache-control": "no-store", **(headers or {})})

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        query = urllib.parse.parse_qs(scope.get("query_string", b"").decode("latin-1"))
        next_target = query.get("next", [""])[0]
        if method in {"GET", "HEAD"}:
            await self._page(next_target)(scope, receive, send)
            return
        if method != "POST":
            await error_response("INVALID_ARGUMENT", f"{method} is not allowed on /login",
                                 405)(scope, receive, send)
            return
        form = await _read_form(receive)
        next_target = form.get("next", next_target)
        token = form.get("token", "")
        address = _client(scope)
        verdict = self.gate.check(address, door="HTTP", token=token, where="the login page")
        if verdict is Verdict.OK:
            response: Response = RedirectResponse(self._safe_next(next_target), 303)
            response.set_cookie(
                self.cookie, self.gate.session, max_age=SESSION_SECONDS,
                path=self.base or "/", secure=self.secure, httponly=True, samesite="strict",
            )
        elif verdict is Verdict.LIMITED:
            wait = self.gate.retry_after(address, door="HTTP", token=token)
            response = self._page(next_target, f"Too many wrong tokens: wait {wait} s.",
                                  429, {"retry-after": str(wait)})
        else:
            response = self._page(next_target, "That token is not the right one.", 401)
        await response(scope, receive, send)

    def _logout(self) -> Response:
        response = RedirectResponse(f"{self.base}/login", 303)
        response.delete_cookie(self.cookie, path=self.base or "/", secure=self.secure,
                               httponly=True, samesite="strict")
        return response


async def _read_form(receive: Receive) -> dict[str, str]:
    body = bytearray()
    while True:
        message = await receive()
        body += message.get("body", b"")
        if len(body) > MAX_LOGIN_FORM_BYTES or not message.get("more_body", False):
            break
    fields = urllib.parse.parse_qs(bytes(body[:MAX_LOGIN_FORM_BYTES]).decode("utf-8", "replace"))
    return {k: v[0] for k, v in fields.items()}
