"""The Sozialraum profile ("Steckbrief"), search, and which Sozialraum a map click hit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo.analysis import coverage
from geo.analysis.need import CLASS_KEYS, NeedIndex, is_sensitive
from geo.core import charts, i18n, tables
from geo.data.dataset import Dataset
from geo.data.indicators import Catalogue, catalogue


def sozialraum_at(spaces: gpd.GeoDataFrame, lat: float, lng: float) -> str | None:
    """The ID of the Sozialraum containing the point (WGS84), or None outside all of them."""
    point = shapely.Point(lng, lat)
    hits = spaces.loc[spaces.geometry.covers(point), "sozialraum_id"]
    return str(hits.iloc[0]) if len(hits) else None


def search_labels(spaces: pd.DataFrame) -> dict[str, str]:
    """ID -> "Name (ID, Stadtteil)" for a search box, sorted by name."""
    rows = spaces.sort_values(["name", "sozialraum_id"])
    return {
        r.sozialraum_id: f"{r.name} ({r.sozialraum_id}, {r.stadtteil})"
        if r.stadtteil
        else f"{r.name} ({r.sozialraum_id})"
        for r in rows.itertuples()
    }


def welcome_point_labels(points: pd.DataFrame) -> dict[object, str]:
    """Welcome Point ID (as the data has it) -> "Name, Adresse" for a picker, in the points' order."""
    return {r.welcome_point_id: f"{r.name}, {r.address}" for r in points.itertuples()}


def comparison(
    spaces: pd.DataFrame,
    sozialraum_id: str,
    indicator_ids: list[str],
    *,
    lang: str = "de",
    cat: Catalogue | None = None,
) -> pd.DataFrame:
    """
    Each indicator of one Sozialraum beside the city median and its Stadtbezirk's median.

    Returns
    -------
    pandas.DataFrame
        `indicator`, `label`, `unit`, `value`, `city`, `bezirk`, `direction` (`cat`: the dataset's catalogue).
    """
    cat = cat or catalogue()
    row = spaces.loc[spaces["sozialraum_id"] == sozialraum_id].iloc[0]
    same_bezirk = spaces["stadtbezirk"] == row["stadtbezirk"]
    city = spaces[indicator_ids].median()
    bezirk = spaces.loc[same_bezirk, indicator_ids].median()
    records = []
    for ind_id in indicator_ids:
        ind = cat.get(ind_id)
        records.append(
            {
                "indicator": ind_id,
                "label": ind.label(lang),
                "unit": ind.unit,
                "unit_label": ind.unit_label(lang),
                "value": row[ind_id],
                "city": city[ind_id],
                "bezirk": bezirk[ind_id],
                "direction": ind.direction,
            }
        )
    return pd.DataFrame.from_records(records)


@dataclass(frozen=True)
class Profile:
    """Everything the Steckbrief shows about one Sozialraum."""

    sozialraum_id: str
    name: str
    stadtteil: str
    stadtbezirk: int
    population: float | None
    score: float | None
    rank: int | None
    need_class: int | None
    class_changes: float | None
    ranked: int
    comparison: pd.DataFrame
    nearest_welcome_points: pd.DataFrame
    neighbours: pd.DataFrame
    official_type: str | None = None
    tandems: tuple[str, ...] = ()


