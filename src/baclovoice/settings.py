"""One frozen Settings object: the only reader of environment variables.

Precedence is CLI flag > environment > default. Each setting is declared once
as (name, default, help) so the README and ``--help`` can list them all.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from baclovoice.errors import InputError

ENV_PREFIX = "BACLOVOICE_"
DOWNLOAD_FORMATS = ("epub", "m4b")  # built beside the MP3s: read-along book, audiobook
QUEUE_SCHEMES = ("redis://", "rediss://", "unix://")
MIN_TOKEN_LENGTH = 16


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()


_BOOLS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False}
_BOOLS |= {"no": False, "off": False}


def _convert(setting: Setting, raw: Any) -> Any:
    """Coerce a raw (string) value to the type of the setting's default."""
    default = setting.default
    try:
        if isinstance(default, bool):
            if isinstance(raw, bool):
                return raw
            return _BOOLS[str(raw).strip().lower()]
        if isinstance(default, Path):
            return Path(raw).expanduser()
        return type(default)(raw)
    except (KeyError, ValueError, TypeError):
        raise InputError(
            f"Setting {setting.name} has an invalid value {raw!r}.",
            f"Set {setting.env} or --{setting.name.replace('_', '-')} to a valid "
            f"{type(default).__name__}, for example {default!r}.",
        ) from None


def _setting(default: Any, help: str, *, secret: bool = False) -> Any:
    """A Settings field whose help text the CLI and README show beside its flag and variable;
    a secret one is left out of the settings' repr, so logs never show it."""
    return field(default=default, metadata={"help": help}, repr=not secret)


