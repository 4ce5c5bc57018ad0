"""
Glossary: the app's technical terms in plain words.

Each term has a short label and one plain sentence that also names the precise term, in every UI language
(catalogue keys ``glossary.<term>.term`` and ``glossary.<term>.text`` in `geo/core/locales`). A page shows the
sentence where the word appears (as the help of a label, or in a list of words); the label itself stays
plain, as GOV.UK and the Design System Bund advise: plain words first, the precise term in the explanation.

Every indicator of the catalogue (`geo/data/indikatoren.toml`) has an explanation: `INDICATOR_TERMS` names the
term that explains it, either its own (``sgb2_quote``) or a general one (every share: ``anteil``). The
indicator catalogue sits one layer up (`geo.data.indicators`), so this module names indicators by their id and
`tests/test_glossary.py` checks that both lists agree.
"""

from __future__ import annotations

from geo.core import i18n

#: The terms, in the order a reader meets them: places and people, need and the map, distances and
#: coverage, the app itself, then the indicators.
TERMS: tuple[str, ...] = (
    "partner",
    "hsds",
    "rueckblick",
    "uebergabe",
    "konsent",
    "konsensieren",
    "beschlussfaehig",
    "befragung",
    "sozialraum",
    "stadtteil",
    "stadtbezirk",
    "welcome_point",
    "connector",
    "tandem",
    "anliegen",
    "kennzahl",
    "bedarf",
    "gewicht",
    "bedarfsstufe",
    "rang",
    "stabil",
    "stufe",
    "quantile",
    "gleiche_abstaende",
    "natuerliche_gruppen",
    "z_wert",
    "median",
    "veraenderung",
    "prozentpunkte",
    "stichtag",
    "prognose",
    "amtliche_einteilung",
    "luftlinie",
    "einzugsgebiet",
    "abdeckung",
    "luecke",
    "datensatz",
    "demo",
    "wirkung",
    "kurzprofil",
    "bevoelkerung",
    "anteil",
    "altersgruppe",
    "jugendquotient",
    "altenquotient",
    "auslaender",
    "migrationshintergrund",
    "wanderungssaldo",
    "fluktuation",
    "haushalt",
    "alleinerziehende",
    "senioren_allein",
    "arbeitslose",
    "arbeitslosenquote",
    "sgb2",
    "sgb2_quote",
    "kinderarmut",
    "altersarmut",
    "mindestsicherung",
    "wohngeld",
    "primarstufe",
    "sekundarstufe",
    "schulform",
    "uebergangsquote",
    "wohnflaeche",
    "gefoerderte_wohnung",
    "wohneigentum",
    "hektar",
    "dichte",
    "wohnbauflaeche",
    "gruenflaeche",
)

#: Indicator id (`geo/data/indikatoren.toml`) -> the term that explains it.
INDICATOR_TERMS: dict[str, str] = {
    "bevoelkerung": "bevoelkerung",
    "weiblich_pct": "anteil",
    "alter_u6": "altersgruppe",
    "alter_u6_pct": "anteil",
    "alter_6_17": "altersgruppe",
    "alter_6_17_pct": "anteil",
    "alter_18_29": "altersgruppe",
    "alter_18_29_pct": "anteil",
    "alter_30_49": "altersgruppe",
    "alter_30_49_pct": "anteil",
    "alter_50_64": "altersgruppe",
    "alter_50_64_pct": "anteil",
    "alter_65_79": "altersgruppe",
    "alter_65_79_pct": "anteil",
    "alter_80plus": "altersgruppe",
    "alter_80plus_pct": "anteil",
    "jugendquotient": "jugendquotient",
    "altenquotient": "altenquotient",
    "auslaender_pct": "auslaender",
    "migration_pct": "migrationshintergrund",
    "wanderungssaldo": "wanderungssaldo",
    "fluktuationsrate": "fluktuation",
    "haushalte": "haushalt",
    "einpersonen_hh_pct": "haushalt",
    "hh_kinder_pct": "haushalt",
    "alleinerziehende_pct": "alleinerziehende",
    "senioren_single_pct": "senioren_allein",
    "arbeitslose": "arbeitslose",
    "arbeitslosenquote": "arbeitslosenquote",
    "sgb2_personen": "sgb2",
    "sgb2_quote": "sgb2_quote",
    "kinderarmut": "kinderarmut",
    "altersarmut": "altersarmut",
    "mindestsicherung": "mindestsicherung",
    "wohngeld_hh_pct": "wohngeld",
    "schueler_primar": "primarstufe",
    "schueler_sekundar": "sekundarstufe",
    "hauptschule_pct": "schulform",
    "realschule_pct": "schulform",
    "gymnasium_pct": "schulform",
    "gesamtschule_pct": "schulform",
    "uebergang_gym_pct": "uebergangsquote",
    "wohnflaeche_pro_ew": "wohnflaeche",
    "oeff_gef_whg_pct": "gefoerderte_wohnung",
    "wohneigentum_pct": "wohneigentum",
    "flaeche_ha": "hektar",
    "dichte": "dichte",
    "wohnflaechenanteil_pct": "wohnbauflaeche",
    "gruenflaeche_pct": "gruenflaeche",
}


