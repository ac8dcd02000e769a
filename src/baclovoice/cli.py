"""Command line: the only place that parses options, prints, and configures logging."""

from __future__ import annotations

import functools
import logging
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
)
_SERVE_OPTIONS = ("base_url",)
_SERVICE_OPTIONS = ("queue", "api_token", "api_max_bytes", "watch", "reconcile_interval")


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
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--slug", help="Article slug (file name in content/); default from the title.")
@settings_options("content_dir")
def import_command(settings: Settings, path: Path, slug: str | None) -> None:
    """Import a .txt, .md or .html article into content/<slug>.html."""
    from baclovoice.ingest.store import import_article

    written = import_article(path, settings.content_dir, slug)
    click.echo(f"Imported {path} → {written}")
    click.echo(f"Next: baclovoice build {written.stem}")


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


def _run_build(settings: Settings, slugs: tuple[str, ...], force: bool) -> None:
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


@cli.command("build")
@click.argument("slugs", nargs=-1)
@click.option("--force", is_flag=True, help="Re-synthesize and re-encode everything.")
@settings_options(*_DIR_OPTIONS, *_ENGINE_OPTIONS, *_SERVE_OPTIONS)
def build_command(settings: Settings, slugs: tuple[str, ...], force: bool) -> None:
    """Build the narration of the given articles (default: all), reusing the cache."""
    _run_build(settings, slugs, force)


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="TCP port.")
@click.option(
    "--no-build", is_flag=True, help="Serve what is built; narrate only what is added or changed."
)
@click.option(
    "--no-worker", is_flag=True, help="Run no narration workers here (run baclovoice worker)."
)
@settings_options(*_DIR_OPTIONS, *_ENGINE_OPTIONS, *_SERVE_OPTIONS, *_SERVICE_OPTIONS)
def serve_command(
    settings: Settings, host: str, port: int, no_build: bool, no_worker: bool
) -> None:
    """Serve the web app with waitress; narrate what is missing or changed in the background."""
    from baclovoice.engines import engine_factory
    from baclovoice.service.watch import Watcher
    from baclovoice.service.worker import Background
    from baclovoice.web import create_app
    from baclovoice.web.server import serve

    app = create_app(settings)
    workers = None
    if not no_worker:
        engine_factory(settings)  # an unknown engine is a clear error before anything starts
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
        )
    finally:
        if watcher is not None:
            watcher.stop()
        if workers is not None:
            workers.stop()


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
    from baclovoice.engines import engine_factory
    from baclovoice.service.worker import run_worker

    engine_factory(settings)
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


def main(argv: list[str] | None = None) -> None:
    """Entry point: domain errors become one clear message and a non-zero exit."""
    try:
        cli.main(args=argv, prog_name="baclovoice", standalone_mode=False)
    except BaclovoiceError as exc:
        click.echo(f"error: {exc.message}", err=True)
        if exc.hint:
            click.echo(f"  hint: {exc.hint}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted; everything already built is kept.", err=True)
        sys.exit(130)
