"""The indicator catalogue and the classification of indicator values into map classes."""

from __future__ import annotations

import tomllib
import warnings
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import numpy as np
import pandas as pd

from geo.core import i18n

Direction = Literal["up", "down", "none"]
#: Units written in words, by their catalogue key (symbols such as %, ‰, m², ha need no translation).
_UNIT_KEYS = {
    "Einw.": "unit.inhabitants",
    "Personen": "unit.persons",
    "Haushalte": "unit.households",
    "je 100": "unit.per_100",
    "Einw./km²": "unit.inhabitants_km2",
}


@dataclass(frozen=True)
class Indicator:
    """One indicator: what it measures, its unit and which way need points."""

    id: str
    column: str
    label_de: str
    label_en: str
    unit: str
    direction: Direction
    kind: str
    source: str = ""
    reference_date: str = ""
    label_tr: str = ""
    label_ar: str = ""
    label_uk: str = ""
    label_ru: str = ""

    def label(self, lang: str = "de") -> str:
        """The label in `lang` (``label_<lang>`` in the catalogue; German when it has none)."""
        return str(getattr(self, f"label_{lang}", "") or self.label_de)

    def unit_label(self, lang: str = "de") -> str:
        """The unit as readers of `lang` write it (``Einw.`` -> ``inh.``); symbols such as % stay."""
        key = _UNIT_KEYS.get(self.unit)
        return i18n.translate(key, lang) if key else self.unit

    @property
    def decimals(self) -> int:
        """Decimals to show: none for counts and areas, one for shares, rates and the like."""
        return 0 if self.kind in {"count", "area"} else 1


@dataclass(frozen=True)
class Catalogue:
    """All indicators, in the order of the Quartiersatlas table, with source and reference date."""

    indicators: tuple[Indicator, ...]
    source: str
    reference_date: str
    default_indicator: str
    #: The need index's default recipe (indicator id, weight); empty: Düsseldorf's (`geo.analysis.need.DEFAULT_COMPONENTS`).
    default_need: tuple[tuple[str, float], ...] = ()

    def ids(self) -> list[str]:
        """Indicator ids in catalogue order."""
        return [i.id for i in self.indicators]

    def get(self, indicator_id: str) -> Indicator:
        """The indicator with `indicator_id`; KeyError names the known ids."""
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        msg = f"unknown indicator {indicator_id!r}; known: {', '.join(self.ids())}"
        raise KeyError(msg)

    def column_map(self) -> dict[str, str]:
        """Accepted column headers (Quartiersatlas header or id, case-folded) to indicator id."""
        out: dict[str, str] = {}
        for ind in self.indicators:
            out[_fold(ind.column)] = ind.id
            out[_fold(ind.id)] = ind.id
        return out


def _fold(header: str) -> str:
    return " ".join(str(header).replace("\u2013", "-").split()).casefold()


