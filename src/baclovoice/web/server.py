"""Serve the app with waitress, a production WSGI server (never Flask's dev server).

Hardened against clients that hold connections without finishing a request
(slowloris): waitress closes idle connections, but a client trickling one header
byte a second is never idle. ``BoundedServer`` also closes a connection whose
current request (headers and body) is not complete ``read_timeout`` seconds
after its first byte, checks every second, and holds up to ``connection_limit``
connections (poll(), not select(), so more than 1024 descriptors work).
"""

from __future__ import annotations

import errno
import logging
import resource
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

from baclovoice.errors import InputError
from baclovoice.settings import Settings

log = logging.getLogger(__name__)

THREADS = 8  # range requests from several players at once must not queue behind each other
SPARE_DESCRIPTORS = 64  # files and pipes besides the client sockets
POLL_SECONDS = 0.5  # how soon a SIGTERM stops the loop


@dataclass(frozen=True)
class Limits:
    """How long and how many: see the read_timeout, idle_timeout, connection_limit settings."""

    read_timeout: float = 10.0
    idle_timeout: int = 30
    connection_limit: int = 1000

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(settings.read_timeout, settings.idle_timeout, settings.connection_limit)


class BoundedChannel(HTTPChannel):
    """A waitress channel that remembers when its unfinished request started arriving."""

    reading_since: float | None = None

    def received(self, data: bytes) -> bool:
        before = self.request
        result: bool = super().received(data)
        if self.request is None:
            self.reading_since = None
        elif self.request is not before:
            self.reading_since = time.monotonic()
        return result


class BoundedServer(TcpWSGIServer):
    """waitress's TCP server, closing connections that send a request too slowly."""

    channel_class = BoundedChannel
    read_timeout = Limits.read_timeout

    def maintenance(self, now: float) -> None:
        super().maintenance(now)
        cutoff = time.monotonic() - self.read_timeout
        for channel in list(self.active_channels.values()):
            since = getattr(channel, "reading_since", None)
            if since is not None and since < cutoff and not channel.will_close:
                log.info("Closing a connection from %s: request too slow", channel.addr)
                channel.will_close = True


def _listen(host: str, port: int) -> socket.socket:
    """Bind first, so a taken port is our clear error and waitress never half-starts."""
    if not 0 <= port <= 65535:
        raise InputError(f"Port {port} is not a TCP port.", "Choose a port from 1 to 65535.")
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


def _allow_descriptors(wanted: int) -> None:
    """Raise the soft open-files limit toward ``wanted`` (never above the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    if target < wanted:
        log.warning("Open-files limit %d is below connection_limit + spare (%d)", target, wanted)


def create_server(app: Any, host: str, port: int, limits: Limits = Limits()) -> Any:
    """A waitress server bound to ``host:port`` (0 = any free port), not yet running.

    Raises InputError when the address cannot be bound.
    """
    sock = _listen(host, port)
    _allow_descriptors(limits.connection_limit + SPARE_DESCRIPTORS)
    adj = Adjustments(
        sockets=[sock],
        threads=THREADS,
        ident="baclovoice",
        connection_limit=limits.connection_limit,
        channel_timeout=limits.idle_timeout,
        cleanup_interval=1,
        asyncore_use_poll=True,
        log_socket_errors=False,  # a listener closing the page mid-file is no server error
    )
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(THREADS)
    sockinfo = (sock.family, sock.type, sock.proto, sock.getsockname())
    server = BoundedServer(
        app, {}, True, sock, dispatcher=dispatcher, adj=adj, bind_socket=False, sockinfo=sockinfo
    )
    server.read_timeout = limits.read_timeout
    return server


def server_url(server: Any) -> str:
    host = str(server.effective_host)
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{server.effective_port}/"


def shutdown(server: Any) -> None:
    """Stop a server whose ``run()`` loops in another thread; join that thread afterwards.

    The sockets are closed from inside the loop (via its trigger), so the loop
    sees an empty map and returns at once.
    """
    try:
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
    except OSError:  # the loop has already stopped and closed its trigger
        wasyncore.close_all(server._map)
    server.task_dispatcher.shutdown()


def serve(
    app: Any,
    host: str,
    port: int,
    ready: Callable[[str], None] | None = None,
    limits: Limits = Limits(),
) -> None:
    """Serve until SIGTERM or Ctrl-C; ``ready`` gets the URL once the socket is bound.

    SIGTERM only sets a flag that the loop checks between polls: an exception
    raised from the handler could land inside a channel's handler, where
    waitress's catch-all swallows it and keeps serving. Call from the main thread.
    """
    server = create_server(app, host, port, limits)
    url = server_url(server)
    log.debug("Serving on %s", url)
    stopping = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: stopping.set())
    if ready is not None:
        ready(url)
    try:
        while server._map and not stopping.is_set():
            wasyncore.loop(POLL_SECONDS, use_poll=True, map=server._map, count=1)
    finally:
        signal.signal(signal.SIGTERM, previous)
        wasyncore.dispatcher.close(server)  # accept nothing more (the trigger stays open)
        server.task_dispatcher.shutdown()  # requests in flight finish, then channels close
        wasyncore.close_all(server._map)
