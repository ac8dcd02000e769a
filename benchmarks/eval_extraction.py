"""Article extraction quality on the project's evaluation set: token-shingle F1.

Each page in ``tests/fixtures/extraction/pages`` (real pages from many sites,
gzipped) has a hand-checked article body in ``bodies/``. An extractor turns the
page's HTML into the text it would narrate; that text is compared with the body
as bags of 4-word shingles (lowercase ``\\w+`` tokens), the measure public
article-extraction benchmarks use. Per page, true positives, false positives and
false negatives are normalized to sum to 1 (long pages do not outweigh short
ones); precision and recall are averaged over pages, and F1 is their harmonic
mean.

Run: .venv/bin/python benchmarks/eval_extraction.py [--extractor baclovoice|trafilatura]
Prints one line per extractor, and with ``--pages`` the pages that lost most.
"""

from __future__ import annotations

import argparse
import gzip
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL_SET = ROOT / "tests" / "fixtures" / "extraction"
SHINGLE = 4
_TOKEN = re.compile(r"\w+")

Extractor = Callable[[str], str]


@dataclass(frozen=True)
class Case:
    name: str
    html: str
    body: str


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float
    empty: int  # pages that gave no text at all
    per_page: dict[str, tuple[float, float, float]]  # name -> (tp, fp, fn), normalized


def cases(folder: Path = EVAL_SET) -> Iterator[Case]:
    for page in sorted((folder / "pages").glob("*.html.gz")):
        name = page.name.removesuffix(".html.gz")
        html = gzip.decompress(page.read_bytes()).decode("utf-8", "replace")
        body = (folder / "bodies" / f"{name}.txt").read_text(encoding="utf-8")
        yield Case(name, html, body)


def shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text.lower())
    return Counter(tuple(tokens[i : i + SHINGLE]) for i in range(max(1, len(tokens) - SHINGLE + 1)))


def match(true: str, predicted: str) -> tuple[float, float, float]:
    """(tp, fp, fn) over shingles, normalized to sum to 1."""
    expected, got = shingles(true), shingles(predicted)
    tp = sum((expected & got).values())
    fp = sum((got - expected).values())
    fn = sum((expected - got).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    return 1.0 if fp == fn == 0 else tp / (tp + fp) if tp + fp else 0.0


def _recall(tp: float, fp: float, fn: float) -> float:
    return 1.0 if fp == fn == 0 else tp / (tp + fn) if tp + fn else 0.0


def evaluate(extract: Extractor, folder: Path = EVAL_SET) -> Score:
    per_page: dict[str, tuple[float, float, float]] = {}
    empty = 0
    for case in cases(folder):
        try:
            text = extract(case.html) or ""
        except Exception as err:  # an extractor that fails scores as empty  # noqa: BLE001
            print(f"{case.name}: {type(err).__name__}: {err}", file=sys.stderr)
            text = ""
        empty += not text.strip()
        per_page[case.name] = match(case.body, text)
    precision = statistics.mean(_precision(*t) for t in per_page.values())
    recall = statistics.mean(_recall(*t) for t in per_page.values())
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1, empty, per_page)


# --- extractors ----------------------------------------------------------------------


def baclovoice_text(html: str) -> str:
    """What ``baclovoice import`` of a saved page narrates: section titles and blocks.

    The title and the "Published ..." line are metadata, not the body, and the
    synthetic "Introduction" heading is no text of the page.
    """
    from baclovoice.ingest.convert import clean_html
    from baclovoice.ingest.walker import INTRODUCTION, parse_article

    article = parse_article(clean_html(html), "page")
    lines: list[str] = []
    for section in article.sections:
        if section.title not in (INTRODUCTION, article.title):
            lines.append(section.title)
        lines.extend(block.text for block in section.blocks)
    return "\n".join(lines)


def trafilatura_text(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html, include_comments=False, include_tables=True) or ""


EXTRACTORS: dict[str, Extractor] = {"baclovoice": baclovoice_text, "trafilatura": trafilatura_text}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--extractor", choices=sorted(EXTRACTORS), action="append")
    parser.add_argument("--pages", action="store_true", help="Show the pages that lost most.")
    args = parser.parse_args(argv)
    for name in args.extractor or ["baclovoice", "trafilatura"]:
        started = time.perf_counter()
        score = evaluate(EXTRACTORS[name])
        seconds = time.perf_counter() - started
        print(
            f"{name:<12} {len(score.per_page)} pages: precision {score.precision:.3f} "
            f"recall {score.recall:.3f} F1 {score.f1:.3f}, {score.empty} with no text "
            f"({seconds:.0f} s)"
        )
        if args.pages:
            worst = sorted(score.per_page.items(), key=lambda item: item[1][0])[:10]
            for page, (tp, fp, fn) in worst:
                print(f"  {page}: tp {tp:.2f} fp {fp:.2f} fn {fn:.2f}")


if __name__ == "__main__":
    main()