@cache
def catalogue() -> Catalogue:
    """The catalogue from `geo/data/indikatoren.toml`."""
    text = resources.files("geo.data").joinpath("indikatoren.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    defaults = data["defaults"]
    shared = {"source": defaults["source"], "reference_date": defaults["reference_date"]}
    return Catalogue(
        indicators=tuple(Indicator(**{**shared, **entry}) for entry in data["indicator"]),
        source=defaults["source"],
        reference_date=defaults["reference_date"],
        default_indicator=defaults["default_indicator"],
    )


#: Classification schemes by name; "manual" takes the user's breaks.
SCHEMES = ("quantiles", "fisher_jenks", "equal_interval", "std_mean", "manual")


@dataclass(frozen=True)
class Classes:
    """Class limits for a map: `bins` are the upper bounds; `labels` index the values (-1 = missing)."""

    scheme: str
    bins: tuple[float, ...]
    lower: float
    labels: pd.Series
    #: Fisher-Jenks on many values: the limits were found on this many evenly spread values (else None).
    sampled: int | None = None

    @property
    def k(self) -> int:
        """Number of classes actually formed."""
        return len(self.bins)


#: Fisher-Jenks takes about 4 s for 1,000 values and grows with the square; above this many values the
#: limits are found on this many evenly spread order statistics (the minimum and maximum included), which
#: keeps the classes deterministic. The legend says so.
FISHER_JENKS_MAX = 1000


def _limits(y: np.ndarray, scheme: str, *, k: int, breaks: list[float] | None) -> np.ndarray | None:
    """
    Upper class limits as mapclassify computes them; None for a single class.

    Quantiles, equal intervals and manual limits are computed here with numpy (the same formulas as
    mapclassify's `Quantiles`, `EqualInterval` and `UserDefined`); mapclassify itself, whose import takes
    seconds (it loads scipy and scikit-learn), is imported only for Fisher-Jenks and standard deviations.
    """
    if scheme == "manual":
        limits = sorted({float(b) for b in breaks or [] if y.min() <= float(b) < y.max()})
        return np.asarray([*limits, float(y.max())])
    if scheme == "std_mean":
        import mapclassify  # noqa: PLC0415 - slow to import, rarely needed

        return np.asarray(mapclassify.StdMean(y).bins)
    if k == 1:
        return None
    if scheme == "quantiles":
        step = 100.0 / k
        points = np.minimum(np.arange(step, 100 + step, step), 100.0)
        ordered = np.sort(y)
        at = points / 100.0 * (len(ordered) - 1)  # scipy's scoreatpercentile, as mapclassify uses it
        low = np.floor(at).astype(int)
        high = np.minimum(low + 1, len(ordered) - 1)
        whole = at == low
        mixed = ordered[low] * (low + 1 - at) + ordered[high] * (at - low)  # scipy's weights, bit for bit
        return np.unique(np.where(whole, ordered[low], mixed))
    if scheme == "equal_interval":
        low, high = float(y.min()), float(y.max())
        width = (high - low) / k
        cuts = np.arange(low + width, high + width, width)[:k]  # as mapclassify, to the last bit
        cuts[-1] = high
        return cuts
    import mapclassify  # noqa: PLC0415 - slow to import, rarely needed

    if len(y) > FISHER_JENKS_MAX:  # pure Python and quadratic: limits from evenly spread order statistics
        y = np.sort(y)[np.linspace(0, len(y) - 1, FISHER_JENKS_MAX).round().astype(int)]
    with warnings.catch_warnings():  # "Numba not installed": the sample above keeps it fast enough
        warnings.simplefilter("ignore", UserWarning)
        return np.asarray(mapclassify.FisherJenks(y, k=k).bins)


def classify(
    values: pd.Series, *, scheme: str = "quantiles", k: int = 5, breaks: list[float] | None = None
) -> Classes:
    """
    Classify `values` with a mapclassify scheme; missing values get class -1.

    Parameters
    ----------
    values
        Indicator values, indexed like the map's features.
    scheme
        One of `SCHEMES`: quantiles, Fisher-Jenks natural breaks, equal intervals, standard deviations
        around the mean (-2, -1, +1, +2), or "manual" with `breaks`.
    k
        Wanted number of classes (quantiles, Fisher-Jenks, equal intervals); fewer are formed when there
        are fewer distinct values.
    breaks
        Upper class limits for "manual"; the maximum is added as the last limit.

    Returns
    -------
    Classes
        Upper limits (the last one at least the maximum), the minimum and a class label per value.
    """
    if scheme not in SCHEMES:
        msg = f"unknown classification {scheme!r}; known: {', '.join(SCHEMES)}"
        raise ValueError(msg)
    present = values.dropna().astype(float)
    labels = pd.Series(-1, index=values.index, dtype=int)
    if present.empty:
        return Classes(scheme=scheme, bins=(), lower=float("nan"), labels=labels)
    y = present.to_numpy()
    limits = _limits(y, scheme, k=max(1, min(k, present.nunique())), breaks=breaks)
    if limits is None:
        labels.loc[present.index] = 0
        return Classes(scheme, (float(y.max()),), float(y.min()), labels)
    # a limit below the minimum (standard deviations on skewed data) would make an empty class
    bins = tuple(float(b) for b in np.unique(limits) if b >= y.min()) or (float(y.max()),)
    found = np.searchsorted(np.asarray(bins), y, side="left")
    labels.loc[present.index] = np.minimum(found, len(bins) - 1)
    sampled = FISHER_JENKS_MAX if scheme == "fisher_jenks" and len(y) > FISHER_JENKS_MAX else None
    return Classes(scheme=scheme, bins=bins, lower=float(y.min()), labels=labels, sampled=sampled)
