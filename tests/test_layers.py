"""Data flows one way: a module imports only its own stage and the stages before it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "src" / "baclovoice"

# Rank of each stage: a module may import its own stage and any of lower rank.
# Rank 0 is the shared vocabulary (errors, settings, models, manifest, paths, ...).
RANKS = {
    "": 0,
    "audio": 1,
    "ingest": 1,
    "engines": 2,
    "speech": 2,
    "formats": 2,
    "build": 3,
    "podcast": 3,
    "service": 4,  # the task queue: runs build stages, used by web and cli
    "web": 5,
    "deploy": 6,
    "cli": 7,
    "__main__": 8,
}


def stage(module: str) -> str:
    """ "build" for baclovoice.build.plan; "" for a top-level shared module like settings."""
    parts = module.split(".")[1:]
    if not parts or (len(parts) == 1 and parts[0] not in RANKS):
        return ""
    return parts[0]


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return {name for name in found if name.startswith("baclovoice.")}


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_imports_never_run_back_up_the_pipeline(path: Path) -> None:
    own = stage(module_name(path))
    for name in imports(path):
        if (PACKAGE.parent / name.replace(".", "/")).with_suffix(".py").exists() or (
            PACKAGE.parent / name.replace(".", "/")
        ).is_dir():
            target = stage(name)
            assert target == own or RANKS[target] < RANKS[own], f"{module_name(path)} → {name}"


def _modules_loaded_by(module: str) -> set[str]:
    """Every module a fresh interpreter has loaded after importing ``module``."""
    import json
    import subprocess
    import sys

    code = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return set(json.loads(loaded.stdout))


def test_the_web_server_does_not_pull_in_the_html_parser() -> None:
    """The server reads manifests only: bs4 (ingest) and Piper stay out of its imports."""
    modules = _modules_loaded_by("baclovoice.web")
    assert not {"bs4", "piper", "onnxruntime", "baclovoice.ingest"} & modules


def test_building_does_not_pull_in_the_importers() -> None:
    """`build` reads stored articles only: the converters (trafilatura, Markdown) and the
    page fetcher (requests) are `import`'s, and cost half a second of every start-up."""
    modules = _modules_loaded_by("baclovoice.build.builder")
    assert not {"trafilatura", "markdown", "requests", "baclovoice.ingest.convert"} & modules


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("baclovoice.settings", ""),
        ("baclovoice.build.plan", "build"),
        ("baclovoice.web", "web"),
        ("baclovoice.cli", "cli"),
    ],
)
def test_stage_of_a_module(module: str, expected: str) -> None:
    assert stage(module) == expected
