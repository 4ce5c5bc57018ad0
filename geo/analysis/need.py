r"""
The need index ("Handlungsbedarf"): a composite of indicators the user picks, weights and orients.

Notes
-----
For each chosen indicator :math:`x_j` with direction :math:`d_j` (+1 when a higher value means more
need, -1 when it means less) and weight :math:`w_j`:

1. Orient: :math:`x'_{ij} = d_j x_{ij}`.
2. Normalise over the Sozialräume that have a value, by one of

   * z-score: :math:`(x' - \bar{x}') / s_{x'}` (sample standard deviation),
   * percentile rank: the share of Sozialräume with a value at most :math:`x'` (ties share the mean
     rank), from 0 to 1,
   * min-max: :math:`(x' - \min x') / (\max x' - \min x')`.

3. Combine: the weighted mean over the indicators that Sozialraum has,
   :math:`c_i = \sum_j w_j n_{ij} / \sum_j w_j` (sums over available j). A missing value is left out of
   that Sozialraum's score and reported, never read as zero; a Sozialraum with none of the values
   gets no score.
4. Scale: :math:`score_i = 100 (c_i - \min c) / (\max c - \min c)`: 100 is the highest need among the
   Sozialräume, 0 the lowest. Rank 1 is the highest score.
5. Classes: quintiles of the rank, so each class holds a fifth of the scored Sozialräume, from
   "höchster Bedarf" (class 1, the top fifth) to "niedrigster Bedarf" (class 5).

Robustness: the index is recomputed with each weight multiplied by a random factor between 0.5 and 1.5
(`DRAWS` draws, fixed seed); a Sozialraum is "sensitive" when its class changes in more than
`SENSITIVE_SHARE` of the draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from geo.data.indicators import Catalogue, catalogue

Normalisation = Literal["zscore", "percentile", "minmax"]
NORMALISATIONS: tuple[Normalisation, ...] = ("zscore", "percentile", "minmax")
#: Class 1 is the highest need. Labels are message keys (see `geo/core/locales`).
CLASS_KEYS = ("need.class1", "need.class2", "need.class3", "need.class4", "need.class5")
DEFAULT_COMPONENTS = (("sgb2_quote", 1.0), ("arbeitslosenquote", 1.0), ("kinderarmut", 1.0))
DRAWS = 200
SENSITIVE_SHARE = 0.2


@dataclass(frozen=True)
class Component:
    """One indicator in the index: its weight and whether a higher value means more need."""

    indicator_id: str
    weight: float = 1.0
    higher_is_more_need: bool = True


@dataclass(frozen=True)
class NeedIndex:
    """Scores (0-100), ranks (1 = highest need), classes (1-5) and what was missing, by `sozialraum_id`."""

    score: pd.Series
    rank: pd.Series
    need_class: pd.Series
    missing: dict[str, list[str]]
    components: tuple[Component, ...]
    normalisation: Normalisation


def default_components(available: list[str], cat: Catalogue | None = None) -> list[Component]:
    """
    The default index, limited to what the data has.

    Düsseldorf's: SGB-II rate, unemployment rate, child poverty; another city's as its profile says (`cat`).
    """
    cat = cat or catalogue()
    recipe = cat.default_need or DEFAULT_COMPONENTS
    return [Component(i, w, cat.get(i).direction != "down") for i, w in recipe if i in available]


def counted_twice(chosen: list[str], copies: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """
    Pairs of `chosen` indicators that are copies of each other (an index would count the same data twice).

    `copies` are the pairs the validation found identical (the `first_id`, `second_id` of its
    ``columns_identical`` findings).
    """
    picked = set(chosen)
    return [(a, b) for a, b in copies if a in picked and b in picked]


def normalise(values: pd.Series, method: Normalisation) -> pd.Series:
    """Normalise `values` over the non-missing ones; see the module notes."""
    present = values.dropna()
    if method == "zscore":
        spread = present.std(ddof=1)
        return (values - present.mean()) / spread if spread > 0 else values * 0.0
    if method == "percentile":
        return values.rank(method="average", pct=True)
    spread = present.max() - present.min()
    return (values - present.min()) / spread if spread > 0 else values * 0.0


def _matrix(table: pd.DataFrame, components: list[Component], method: Normalisation) -> pd.DataFrame:
    columns = {}
    for comp in components:
        sign = 1.0 if comp.higher_is_more_need else -1.0
        columns[comp.indicator_id] = normalise(sign * table[comp.indicator_id].astype(float), method)
    return pd.DataFrame(columns, index=table.index)


def _combine(matrix: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted means over available columns; rows of `weights` are alternative weightings."""
    present = ~np.isnan(matrix)
    filled = np.where(present, matrix, 0.0)
    totals = weights @ present.T.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, (weights @ filled.T) / totals, np.nan)


