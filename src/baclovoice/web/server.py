"""Serve the app with waitress, a production WSGI server (never Flask's dev server)."""

from __future__ import annotations

import errno
import logging
import socket
from collections.abc import Callable
from typing import Any

from waitress import wasyncore
from waitress.server import create_server as _waitress_server

from baclovoice.errors import InputError

log = logging.getLogger(__name__)

THREADS = 8  # range requests from several players at once must not queue behind each other


def _listen(host: str, port: int) -> socket.socket:
    """Bind first, so a taken port is our clear error and waitress never half-starts."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        taken = exc.errno == errno.EADDRINUSE
        reason = "another program uses that port" if taken else (exc.strerror or str(exc))
        raise InputError(
            f"Cannot listen on {host}:{port}: {reason}.",
            "Choose another port, e.g. --port 8001." if taken else "Check --host and --port.",
        ) from None


def create_server(app: Any, host: str, port: int) -> Any:
    """A waitress server bound to ``host:port`` (0 = any free port), not yet running.

    Raises InputError when the address cannot be bound.
    """
    sock = _listen(host, port)
    return _waitress_server(app, sockets=[sock], threads=THREADS, ident="baclovoice")


def server_url(server: Any) -> str:
    host = str(server.effective_host)
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{server.effective_port}/"


def shutdown(server: Any) -> None:
    """Stop a server whose ``run()`` loops in another thread; join that thread afterwards.

    The sockets are closed from inside the loop (via its trigger), so the loop
    sees an empty map and returns at once.
    """
    server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
    server.task_dispatcher.shutdown()


def serve(app: Any, host: str, port: int, ready: Callable[[str], None] | None = None) -> None:
    """Serve until interrupted; ``ready`` gets the URL once the socket is bound."""
    server = create_server(app, host, port)
    url = server_url(server)
    log.debug("Serving on %s", url)
    if ready is not None:
        ready(url)
    try:
        server.run()
    finally:
        wasyncore.close_all(server._map)
        server.task_dispatcher.shutdown()
