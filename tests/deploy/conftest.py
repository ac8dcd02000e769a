"""nginx for the deployment tests: Debian's binary, skipped locally without it, required in CI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import require_program


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.slow)  # runs an external program (nginx)


@pytest.fixture(scope="session")
def nginx() -> str:
    """The nginx binary (often in /usr/sbin, which a user's PATH may lack)."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    return found or require_program("nginx", "apt-get install nginx")
