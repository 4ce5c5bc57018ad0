"""
Change over time: how an indicator of each Sozialraum changed between two dates, and its dynamics class.

Peers pair a status index with a dynamics index (Berlin's Monitoring Soziale Stadtentwicklung, Hamburg's
Sozialmonitoring). Here the status is the need class and the dynamics class says, for one indicator with a
time series at Sozialraum level, whether it is rising, stable or falling:

- for a count (population, an age group): the average change per year in percent, compound
  (``(end / start) ** (1 / years) - 1``);
- for a share or rate (unit ``%``): the average change per year in percentage points.

It is *rising* above `STABLE_BAND`, *falling* below its negative, *stable* in between. The band is stated
wherever a class is shown. Only Sozialraum values take part: a Stadtteil value is never spread over its
Sozialräume (`geo.data.series`). Forecast values are not observations and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from geo.core import i18n
from geo.data.indicators import catalogue

#: A change per year within ± this (percent for counts, percentage points for shares) counts as stable.
STABLE_BAND = 1.0
#: The dynamics classes, in the order of a legend.
CLASSES = ("rising", "stable", "falling")
#: Diverging colours (ColorBrewer PuOr, 5 classes, colour-blind safe): decrease orange, increase purple.
DIVERGING = ("#e66101", "#fdb863", "#f7f7f7", "#b2abd2", "#5e3c99")
NO_DATA_COLOUR = "#d9d9d9"


def _observed(table: pd.DataFrame | None) -> pd.DataFrame:
    if table is None or table.empty:
        return pd.DataFrame(columns=["level", "id", "indicator", "date", "value", "kind", "source"])
    return table[(table["level"] == "sozialraum") & (table["kind"] == "observed")]


def indicators(table: pd.DataFrame | None) -> list[str]:
    """Indicators with Sozialraum values at two or more dates, in catalogue order (unknown ones last)."""
    rows = _observed(table)
    counts = rows.groupby("indicator")["date"].nunique()
    found = set(counts[counts >= 2].index)
    known = [i for i in catalogue().ids() if i in found]
    return known + sorted(found - set(known))


def dates(table: pd.DataFrame | None, indicator: str) -> list[str]:
    """The reference dates (ISO) of an indicator's Sozialraum values, oldest first."""
    rows = _observed(table)
    return sorted(rows.loc[rows["indicator"] == indicator, "date"].astype(str).unique())


def is_share(indicator: str) -> bool:
    """Whether an indicator is a share or rate (changes in percentage points) rather than a count."""
    try:
        return catalogue().get(indicator).unit == "%"
    except KeyError:
        return False


def _years(start: str, end: str) -> float:
    return (date.fromisoformat(end) - date.fromisoformat(start)).days / 365.25


@dataclass(frozen=True)
class Change:
    """One indicator's change between two dates for every Sozialraum that has both values."""

    indicator: str
    start: str
    end: str
    #: ``absolute`` (the unit of the indicator, or percentage points for a share) or ``percent``.
    how: str
    #: Values at `start` and at `end`, by Sozialraum ID (NaN where a value is missing).
    before: pd.Series
    after: pd.Series
    #: The change by Sozialraum ID, as `how` says; NaN where a value is missing (or 0 at `start` in percent).
    change: pd.Series
    #: The dynamics class by Sozialraum ID (`CLASSES`, "" without both values).
    dynamics: pd.Series
    #: The change per year each dynamics class was cut at (percent, or points for a share).
    per_year: pd.Series


def change(
    table: pd.DataFrame | None,
    indicator: str,
    start: str,
    end: str,
    *,
    how: str = "percent",
    ids: list[str] | None = None,
    band: float = STABLE_BAND,
) -> Change:
    """
    The change of `indicator` from `start` to `end` (ISO dates) per Sozialraum, and its dynamics class.

    Parameters
    ----------
    table
        The dataset's time series (`geo.data.series`).
    indicator, start, end
        What and between which reference dates; `end` must be later than `start`.
    how
        ``absolute`` or ``percent`` (for a share, ``absolute`` is in percentage points).
    ids
        The Sozialräume to report (all of the dataset's), missing ones get NaN.
    band
        The stable band per year (`STABLE_BAND`).

    Raises
    ------
    ValueError
        For an unknown `how` or an `end` that is not after `start`.
    """
    if how not in ("absolute", "percent"):
        raise ValueError(f"unknown change {how!r}; absolute or percent")
    years = _years(start, end)
    if years <= 0:
        raise ValueError(f"the end {end} must be after the start {start}")
    rows = _observed(table)
    rows = rows[rows["indicator"] == indicator]
    wide = rows.pivot_table(index="id", columns="date", values="value", aggfunc="last")
    index = pd.Index(ids if ids is not None else sorted(wide.index), name="sozialraum_id")
    before = wide[start].reindex(index) if start in wide else pd.Series(np.nan, index=index)
    after = wide[end].reindex(index) if end in wide else pd.Series(np.nan, index=index)
    before, after = before.astype(float), after.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = (after / before - 1) * 100
        relative = relative.where(before > 0)
        if is_share(indicator):
            per_year = (after - before) / years
        else:
            per_year = ((after / before) ** (1 / years) - 1) * 100
            per_year = per_year.where(before > 0)
    delta = after - before if how == "absolute" else relative
    dyn = pd.Series(
        np.select(
            [per_year > band, per_year < -band, per_year.notna()], ["rising", "falling", "stable"], default=""
        ),
        index=index,
    )
    return Change(indicator, start, end, how, before, after, delta.rename("change"), dyn, per_year)


