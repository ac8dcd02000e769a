"""The README documents every command and setting users rely on."""

from __future__ import annotations

import pytest

from baclovoice.cli import cli
from baclovoice.settings import SETTINGS
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_quick_start_shows_the_two_commands():
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "make run" in quick_start and "make test" in quick_start


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_documented(command):
    assert f"baclovoice {command}" in README


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented(setting):
    assert setting.env in README
    assert "--" + setting.name.replace("_", "-") in README


def test_license_is_stated():
    assert "GPL-3.0-or-later" in README