def terms() -> list[str]:
    """The glossary's term keys, in reading order."""
    return list(TERMS)


def explain(term: str, lang: str = i18n.DEFAULT_LANGUAGE) -> tuple[str, str]:
    """
    The label of `term` and its one-sentence explanation in `lang`.

    Parameters
    ----------
    term
        A key from `terms`, for example ``"median"``.
    lang
        Language code from `geo.core.i18n.LANGUAGES`; a missing translation falls back to German.

    Returns
    -------
    tuple of str
        The term as the app shows it (``"Mittlerer Wert"``) and the sentence, which also names the precise
        term (``"… (Fachwort: Median) …"``).

    Raises
    ------
    KeyError
        For a term the glossary does not have; the message names the known terms.
    """
    if term not in TERMS:
        msg = f"unknown glossary term {term!r}; known: {', '.join(TERMS)}"
        raise KeyError(msg)
    return i18n.translate(f"glossary.{term}.term", lang), i18n.translate(f"glossary.{term}.text", lang)


def for_indicator(indicator_id: str, lang: str = i18n.DEFAULT_LANGUAGE) -> str | None:
    """The sentence that explains the indicator `indicator_id` in `lang`; None for an unknown id."""
    term = INDICATOR_TERMS.get(indicator_id)
    return explain(term, lang)[1] if term else None


#: The words each page uses that a reader may not know, in the order they appear there.
PAGE_TERMS: dict[str, tuple[str, ...]] = {
    "start": ("sozialraum", "welcome_point", "connector", "tandem", "anliegen", "bedarf", "demo"),
    "explore": (
        "sozialraum", "kennzahl", "bedarf", "bedarfsstufe", "stufe", "quantile", "gleiche_abstaende",
        "natuerliche_gruppen", "rang", "stabil", "veraenderung", "prozentpunkte", "stichtag", "kurzprofil",
        "luftlinie", "welcome_point", "stadtteil", "stadtbezirk",
    ),
    "coverage": ("abdeckung", "luecke", "bedarfsstufe", "einzugsgebiet", "luftlinie", "welcome_point", "tandem"),
    "concerns": ("anliegen", "sozialraum", "tandem"),
    "activities": ("tandem", "sozialraum", "welcome_point", "rueckblick"),
    "tandems": ("tandem", "connector", "sozialraum", "welcome_point", "uebergabe"),
    "partners": ("partner", "sozialraum", "tandem", "welcome_point", "hsds"),
    "impact": ("wirkung", "anliegen", "bedarfsstufe", "abdeckung", "tandem"),
    "export": ("kurzprofil", "kennzahl", "bedarf", "stufe", "demo"),
    "data": ("datensatz", "demo", "amtliche_einteilung", "stichtag", "sozialraum"),
    "programme": ("connector", "tandem", "anliegen"),
    "group": ("connector", "anliegen", "konsent", "konsensieren", "beschlussfaehig", "befragung"),
}  # fmt: skip


def for_page(page: str, lang: str = i18n.DEFAULT_LANGUAGE) -> list[tuple[str, str]]:
    """The (word, sentence) pairs a page explains under "Was heißt das?", in the order they appear there."""
    return [explain(term, lang) for term in PAGE_TERMS.get(page, ())]
