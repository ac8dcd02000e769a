"""Run Debian's nginx as a child process on a free loopback port, from a temp folder.

Everything nginx writes (pid, logs, temp files) stays in that folder; it runs
with ``daemon off`` and is stopped by its pid. The site file under test (made by
``baclovoice deploy nginx``) is included in a minimal main configuration, the
way Debian includes ``sites-enabled/*`` inside ``http``.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

MIME_TYPES = Path("/etc/nginx/mime.types")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main_config(folder: Path, site: Path) -> str:
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    temp = "".join(
        f"    {kind}_temp_path {folder / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    mime = f"    include {MIME_TYPES};\n" if MIME_TYPES.is_file() else ""
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        f"{mime}    default_type application/octet-stream;\n    access_log off;\n{temp}"
        f"    include {site};\n}}\n"
    )


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited: {log.read_text(errors='replace')}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nginx did not listen on {port}: {log.read_text(errors='replace')}")


@contextlib.contextmanager
def running_nginx(nginx: str, folder: Path, site_text: str, port: int) -> Iterator[str]:
    """nginx serving ``site_text`` on 127.0.0.1:``port``; yields its base URL."""
    folder.mkdir(parents=True, exist_ok=True)
    site = folder / "site.conf"
    site.write_text(site_text, encoding="utf-8")
    conf = folder / "nginx.conf"
    conf.write_text(main_config(folder, site), encoding="utf-8")
    log = folder / "error.log"
    check = subprocess.run(
        [nginx, "-t", "-q", "-p", str(folder), "-e", str(log), "-c", str(conf)],
        capture_output=True,
        text=True,
    )
    if check.returncode:
        raise RuntimeError(f"nginx -t failed:\n{check.stderr}\n{site_text}")
    process = subprocess.Popen(
        [nginx, "-p", str(folder), "-e", str(log), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()  # by pid: nginx's fast shutdown
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
