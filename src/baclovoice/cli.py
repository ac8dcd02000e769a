"""Command line: the only place that parses options, prints, and configures logging."""

from __future__ import annotations

import errno
import functools
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from baclovoice import __version__
from baclovoice.errors import BaclovoiceError
from baclovoice.settings import SETTINGS, Settings

log = logging.getLogger("baclovoice")

# Settings that every command accepts as flags; each overrides its BACLOVOICE_* variable.
_DIR_OPTIONS = ("content_dir", "audio_dir")
_ENGINE_OPTIONS = (
    "engine",
    "voice",
    "jobs",
    "bitrate",
    "gtts_lang",
    "gtts_tld",
    "gtts_timeout",
    "section_level",
    "read_images",
    "ffmpeg",
    "max_hours",
    "formats",
)
_SERVE_OPTIONS = ("base_url",)
# How the server meets clients: only `serve` takes these.
_SERVER_OPTIONS = (
    "trusted_hosts",
    "accel_redirect",
    "read_timeout",
    "idle_timeout",
    "connection_limit",
)

_SERVICE_OPTIONS = ("queue", "api_token", "api_max_bytes", "watch", "reconcile_interval")


class Terminated(BaseException):
    """SIGTERM arrived: unwind like Ctrl-C (locks released, workers stopped), then exit."""


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated()


def _help(name: str) -> str:
    setting = next(s for s in SETTINGS if s.name == name)
    return f"{setting.help} [env {setting.env}; default {setting.default}]"


def settings_options(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add one --flag per setting and pass the command a ready ``Settings`` object."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(**kwargs: Any) -> Any:
            overrides = {name: kwargs.pop(name) for name in names}
            return func(Settings.load(**overrides), **kwargs)

        for name in reversed(names):
            flag = "--" + name.replace("_", "-")
            wrapper = click.option(flag, name, default=None, help=_help(name))(wrapper)
        return wrapper

    return decorate


def _configure_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO
    logging.basicConfig(level=level, format="%(message)s", stream=sys.stderr)
    if not verbose:  # Huey logs every task it runs; our own log says what matters
        logging.getLogger("huey").setLevel(logging.WARNING)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="baclovoice")
@click.option("-v", "--verbose", count=True, help="Show debug logging.")
@click.option("-q", "--quiet", is_flag=True, help="Only show warnings and errors.")
def cli(verbose: int, quiet: bool) -> None:
    """baclovoice: accessible narration for articles (player page, podcast feed, downloads)."""
    _configure_logging(verbose, quiet)


@cli.command("import")
@click.argument("source", metavar="PATH_OR_URL")
@click.option("--slug", help="Article slug (file name in content/); default from the title.")
@click.option(
    "--allow-private-network",
    "allow_private",
    is_flag=True,
    help="Fetch URLs on loopback/private/link-local addresses too "
    "[env BACLOVOICE_ALLOW_PRIVATE_URLS].",
)
@settings_options("content_dir", "max_hours", "max_page_mb", "fetch_timeout", "allow_private_urls")
def import_command(settings: Settings, source: str, slug: str | None, allow_private: bool) -> None:
    """Import a .txt, .md or .html file, or a web page (http/https URL), into content/."""
    from baclovoice.ingest.fetch import FetchPolicy, is_url
    from baclovoice.ingest.store import import_article, import_url

    if is_url(source):
        policy = FetchPolicy.from_settings(settings, allow_private=allow_private)
        written = import_url(
            source, settings.content_dir, slug, policy=policy, max_hours=settings.max_hours
        )
    else:
        written = import_article(
            Path(source),
            settings.content_dir,
            slug,
            max_page_mb=settings.max_page_mb,
            max_hours=settings.max_hours,
        )
    click.echo(f"Imported {source} → {written}")
    click.echo(
        f"Next: baclovoice build {written.stem}   (check first: baclovoice preview {written.stem})"
    )


@cli.command("preview")
@click.argument("slug")
@click.option("--speech", is_flag=True, help="Print the normalized text the voice is given.")
@settings_options("content_dir", "section_level", "read_images", "max_hours")
def preview_command(settings: Settings, slug: str, speech: bool) -> None:
    """Print, without synthesizing, exactly what will be narrated: one block per line."""
    from baclovoice.build.preview import preview_lines

    for line in preview_lines(settings, slug, speech=speech):
        click.echo(line)