def _scale(combined: np.ndarray) -> np.ndarray:
    low = np.nanmin(combined, axis=-1, keepdims=True)
    high = np.nanmax(combined, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(high > low, 100 * (combined - low) / (high - low), 100.0)


def _classes(scores: np.ndarray) -> np.ndarray:
    """Quintile classes of the rank per row (1 = top fifth); 0 where there is no score."""
    scores = np.atleast_2d(scores)
    out = np.zeros(scores.shape, dtype=int)
    for row, values in enumerate(scores):
        ok = ~np.isnan(values)
        ranks = pd.Series(values[ok]).rank(ascending=False, method="min").to_numpy()
        out[row, ok] = np.minimum(5, 1 + ((ranks - 1) * 5 // ok.sum()).astype(int))
    return out


def need_index(
    table: pd.DataFrame, components: list[Component], *, normalisation: Normalisation = "zscore"
) -> NeedIndex:
    """
    Compute the need index for every Sozialraum of `table`.

    Parameters
    ----------
    table
        One row per Sozialraum: `sozialraum_id` and the indicator columns.
    components
        Indicators with weights (> 0) and directions.
    normalisation
        "zscore", "percentile" or "minmax".

    Returns
    -------
    NeedIndex
        Series indexed by `sozialraum_id`; `missing` maps each indicator to the IDs left out for it.
    """
    components = [c for c in components if c.weight > 0 and c.indicator_id in table.columns]
    ids = table["sozialraum_id"].to_numpy()
    matrix = _matrix(table, components, normalisation).to_numpy(dtype=float)
    weights = np.array([[c.weight for c in components]], dtype=float)
    scores = _scale(_combine(matrix, weights))[0] if components else np.full(len(ids), np.nan)
    score = pd.Series(scores, index=ids, name="score")
    rank = score.rank(ascending=False, method="min").astype("Int64")
    need_class = pd.Series(_classes(scores)[0], index=ids, name="need_class")
    missing = {
        c.indicator_id: list(ids[np.isnan(matrix[:, j])])
        for j, c in enumerate(components)
        if np.isnan(matrix[:, j]).any()
    }
    return NeedIndex(score, rank, need_class, missing, tuple(components), normalisation)


def stability(table: pd.DataFrame, result: NeedIndex, *, draws: int = DRAWS, seed: int = 2026) -> pd.Series:
    """
    Share of random re-weightings (each weight times 0.5-1.5) in which a Sozialraum changes class.

    Returns
    -------
    pandas.Series
        Between 0 and 1 by `sozialraum_id`; NaN where there is no score.
    """
    components = list(result.components)
    if not components:
        return pd.Series(np.nan, index=result.score.index)
    matrix = _matrix(table, components, result.normalisation).to_numpy(dtype=float)
    base = np.array([c.weight for c in components], dtype=float)
    rng = np.random.default_rng(seed)
    weights = base * rng.uniform(0.5, 1.5, size=(draws, len(components)))
    classes = _classes(_scale(_combine(matrix, weights)))
    changed = (classes != result.need_class.to_numpy()[None, :]).mean(axis=0)
    return pd.Series(
        np.where(result.score.isna(), np.nan, changed), index=result.score.index, name="stability"
    )


def is_sensitive(changed_share: float) -> bool:
    """True when a Sozialraum's class changes in more than `SENSITIVE_SHARE` of the re-weightings."""
    return bool(changed_share > SENSITIVE_SHARE)
