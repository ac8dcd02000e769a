"""The web edge: security headers, conditional caching, and errors as pages (or JSON).

Domain errors carry their own status, message and hint; HTTP errors (unknown
URL, bad method, unsatisfiable range) keep the headers Werkzeug gives them.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from baclovoice.errors import BaclovoiceError
from baclovoice.podcast.vtt import VTT_TYPE
from baclovoice.web.context import web_state
from baclovoice.web.urls import IMMUTABLE_MAX_AGE

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "media-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

# Responses rendered from manifests: revalidated each time, answered 304 when unchanged.
REVALIDATED_TYPES = {"text/html", "application/json", VTT_TYPE}

TITLES = {
    400: "Cannot use this request",
    401: "Sign-in needed",
    404: "Page not found",
    405: "Method not allowed",
    409: "Already exists",
    413: "Too large",
    416: "Range not satisfiable",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "Narration unavailable",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_response(status: int, message: str, hint: str = "") -> Response:
    """An error page for people, or ``{"error": ...}`` for API clients."""
    title = TITLES.get(status, "Request failed")
    if _wants_json():
        response = jsonify(
            error={"status": status, "title": title, "message": message, "hint": hint}
        )
    else:
        html = render_template("error.html", status=status, title=title, message=message, hint=hint)
        response = Response(html, mimetype="text/html")
    response.status_code = status
    response.cache_control.no_store = True
    return response


def _domain_error(error: BaclovoiceError) -> Response:
    if error.status >= 500:
        log.error("%s", error)
    return error_response(error.status, error.message, error.hint)


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    if status == 404:
        message = "There is no page at this address."
        hint = "Check the address, or start again from the library."
    elif status >= 500:
        message, hint = "The server could not answer this request.", "Try again in a moment."
    else:
        message, hint = error.description or "", ""
    response = error_response(status, message, hint)
    for key, value in error.get_headers():
        if key.lower() != "content-type":
            response.headers[key] = value  # Allow, Content-Range, ...
    return response


def _finish(response: Response) -> Response:
    for key, value in SECURITY_HEADERS.items():
        response.headers.setdefault(key, value)
    if request.endpoint == "static":
        _cache_static(response)
    elif (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and not response.direct_passthrough
        and response.mimetype in REVALIDATED_TYPES
    ):
        if "Cache-Control" not in response.headers:
            response.cache_control.no_cache = True
        if not response.get_etag()[0]:
            response.add_etag()
        response.make_conditional(request)
    return response


def _cache_static(response: Response) -> None:
    """A static URL carrying its current content hash never changes: cache it for a year."""
    filename = (request.view_args or {}).get("filename", "")
    version = web_state().static_versions.get(filename)
    if version and request.args.get("v") == version and response.status_code in (200, 304):
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = IMMUTABLE_MAX_AGE
        response.cache_control.immutable = True


def register(app: Flask) -> None:
    app.register_error_handler(BaclovoiceError, _domain_error)
    app.register_error_handler(HTTPException, _http_error)
    app.after_request(_finish)
