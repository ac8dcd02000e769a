"""Signing in with the API token: a bearer token for scripts, a session for people.

Only when ``BACLOVOICE_API_TOKEN`` is set; otherwise these routes answer 404 and the
service stays read-only. The session cookie is signed with a key derived from the
token (changing the token signs everyone out), ``HttpOnly`` and ``SameSite=Strict``
(``Secure`` when the public base URL is https). Every form carries a CSRF token, and
failed sign-ins are limited per client address.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from baclovoice import paths
from baclovoice.settings import Settings
from baclovoice.web.context import web_state
from baclovoice.web.handlers import error_response

bp = Blueprint("auth", __name__)

SIGNED_IN = "bv-signed-in"
CSRF = "bv-csrf"
SESSION_HOURS = 12
MAX_FAILURES = 5  # failed sign-ins per address per window
ALL_FAILURES = 50  # from every address together, per window
WINDOW_S = 300.0


def configure(app: Flask, settings: Settings) -> None:
    """Session settings for ``create_app``; sessions exist only when the API is enabled."""
    if not settings.api_token:
        return
    app.secret_key = hmac.new(
        settings.api_token.encode("utf-8"), b"baclovoice session", hashlib.sha256
    ).hexdigest()
    app.config.update(
        SESSION_COOKIE_NAME="bv_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=SESSION_HOURS * 3600,
    )
    app.extensions["baclovoice.sign-in"] = SignInLimiter()
    app.jinja_env.globals.update(csrf_token=csrf_token, signed_in=signed_in)


def enabled() -> bool:
    return bool(web_state().settings.api_token)


def require_enabled() -> None:
    """The ingestion routes do not exist while the service is read-only."""
    if not enabled():
        abort(404)


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def bearer_ok() -> bool:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and _same(value.strip(), web_state().settings.api_token)


def signed_in() -> bool:
    return enabled() and session.get(SIGNED_IN) is True


def unauthorized() -> Response:
    response = error_response(
        401,
        "This needs the API token.",
        "Send the header 'Authorization: Bearer <token>' with the server's "
        "BACLOVOICE_API_TOKEN, or sign in at /login.",
    )
    response.headers["WWW-Authenticate"] = 'Bearer realm="baclovoice"'
    return response


def require_bearer() -> None:
    if not bearer_ok():
        abort(unauthorized())


def require_reader() -> None:
    """Job progress: a script with the token, or a signed-in person."""
    if not (bearer_ok() or signed_in()):
        abort(unauthorized())


def csrf_token() -> str:
    token = session.get(CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[CSRF] = token
    return token


def check_csrf() -> None:
    sent = request.form.get("csrf", "")
    expected = session.get(CSRF)
    if not isinstance(expected, str) or not _same(sent, expected):
        abort(
            error_response(
                400,
                "This form has expired, or it was not sent from this site.",
                "Go back, reload the page and send the form again.",
            )
        )


def local_path(target: str | None, default: str) -> str:
    """Only a path on this site may follow sign-in (never another host)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


class SignInLimiter:
    """Failed sign-ins in a sliding window, per address and in total (in this process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = {}
        self._all: deque[float] = deque()

    def _trim(self, times: deque[float], now: float) -> None:
        while times and times[0] <= now - WINDOW_S:
            times.popleft()

    def wait(self, address: str, now: float | None = None) -> float:
        """Seconds until ``address`` may try again; 0 when it may now."""
        now = time.monotonic() if now is None else now
        with self._lock:
            mine = self._failures.get(address, deque())
            self._trim(mine, now)
            self._trim(self._all, now)
            waits = [0.0]
            if len(mine) >= MAX_FAILURES:
                waits.append(mine[0] + WINDOW_S - now)
            if len(self._all) >= ALL_FAILURES:
                waits.append(self._all[0] + WINDOW_S - now)
            return max(waits)

    def failed(self, address: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._failures.setdefault(address, deque()).append(now)
            self._all.append(now)

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)


def _limiter() -> SignInLimiter:
    from flask import current_app

    limiter: SignInLimiter = current_app.extensions["baclovoice.sign-in"]
    return limiter


def _login_page(status: int, error: str = "", hint: str = "") -> Response:
    html = render_template(
        "login.html",
        error=error,
        hint=hint,
        next=local_path(request.values.get("next"), ""),
        hours=SESSION_HOURS,
    )
    response = Response(html, status=status, mimetype="text/html")
    response.cache_control.no_store = True
    return response


@bp.route(paths.LOGIN.rule, methods=["GET", "POST"])
def login() -> BaseResponse:
    require_enabled()
    target = local_path(request.values.get("next"), url_for("ingest.add_page"))
    if request.method == "GET":
        return redirect(target) if signed_in() else _login_page(200)
    check_csrf()
    address = request.remote_addr or "unknown"
    wait = _limiter().wait(address)
    if wait > 0:
        minutes = max(1, round(wait / 60))
        response = _login_page(
            429,
            "Too many wrong tokens were tried.",
            f"Wait {minutes} minute{'s' if minutes > 1 else ''}, then try again.",
        )
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    if not _same(request.form.get("token", "").strip(), web_state().settings.api_token):
        _limiter().failed(address)
        return _login_page(
            401,
            "That token is not right.",
            "Paste the server's API token (BACLOVOICE_API_TOKEN) exactly, without spaces.",
        )
    _limiter().succeeded(address)
    session.clear()
    session.permanent = True
    session[SIGNED_IN] = True
    return redirect(target, code=303)


@bp.post(paths.LOGOUT.rule)
def logout() -> BaseResponse:
    require_enabled()
    check_csrf()
    session.clear()
    return redirect(url_for("pages.index"), code=303)
