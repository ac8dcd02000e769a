"""Fetching a web page for import: bounded, and never into the local network unless allowed.

Every hop of a redirect chain is checked: the scheme (http/https), the host's
addresses after DNS resolution (no loopback, private, link-local, multicast or
reserved address unless ``allow_private``), at most five redirects, a total
time limit, a size cap read as a stream, and an HTML content type. The address
each connection actually reached is checked again before a byte is sent, so a
name that resolves to a public address for the check and to a private one for
the connection (DNS rebinding) is refused too; through a proxy set in the
environment, the proxy connects, and only the first check applies. The text is
decoded from the declared charset, else the page's <meta charset>, else a
detected one. Only this module touches the network.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import charset_normalizer
import requests
from requests.adapters import HTTPAdapter
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.connection import HTTPConnection, HTTPSConnection

from baclovoice import __version__
from baclovoice.errors import InputError
from baclovoice.settings import Settings

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
HTML_TYPES = ("text/html", "application/xhtml+xml")
USER_AGENT = f"baclovoice/{__version__} (article narration; +https://pypi.org/)"
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
PRIVATE_HINT = (
    "Only public web addresses are fetched. To import from this machine or your "
    "network, add --allow-private-network (or set BACLOVOICE_ALLOW_PRIVATE_URLS=1)."
)

Resolver = Callable[[str, int], list[str]]


@dataclass(frozen=True)
class FetchedPage:
    """A downloaded HTML page: the URL it was finally read from, and its text."""

    url: str  # after redirects
    html: str
    encoding: str


@dataclass(frozen=True)
class FetchPolicy:
    timeout: float = 20.0  # seconds for the whole fetch, redirects included
    max_bytes: int = 15_000_000
    allow_private: bool = False
    max_redirects: int = MAX_REDIRECTS

    @classmethod
    def from_settings(cls, settings: Settings, *, allow_private: bool = False) -> FetchPolicy:
        """The policy ``import URL`` and the ingestion API share (no size cap when 0)."""
        mb = settings.max_page_mb
        return cls(
            timeout=settings.fetch_timeout,
            max_bytes=int(mb * 1_000_000) if mb > 0 else 2**62,
            allow_private=allow_private or settings.allow_private_urls,
        )


def is_url(text: str) -> bool:
    """True for what ``import`` should fetch rather than open as a file."""
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text.strip()))


def fetch_page(
    url: str,
    policy: FetchPolicy,
    session: requests.Session | None = None,
    resolve: Resolver | None = None,
) -> FetchedPage:
    """Download an HTML page, following at most ``max_redirects`` checked redirects."""
    resolve = resolve or resolve_host
    session = session or new_session(policy.allow_private)
    deadline = time.monotonic() + policy.timeout
    current = url.strip()
    for _hop in range(policy.max_redirects + 1):
        check_url(current, policy.allow_private, resolve)
        response = _get(session, current, deadline)
        with response:
            if response.is_redirect or response.is_permanent_redirect:
                target = response.headers.get("Location", "")
                current = urljoin(current, target)
                log.info("%s redirects to %s", response.url, current)
                continue
            return _read(response, current, policy, deadline)
    raise InputError(
        f"{url} redirects more than {policy.max_redirects} times.",
        "Open it in a browser, and import the address it finally shows.",
    )


def check_url(url: str, allow_private: bool, resolve: Resolver) -> None:
    """InputError unless ``url`` is http(s) with a host whose every address may be fetched."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise InputError(
            f"Cannot import {url}: only http:// and https:// addresses are fetched.",
            "Give the article's web address, or the path of a saved .html file.",
        )
    if not parts.hostname:
        raise InputError(f"{url} has no host name.", "Give a full address: https://host/path.")
    if allow_private:
        return
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    for address in resolve(parts.hostname, port):
        if not is_public(address):
            raise InputError(
                f"Refusing to fetch {url}: {parts.hostname} is a non-public address ({address}).",
                PRIVATE_HINT,
            )


