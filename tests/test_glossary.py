"""The glossary: every term in every language, one plain sentence each, every indicator explained."""

from __future__ import annotations

import re

import pytest
import textstat

from geo.core import glossary, i18n
from geo.data.indicators import catalogue

#: The precise terms the labels of the app replaced by plain words (issue 25): each is named in an explanation.
PRECISE_TERMS = (
    "SGB II",
    "SGB-II-Quote",
    "Handlungsbedarf",
    "Index",
    "Klasse",
    "Quantile",
    "gleiche Intervalle",
    "z-Wert",
    "Median",
    "Rang",
    "Dynamik",
    "Fluktuationsrate",
    "Steckbrief",
    "Einzugsgebiet",
    "Abdeckung",
    "Luftlinie",
    "Datensatz",
    "Wirkung",
    "Welcome Point",
    "Sozialraum",
    "Stadtteil",
    "Stadtbezirk",
    "Tandem",
    "Anliegen",
    "Demo",
)
#: A sentence ends with one full stop or question mark; inside, a stop followed by a capital (or a digit)
#: starts a second sentence. "1. sınıf" (a Turkish ordinal) is one sentence, "z. B. Bilk" would be two.
_SECOND_SENTENCE = re.compile(r"[.!?؟]\s+(?=[^\W_a-zà-ÿа-яёіїєґçğışöü])")


def _one_sentence(text: str) -> bool:
    text = text.strip()
    return text[-1:] in (".", "?", "؟") and not text.endswith("..") and not _SECOND_SENTENCE.search(text[:-1])


def test_the_checker_tells_one_sentence_from_two() -> None:
    assert _one_sentence("Eine Lücke ist ein Sozialraum mit hohem Bedarf, in dem noch kein Tandem arbeitet.")
    assert _one_sentence("Beş sınıf, alanları beşte birlere ayırır ve 1. sınıf en yüksek olandır.")
    assert not _one_sentence("Ein Satz. Noch ein Satz.")
    assert not _one_sentence("Ein Stadtteil, z. B. Bilk, hat mehrere Sozialräume.")
    assert not _one_sentence("Ohne Punkt am Ende")
    assert not _one_sentence("Zwei Sätze. 2 Stück.")


def test_every_term_has_a_label_and_a_sentence_in_every_language() -> None:
    terms = glossary.terms()
    assert len(terms) == len(set(terms)) >= 40
    for lang in i18n.LANGUAGES:
        messages = i18n.catalogue(lang)
        for term in terms:
            for part in ("term", "text"):
                key = f"glossary.{term}.{part}"
                assert isinstance(messages.get(key), str) and messages[key].strip(), (lang, key)
            label, sentence = glossary.explain(term, lang)
            assert (
                label == messages[f"glossary.{term}.term"] and sentence == messages[f"glossary.{term}.text"]
            )
        if lang != "de":  # a translation, not German left in place
            same = [t for t in terms if glossary.explain(t, lang)[1] == glossary.explain(t, "de")[1]]
            assert same == [], (lang, same)
    # no stray glossary keys without a term
    stray = {k.split(".")[1] for k in i18n.catalogue("de") if k.startswith("glossary.")} - set(terms)
    assert stray == set()


def test_every_explanation_is_one_sentence() -> None:
    for lang in i18n.LANGUAGES:
        wrong = [t for t in glossary.terms() if not _one_sentence(glossary.explain(t, lang)[1])]
        assert wrong == [], (lang, wrong)


def test_every_indicator_the_app_shows_has_an_explanation() -> None:
    ids = catalogue().ids()
    assert set(glossary.INDICATOR_TERMS) == set(ids)  # no indicator left out, none that is gone
    assert set(glossary.INDICATOR_TERMS.values()) <= set(glossary.terms())
    for lang in i18n.LANGUAGES:
        for indicator_id in ids:
            sentence = glossary.for_indicator(indicator_id, lang)
            assert sentence and _one_sentence(sentence), (lang, indicator_id)
    assert glossary.for_indicator("sgb2_quote", "de") == glossary.explain("sgb2_quote", "de")[1]
    assert "Jobcenter" in (glossary.for_indicator("kinderarmut", "de") or "")
    assert glossary.for_indicator("gibt_es_nicht", "de") is None


def test_german_explanations_are_plain() -> None:
    textstat.set_lang("de")
    scores = {t: textstat.flesch_reading_ease(glossary.explain(t, "de")[1]) for t in glossary.terms()}
    hard = {t: round(s, 1) for t, s in scores.items() if s < 50}
    assert hard == {}, hard  # Flesch-Amstad: 50 and more is fairly easy German


def test_the_precise_terms_are_named_in_an_explanation() -> None:
    german = " ".join(" ".join(glossary.explain(t, "de")) for t in glossary.terms())
    missing = [term for term in PRECISE_TERMS if term not in german]
    assert missing == []


def test_an_unknown_term_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match=r"unknown glossary term 'fachchinesisch'.*median"):
        glossary.explain("fachchinesisch")
    assert glossary.explain("median", "xx") == glossary.explain("median", "de")  # German when no catalogue


def test_every_page_explains_only_known_words_in_every_language() -> None:
    for page, words in glossary.PAGE_TERMS.items():
        assert words, page
        for lang in i18n.LANGUAGES:
            pairs = glossary.for_page(page, lang)
            assert len(pairs) == len(words) and all(word and sentence for word, sentence in pairs), (
                page,
                lang,
            )
    assert glossary.for_page("no-such-page") == []


def test_the_german_ui_texts_stay_plain() -> None:
    """Issue 25's target, measured as `bench/readability.py` does: a new long sentence must be plain too."""
    from bench.readability import measure, summary

    figures = summary(measure())
    assert figures["texts"] >= 200  # the measure finds the catalogue's longer texts
    assert figures["share_plain"] >= 0.75, figures  # Flesch-Amstad >= 60 for three quarters of them
    assert figures["wstf_median"] <= 6.0, figures  # Wiener Sachtextformel median
