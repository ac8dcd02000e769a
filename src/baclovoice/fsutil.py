"""Atomic file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from baclovoice.errors import InputError, StorageError

# Write failures that mean "the storage", not the program: a clear message, not a traceback.
_STORAGE_ERRNOS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOTDIR: "a folder on the way is a file",
    errno.EEXIST: "a file is in the way of a folder",
    errno.EFBIG: "the file is larger than allowed",
}


def storage_error(exc: OSError, path: Path) -> StorageError | None:
    """The domain error for a failed write of ``path``, or None when it is not a storage fault."""
    reason = _STORAGE_ERRNOS.get(exc.errno or 0)
    if reason is None:
        return None
    return StorageError(
        f"Cannot write {path}: {reason} ({exc.strerror or exc}).",
        "Free some space or fix the folder's permissions (df -h; ls -ld), then run the "
        "command again: everything written before is intact and is kept.",
    )


def check_dir(path: Path, what: str, setting: str = "") -> bool:
    """Whether the folder ``path`` exists; a file in its place is a clear error."""
    if path.exists() and not path.is_dir():
        where = f" ({setting})" if setting else ""
        raise InputError(
            f"The {what} {path} is a file, not a folder.",
            f"Move the file away, or choose another folder{where}.",
        )
    return path.is_dir()


def ensure_dir(path: Path, what: str, setting: str = "") -> Path:
    """Create ``path`` as a folder; a file in its place is a clear error, not a traceback."""
    if check_dir(path, what, setting):
        return path
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise (storage_error(exc, path) or exc) from None
    return path


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to a temp file beside ``path``, fsync it, then rename it over ``path``.

    A full disk (or a read-only one) becomes a StorageError naming ``path``; the
    old file, if any, is untouched and no temp file is left behind.
    """
    try:
        _atomic_write(path, data)
    except OSError as exc:
        raise (storage_error(exc, path) or exc) from None


def _atomic_write(path: Path, data: bytes) -> None:
    with _replacing(path) as tmp, open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


@contextlib.contextmanager
def _replacing(path: Path) -> Iterator[str]:
    """A temp file beside ``path`` to fill; on success it is renamed over ``path``, on
    any failure removed, so a reader sees the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_copy(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` (bytes and mtime) by temp file + rename."""
    try:
        with _replacing(target) as tmp:
            shutil.copyfile(source, tmp)
            shutil.copystat(source, tmp)
    except OSError as exc:
        raise (storage_error(exc, target) or exc) from None