class _ProgressPrinter:
    """A progress bar on a terminal, a plain log line every ~10% otherwise."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.last_reported = -1

    def __call__(self, done: int, total: int) -> None:
        if sys.stderr.isatty():
            if self.bar is None:
                from tqdm import tqdm

                self.bar = tqdm(total=total, unit="sentence", desc="Synthesizing", leave=False)
            self.bar.update(done - self.bar.n)
            return
        step = max(1, total // 10)
        if done == total or done // step != self.last_reported:
            self.last_reported = done // step
            log.info("Synthesized %d/%d sentences", done, total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _run_build(settings: Settings, slugs: tuple[str, ...], force: bool) -> Any:
    from baclovoice.build.builder import build

    printer = _ProgressPrinter()
    try:
        report = build(settings, slugs, force=force, progress=printer)
    finally:
        printer.close()
    for article in report.articles:
        state = "updated" if article.manifest_changed else "up to date"
        click.echo(
            f"{article.slug}: {article.sentences} sentences "
            f"({article.synthesized} synthesized, {article.cached} cached), "
            f"{len(article.files_written)} audio files written, {state}"
        )
    minutes = report.audio_seconds / 60
    click.echo(
        f"Built {len(report.articles)} article(s): {report.sentences} sentences "
        f"({report.synthesized} synthesized, {report.cached} cached), "
        f"{minutes:.1f} min of audio in {report.wall_seconds:.1f} s wall time, "
        f"real-time factor {report.real_time_factor:.3f}"
    )
    for failure in report.failures:
        click.echo(f"error: {failure.slug} was not built: {failure.reason}", err=True)
        click.echo(f"  file: {failure.file}", err=True)
        if failure.hint:
            click.echo(f"  hint: {failure.hint}", err=True)
    if report.failures:
        click.echo(
            f"{len(report.failures)} article(s) could not be built; every other one was.",
            err=True,
        )
    return report


@cli.command("build")
@click.argument("slugs", nargs=-1)
@click.option("--force", is_flag=True, help="Re-synthesize and re-encode everything.")
@settings_options(*_DIR_OPTIONS, *_ENGINE_OPTIONS, *_SERVE_OPTIONS)
def build_command(settings: Settings, slugs: tuple[str, ...], force: bool) -> None:
    """Build the narration of the given articles (default: all), reusing the cache."""
    report = _run_build(settings, slugs, force)
    if report.failures:
        sys.exit(2)  # bad input: the articles above


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port."
)
@click.option(
    "--no-build", is_flag=True, help="Serve what is built; narrate only what is added or changed."
)
@click.option(
    "--no-worker", is_flag=True, help="Run no narration workers here (run baclovoice worker)."
)
@settings_options(
    *_DIR_OPTIONS, *_ENGINE_OPTIONS, *_SERVE_OPTIONS, *_SERVER_OPTIONS, *_SERVICE_OPTIONS
)
def serve_command(
    settings: Settings, host: str, port: int, no_build: bool, no_worker: bool
) -> None:
    """Serve the web app with waitress; narrate what is missing or changed in the background.

    Articles that cannot be narrated are reported and left out; the rest are served.
    """
    from baclovoice.engines import NamedEngine
    from baclovoice.fsutil import check_dir
    from baclovoice.service.watch import Watcher
    from baclovoice.service.worker import Background
    from baclovoice.web import create_app
    from baclovoice.web.hosts import trust_bind_address
    from baclovoice.web.server import Limits, serve

    check_dir(settings.audio_dir, "audio folder", "--audio-dir or BACLOVOICE_AUDIO_DIR")
    app = create_app(settings)
    trust_bind_address(app, host)
    workers = None
    if not no_worker:
        NamedEngine(settings)  # an unknown engine is a clear error before anything starts
        workers = Background(settings, settings.workers, everything=not no_build)
        workers.queue.check()
    watcher = None
    try:
        if workers is not None:
            workers.start()
        if settings.watch:
            watcher = Watcher(workers.queue if workers else _queue(settings))
            watcher.start()
        serve(
            app,
            host,
            port,
            ready=lambda url: click.echo(f"Serving baclovoice on {url}  (Ctrl+C to stop)"),
            limits=Limits.from_settings(settings),
        )
    except Terminated:
        pass  # SIGTERM is how service managers stop a server: a clean stop, exit 0
    finally:
        if watcher is not None:
            watcher.stop()
        if workers is not None:
            workers.stop()
    click.echo("Stopped.", err=True)


def _queue(settings: Settings) -> Any:
    from baclovoice.service.queue import NarrationQueue

    queue = NarrationQueue(settings)
    queue.check()
    return queue


@cli.command("worker")
@click.option(
    "--processes",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes, each with the voice loaded [default: --jobs, one per CPU core].",
)
@settings_options(*_DIR_OPTIONS, *_ENGINE_OPTIONS, *_SERVE_OPTIONS, "queue", "reconcile_interval")
def worker_command(settings: Settings, processes: int | None) -> None:
    """Narrate queued articles (on any machine sharing the content and audio folders)."""
    from baclovoice.engines import NamedEngine
    from baclovoice.service.worker import run_worker

    NamedEngine(settings)  # an unknown engine is a clear error at once
    run_worker(settings, processes or settings.workers)


@cli.command("gc")
@click.option("--dry-run", is_flag=True, help="List what would be removed; remove nothing.")
@settings_options("audio_dir")
def gc_command(settings: Settings, dry_run: bool) -> None:
    """Remove audio that no manifest references."""
    from baclovoice.build.gc import collect_garbage

    removed, freed = collect_garbage(settings, dry_run=dry_run)
    verb = "Would remove" if dry_run else "Removed"
    for path in removed:
        click.echo(f"  {path}")
    click.echo(f"{verb} {len(removed)} file(s), {freed / 1e6:.1f} MB.")


@cli.command("export")
@click.argument("directory", type=click.Path(path_type=Path))
@settings_options("audio_dir", "base_url")
def export_command(settings: Settings, directory: Path) -> None:
    """Write a static copy of the site into DIRECTORY for any static host or CDN.

    Needs --base-url: feeds and the API carry absolute URLs. Re-exporting rewrites
    only what changed.
    """
    from baclovoice.deploy.export import export_site

    report = export_site(settings, directory, settings.base_url)
    click.echo(
        f"Exported {report.files} files to {directory}: {len(report.written)} written, "
        f"{report.unchanged} unchanged, {len(report.removed)} removed."
    )
    click.echo(
        f"Serve it with nginx: baclovoice deploy nginx --export {directory} "
        f"--base-url {settings.base_url}"
    )


@cli.group("deploy")
def deploy_group() -> None:
    """Configurations for running baclovoice in production."""


@deploy_group.command("nginx")
@click.option(
    "--export",
    "export_dir",
    type=click.Path(path_type=Path),
    help="Serve this `baclovoice export` folder with plain nginx instead of the app.",
)
@click.option("--listen", default="80", show_default=True, help="nginx's listen address.")
@click.option(
    "--upstream", default="127.0.0.1:8000", show_default=True, help="Where `serve` listens."
)
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path),
    default=Path("/var/cache/nginx/baclovoice"),
    show_default=True,
    help="nginx's one-second microcache of the app's answers.",
)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="Write here instead of stdout."
)
@settings_options("audio_dir", "base_url")
def deploy_nginx_command(
    settings: Settings,
    export_dir: Path | None,
    listen: str,
    upstream: str,
    cache_dir: Path,
    output: Path | None,
) -> None:
    """Print an nginx site: in front of `serve` (X-Accel-Redirect), or for an export."""
    from baclovoice.deploy.nginx import Site, proxy_site, static_site
    from baclovoice.fsutil import atomic_write_text

    site = Site(settings.base_url, listen)
    if export_dir is not None:
        text = static_site(site, export_dir)
    else:
        text = proxy_site(site, settings.audio_dir, upstream, cache_dir)
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_write_text(output, text)
        click.echo(f"Wrote {output}; test it with: nginx -t", err=True)


def _os_error(exc: OSError) -> None:
    """Last resort for the file system: say what and where, never a traceback."""
    where = f" {exc.filename}" if exc.filename else ""
    click.echo(f"error: cannot use{where}: {exc.strerror or exc}.", err=True)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        click.echo("  hint: free some space, then run the command again.", err=True)
    else:
        click.echo("  hint: check the path and its permissions.", err=True)


def main(argv: list[str] | None = None) -> None:
    """Entry point: domain errors become one clear message and a non-zero exit."""
    signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        cli.main(args=argv, prog_name="baclovoice", standalone_mode=False)
    except BaclovoiceError as exc:
        click.echo(f"error: {exc.message}", err=True)
        if exc.hint:
            click.echo(f"  hint: {exc.hint}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort as exc:
        if isinstance(exc.__context__, KeyboardInterrupt):  # click wraps Ctrl-C in Abort
            click.echo("Interrupted; everything already built is kept.", err=True)
        else:
            click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted; everything already built is kept.", err=True)
        sys.exit(130)
    except Terminated:
        click.echo("Stopped (SIGTERM); everything already built is kept.", err=True)
        sys.exit(128 + signal.SIGTERM)
    except OSError as exc:
        _os_error(exc)
        sys.exit(1)
