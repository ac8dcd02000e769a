"""Which Host headers the app believes: URLs in feeds and the API must not be forged.

Feeds, the JSON API and chapter links are absolute URLs. With ``base_url`` set
they all start from it and the Host header is never used. Without it they start
from the request's host, so only trusted hosts are answered (Flask's
``TRUSTED_HOSTS``): localhost names and the address the server is bound to,
or the ``trusted_hosts`` setting. Any other Host (or an invalid one) gets 400,
and responses say ``Vary: Host`` so a shared cache keeps them apart.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import SecurityError

from baclovoice.settings import Settings
from baclovoice.web.context import EXTENSION

# Werkzeug cannot match IPv6 literals in a trusted list: behind [::1], set a base URL.
LOCAL_HOSTS = ("localhost", "127.0.0.1")
WILDCARD_ADDRESSES = {"", "0.0.0.0", "::"}


def trusted_hosts(settings: Settings) -> list[str] | None:
    """The hosts to accept; None (any valid host) when a base URL makes the Host irrelevant."""
    if settings.base_url:
        return None
    configured = [h.strip() for h in settings.trusted_hosts.split(",") if h.strip()]
    return configured or list(LOCAL_HOSTS)


def _host_name(address: str) -> str:
    """Host name as werkzeug compares it: IPv6 without brackets or port."""
    return address.strip().strip("[]")


def trust_bind_address(app: Flask, host: str) -> None:
    """Add the address the server listens on (``serve --host``) to the default hosts."""
    hosts = app.config.get("TRUSTED_HOSTS")
    name = _host_name(host)
    if hosts is None or name in WILDCARD_ADDRESSES:
        return
    settings: Settings = app.extensions[EXTENSION].settings
    if not settings.trusted_hosts and name not in hosts:
        hosts.append(name)


def _vary_on_host(response: Response) -> Response:
    response.vary.add("Host")
    return response


UNTRUSTED = "This server does not answer to the host name in the request."
UNTRUSTED_HINT = (
    "Use the site's public address. Operators: set BACLOVOICE_BASE_URL to the public URL, "
    "or list the name in BACLOVOICE_TRUSTED_HOSTS."
)


def _untrusted_host(error: SecurityError) -> Response:
    """400 without the page template: no URL can be built for a host we do not answer."""
    if request.path.startswith("/api/") or request.path == "/healthz":
        body = {"status": 400, "title": "Bad request", "message": UNTRUSTED, "hint": UNTRUSTED_HINT}
        response = jsonify(error=body)
    else:
        response = Response(
            f"400 Bad request\n\n{UNTRUSTED}\n{UNTRUSTED_HINT}\n", mimetype="text/plain"
        )
    response.status_code = 400
    response.cache_control.no_store = True
    return response


def register(app: Flask, settings: Settings) -> None:
    app.config["TRUSTED_HOSTS"] = trusted_hosts(settings)
    app.register_error_handler(SecurityError, _untrusted_host)
    if not settings.base_url:
        app.after_request(_vary_on_host)