def build_profile(
    dataset: Dataset,
    sozialraum_id: str,
    *,
    indicator_ids: list[str],
    need: NeedIndex | None = None,
    stability: pd.Series | None = None,
    assignments: pd.DataFrame | None = None,
    lang: str = "de",
) -> Profile:
    """
    The profile of `sozialraum_id`: identity, need, indicators against city and Stadtbezirk, places.

    `assignments` (active ones: `sozialraum_id`, `tandem`) adds the tandems working there, by name only.

    Raises
    ------
    KeyError
        When the ID is not in the dataset.
    """
    spaces = dataset.spaces
    if sozialraum_id not in set(spaces["sozialraum_id"]):
        raise KeyError(sozialraum_id)
    row = spaces.loc[spaces["sozialraum_id"] == sozialraum_id].iloc[0]
    population = row.get("bevoelkerung")
    spatial = coverage.spatial_of(dataset)
    neighbour_ids = spatial.neighbours(sozialraum_id)
    names = spaces.set_index("sozialraum_id")["name"]
    score = rank = need_class = changes = None
    ranked = 0
    if need is not None and pd.notna(need.score.get(sozialraum_id)):
        score = float(need.score[sozialraum_id])
        rank = int(need.rank[sozialraum_id])
        need_class = int(need.need_class[sozialraum_id])
        ranked = int(need.score.notna().sum())
        if stability is not None:
            changes = float(stability[sozialraum_id])
    return Profile(
        sozialraum_id=sozialraum_id,
        name=str(row["name"]),
        stadtteil=str(row["stadtteil"] or row["stadtteil_nr"]),  # the number when no names were loaded
        stadtbezirk=int(row["stadtbezirk"]),
        population=float(population) if pd.notna(population) else None,
        score=score,
        rank=rank,
        need_class=need_class,
        class_changes=changes,
        ranked=ranked,
        comparison=comparison(spaces, sozialraum_id, indicator_ids, lang=lang, cat=dataset.catalogue),
        nearest_welcome_points=coverage.nearest_welcome_points(
            spaces, dataset.welcome_points, sozialraum_id, spatial=spatial
        ),
        neighbours=pd.DataFrame({"sozialraum_id": neighbour_ids, "name": [names[i] for i in neighbour_ids]}),
        official_type=str(row["official_type"]) if pd.notna(row.get("official_type")) else None,
        tandems=tuple(sorted(set(assignments.loc[assignments["sozialraum_id"] == sozialraum_id, "tandem"])))
        if assignments is not None
        else (),
    )


def profile_indicators(available: list[str], cat: Catalogue | None = None) -> list[str]:
    """Indicators the Steckbrief shows: those with a direction of need, plus migration and nationality."""
    cat = cat or catalogue()
    extra = {"migration_pct", "auslaender_pct"}
    return [i for i in available if cat.get(i).direction != "none" or i in extra]


def matching_ids(
    spaces: gpd.GeoDataFrame,
    *,
    bezirke: tuple[int, ...] = (),
    classes: tuple[int, ...] = (),
    need: NeedIndex | None = None,
    near: tuple[float, float, float] | None = None,
) -> set[str] | None:
    """
    IDs passing all filters, or None when no filter is set.

    Parameters
    ----------
    spaces
        Sozialräume (EPSG:4326).
    bezirke
        Keep these Stadtbezirke.
    classes
        Keep these need classes (1 = very high).
    need
        The need index the classes refer to.
    near
        (lon, lat, metres): keep Sozialräume within that distance of the point.
    """
    if not (bezirke or classes or near):
        return None
    keep = set(spaces["sozialraum_id"])
    if bezirke:
        keep &= set(spaces.loc[spaces["stadtbezirk"].isin(bezirke), "sozialraum_id"])
    if classes and need is not None:
        keep &= set(need.need_class[need.need_class.isin(classes)].index)
    if near is not None:
        keep &= coverage.within_distance(spaces, *near)
    return keep


def ranking_table(
    dataset: Dataset,
    need: NeedIndex,
    stability: pd.Series,
    *,
    indicator_id: str | None = None,
    only: set[str] | None = None,
) -> pd.DataFrame:
    """
    One row per Sozialraum, highest need first: rank, name, place, index, class, stability, value, distance.

    Returns
    -------
    pandas.DataFrame
        `rank`, `sozialraum_id`, `name`, `stadtteil`, `stadtbezirk`, `score`, `need_class`, `class_changes`,
        `bevoelkerung` (when present), the chosen indicator, `welcome_point_m`.
    """
    spaces = dataset.spaces.set_index("sozialraum_id")
    table = pd.DataFrame(
        {
            "rank": need.rank,
            "name": spaces["name"],
            "stadtteil": spaces["stadtteil"],
            "stadtbezirk": spaces["stadtbezirk"],
            "score": need.score.round(1),
            "need_class": need.need_class,
            "class_changes": stability.round(2),
        }
    )
    if "bevoelkerung" in spaces:
        table["bevoelkerung"] = spaces["bevoelkerung"]
    if indicator_id and indicator_id not in table.columns:
        table[indicator_id] = spaces[indicator_id]
    table["welcome_point_m"] = coverage.distance_to_nearest(dataset.spaces, dataset.welcome_points).round()
    table.index.name = "sozialraum_id"
    table = table.reset_index()
    if only is not None:
        table = table[table["sozialraum_id"].isin(only)]
    return table.sort_values(["rank", "sozialraum_id"], na_position="last").reset_index(drop=True)


