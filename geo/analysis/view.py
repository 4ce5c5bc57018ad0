"""
The map view: what a map shows, as one value that Erkunden, Abdeckung, Export and the command line share.

It travels as the page address, so a link shared in a chat opens the same view and ``python -m geo export
--link`` writes exactly what a screen shows.

Parameters (all optional; unknown or stale values are dropped, never an error):

=============  ====================================================  ===========================
name           meaning                                               example
=============  ====================================================  ===========================
``ansicht``    ``indikator``, ``index`` (need) or ``typ`` (official)  ``index``
``indikator``  indicator id                                          ``sgb2_quote``
``methode``    classification                                        ``fisher_jenks``
``klassen``    number of classes (2-9)                               ``5``
``grenzen``    manual class limits                                   ``5,10,20``
``index``      components ``id:weight:direction`` (``+``/``-``)      ``sgb2_quote:2:+,kinderarmut:1:+``
``norm``       normalisation of the index                            ``percentile``
``sr``         selected Sozialraum                                   ``063007``
``liste``      shortlist (up to four)                                ``011001,063007``
``bezirk``     Stadtbezirk filter                                    ``3,6``
``klasse``     need-class filter (1 = very high)                     ``1,2``
``wp``, ``km``  within ``km`` of Welcome Point ``wp``                 ``wp-demo-01``, ``1.5``
``von``        change view: first date (ISO)                         ``2019-12-31``
``bis``        change view: second date (ISO)                        ``2023-12-31``
``wie``        change view: ``prozent`` or ``absolut``               ``absolut``
``mindest``    coverage view: need classes 1 to this count as high    ``1``
``radius``     coverage view: distance to a Welcome Point in km      ``1.5``
``messung``    coverage view: from a ``punkt`` inside or the ``rand``  ``rand``
=============  ====================================================  ===========================

``ansicht`` may also be ``wandel`` (change between two dates) or ``abdeckung`` (coverage by tandems).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

import pandas as pd

from geo.analysis import dynamics
from geo.analysis.need import NORMALISATIONS, Component, Normalisation
from geo.data.indicators import SCHEMES

Mode = Literal["indikator", "index", "typ", "wandel", "abdeckung"]
MODES: tuple[str, ...] = ("indikator", "index", "typ", "wandel", "abdeckung")
MAX_SHORTLIST = 4
#: How a change is measured, and how the address spells it.
CHANGE_HOW = {"percent": "prozent", "absolute": "absolut"}
#: Where a distance to a Welcome Point starts (`geo.analysis.coverage.DISTANCE_MEASURES`), and how the address spells it.
MEASURES = {"point": "punkt", "edge": "rand"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class MapView:
    """
    What a map shows; the defaults are what a plain link opens.

    The same value drives the screen (Erkunden, Abdeckung), the files (Export) and the command line. In the
    change view (``wandel``) `indicator` is the indicator whose change is shown.
    """

    mode: Mode = "indikator"
    indicator: str | None = None
    scheme: str = "quantiles"
    k: int = 5
    breaks: tuple[float, ...] = ()
    components: tuple[Component, ...] = ()
    normalisation: Normalisation = "zscore"
    selected: str | None = None
    shortlist: tuple[str, ...] = ()
    bezirke: tuple[int, ...] = ()
    classes: tuple[int, ...] = ()
    welcome_point: str | None = None
    distance_km: float | None = None
    change_from: str | None = None
    change_to: str | None = None
    change_how: str = "percent"
    min_class: int = 2
    coverage_km: float = 1.0
    measure: str = "point"

    def with_selected(self, sozialraum_id: str | None) -> MapView:
        """The same view with another selected Sozialraum."""
        return replace(self, selected=sozialraum_id)

    def styling_key(self) -> MapView:
        """
        Only what decides colours and legend: two views with the same key are styled alike.

        Selection, shortlist and filters only mark shapes on top, so a cache of stylings keys on this.
        """
        kept = {
            "indikator": ("indicator", "scheme", "k", "breaks"),
            "index": ("components", "normalisation"),
            "typ": (),
            "wandel": ("indicator", "change_from", "change_to", "change_how"),
            "abdeckung": ("components", "normalisation", "min_class", "measure"),
        }[self.mode]
        return MapView(mode=self.mode, **{name: getattr(self, name) for name in kept})

    @property
    def distance_m(self) -> float:
        """The coverage view's distance to a Welcome Point in metres."""
        return self.coverage_km * 1000


def numbers(text: str, cast: type) -> list[Any]:
    """The comma-separated numbers in `text` that `cast` accepts; the rest is skipped."""
    out = []
    for part in text.split(","):
        with contextlib.suppress(ValueError):
            out.append(cast(part.strip().replace(" ", "")))
    return out


