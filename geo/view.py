"""
The explore view as URL parameters, so a link shared in a chat opens the same view.

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
=============  ====================================================  ===========================
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from geo.indicators import SCHEMES
from geo.need import NORMALISATIONS, Component, Normalisation

Mode = Literal["indikator", "index", "typ", "wandel"]
MAX_SHORTLIST = 4


@dataclass(frozen=True)
class ExploreView:
    """What the explore page shows; the defaults are what a plain link opens."""

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

    def with_selected(self, sozialraum_id: str | None) -> ExploreView:
        """The same view with another selected Sozialraum."""
        return replace(self, selected=sozialraum_id)


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
    }
)


def to_params(view: ExploreView) -> dict[str, str]:
    """URL parameters for `view`, leaving out defaults so links stay short."""
    default = ExploreView()
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
    return params


def from_params(
    params: Mapping[str, str | list[str]],
    *,
    indicators: list[str],
    sozialraum_ids: set[str],
    welcome_point_ids: set[str],
) -> ExploreView:
    """
    The view a link describes, keeping only values that exist in the dataset at hand.

    Parameters
    ----------
    params
        URL parameters (`st.query_params` or a plain dict; list values take the last item).
    indicators, sozialraum_ids, welcome_point_ids
        What the current dataset has.
    """
    get = {k: (v[-1] if isinstance(v, list) else v) for k, v in params.items() if v}
    view = ExploreView()
    mode: Mode = {"index": "index", "typ": "typ", "wandel": "wandel"}.get(get.get("ansicht", ""), "indikator")  # type: ignore[assignment]
    indicator = get.get("indikator") if get.get("indikator") in indicators else None
    scheme = get.get("methode") if get.get("methode") in SCHEMES else view.scheme
    ks = [k for k in numbers(get.get("klassen", ""), int) if 2 <= k <= 9]
    norm = next((n for n in NORMALISATIONS if n == get.get("norm")), view.normalisation)
    shortlist = tuple(dict.fromkeys(i for i in get.get("liste", "").split(",") if i in sozialraum_ids))
    km = [d for d in numbers(get.get("km", ""), float) if 0 < d <= 50]
    wp = get.get("wp") if get.get("wp") in welcome_point_ids and km else None
    return ExploreView(
        mode=mode,
        indicator=indicator,
        scheme=scheme or view.scheme,
        k=ks[0] if ks else view.k,
        breaks=tuple(sorted(numbers(get.get("grenzen", ""), float))),
        components=_components(get.get("index", ""), set(indicators)),
        normalisation=norm,
        selected=get.get("sr") if get.get("sr") in sozialraum_ids else None,
        shortlist=shortlist[:MAX_SHORTLIST],
        bezirke=tuple(sorted({b for b in numbers(get.get("bezirk", ""), int) if 1 <= b <= 10})),
        classes=tuple(sorted({c for c in numbers(get.get("klasse", ""), int) if 1 <= c <= 5})),
        welcome_point=wp,
        distance_km=km[0] if wp else None,
    )


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