def is_public(address: str) -> bool:
    """True for an address on the public internet: not loopback, private, link-local,
    carrier-grade NAT, reserved or multicast (an IPv6 zone, ``%eth0``, is ignored)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    return ip.is_global and not ip.is_multicast


def new_session(allow_private: bool) -> requests.Session:
    """A session whose connections are refused when they reach a non-public address,
    unless ``allow_private``."""
    session = requests.Session()
    if not allow_private:
        session.mount("http://", _PublicOnlyAdapter())
        session.mount("https://", _PublicOnlyAdapter())
    return session


def _connected(sock: socket.socket, host: str) -> socket.socket:
    """``sock`` if the address it reached is public; otherwise closed, before any request."""
    address = str(sock.getpeername()[0])
    if is_public(address):
        return sock
    sock.close()
    raise InputError(
        f"Refusing to fetch from {host}: the connection reached the non-public address "
        f"{address}, although the name resolved to a public one a moment before.",
        PRIVATE_HINT,
    )


class _PublicHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _connected(super()._new_conn(), self.host)


class _PublicHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _connected(super()._new_conn(), self.host)


class _PublicHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PublicHTTPConnection


class _PublicHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PublicHTTPSConnection


class _PublicOnlyAdapter(HTTPAdapter):
    """requests' adapter with connection pools whose connections check their peer."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _PublicHTTPPool,
            "https": _PublicHTTPSPool,
        }


def resolve_host(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (an IP literal resolves to itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise InputError(
            f"Cannot find the host {host!r} ({err}).",
            "Check the address and your internet connection.",
        ) from None
    return sorted({str(info[4][0]) for info in infos})


def _get(session: requests.Session, url: str, deadline: float) -> requests.Response:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _timeout(url)
    try:
        return session.get(
            url,
            stream=True,
            allow_redirects=False,
            timeout=(min(left, 10.0), left),
            headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml"},
        )
    except requests.Timeout:
        raise _timeout(url) from None
    except requests.RequestException as err:
        raise InputError(
            f"Cannot fetch {url}: {err.__class__.__name__}.",
            "Check the address and your internet connection, or save the page as "
            ".html in a browser and import the file.",
        ) from None


def _timeout(url: str) -> InputError:
    return InputError(
        f"Fetching {url} took too long.",
        "Try again later, raise --fetch-timeout, or save the page as .html and import the file.",
    )


def _read(
    response: requests.Response, url: str, policy: FetchPolicy, deadline: float
) -> FetchedPage:
    if response.status_code >= 400:
        raise InputError(
            f"Cannot fetch {url}: the server answered {response.status_code} "
            f"{response.reason or ''}".rstrip()
            + ".",
            "Check the address; if the page needs a login, save it from your browser "
            "as .html and import the file.",
        )
    content_type = response.headers.get("Content-Type", "")
    mime = content_type.split(";")[0].strip().lower()
    if mime and mime not in HTML_TYPES:
        raise InputError(
            f"{url} is not a web page (its content type is {mime}).",
            "Import the address of an HTML article page; for text or Markdown, "
            "download the file and import it.",
        )
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise _too_big(url, int(declared), policy.max_bytes)
    data = bytearray()
    try:
        for chunk in response.iter_content(65536):
            data += chunk
            if len(data) > policy.max_bytes:
                raise _too_big(url, len(data), policy.max_bytes)
            if time.monotonic() > deadline:
                raise _timeout(url)
    except requests.RequestException as err:
        raise InputError(
            f"The download of {url} broke off ({err.__class__.__name__}).", "Try again."
        ) from None
    encoding = detect_encoding(bytes(data), response.encoding if "charset" in content_type else "")
    return FetchedPage(url=url, html=bytes(data).decode(encoding, "replace"), encoding=encoding)


def _too_big(url: str, size: int, limit: int) -> InputError:
    return InputError(
        f"{url} is over {limit / 1e6:g} MB ({size / 1e6:.1f} MB read).",
        "Raise the limit with --max-page-mb (BACLOVOICE_MAX_PAGE_MB) if it really is one article.",
    )


def detect_encoding(data: bytes, declared: str | None = "") -> str:
    """The page's encoding: the HTTP header's, else its <meta charset>, else detected."""
    for candidate in (declared, _meta_charset(data)):
        if candidate and _known(candidate):
            return candidate
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        best = charset_normalizer.from_bytes(data[:200_000]).best()
        return best.encoding if best is not None else "utf-8"


def _meta_charset(data: bytes) -> str:
    found = _META_CHARSET.search(data[:4096])
    return found.group(1).decode("ascii") if found else ""


def _known(encoding: str) -> bool:
    try:
        "".encode(encoding)
    except LookupError:
        return False
    return True