def _indicator_heading(cat: Catalogue, indicator_id: str, lang: str) -> str:
    """``"SGB-II-Quote (%)"``: an indicator's label with its unit, in `lang`."""
    indicator = cat.get(indicator_id)
    return f"{indicator.label(lang)} ({indicator.unit_label(lang)})"


def ranking_view(
    dataset: Dataset,
    need: NeedIndex,
    stability: pd.Series,
    *,
    indicator_id: str | None = None,
    only: set[str] | None = None,
    lang: str = "de",
) -> tuple[pd.DataFrame, dict[str, int]]:
    """
    `ranking_table` as a page or a download shows it: classes and stability in words, headings in `lang`.

    Returns the table and the decimals of each numeric column by its heading.
    """
    table = ranking_table(dataset, need, stability, indicator_id=indicator_id, only=only)

    def t(key: str) -> str:
        return i18n.translate(key, lang)

    table["need_class"] = table["need_class"].map(lambda c: t(CLASS_KEYS[c - 1]) if c else "–")
    table["class_changes"] = table["class_changes"].map(
        lambda s: "–" if pd.isna(s) else t("ranking.sensitive") if is_sensitive(s) else t("ranking.stable")
    )
    headers = {
        "rank": t("ranking.rank"),
        "sozialraum_id": "ID",
        "name": t("ranking.name"),
        "stadtteil": t("ranking.stadtteil"),
        "stadtbezirk": t("ranking.bezirk"),
        "score": t("ranking.score"),
        "need_class": t("ranking.class"),
        "class_changes": t("ranking.stability"),
        "bevoelkerung": t("ranking.population"),
        "welcome_point_m": t("ranking.welcome_point_m"),
    }
    decimals = {headers["score"]: 0, headers["bevoelkerung"]: 0, headers["welcome_point_m"]: 0}
    if indicator_id:
        headers[indicator_id] = _indicator_heading(dataset.catalogue, indicator_id, lang)
        decimals[headers[indicator_id]] = dataset.catalogue.get(indicator_id).decimals
    return table.rename(columns=headers), decimals


@dataclass(frozen=True)
class Comparison:
    """Sozialräume side by side: their values with the city's median, and their need index."""

    #: One row per indicator (label with unit), the city's median first, then one column per Sozialraum.
    values: pd.DataFrame
    #: Decimal places per row of `values`.
    decimals: pd.Series
    #: The Sozialräume's names and need index scores, in the order chosen (for a bar chart).
    names: list[str]
    scores: list[float | None]


def side_by_side(
    dataset: Dataset, ids: list[str], indicator_ids: list[str], need: NeedIndex, *, lang: str = "de"
) -> Comparison:
    """The comparison of the Sozialräume `ids` (names from the data, never parsed from a picker's label)."""
    spaces = dataset.spaces.set_index("sozialraum_id")
    names = [str(spaces.at[i, "name"]) or i for i in ids]
    frame = pd.DataFrame(
        {f"{name} ({i})": spaces.loc[i, indicator_ids] for name, i in zip(names, ids, strict=True)}
    )
    frame.insert(0, i18n.translate("profile.city_median", lang), dataset.spaces[indicator_ids].median())
    frame.index = [_indicator_heading(dataset.catalogue, i, lang) for i in indicator_ids]
    decimals = pd.Series([dataset.catalogue.get(i).decimals for i in indicator_ids], index=frame.index)
    scores = [None if pd.isna(v := need.score.get(i)) else float(v) for i in ids]
    return Comparison(values=frame, decimals=decimals, names=names, scores=scores)


#: How far from the city's typical value (the median) an indicator must be to be worth a sentence, and the
#: words for it: (lower bound of value / city median, message key). Between 0.8 and 1.25 nothing is said.
_RATIO_WORDS = (
    (2.5, "profile.say_more_than_double"),
    (1.75, "profile.say_almost_double"),
    (1.25, "profile.say_higher"),
    (0.8, None),
    (0.57, "profile.say_lower"),
    (0.4, "profile.say_about_half"),
    (0.0, "profile.say_less_than_half"),
)


def _ratio_key(ratio: float) -> str | None:
    for bound, key in _RATIO_WORDS:
        if ratio >= bound:
            return key
    return None


