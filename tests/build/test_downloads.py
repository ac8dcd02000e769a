"""The publish stage's downloads: content-addressed, rebuilt only on change, kept by gc,
chosen by ``--formats``, and absent from manifests written before they existed."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import zipfile

import pytest

from baclovoice import manifest
from baclovoice.build import publish
from baclovoice.build.gc import collect_garbage
from baclovoice.build.store import AudioStore
from baclovoice.errors import InputError
from baclovoice.models import Manifest, SentenceTiming
from baclovoice.settings import Settings
from tests.feeds.conftest import publish_article


@pytest.fixture
def plain(settings: Settings) -> Manifest:
    """The tone article with its whole MP3 and covers, but no downloads yet."""
    return publish_article(settings.audio_dir)


def downloads(
    settings: Settings, m: Manifest, previous: Manifest | None = None, **options: object
) -> Manifest:
    store = AudioStore(settings.audio_dir)
    pub = publish.Publisher(store, engine=m.engine, voice=m.voice, **options)  # type: ignore[arg-type]
    return publish.publish_downloads(pub, m, store.read(m.cover) or b"", previous)


def test_names_are_content_addressed_and_unchanged_files_are_reused(
    settings: Settings, plain: Manifest
) -> None:
    first = downloads(settings, plain)
    assert first.epub.file == f"{plain.slug}/{plain.slug}-{first.epub.file[-17:-5]}.epub"
    assert first.m4b.file.endswith(".m4b") and first.m4b.duration == plain.full.duration
    files = [settings.audio_dir / f.file for f in (first.epub, first.m4b)]
    stamps = [p.stat().st_mtime_ns for p in files]
    again = downloads(settings, plain, previous=first)
    assert (again.epub, again.m4b) == (first.epub, first.m4b)
    assert [p.stat().st_mtime_ns for p in files] == stamps  # nothing was written again


def test_a_changed_sentence_changes_the_book_but_not_the_audiobook(
    settings: Settings, plain: Manifest
) -> None:
    first = downloads(settings, plain)
    section = plain.sections[1]
    edited = dataclasses.replace(
        section,
        sentences=(
            SentenceTiming("Edited heading.", section.id, 0.0, 0.5),
            *section.sentences[1:],
        ),
    )
    changed = dataclasses.replace(plain, sections=(plain.sections[0], edited, *plain.sections[2:]))
    second = downloads(settings, changed, previous=first)
    assert second.epub.file != first.epub.file  # the text it shows changed
    assert second.m4b == first.m4b  # the sound did not


def test_damaged_download_is_rebuilt(settings: Settings, plain: Manifest) -> None:
    first = downloads(settings, plain)
    path = settings.audio_dir / first.epub.file
    path.write_bytes(path.read_bytes()[:1000])
    again = downloads(settings, plain, previous=first)
    assert again.epub.file == first.epub.file  # same content, same name
    data = path.read_bytes()
    assert len(data) == again.epub.bytes and hashlib.sha256(data).hexdigest() == again.epub.sha256
    assert zipfile.ZipFile(path).testzip() is None


@pytest.mark.parametrize(
    ("formats", "epub", "m4b"),
    [
        (("epub", "m4b"), True, True),
        (("epub",), True, False),
        (("m4b",), False, True),
        ((), False, False),
    ],
)
def test_formats_choose_what_is_built(
    settings: Settings, plain: Manifest, formats: tuple[str, ...], epub: bool, m4b: bool
) -> None:
    m = downloads(settings, plain, formats=formats)
    assert (m.epub is not None, m.m4b is not None) == (epub, m4b)
    suffixes = {p.suffix for p in (settings.audio_dir / plain.slug).iterdir()}
    assert (".epub" in suffixes, ".m4b" in suffixes) == (epub, m4b)


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("epub,m4b", ("epub", "m4b")),
        (" M4B , epub ,m4b", ("m4b", "epub")),
        ("none", ()),
        ("epub", ("epub",)),
    ],
)
def test_formats_setting(value: str, names: tuple[str, ...]) -> None:
    assert Settings.load(environ={"BACLOVOICE_FORMATS": value}).format_names == names


def test_unknown_format_is_a_clear_input_error() -> None:
    with pytest.raises(InputError, match="Unknown download format pdf") as caught:
        Settings.load(environ={}, formats="epub,pdf")
    assert "epub, m4b" in caught.value.hint


def test_gc_keeps_live_downloads_and_removes_stale_ones(
    settings: Settings, plain: Manifest
) -> None:
    old = downloads(settings, plain)
    manifest.save(settings.audio_dir, old)
    stale = settings.audio_dir / plain.slug / f"{plain.slug}-000000000000.epub"
    stale.write_bytes(b"an old edition")
    removed, _ = collect_garbage(settings)
    assert stale in removed and not stale.exists()
    for f in (old.epub, old.m4b):
        assert (settings.audio_dir / f.file).is_file()


def test_manifests_from_before_the_downloads_still_load(
    settings: Settings, plain: Manifest
) -> None:
    path = manifest.manifest_path(settings.audio_dir, plain.slug)
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("epub", None), data.pop("m4b", None)
    path.write_text(json.dumps(data), encoding="utf-8")
    loaded = manifest.load(settings.audio_dir, plain.slug)
    assert loaded.epub is None and loaded.m4b is None
    assert loaded.published_files == plain.published_files


def test_cli_builds_the_chosen_downloads(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    from baclovoice.cli import main
    from tests.conftest import SMALL_ARTICLE

    (settings.content_dir / "tiny.html").write_text(SMALL_ARTICLE, encoding="utf-8")
    args = ["build", "--engine", "fake", "--content-dir", str(settings.content_dir)]
    args += ["--audio-dir", str(settings.audio_dir), "--formats"]
    main([*args, "epub"])
    m = manifest.load(settings.audio_dir, "tiny")
    assert m.epub is not None and m.m4b is None
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        main([*args, "epub,mobi"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert "error: Unknown download format mobi" in err and "hint:" in err
    assert "Traceback" not in err