@dataclass(frozen=True)
class Settings:
    """Every setting, declared once: name, default and help (see ``SETTINGS``)."""

    content_dir: Path = _setting(
        Path("content"), "Folder of article HTML files (content/<slug>.html)."
    )
    audio_dir: Path = _setting(Path("audio"), "Folder of built audio, caches and manifests.")
    engine: str = _setting(
        "piper", "Speech engine: piper (offline, default), gtts (online) or fake (test tones)."
    )
    voice: str = _setting("", "Piper .onnx voice path; empty = the bundled CC0 'joe' voice.")
    base_url: str = _setting("", "Public URL prefix for feeds and enclosures, e.g. https://x.org.")
    bitrate: int = _setting(64, "MP3 bitrate in kbit/s (constant bitrate).")
    jobs: int = _setting(0, "Parallel synthesis workers; 0 = one per CPU core.")
    gtts_lang: str = _setting("en", "gTTS language code.")
    gtts_tld: str = _setting("com", "gTTS Google domain (com, co.uk, com.au, ...).")
    gtts_timeout: float = _setting(10.0, "gTTS request timeout in seconds.")
    section_level: int = _setting(2, "Heading level that starts a section (2 = <h2>).")
    read_images: bool = _setting(True, "Read image descriptions ('Image: ...') aloud.")
    ffmpeg: str = _setting("", "ffmpeg binary to run; empty = the bundled imageio-ffmpeg one.")
    trusted_hosts: str = _setting(
        "",
        "Comma-separated Host names served when no base URL is set (.example.org allows "
        "subdomains); empty = localhost names and the bind address. Others get 400.",
    )
    accel_redirect: bool = _setting(
        False,
        "Behind nginx: answer audio and cover requests with X-Accel-Redirect so nginx "
        "sends the bytes (see baclovoice deploy nginx).",
    )
    read_timeout: float = _setting(
        10.0, "Seconds a client may take to send a whole request (headers and body)."
    )
    idle_timeout: int = _setting(
        30, "Seconds an idle keep-alive connection (or a client not reading) is kept open."
    )
    connection_limit: int = _setting(1000, "Most connections the server holds open at once.")
    max_hours: float = _setting(
        6.0, "Refuse articles longer than this many hours of speech (0 = no limit)."
    )
    max_page_mb: float = _setting(
        15.0, "Refuse source files and downloaded pages over this many MB (0 = no limit)."
    )
    allow_private_urls: bool = _setting(
        False, "Let import fetch URLs on loopback, private or link-local addresses."
    )
    fetch_timeout: float = _setting(20.0, "Timeout in seconds for each request of import URL.")
    formats: str = _setting(
        ",".join(DOWNLOAD_FORMATS),
        "Downloads built beside the MP3s: epub (read-along book), m4b (audiobook); "
        "comma-separated, or none.",
    )
    queue: str = _setting(
        "", "Task queue: empty = a SQLite file in the audio folder; redis://host:port/db = Redis."
    )
    api_token: str = _setting(
        "",
        "Token that enables the ingestion API and /add (16+ characters); empty = read-only.",
        secret=True,
    )
    api_max_bytes: int = _setting(5_000_000, "Largest article the API and /add accept, in bytes.")
    watch: bool = _setting(True, "While serving, re-narrate changed, added or removed articles.")
    reconcile_interval: float = _setting(
        30.0, "Seconds between passes that re-enqueue whatever an article still lacks."
    )

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from defaults, then the environment, then non-None overrides."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            value: Any = setting.default
            if setting.env in environ and environ[setting.env] != "":
                value = _convert(setting, environ[setting.env])
            if overrides.get(setting.name) is not None:
                value = _convert(setting, overrides[setting.name])
            values[setting.name] = value
        unknown = set(overrides) - {s.name for s in SETTINGS}
        if unknown:
            raise TypeError(f"unknown settings: {sorted(unknown)}")
        return cls(**values).validated()

    def validated(self) -> Settings:
        if not 8 <= self.bitrate <= 320:
            raise InputError(
                f"Bitrate {self.bitrate} kbit/s is out of range.",
                "Choose a constant MP3 bitrate between 8 and 320, e.g. 64.",
            )
        if self.jobs < 0:
            raise InputError(f"jobs must be 0 (auto) or more, not {self.jobs}.", "Use --jobs 2.")
        if self.read_timeout <= 0 or self.idle_timeout <= 0 or self.connection_limit < 1:
            raise InputError(
                "read_timeout, idle_timeout and connection_limit must be positive.",
                "Use e.g. --read-timeout 10 --idle-timeout 30 --connection-limit 1000.",
            )
        if not 1 <= self.section_level <= 6:
            raise InputError(
                f"Section level {self.section_level} is not a heading level.",
                "Use a number from 1 to 6; 2 splits sections at <h2>.",
            )
        unknown = sorted(set(self.format_names) - set(DOWNLOAD_FORMATS))
        if unknown:
            raise InputError(
                f"Unknown download format {', '.join(unknown)!s} in formats={self.formats!r}.",
                f"Use a comma-separated list of {', '.join(DOWNLOAD_FORMATS)}, or none.",
            )
        self._validate_service()
        return self

    @property
    def format_names(self) -> tuple[str, ...]:
        """The download formats to build, e.g. ("epub", "m4b"); "none" (or "") is none."""
        names = (n.strip().lower() for n in self.formats.split(","))
        return tuple(dict.fromkeys(n for n in names if n and n != "none"))

    def _validate_service(self) -> None:
        if self.queue and not self.queue.startswith(QUEUE_SCHEMES):
            raise InputError(
                f"Unknown task queue {self.queue!r}.",
                "Leave BACLOVOICE_QUEUE empty for the embedded SQLite queue, or give a Redis "
                "URL such as redis://127.0.0.1:6379/0.",
            )
        if self.api_token and len(self.api_token) < MIN_TOKEN_LENGTH:
            raise InputError(
                f"The API token is too short ({len(self.api_token)} characters).",
                f"Use at least {MIN_TOKEN_LENGTH} random characters, e.g. the output of: "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'",
            )
        if self.api_max_bytes < 1000:
            raise InputError(
                f"api_max_bytes {self.api_max_bytes} is too small.", "Use 1000 or more."
            )
        if self.reconcile_interval <= 0:
            raise InputError(
                f"reconcile_interval must be positive, not {self.reconcile_interval}.",
                "Use a number of seconds, e.g. 30.",
            )

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes).validated()

    @property
    def lexicon_path(self) -> Path:
        """The pronunciation lexicon lives beside the articles it serves."""
        return self.content_dir / "lexicon.toml"

    @property
    def workers(self) -> int:
        return self.jobs or os.cpu_count() or 1


SETTINGS: tuple[Setting, ...] = tuple(
    Setting(f.name, f.default, f.metadata["help"]) for f in dataclasses.fields(Settings)
)
