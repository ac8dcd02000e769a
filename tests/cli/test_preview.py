"""baclovoice preview: what will be narrated, printed without synthesizing."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from baclovoice.cli import cli

ARTICLE = """<h1>Dr. Who's Guide</h1><p><time datetime="2024-03-05">March 5, 2024</time></p>
<p>Intro text. Second sentence.</p><h2>Doses</h2><ul><li>Take 5 mg.</li><li>Rest.</li></ul>
<h2>Code</h2><pre>a = 1
b = 2</pre>"""


def preview(tmp_path: Path, *args: str) -> list[str]:
    (tmp_path / "content").mkdir(exist_ok=True)
    (tmp_path / "content" / "guide.html").write_text(ARTICLE, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["preview", "guide", "--content-dir", str(tmp_path / "content"), *args]
    )
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_preview_prints_titles_and_display_text(tmp_path: Path) -> None:
    assert preview(tmp_path) == [
        "Dr. Who's Guide",
        "Published March 5, 2024",
        "Introduction",
        "Intro text. Second sentence.",
        "",
        "Doses",
        "Take 5 mg.",
        "Rest.",
        "",
        "Code",
        "a = 1",
        "b = 2",
    ]
    assert not (tmp_path / "audio").exists()  # nothing synthesized, nothing written


def test_preview_speech_prints_the_normalized_text(tmp_path: Path) -> None:
    lines = preview(tmp_path, "--speech")
    assert lines[0] == "Doctor Who's Guide"
    assert "List, two items. Take five milligrams." in lines
    assert lines.count("") == 2


def test_preview_without_headings_prints_the_title_once(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "one.html").write_text("<h1>One</h1><p>Text.</p>", "utf-8")
    result = CliRunner().invoke(cli, ["preview", "one", "--content-dir", str(tmp_path / "content")])
    assert result.output.splitlines() == ["One", "Text."]