def breaks(values: pd.Series) -> tuple[float, float]:
    """
    The two cuts of a symmetric diverging scale: small changes within ±a, large ones beyond ±b.

    `b` is the 80th percentile of the absolute changes and `a` a quarter of it, both rounded to two
    significant digits, so most Sozialräume fall in the four outer classes and the middle one means "hardly
    changed". (0, 0) without values.
    """
    size = values.abs().dropna()
    if size.empty or float(size.max()) == 0:
        return 0.0, 0.0
    b = float(f"{float(np.quantile(size, 0.8)) or float(size.max()):.2g}")
    return float(f"{b / 4:.2g}"), b


def classes(values: pd.Series) -> pd.Series:
    """Diverging class 0 (large decrease) … 4 (large increase) by `breaks`; -1 where there is no value."""
    a, b = breaks(values)
    cut = np.select(
        [values < -b, values < -a, values <= a, values <= b, values > b], [0, 1, 2, 3, 4], default=-1
    )
    return pd.Series(cut, index=values.index)


def unit_of(result: Change, lang: str) -> str:
    """The unit a change is given in: %, percentage points, or the indicator's own unit."""
    if result.how == "percent":
        return "%"
    if is_share(result.indicator):
        return i18n.translate("dynamics.points", lang)
    try:
        return catalogue().get(result.indicator).unit_label(lang)
    except KeyError:
        return ""


def format_change(value: float, lang: str, *, decimals: int = 1) -> str:
    """A change with its sign (+3,1 / −2,0 / ±0), in the reader's number format."""
    if pd.isna(value):
        return "–"
    text = i18n.format_number(abs(value), lang, decimals=decimals)
    if round(value, decimals) == 0:
        return f"±{text}"
    return ("+" if value > 0 else "\u2212") + text


def band_text(indicator: str, lang: str, band: float = STABLE_BAND) -> str:
    """How the dynamics classes are cut, in words: per year, in percent or percentage points."""
    key = "dynamics.band_points" if is_share(indicator) else "dynamics.band_percent"
    return i18n.translate(key, lang, band=i18n.format_number(band, lang, decimals=1, trim=True))


def label(indicator: str, lang: str) -> str:
    """The indicator's name (its ID when the catalogue does not know it)."""
    try:
        return catalogue().get(indicator).label(lang)
    except KeyError:
        return indicator


def status_table(need_class: pd.Series, dynamics: pd.Series) -> pd.DataFrame:
    """
    Sozialräume counted by need class (rows 1–5) and dynamics class (columns `CLASSES`).

    Only Sozialräume with both a need class and a dynamics class count.
    """
    both = pd.DataFrame({"need": need_class, "dyn": dynamics.reindex(need_class.index)}).dropna()
    both = both[(both["need"] >= 1) & both["dyn"].isin(CLASSES)]
    table = pd.crosstab(both["need"].astype(int), both["dyn"])
    return table.reindex(index=[1, 2, 3, 4, 5], columns=list(CLASSES), fill_value=0)


def of(table: pd.DataFrame | None, sozialraum_id: str, indicator: str = "bevoelkerung") -> Change | None:
    """
    One Sozialraum's change of `indicator` from its first to its last observed date (None without two).

    For the Steckbrief: the dynamics class next to the need class.
    """
    found = dates(table, indicator)
    rows = _observed(table)
    mine = rows[(rows["indicator"] == indicator) & (rows["id"] == sozialraum_id)]
    own = sorted(set(mine["date"].astype(str)) & set(found))
    if len(own) < 2:
        return None
    return change(table, indicator, own[0], own[-1], ids=[sozialraum_id])


def sentence(table: pd.DataFrame | None, sozialraum_id: str, lang: str) -> str | None:
    """
    The Steckbrief's dynamics line in Markdown (bold class), as the fact sheet prints it without the marks.

    None when the Sozialraum has no course of the population.
    """
    found = of(table, sozialraum_id)
    if found is None:
        return None
    klass = str(found.dynamics.iloc[0])
    return i18n.translate(
        "profile.dynamics",
        lang,
        indicator=label(found.indicator, lang),
        start=i18n.format_date(date.fromisoformat(found.start), lang),
        end=i18n.format_date(date.fromisoformat(found.end), lang),
        klass=i18n.translate(f"dynamics.column_{klass}", lang),
        change=format_change(float(found.per_year.iloc[0]), lang),
        unit=i18n.translate("dynamics.points", lang) if is_share(found.indicator) else "%",
    )
