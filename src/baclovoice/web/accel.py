"""X-Accel-Redirect: the app decides, nginx sends the bytes.

With ``accel_redirect`` on, a published file's route still does everything but
copy bytes: it finds the file the URL means (404 if none), sets the ETag, the
download name and the cache lifetime, and answers 304 itself. A 200 is then sent
as an empty response naming the file under ``ACCEL_PREFIX``, an ``internal``
nginx location over the audio folder (``baclovoice deploy nginx`` writes it),
where nginx serves the file with sendfile and answers Range and HEAD.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Response

from baclovoice.web.context import web_state

ACCEL_PREFIX = "/_baclovoice/files/"  # never a public URL: nginx marks it internal
# The same folder with Range switched off (max_ranges 0): for a Range header RFC 9110
# says to ignore (malformed, another unit), which nginx would answer with 416.
ACCEL_WHOLE_PREFIX = "/_baclovoice/whole/"
ACCEL_HEADER = "X-Accel-Redirect"
# nginx answers these itself for the file it sends.
_DROPPED = {"content-length", "accept-ranges", "last-modified"}


def enabled() -> bool:
    return web_state().settings.accel_redirect


def offload(response: Response, relative: str, ranged: bool = True) -> Response:
    """``response`` unchanged, or, when offloading, the same headers naming ``relative``.

    ``ranged`` false: the request's Range header is to be ignored (200, whole file).
    """
    if not enabled() or response.status_code != 200:
        return response
    response.close()
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _DROPPED]
    redirected = Response(b"", status=200, headers=headers)
    prefix = ACCEL_PREFIX if ranged else ACCEL_WHOLE_PREFIX
    redirected.headers[ACCEL_HEADER] = prefix + quote(relative)
    return redirected