def _components(text: str, available: set[str]) -> tuple[Component, ...]:
    out = []
    for part in text.split(","):
        bits = part.split(":")
        if bits[0] not in available:
            continue
        try:
            weight = float(bits[1]) if len(bits) > 1 else 1.0
        except ValueError:
            weight = 1.0
        out.append(Component(bits[0], max(0.0, min(weight, 10.0)), not (len(bits) > 2 and bits[2] == "-")))
    return tuple(out)


#: Every URL parameter a map view may carry (a link with one of them opens the map).
PARAMETERS = frozenset(
    {
        "ansicht",
        "indikator",
        "methode",
        "klassen",
        "grenzen",
        "index",
        "norm",
        "sr",
        "liste",
        "bezirk",
        "klasse",
        "wp",
        "km",
        "von",
        "bis",
        "wie",
        "mindest",
        "radius",
        "messung",
    }
)


def to_params(view: MapView) -> dict[str, str]:
    """URL parameters for `view`, leaving out defaults so links stay short."""
    default = MapView()
    params: dict[str, str] = {}
    if view.mode != default.mode:
        params["ansicht"] = view.mode
    if view.indicator:
        params["indikator"] = view.indicator
    if view.scheme != default.scheme:
        params["methode"] = view.scheme
    if view.k != default.k:
        params["klassen"] = str(view.k)
    if view.breaks:
        params["grenzen"] = ",".join(f"{b:g}" for b in view.breaks)
    if view.components:
        params["index"] = ",".join(
            f"{c.indicator_id}:{c.weight:g}:{'+' if c.higher_is_more_need else '-'}" for c in view.components
        )
    if view.normalisation != default.normalisation:
        params["norm"] = view.normalisation
    if view.selected:
        params["sr"] = view.selected
    if view.shortlist:
        params["liste"] = ",".join(view.shortlist)
    if view.bezirke:
        params["bezirk"] = ",".join(map(str, view.bezirke))
    if view.classes:
        params["klasse"] = ",".join(map(str, view.classes))
    if view.welcome_point and view.distance_km:
        params["wp"] = view.welcome_point
        params["km"] = f"{view.distance_km:g}"
    if view.mode == "wandel":
        params.update({"von": view.change_from or "", "bis": view.change_to or ""})
        if view.change_how != default.change_how:
            params["wie"] = CHANGE_HOW[view.change_how]
    if view.mode == "abdeckung":
        if view.min_class != default.min_class:
            params["mindest"] = str(view.min_class)
        if view.coverage_km != default.coverage_km:
            params["radius"] = f"{view.coverage_km:g}"
        if view.measure != default.measure:
            params["messung"] = MEASURES[view.measure]
    return {name: value for name, value in params.items() if value}


def from_link(link: str) -> dict[str, str]:
    """
    The parameters of a link as a browser shows it, or of its query string alone (with or without ``?``).

    ``https://…/erkunden?ansicht=index&norm=percentile`` and ``ansicht=index&norm=percentile`` give the same.
    """
    text = link.strip()
    if "://" in text or text.startswith("/"):
        text = urlsplit(text).query
    return dict(parse_qsl(text.lstrip("?"), keep_blank_values=False))


