"""gTTS, the online engine: Google Translate's text-to-speech voice.

The gTTS library does what it is good at: it cleans the text, splits it into the
≤100-character parts the service accepts and packages each as a batchexecute RPC
(``gTTS.get_bodies()``). This module sends those bodies itself because
``gTTS.stream()`` turns off TLS verification, hard-codes the Google host and never
retries; here the host is a parameter (``base_url``, which tests point at a local
fake server), every request has a timeout, and HTTP 429/5xx and network failures are
retried with exponential backoff. Each part's MP3 is decoded by ``audio.decode``,
which also refuses empty or cut-off MP3s.
"""

from __future__ import annotations

import base64
import binascii
import functools
import importlib.metadata
import logging
import re
import time

import numpy as np
import requests
from gtts import gTTS
from gtts.lang import tts_langs

from baclovoice import audio
from baclovoice.audio import BUNDLED, Ffmpeg, Pcm
from baclovoice.errors import AudioError, EngineError, InputError

log = logging.getLogger(__name__)

RPC_PATH = "/_/TranslateWebserverUi/data/batchexecute"
SAMPLE_RATE = 24000  # what Google's MP3s decode to; used for empty utterances only
OFFLINE_HINT = "Check your network, or use --engine piper (offline)."
_TLD = re.compile(r"^[a-z]{2,3}(\.[a-z]{2,3})?$")


class _Retryable(Exception):
    """A failure worth another attempt (network trouble, HTTP 429 or 5xx)."""


@functools.cache
def _gtts_version() -> str:
    return importlib.metadata.version("gTTS")


class GttsEngine:
    """Online speech through Google Translate (needs network access)."""

    name = "gtts"

    def __init__(
        self,
        lang: str = "en",
        tld: str = "com",
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        base_url: str = "",
        ffmpeg: Ffmpeg = BUNDLED,
    ) -> None:
        if lang not in tts_langs():
            raise InputError(
                f"gTTS does not speak language {lang!r}.",
                "Use a code from `gtts-cli --all`, e.g. en, fr, de, es.",
            )
        if not _TLD.match(tld):
            raise InputError(
                f"{tld!r} is not a Google domain ending.", "Use e.g. com, co.uk or com.au."
            )
        if timeout <= 0 or retries < 0 or backoff < 0:
            raise InputError(
                f"Invalid gTTS timeout {timeout}, retries {retries} or backoff {backoff}.",
                "Use a timeout above 0 seconds and retries and backoff of 0 or more.",
            )
        self.lang, self.tld = lang, tld
        self.timeout, self.retries, self.backoff = timeout, retries, backoff
        self.base_url = (base_url or f"https://translate.google.{tld}").rstrip("/")
        self.ffmpeg = ffmpeg

    @property
    def voice(self) -> str:
        return f"Google Translate ({self.lang}, translate.google.{self.tld})"

    def identity(self) -> dict[str, str]:
        """Language and domain pick the voice; the gTTS version, its text handling.

        ``base_url`` is left out: it says where to ask, not what the voice sounds like.
        """
        return {"engine": self.name, "lang": self.lang, "tld": self.tld, "gtts": _gtts_version()}

    def synthesize(self, text: str) -> Pcm:
        """Speak one sentence: one request per ≤100-character part, decoded and joined.

        One HTTP session per sentence: its parts and retries share a connection, and
        it is closed before returning, so no socket outlives the call.
        """
        if not any(character.isalnum() for character in text):
            return Pcm(np.zeros(0, dtype=np.int16), SAMPLE_RATE)  # nothing gTTS would say
        client = gTTS(text, tld=self.tld, lang=self.lang, lang_check=False)
        with requests.Session() as session:
            mp3s = [self._request(session, body) for body in client.get_bodies()]
        parts = [self._decode(mp3) for mp3 in mp3s]
        try:
            return audio.assemble([(part, 0.0) for part in parts])[0]
        except AudioError as exc:
            raise EngineError(f"Google TTS sent parts that do not fit together: {exc}") from None

    def _request(self, session: requests.Session, body: str) -> bytes:
        """POST one RPC body, retrying 429/5xx/network failures; the MP3 bytes it carries."""
        delay, failure = self.backoff, _Retryable("no attempt made")
        for attempt in range(1, self.retries + 2):
            try:
                return self._attempt(session, body)
            except _Retryable as exc:
                failure = exc
            if attempt <= self.retries:
                log.warning(
                    "gTTS attempt %d failed (%s); retrying in %.2fs", attempt, failure, delay
                )
                time.sleep(delay)
                delay *= 2
        raise EngineError(
            f"Google TTS failed after {self.retries + 1} attempt(s): {failure}.", OFFLINE_HINT
        )

    def _attempt(self, session: requests.Session, body: str) -> bytes:
        url = self.base_url + RPC_PATH
        try:
            response = session.post(
                url, data=body, headers=gTTS.GOOGLE_TTS_HEADERS, timeout=self.timeout
            )
        except requests.Timeout:
            raise _Retryable(f"no answer from {self.base_url} within {self.timeout:g}s") from None
        except requests.RequestException as exc:
            raise _Retryable(f"cannot reach {self.base_url} ({type(exc).__name__})") from None
        status = response.status_code
        if status == 429 or status >= 500:
            raise _Retryable(f"HTTP {status} {response.reason} from {self.base_url}")
        if status != 200:
            raise EngineError(
                f"Google TTS refused the request: HTTP {status} {response.reason}.",
                f"Check --gtts-lang ({self.lang}) and --gtts-tld ({self.tld}), "
                "or use --engine piper (offline).",
            )
        return _audio_payload(response.content)

    def _decode(self, mp3: bytes) -> Pcm:
        try:
            return audio.decode(mp3, codec_hint="mp3", ffmpeg=self.ffmpeg)
        except AudioError as exc:
            raise EngineError(
                f"Google TTS answered with unusable audio: {exc.message}",
                "Try again later, or use --engine piper (offline).",
            ) from None


def _audio_payload(content: bytes) -> bytes:
    """The base64 MP3 inside a batchexecute answer (the line gTTS.stream() looks for)."""
    pattern = re.compile(re.escape(gTTS.GOOGLE_TTS_RPC) + r'","\[\\"(.*)\\"]')
    for line in content.decode("utf-8", "replace").splitlines():
        found = pattern.search(line)
        if found:
            try:
                mp3 = base64.b64decode(found.group(1), validate=True)
            except (binascii.Error, ValueError):
                break
            if mp3:
                return mp3
            break
    raise EngineError(
        "Google TTS answered without audio.",
        "The service may have changed or rejected the text; try again later, "
        "or use --engine piper (offline).",
    )
