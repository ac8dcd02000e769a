"""Section audio and captions: byte ranges, validators and caching that players rely on.

``send_audio`` is the one way any route (sections here, the full article in
the feeds) serves a published MP3: Werkzeug's ``send_file`` answers Range
(206/416), HEAD, If-None-Match/If-Modified-Since (304) and If-Range; we give it
the manifest's sha256 as a strong ETag and choose the cache lifetime. Range
headers RFC 9110 lets a server ignore are ignored (``ranges``), and behind nginx
the bytes themselves are left to nginx (``accel``).
"""

from __future__ import annotations

from flask import Blueprint, Response, request, send_file

from baclovoice import paths
from baclovoice.models import AudioFile
from baclovoice.podcast.vtt import VTT_TYPE, build_vtt, section_cues
from baclovoice.web import accel, ranges
from baclovoice.web.context import web_state
from baclovoice.web.formatting import download_name
from baclovoice.web.urls import IMMUTABLE_MAX_AGE, audio_version

bp = Blueprint("media", __name__)


def send_audio(
    audio: AudioFile, name: str, download: bool = False, mimetype: str = "audio/mpeg"
) -> Response:
    """Serve a published file (an MP3 unless ``mimetype`` says otherwise) named ``name``;
    an attachment when ``download`` is true.

    A request carrying ``?v=`` equal to the file's content hash gets a year-long
    immutable cache lifetime; any other is revalidated (cheaply: ETag → 304).
    """
    path = web_state().library.audio_path(audio)
    versioned = bool(audio_version(audio)) and request.args.get("v") == audio_version(audio)
    ranged = ranges.apply(path.stat().st_size, offloaded=accel.enabled())
    response = send_file(
        path,
        mimetype=mimetype,
        as_attachment=download,
        download_name=name,
        conditional=True,
        etag=audio.sha256 or True,
        max_age=IMMUTABLE_MAX_AGE if versioned else None,
    )
    if versioned:
        response.cache_control.immutable = True
    return accel.offload(response, audio.file, ranged)


@bp.get(paths.SECTION_MP3.rule)
def section_audio(slug: str, number: int) -> Response:
    manifest, section = web_state().library.section(slug, number, request.args.get("v", ""))
    name = download_name(manifest.slug, section.number, len(manifest.sections), section.title)
    return send_audio(section.audio, name, download=request.args.get("download") == "1")


@bp.get(paths.SECTION_VTT.rule)
def section_vtt(slug: str, number: int) -> Response:
    """Captions: one cue per spoken sentence, cue ids equal to the page's sentence ids."""
    _, section = web_state().library.section(slug, number)
    return Response(build_vtt(section_cues(section)), mimetype=VTT_TYPE)