def from_params(
    params: Mapping[str, str | list[str]],
    *,
    indicators: list[str],
    sozialraum_ids: set[str],
    welcome_point_ids: set[str],
    changing: list[str] | None = None,
    bezirk_ids: set[int] | None = None,
) -> MapView:
    """
    The view a link describes, keeping only values that exist in the dataset at hand.

    Parameters
    ----------
    params
        URL parameters (`st.query_params`, `from_link` or a plain dict; list values take the last item).
    indicators, sozialraum_ids, welcome_point_ids
        What the current dataset has.
    changing
        The indicators with a time series (the change view's choice); without them a change link opens the
        indicator view.
    bezirk_ids
        The dataset's Stadtbezirke (`Dataset.bezirk_ids`; Düsseldorf has 10, Berlin 12); without them any
        number from 1 to 99.
    """
    get = {k: (v[-1] if isinstance(v, list) else v) for k, v in params.items() if v}
    view = MapView()
    mode = get.get("ansicht", "")
    if mode not in MODES or (mode == "wandel" and not changing):
        mode = "indikator"
    choice = changing if mode == "wandel" else indicators
    indicator = get.get("indikator") if get.get("indikator") in (choice or []) else None
    dates = [get.get(name) if _ISO_DATE.match(get.get(name, "")) else None for name in ("von", "bis")]
    radius = [d for d in numbers(get.get("radius", ""), float) if 0 < d <= 50]
    min_class = [c for c in numbers(get.get("mindest", ""), int) if 1 <= c <= 3]
    scheme = get.get("methode") if get.get("methode") in SCHEMES else view.scheme
    ks = [k for k in numbers(get.get("klassen", ""), int) if 2 <= k <= 9]
    norm = next((n for n in NORMALISATIONS if n == get.get("norm")), view.normalisation)
    shortlist = tuple(dict.fromkeys(i for i in get.get("liste", "").split(",") if i in sozialraum_ids))
    km = [d for d in numbers(get.get("km", ""), float) if 0 < d <= 50]
    wp = get.get("wp") if get.get("wp") in welcome_point_ids and km else None
    return MapView(
        mode=mode,  # type: ignore[arg-type]
        indicator=indicator,
        scheme=scheme or view.scheme,
        k=ks[0] if ks else view.k,
        breaks=tuple(sorted(numbers(get.get("grenzen", ""), float))),
        components=_components(get.get("index", ""), set(indicators)),
        normalisation=norm,
        selected=get.get("sr") if get.get("sr") in sozialraum_ids else None,
        shortlist=shortlist[:MAX_SHORTLIST],
        bezirke=tuple(
            sorted(
                {
                    b
                    for b in numbers(get.get("bezirk", ""), int)
                    if (b in bezirk_ids if bezirk_ids else 1 <= b <= 99)
                }
            )
        ),
        classes=tuple(sorted({c for c in numbers(get.get("klasse", ""), int) if 1 <= c <= 5})),
        welcome_point=wp,
        distance_km=km[0] if wp else None,
        change_from=dates[0],
        change_to=dates[1],
        change_how=next((how for how, word in CHANGE_HOW.items() if word == get.get("wie")), view.change_how),
        min_class=min_class[0] if min_class else view.min_class,
        coverage_km=radius[0] if radius else view.coverage_km,
        measure=next((m for m, word in MEASURES.items() if word == get.get("messung")), view.measure),
    )


def modes(*, has_type: bool, has_change: bool, coverage: bool = True) -> list[str]:
    """The views a dataset can show: the type view needs the city's classification, the change view a series."""
    return [
        m
        for m in MODES
        if (m != "typ" or has_type) and (m != "wandel" or has_change) and (m != "abdeckung" or coverage)
    ]


def with_mode(shown: MapView, mode: str, indicator: str | None = None) -> MapView:
    """
    `shown` as another view (a picker on the Export page): its recipe, limits and settings are kept.

    `indicator` is the indicator picked for the indicator view; the change view keeps its own only when it
    stays the change view.
    """
    if mode == "indikator":
        return replace(
            shown, mode="indikator", indicator=indicator or (shown.indicator if shown.mode == mode else None)
        )
    return replace(shown, mode=mode, indicator=shown.indicator if shown.mode == mode else None)  # type: ignore[arg-type]


def has_view(params: Mapping[str, object]) -> bool:
    """Whether an address describes a map view (any of `PARAMETERS`), not just a page or a language."""
    return bool(PARAMETERS & set(params))


def bezirk_ids(spaces: pd.DataFrame) -> set[int]:
    """The Stadtbezirke a dataset has, as the numbers a link names them by (`from_params`)."""
    return {int(b) for b in spaces["stadtbezirk"].dropna().astype(str) if b.strip().isdigit()}


def change_of(view: MapView, series: pd.DataFrame | None, ids: list[str]) -> dynamics.Change | None:
    """
    The change a change view shows, or None for another view or an indicator without two dates.

    A date the series does not have falls back as the page's pickers do: the first date, then the latest
    after it. Without an indicator the first one with a series is shown.
    """
    if view.mode != "wandel":
        return None
    indicator = view.indicator or next(iter(dynamics.indicators(series)), None)
    found = dynamics.dates(series, indicator) if indicator else []
    if indicator is None or len(found) < 2:
        return None
    start = view.change_from if view.change_from in found[:-1] else found[0]
    later = [d for d in found if d > start]
    end = view.change_to if view.change_to in later else later[-1]
    return dynamics.change(series, indicator, start, end, how=view.change_how, ids=ids)


def click_target(value: object, known_ids: set[str]) -> tuple[str | None, tuple[float, float] | None]:
    """
    What a click on the map means: the Sozialraum hit (when it is one of `known_ids`) and the place.

    `value` is the map's trigger value ``{"id", "lat", "lng"}``; anything else (a stale or forged value)
    means nothing.
    """
    if not isinstance(value, dict):
        return None, None
    try:
        place = (float(value["lat"]), float(value["lng"]))
    except (KeyError, TypeError, ValueError):
        place = None
    if place is not None and not (-90 <= place[0] <= 90 and -180 <= place[1] <= 180):
        place = None
    hit = value.get("id")
    return (hit if isinstance(hit, str) and hit in known_ids else None), place
