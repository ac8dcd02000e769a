"""The ingestion API and the "Add an article" pages: articles in, narrated in the background.

Enabled only when ``BACLOVOICE_API_TOKEN`` is set (otherwise every route here answers
404). Scripts use the JSON API with ``Authorization: Bearer <token>``; people sign in
at ``/login`` and use ``/add``. Both go through the same service functions, so bad
input gets the message and hint ``baclovoice import`` gives, with its HTTP status
(400, 409 when the slug exists, 413 over the size limit).
"""

from __future__ import annotations

import threading
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from baclovoice import paths
from baclovoice.errors import BaclovoiceError, InputError
from baclovoice.service import articles
from baclovoice.service.jobs import Job, JobStatus
from baclovoice.service.queue import NarrationQueue
from baclovoice.settings import Settings
from baclovoice.web import auth
from baclovoice.web.context import web_state
from baclovoice.web.urls import external_url

bp = Blueprint("ingest", __name__)

QUEUE = "baclovoice.queue"
_QUEUE_LOCK = threading.Lock()
FORMATS = (("text", "Plain text"), ("markdown", "Markdown"), ("html", "HTML"))


def configure(app: Flask, settings: Settings) -> None:
    """Request size limits for ``create_app``: a body over the limit is refused (413)."""
    if settings.api_token:
        slack = 64 * 1024  # the multipart envelope and the other form fields
        app.config["MAX_CONTENT_LENGTH"] = settings.api_max_bytes + slack
        app.config["MAX_FORM_MEMORY_SIZE"] = settings.api_max_bytes + slack


def narration_queue() -> NarrationQueue:
    """The app's queue, opened on first use (a read-only server never opens one)."""
    with _QUEUE_LOCK:
        queue = current_app.extensions.get(QUEUE)
        if queue is None:
            queue = NarrationQueue(web_state().settings)
            current_app.extensions[QUEUE] = queue
    return queue


def _settings() -> Settings:
    return web_state().settings


def _check_length() -> None:
    if request.content_length is not None:
        articles.check_size(_settings(), request.content_length)


# --- reading a source ------------------------------------------------------------------


def _json_source() -> tuple[articles.Source, str | None]:
    data = request.get_json(silent=True)
    example = 'For example {"markdown": "# Title\\n\\nText.", "slug": "my-article"}.'
    if not isinstance(data, dict):
        raise InputError("The request body is not a JSON object.", example)
    given = [kind for kind in articles.KINDS if kind in data]
    if len(given) != 1:
        raise InputError(
            f"Give exactly one of {', '.join(articles.KINDS)}; "
            f"this request has {', '.join(given) or 'none'}.",
            example,
        )
    kind = given[0]
    text, slug = data[kind], data.get("slug")
    if not isinstance(text, str) or not (slug is None or isinstance(slug, str)):
        raise InputError(f"'{kind}' and 'slug' must be strings.", example)
    return articles.Source(kind, text, f"the '{kind}' field"), slug or None


def _file_source() -> tuple[articles.Source, str | None]:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InputError("The form has no file.", "Send the article as the multipart field 'file'.")
    data = upload.read(_settings().api_max_bytes + 1)
    articles.check_size(_settings(), len(data))
    return articles.upload_source(upload.filename, data), request.form.get("slug") or None


def _api_source() -> tuple[articles.Source, str | None]:
    _check_length()
    if request.mimetype == "multipart/form-data":
        return _file_source()
    if request.is_json:
        return _json_source()
    raise InputError(
        f"Cannot read an article from a request of type {request.mimetype or '(none)'}.",
        "Send JSON (Content-Type: application/json) or a multipart form with a 'file'.",
    )


def _accepted(job: Job) -> Response:
    job_url = url_for("ingest.job", job_id=job.id)
    response = jsonify(slug=job.slug, job=job_url, article=url_for("pages.player", slug=job.slug))
    response.status_code = 202
    response.headers["Location"] = external_url("ingest.job", job_id=job.id)
    response.cache_control.no_store = True
    return response


def add(source: articles.Source, slug: str | None, *, replace: bool = False) -> Job:
    """Store the article (new, or replacing one when allowed) and narrate it."""
    settings = _settings()
    html, slug = articles.prepare(settings, source, slug)
    exists = articles.article_path(settings, slug).is_file()
    if exists and not replace:
        raise articles.conflict(slug)
    return store_and_narrate(slug, html, replace=exists)


def store_and_narrate(slug: str, html: str, *, replace: bool) -> Job:
    """Claim the job first, then write: the watcher that sees the write finds the job."""
    settings = _settings()
    queue = narration_queue()
    job, new = queue.claim(slug, articles.digest_of(html), "api")
    try:
        if replace:
            articles.replace(settings, slug, html)
        else:
            articles.create(settings, slug, html)
    except BaclovoiceError as exc:
        if new:
            queue.jobs.fail(job, exc)
        raise
    if new:
        queue.start(job)
    return job


# --- the JSON API ----------------------------------------------------------------------


