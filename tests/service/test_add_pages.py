"""Signing in and the "Add an article" pages: session cookie, CSRF, rate limit, progress."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from baclovoice.settings import Settings
from baclovoice.web import create_app
from baclovoice.web.auth import MAX_FAILURES
from tests.service.conftest import MARKDOWN, TOKEN, drain, queue_of


def csrf(client: FlaskClient, path: str) -> str:
    page = BeautifulSoup(client.get(path).data, "html.parser")
    field = page.find("input", attrs={"name": "csrf"})
    assert field is not None, path
    return str(field["value"])


def sign_in(client: FlaskClient, token: str = TOKEN, **extra: str) -> TestResponse:
    return client.post("/login", data={"csrf": csrf(client, "/login"), "token": token, **extra})


def test_adding_needs_signing_in_first(client: FlaskClient) -> None:
    response = client.get("/add")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/add"
    page = BeautifulSoup(client.get("/login?next=/add").data, "html.parser")
    field = page.find("input", attrs={"name": "token"})
    assert field["type"] == "password" and page.find("label", attrs={"for": field["id"]})


def test_signing_in_sets_a_strict_http_only_cookie(client: FlaskClient) -> None:
    response = sign_in(client, next="/add")
    assert response.status_code == 303 and response.headers["Location"] == "/add"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie
    assert client.get("/add").status_code == 200


def test_the_cookie_is_secure_behind_https(api_settings: Settings) -> None:
    app = create_app(api_settings.replace(base_url="https://listen.example"), {"TESTING": True})
    response = sign_in(app.test_client())
    assert "; Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "add"]
)
def test_sign_in_only_goes_on_to_this_site(client: FlaskClient, target: str) -> None:
    assert sign_in(client, next=target).headers["Location"] == "/add"


def test_a_wrong_token_is_explained_and_sign_in_is_rate_limited(client: FlaskClient) -> None:
    for _ in range(MAX_FAILURES):
        response = sign_in(client, token="wrong-token-0123456789")
        assert response.status_code == 401
        page = BeautifulSoup(response.data, "html.parser")
        assert page.find(role="alert") and "not right" in page.find(role="alert").get_text()
        assert page.find("input", attrs={"name": "token"})["aria-invalid"] == "true"
        assert page.title.get_text().startswith("Error:")
    blocked = sign_in(client)  # even the right token waits now
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert "Too many" in blocked.get_data(as_text=True)
    assert client.get("/add").status_code == 302


def test_forms_without_the_csrf_token_are_refused(client: FlaskClient) -> None:
    response = client.post("/login", data={"token": TOKEN})
    assert response.status_code == 400 and "form has expired" in response.get_data(as_text=True)
    sign_in(client)
    response = client.post("/add", data={"paste": MARKDOWN, "format": "markdown"})
    assert response.status_code == 400
    assert client.post("/logout").status_code == 400


def test_the_add_form_is_labelled(client: FlaskClient) -> None:
    sign_in(client)
    page = BeautifulSoup(client.get("/add").data, "html.parser")
    form = page.find("form", attrs={"enctype": "multipart/form-data"})
    assert form["method"] == "post"
    for field in form.find_all(["input", "textarea", "select"]):
        if field.get("type") in ("hidden",):
            continue
        assert page.find("label", attrs={"for": field["id"]}), field
    assert [legend.get_text() for legend in form.find_all("legend")] == [
        "From its web address",
        "Paste the article",
        "Or upload a file",
    ]


def add(client: FlaskClient, **fields: object) -> TestResponse:
    return client.post("/add", data={"csrf": csrf(client, "/add"), **fields})


def test_adding_shows_live_progress_and_listen_now(client: FlaskClient, app: Flask) -> None:
    sign_in(client)
    response = add(client, paste=MARKDOWN, format="markdown", slug="tea")
    assert response.status_code == 303
    job_page = response.headers["Location"]
    job_id = re.fullmatch(r"/jobs/(\w+)", job_page)[1]
    page = BeautifulSoup(client.get(job_page).data, "html.parser")
    assert "Waiting for a free worker" in page.find(id="bv-job-state").get_text()
    assert page.find(id="bv-job-listen").has_attr("hidden")
    assert page.find(id="bv-job-status")["role"] == "status"
    assert page.find(id="bv-job")["data-api"] == f"/api/jobs/{job_id}"
    assert client.get(f"/api/jobs/{job_id}").status_code == 200  # the session may read it
    drain(queue_of(app))
    page = BeautifulSoup(client.get(job_page).data, "html.parser")
    assert "Done" in page.find(id="bv-job-state").get_text()
    listen = page.find(id="bv-job-listen")
    assert not listen.has_attr("hidden") and listen.a["href"] == "/articles/tea/"


def test_a_rejected_article_keeps_what_was_typed(client: FlaskClient) -> None:
    sign_in(client)
    response = add(client, paste="  ", format="text", slug="my-notes")
    assert response.status_code == 400
    page = BeautifulSoup(response.data, "html.parser")
    assert "There is no article in the form" in page.find(role="alert").get_text()
    assert page.find(id="bv-slug")["value"] == "my-notes"
    add(client, paste=MARKDOWN, format="markdown", slug="tea")
    clash = add(client, paste=MARKDOWN, format="markdown", slug="tea")
    assert clash.status_code == 409 and "already exists" in clash.get_data(as_text=True)
    replaced = add(client, paste=MARKDOWN, format="markdown", slug="tea", replace="on")
    assert replaced.status_code == 303


def test_signing_out_ends_the_session(client: FlaskClient) -> None:
    sign_in(client)
    response = client.post("/logout", data={"csrf": csrf(client, "/add")})
    assert response.status_code == 303
    assert client.get("/add").status_code == 302
