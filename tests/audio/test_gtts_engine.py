"""The gTTS engine against a fake Google batchexecute server on 127.0.0.1.

The real gTTS library builds the requests; the fake server answers the way Google
does (a ``)]}'`` prefixed batchexecute envelope around a base64 MP3), so the whole
path runs: tokenizing, HTTP, retries, payload extraction and MP3 decoding.
"""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from baclovoice import audio
from baclovoice.engines.gtts import RPC_PATH, GttsEngine
from baclovoice.engines.piper import PiperEngine
from baclovoice.errors import EngineError, InputError

MP3_SECONDS = 1.0
FRAME = 576 / 24000  # one MPEG-2 layer III frame at 24 kHz


@pytest.fixture(scope="module")
def google_mp3(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A 1 s sine as Google sends it: 24 kHz mono 32 kbit/s MP3 (with a LAME header)."""
    path = tmp_path_factory.mktemp("mp3") / "sine.mp3"
    subprocess.run(
        [audio.BUNDLED.path, "-v", "error", "-f", "lavfi",
         "-i", f"sine=frequency=300:duration={MP3_SECONDS}:sample_rate=24000",
         "-ac", "1", "-c:a", "libmp3lame", "-b:a", "32k", "-f", "mp3", "-y", str(path)],
        check=True,
    )  # fmt: skip
    return path.read_bytes()


def envelope(payload: str) -> bytes:
    """A batchexecute answer carrying ``payload`` where Google puts the base64 audio."""
    rpc = f'[["wrb.fr","jQ1olc","[\\"{payload}\\"]",null,null,null,"generic"],["di",42]]'
    return f')]}}\'\n\n{len(rpc)}\n{rpc}\n25\n[["e",4,null,null,131]]\n'.encode()


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    delay: float = 0.0


@dataclass
class FakeGoogle:
    base_url: str
    default: Answer
    script: list[Answer] = field(default_factory=list)  # answers for the next requests
    texts: list[str] = field(default_factory=list)  # what each request asked to speak
    paths: list[str] = field(default_factory=list)


def _handler(fake: FakeGoogle) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            rpc = json.loads(urllib.parse.parse_qs(body)["f.req"][0])
            fake.texts.append(json.loads(rpc[0][0][1])[0])
            fake.paths.append(self.path)
            answer = fake.script.pop(0) if fake.script else fake.default
            time.sleep(answer.delay)
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A client that timed out hangs up before the answer: expected, not news."""


@pytest.fixture
def google(google_mp3: bytes) -> Iterator[FakeGoogle]:
    default = Answer(200, envelope(base64.b64encode(google_mp3).decode()))
    fake = FakeGoogle("", default)
    server = QuietServer(("127.0.0.1", 0), _handler(fake))
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()
    thread.join()


def engine_for(fake: FakeGoogle, **options: float) -> GttsEngine:
    settings = {"retries": 3, "backoff": 0.01, "timeout": 5.0} | options
    return GttsEngine(base_url=fake.base_url, **settings)


# --- success and retries ------------------------------------------------------------------


def test_speaks_through_the_real_gtts_requests(google: FakeGoogle) -> None:
    pcm = engine_for(google).synthesize("Hello there.")
    assert pcm.sample_rate == 24000
    assert pcm.duration == pytest.approx(MP3_SECONDS, abs=FRAME)
    assert google.texts == ["Hello there."] and google.paths == [RPC_PATH]


def test_long_sentences_are_split_by_gtts_and_joined(google: FakeGoogle) -> None:
    text = "This sentence is long enough, well over one hundred characters, " * 2
    pcm = engine_for(google).synthesize(text)
    parts = len(google.texts)
    assert parts >= 2 and all(len(part) <= 100 for part in google.texts)
    assert pcm.duration == pytest.approx(parts * MP3_SECONDS, abs=parts * FRAME)


@pytest.mark.parametrize("status", [429, 500, 503])
def test_retries_rate_limits_and_server_errors(google: FakeGoogle, status: int) -> None:
    google.script = [Answer(status), Answer(status)]
    pcm = engine_for(google).synthesize("Hello.")
    assert len(google.texts) == 3
    assert pcm.duration == pytest.approx(MP3_SECONDS, abs=FRAME)


def test_gives_up_after_the_last_retry(google: FakeGoogle) -> None:
    google.default = Answer(500)
    with pytest.raises(EngineError, match="after 3 attempt") as error:
        engine_for(google, retries=2).synthesize("Hello.")
    assert len(google.texts) == 3
    assert "--engine piper" in str(error.value)


def test_backoff_doubles(google: FakeGoogle) -> None:
    google.script = [Answer(503), Answer(503)]
    started = time.perf_counter()
    engine_for(google, backoff=0.1).synthesize("Hello.")
    assert time.perf_counter() - started >= 0.1 + 0.2


@pytest.mark.parametrize("status", [400, 403, 404])
def test_other_client_errors_are_not_retried(google: FakeGoogle, status: int) -> None:
    google.default = Answer(status)
    with pytest.raises(EngineError, match=f"HTTP {status}") as error:
        engine_for(google).synthesize("Hello.")
    assert len(google.texts) == 1
    assert "--gtts-lang" in error.value.hint


# --- unreachable ------------------------------------------------------------------------------


def test_refused_connection_says_to_use_piper() -> None:
    with socket.socket() as closed:  # bound but not listening: connections are refused
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"
        engine = GttsEngine(base_url=url, retries=1, backoff=0.01)
        with pytest.raises(EngineError, match="cannot reach") as error:
            engine.synthesize("Hello.")
    assert str(error.value).endswith("use --engine piper (offline).")


def test_timeout_counts_as_unreachable(google: FakeGoogle) -> None:
    google.default = Answer(200, google.default.body, delay=0.6)
    with pytest.raises(EngineError, match="no answer .* within 0.2s") as error:
        engine_for(google, timeout=0.2, retries=1).synthesize("Hello.")
    assert "--engine piper" in error.value.hint


# --- bad answers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        lambda mp3: b"",
        lambda mp3: b"<html>Sorry, something went wrong</html>",
        lambda mp3: envelope(""),
        lambda mp3: envelope("not base64 at all!"),
        lambda mp3: envelope(base64.b64encode(b"definitely not an mp3" * 20).decode()),
        lambda mp3: envelope(base64.b64encode(mp3[: len(mp3) - 50]).decode()),
        lambda mp3: envelope(base64.b64encode(mp3[: len(mp3) // 2 + 7]).decode()),
    ],
    ids=["empty", "html", "no-audio", "bad-base64", "not-mp3", "cut-last-frame", "cut-half"],
)
def test_garbage_answers_are_errors_not_short_audio(
    google: FakeGoogle, google_mp3: bytes, body: object
) -> None:
    google.default = Answer(200, body(google_mp3))  # type: ignore[operator]
    with pytest.raises(EngineError):
        engine_for(google).synthesize("Hello.")
    assert len(google.texts) == 1


def test_nothing_to_say_sends_nothing(google: FakeGoogle) -> None:
    pcm = engine_for(google).synthesize(" ... ")
    assert len(pcm.samples) == 0 and google.texts == []


# --- configuration and identity -----------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [{"lang": "xx-nope"}, {"tld": "evil.example/"}, {"timeout": 0}, {"retries": -1}],
)
def test_bad_options_are_input_errors(options: dict[str, object]) -> None:
    with pytest.raises(InputError):
        GttsEngine(**options)


def test_identity_names_language_and_domain_and_differs_from_piper() -> None:
    identity = GttsEngine("fr", "ca").identity()
    assert identity["engine"] == "gtts" and identity["lang"] == "fr" and identity["tld"] == "ca"
    assert identity != GttsEngine("fr", "com").identity()
    assert identity["engine"] != PiperEngine().identity()["engine"]
    assert GttsEngine(base_url="http://x").identity() == GttsEngine().identity()


def test_voice_name() -> None:
    assert GttsEngine("en", "co.uk").voice == "Google Translate (en, translate.google.co.uk)"


def test_default_host_is_google_for_the_tld() -> None:
    assert GttsEngine(tld="com.au").base_url == "https://translate.google.com.au"


def test_fixture_mp3_is_what_google_sends(google_mp3: bytes, tmp_path: Path) -> None:
    pcm = audio.decode(google_mp3)
    assert pcm.sample_rate == 24000 and pcm.duration == pytest.approx(MP3_SECONDS, abs=FRAME)