def plain_summary(
    p: Profile, *, lang: str = "de", sentences: int = 3, with_need: bool = True, cat: Catalogue | None = None
) -> list[str]:
    """
    Up to `sentences` short sentences saying what stands out in a Steckbrief, in `lang`.

    The first names the need class and rank (when there is an index and `with_need`); the others the indicators (shares and
    rates with a direction of need) that differ most from the city's typical value, the median, as a reader
    would say it: "Kinderarmut ist fast doppelt so hoch wie in der Stadt üblich (24,8 % statt 13,1 %)".
    Counts and areas are left out (a large Sozialraum is not needier for being large).
    """
    said: list[str] = []
    if with_need and p.need_class is not None and p.rank is not None:
        said.append(i18n.translate(f"profile.say_need{p.need_class}", lang, rank=p.rank, n=p.ranked))
    cat = cat or catalogue()
    candidates = []
    for row in p.comparison.itertuples():
        indicator = cat.get(str(row.indicator))
        if indicator.direction == "none" or indicator.kind in {"count", "area"}:
            continue
        if pd.isna(row.value) or pd.isna(row.city) or row.city <= 0:
            continue
        ratio = float(row.value) / float(row.city)
        key = _ratio_key(ratio)
        if key is None:
            continue
        strength = abs(ratio - 1) if ratio >= 1 else abs(1 / max(ratio, 1e-9) - 1)
        candidates.append((strength, key, indicator, float(row.value), float(row.city)))
    candidates.sort(key=lambda c: -c[0])
    for _strength, key, indicator, value, city in candidates[: max(0, sentences - len(said))]:
        unit = indicator.unit_label(lang)
        said.append(
            i18n.translate(
                key,
                lang,
                indicator=indicator.label(lang),
                value=f"{i18n.format_number(value, lang, decimals=indicator.decimals)} {unit}".strip(),
                city=f"{i18n.format_number(city, lang, decimals=indicator.decimals)} {unit}".strip(),
            )
        )
    if len(said) < sentences and not candidates:
        said.append(i18n.translate("profile.say_typical", lang))
    return said


@dataclass(frozen=True)
class Sheet:
    """
    A Steckbrief ready to show: the profile, its plain sentences, its chart and its table, in one language.

    The same for everyone who looks at the same Sozialraum with the same data, need index and register state
    (no personal data: tandems by name only), so the app makes it once for all sessions.
    """

    profile: Profile
    summary: list[str]
    chart: dict[str, Any] | None
    table: str  # Markdown, every cell escaped


def sheet(
    dataset: Dataset,
    sozialraum_id: str,
    *,
    indicator_ids: list[str],
    need: NeedIndex | None = None,
    stability: pd.Series | None = None,
    assignments: pd.DataFrame | None = None,
    lang: str = "de",
) -> Sheet:
    """
    `build_profile` with what the Steckbrief shows from it: `plain_summary`, the dot chart and the table.

    Raises
    ------
    KeyError
        When the ID is not in the dataset.
    """
    cat = dataset.catalogue
    p = build_profile(
        dataset,
        sozialraum_id,
        indicator_ids=indicator_ids,
        need=need,
        stability=stability,
        assignments=assignments,
        lang=lang,
    )

    def t(key: str, **params: object) -> str:
        return i18n.translate(key, lang, **params)

    comp = p.comparison
    chart = charts.profile_dots(
        comp,
        name=p.name,
        city=t("profile.city_median"),
        bezirk=t("profile.bezirk_median", n=p.stadtbezirk),
        lang=lang,
    )
    # narrow columns and short headers, so that a phone shows the values without scrolling sideways
    frame = pd.DataFrame(
        {
            t("profile.indicator"): [
                f"{lab} ({unit})" if unit else lab
                for lab, unit in zip(comp["label"], comp["unit_label"], strict=True)
            ],
            t("profile.value_short"): comp["value"],
            t("profile.city_short"): comp["city"],
            t("profile.bezirk_short", n=p.stadtbezirk): comp["bezirk"],
        }
    )
    places = comp["indicator"].map(lambda i: cat.get(i).decimals)
    return Sheet(
        profile=p,
        summary=plain_summary(p, lang=lang, cat=cat),
        chart=chart,
        table=tables.markdown_table(frame, lang, row_decimals=places),
    )
