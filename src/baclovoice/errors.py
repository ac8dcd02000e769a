"""Domain errors: each carries what went wrong, where, and how to fix it.

They are raised anywhere and translated only at the edges: the CLI prints
``message`` and ``hint`` and exits non-zero; the web layer answers ``status``.
"""

from __future__ import annotations


class BaclovoiceError(Exception):
    """Base error with a user-facing message, a fix hint and an HTTP status."""

    status: int = 500
    exit_code: int = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message, hint)  # both in args, so errors survive pickling
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class InputError(BaclovoiceError):
    """Bad user input: a missing, empty, undecodable or unusable file or option."""

    status = 400
    exit_code = 2


class ContentError(InputError):
    """An article cannot be parsed into narratable text."""


class NotFound(BaclovoiceError):
    """A slug, section or file that does not exist."""

    status = 404


class EngineError(BaclovoiceError):
    """A speech engine failed (voice missing, service unreachable, bad answer)."""

    status = 503
    exit_code = 3


class AudioError(BaclovoiceError):
    """Decoding, normalizing or encoding audio failed."""

    exit_code = 4


class ManifestError(BaclovoiceError):
    """A manifest is missing, corrupt or from an incompatible version."""

    status = 500
    exit_code = 5


class BuildLocked(BaclovoiceError):
    """Another build holds the lock on the audio folder."""

    exit_code = 6


class Conflict(InputError):
    """The request clashes with what exists: an article with that slug is already there."""

    status = 409


class TooLarge(InputError):
    """An upload or article over the configured size limit."""

    status = 413


class QueueError(BaclovoiceError):
    """The task queue (its SQLite file or Redis) cannot be reached."""

    status = 503
    exit_code = 8


class StorageError(BaclovoiceError):
    """A file cannot be written: the disk is full, read-only, or a folder is a file."""

    exit_code = 7
