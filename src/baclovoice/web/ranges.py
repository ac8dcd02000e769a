"""Range headers read as RFC 9110 says, before Werkzeug answers them.

Werkzeug answers 416 to every Range header it cannot use. RFC 9110 (section 14)
says otherwise: a server ignores a Range header it does not understand (another
unit, bad syntax, ``last < first``) and answers 200 with the whole file; it may
ignore a request for several ranges; and a suffix longer than the file selects
all of it (206). Only a well-formed range that starts past the end is 416.
"""

from __future__ import annotations

import re

from flask import request

_SPEC = re.compile(r"([0-9]*)-([0-9]*)")


def normalize(header: str | None, size: int) -> str | None:
    """The Range header Werkzeug should see for a ``size``-byte file; None = ignore it."""
    if header is None:
        return None
    unit, equals, specs = header.partition("=")
    if not equals or unit.strip().lower() != "bytes":
        return None
    parts = [part.strip() for part in specs.split(",") if part.strip()]
    if len(parts) != 1:
        return None  # several ranges: the whole file is a valid answer, and a safe one
    match = _SPEC.fullmatch(parts[0])
    if match is None or match.group() == "-":
        return None
    first, last = match.groups()
    if not first:
        suffix = int(last)
        if suffix == 0:
            return f"bytes={size}-"  # unsatisfiable: 416 with the file's length
        return "bytes=0-" if suffix >= size else f"bytes=-{suffix}"
    if last and int(last) < int(first):
        return None
    return f"bytes={int(first)}-{int(last) if last else ''}"


def apply(size: int, offloaded: bool = False) -> bool:
    """Rewrite this request's Range header for a ``size``-byte file before ``send_file``.

    Returns whether a range is to be honoured. ``offloaded``: nginx sends the bytes
    (X-Accel-Redirect) and cuts the range itself, so the app only decides 200, 304
    or 404, and tells nginx (by the internal location) whether to honour Range.
    """
    environ = request.environ
    header = environ.get("HTTP_RANGE")
    usable = normalize(header, size)
    if usable is None or offloaded:
        environ.pop("HTTP_RANGE", None)
    else:
        environ["HTTP_RANGE"] = usable
    return header is None or usable is not None
