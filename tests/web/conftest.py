"""An app over a temp audio folder holding one published three-section article."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from baclovoice.models import Manifest
from baclovoice.settings import Settings
from baclovoice.web import create_app
from tests.web.builders import publish


@pytest.fixture
def audio_dir(settings: Settings) -> Path:
    return settings.audio_dir


@pytest.fixture
def article(audio_dir: Path) -> Manifest:
    return publish(audio_dir)


@pytest.fixture
def app(settings: Settings, article: Manifest) -> Flask:
    return create_app(settings, {"TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
