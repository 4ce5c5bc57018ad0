"""
Readability of the German UI texts: how plain is the German catalogue?

Run with ``.venv/bin/python bench/readability.py`` (add ``--worst 20`` to list the hardest texts). Takes every
text of `geo/core/locales/de.json` (each form of a plural entry on its own), keeps those of 12 or more words as
written (a placeholder such as ``{name}`` shows as a word: a name, a number), strips placeholders and
Markdown and measures the rest with textstat's German formulas:

- Flesch reading ease in Amstad's German form (``flesch_reading_ease`` with ``set_lang("de")``):
  0-100, higher is easier; 60 and more is plain German;
- the first Wiener Sachtextformel (``wiener_sachtextformel(text, 1)``): roughly the school year a reader
  needs, lower is easier; 4-6 is plain German.

Prints the number of texts, the 25th percentile of Flesch-Amstad, the share of texts at 60 or more and the
median Wiener Sachtextformel. The target of issue 25 ("Words"): at least three quarters at 60 or more and a
median of at most 6. Results are kept in ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

import textstat

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "geo" / "core" / "locales" / "de.json"
#: Texts shorter than this many words are labels; the formulas say little about them.
MIN_WORDS = 12
#: Flesch-Amstad from which a text counts as plain German.
PLAIN = 60.0

_PLACEHOLDER = re.compile(r"\{\w*\}")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"[*_`#>|]+")
_BULLET = re.compile(r"^\s*(?:[-•]|\d+\.)\s+", flags=re.MULTILINE)


def plain_text(text: str) -> str:
    """`text` without placeholders and Markdown, whitespace collapsed."""
    text = _PLACEHOLDER.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _BULLET.sub("", text)
    text = _MARKUP.sub(" ", text)
    return " ".join(text.split())


def catalogue_texts(path: Path = CATALOGUE) -> dict[str, str]:
    """Every text of the catalogue at `path` as written, by key (a plural entry as ``key[form]``)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for key, message in data.items():
        forms = message.items() if isinstance(message, dict) else [("", message)]
        for form, text in forms:
            out[f"{key}[{form}]" if form else key] = text
    return out


@dataclass(frozen=True)
class Score:
    """The two German readability scores of one text."""

    key: str
    text: str
    flesch_amstad: float
    wstf: float


def score(key: str, text: str) -> Score:
    """Flesch-Amstad and the first Wiener Sachtextformel of `text` without placeholders and Markdown."""
    textstat.set_lang("de")
    plain = plain_text(text)
    return Score(key, plain, textstat.flesch_reading_ease(plain), textstat.wiener_sachtextformel(plain, 1))


def measure(path: Path = CATALOGUE, *, min_words: int = MIN_WORDS) -> list[Score]:
    """The scores of the catalogue's texts of at least `min_words` words as written."""
    return [score(k, t) for k, t in catalogue_texts(path).items() if len(t.split()) >= min_words]


def summary(scores: list[Score]) -> dict[str, float]:
    """Number of texts, 25th percentile of Flesch-Amstad, share at `PLAIN` or more, median WSTF."""
    flesch = [s.flesch_amstad for s in scores]
    return {
        "texts": len(scores),
        "flesch_p25": statistics.quantiles(flesch, n=4, method="inclusive")[0],
        "share_plain": sum(f >= PLAIN for f in flesch) / len(flesch),
        "wstf_median": statistics.median(s.wstf for s in scores),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].strip())
    parser.add_argument("--worst", type=int, default=0, help="also list this many hardest texts")
    args = parser.parse_args()
    scores = measure()
    figures = summary(scores)
    print(f"texts of {MIN_WORDS}+ words:           {figures['texts']}")
    print(f"Flesch-Amstad, 25th percentile:  {figures['flesch_p25']:.1f}")
    print(f"share at Flesch-Amstad >= {PLAIN:g}:   {figures['share_plain']:.1%}")
    print(f"Wiener Sachtextformel, median:   {figures['wstf_median']:.1f}")
    for s in sorted(scores, key=lambda s: s.flesch_amstad)[: args.worst]:
        print(f"{s.flesch_amstad:6.1f} {s.wstf:5.1f}  {s.key}: {s.text}")


if __name__ == "__main__":
    main()