@bp.post(paths.API_ADD.rule)
def add_article() -> Response:
    auth.require_enabled()
    auth.require_bearer()
    source, slug = _api_source()
    return _accepted(add(source, slug))


@bp.put(paths.API_REPLACE.rule)
def replace_article(slug: str) -> Response:
    auth.require_enabled()
    auth.require_bearer()
    source, named = _api_source()
    if named not in (None, slug):
        raise InputError(
            f"The body names the slug {named!r}, but the address names {slug!r}.",
            "Leave 'slug' out of the body, or make it match the address.",
        )
    html, _ = articles.prepare(_settings(), source, slug)
    if not articles.article_path(_settings(), slug).is_file():
        raise articles.missing(slug)
    return _accepted(store_and_narrate(slug, html, replace=True))


@bp.delete(paths.API_REMOVE.rule)
def remove_article(slug: str) -> Response:
    auth.require_enabled()
    auth.require_bearer()
    articles.remove(_settings(), slug, narration_queue().jobs)
    return Response(status=204)


def job_status(job_id: str) -> JobStatus:
    queue = narration_queue()
    with queue.reachable():
        return queue.jobs.status(job_id, _settings().audio_dir)


def job_json(status: JobStatus) -> dict[str, Any]:
    return {
        **status.to_dict(),
        "job": url_for("ingest.job", job_id=status.job.id),
        "article": url_for("pages.player", slug=status.job.slug),
    }


@bp.get(paths.API_JOB.rule)
def job(job_id: str) -> Response:
    auth.require_enabled()
    auth.require_reader()
    response = jsonify(job_json(job_status(job_id)))
    response.cache_control.no_store = True
    return response


def state_text(status: JobStatus) -> str:
    """One sentence on where the job is (add.js says the same as it updates the page)."""
    if status.state == "queued":
        return "Waiting for a free worker to start narrating."
    if status.state == "done":
        return "Done: every section is ready."
    if status.state == "failed":
        return "The narration stopped."
    if status.sections_ready:
        return "Being narrated. You can listen to the sections that are ready."
    return "Being narrated. The first section will be ready soon."


def count_text(status: JobStatus) -> str:
    if not status.sentences_total:
        return "Preparing the article."
    return (
        f"{status.sentences_done} of {status.sentences_total} sentences narrated; "
        f"{status.sections_ready} of {status.sections_total} sections ready."
    )


# --- the pages ---------------------------------------------------------------------------


def _sign_in_first() -> BaseResponse | None:
    auth.require_enabled()
    if auth.signed_in():
        return None
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _add_page(status: int = 200, error: BaclovoiceError | None = None) -> Response:
    values = request.form if request.method == "POST" else {}
    html = render_template(
        "add.html",
        error=error,
        values=values,
        formats=FORMATS,
        limit=_settings().api_max_bytes,
    )
    response = Response(html, status=status, mimetype="text/html")
    response.cache_control.no_store = True
    return response


def _form_source() -> tuple[articles.Source, str | None]:
    _check_length()
    upload = request.files.get("file")
    url = request.form.get("url", "").strip()
    pasted = request.form.get("paste", "")
    given = [name for name, value in (("file", upload and upload.filename), ("url", url),
                                      ("paste", pasted.strip())) if value]  # fmt: skip
    if len(given) != 1:
        raise InputError(
            "Give the article one way: its address, its pasted text, or a file."
            if given
            else "There is no article in the form.",
            "Fill in one of the three parts of the form, then press Add and narrate.",
        )
    slug = request.form.get("slug", "").strip() or None
    if given == ["file"]:
        return _file_source()
    if given == ["url"]:
        return articles.Source(articles.URL_KIND, url, "the address"), slug
    kind = request.form.get("format", "text")
    if kind not in articles.TEXT_KINDS:
        kind = "text"
    return articles.Source(kind, pasted, "the pasted text"), slug


@bp.route(paths.ADD.rule, methods=["GET", "POST"])
def add_page() -> BaseResponse:
    if (sign_in := _sign_in_first()) is not None:
        return sign_in
    if request.method == "GET":
        return _add_page()
    auth.check_csrf()
    try:
        source, slug = _form_source()
        job = add(source, slug, replace=request.form.get("replace") == "on")
    except BaclovoiceError as exc:
        return _add_page(exc.status, exc)
    return redirect(url_for("ingest.job_page", job_id=job.id), code=303)


@bp.get(paths.JOB.rule)
def job_page(job_id: str) -> BaseResponse:
    if (sign_in := _sign_in_first()) is not None:
        return sign_in
    status = job_status(job_id)
    current = web_state().library.snapshot().current().get(status.job.slug)
    html = render_template(
        "job.html",
        status=status,
        api=url_for("ingest.job", job_id=job_id),
        title=current.title if current else status.job.slug,
        state_text=state_text(status),
        count_text=count_text(status),
    )
    response = Response(html, mimetype="text/html")
    response.cache_control.no_store = True
    return response
