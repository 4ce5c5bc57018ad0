"""
The synthetic demo dataset: shaped like the official data, derived from none of it.

171 Sozialräume with the official ID scheme (3-digit Stadtteil number + running number) over the 50
real Stadtteil numbers and names and the 10 Stadtbezirke; geometry is a nested Voronoi tessellation of a
made-up, Düsseldorf-sized outline; indicators follow a synthetic need surface with hot spots, so they are
correlated and spatially clustered. Everything is deterministic for a given seed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPoint, Polygon

from geo.core.settings import CITY_POPULATION_2021, METRIC_CRS
from geo.data.dataset import DatasetMeta, write_dataset

#: The 50 Stadtteile of Düsseldorf: official number and name (public administrative names).
STADTTEILE: tuple[tuple[str, str], ...] = (
    ("011", "Altstadt"),
    ("012", "Carlstadt"),
    ("013", "Stadtmitte"),
    ("014", "Pempelfort"),
    ("015", "Derendorf"),
    ("016", "Golzheim"),
    ("021", "Flingern Süd"),
    ("022", "Flingern Nord"),
    ("023", "Düsseltal"),
    ("031", "Friedrichstadt"),
    ("032", "Unterbilk"),
    ("033", "Hafen"),
    ("034", "Hamm"),
    ("035", "Volmerswerth"),
    ("036", "Bilk"),
    ("037", "Oberbilk"),
    ("038", "Flehe"),
    ("041", "Oberkassel"),
    ("042", "Heerdt"),
    ("043", "Lörick"),
    ("044", "Niederkassel"),
    ("051", "Stockum"),
    ("052", "Lohausen"),
    ("053", "Kaiserswerth"),
    ("054", "Wittlaer"),
    ("055", "Angermund"),
    ("056", "Kalkum"),
    ("061", "Lichtenbroich"),
    ("062", "Unterrath"),
    ("063", "Rath"),
    ("064", "Mörsenbroich"),
    ("071", "Gerresheim"),
    ("072", "Grafenberg"),
    ("073", "Ludenberg"),
    ("074", "Hubbelrath"),
    ("075", "Knittkuhl"),
    ("081", "Lierenfeld"),
    ("082", "Eller"),
    ("083", "Vennhausen"),
    ("084", "Unterbach"),
    ("091", "Wersten"),
    ("092", "Himmelgeist"),
    ("093", "Holthausen"),
    ("094", "Reisholz"),
    ("095", "Benrath"),
    ("096", "Urdenbach"),
    ("097", "Itter"),
    ("098", "Hassels"),
    ("101", "Garath"),
    ("102", "Hellerhof"),
)
N_SOZIALRAEUME = 171
DEMO_TITLE = "Demo-Daten (synthetisch)"
#: Centre of the made-up city in EPSG:25832 (near Düsseldorf, so maps open at a familiar place).
CENTRE = (344_500.0, 5_677_500.0)
_DIRECTIONS = ("Ost", "Nordost", "Nord", "Nordwest", "West", "Südwest", "Süd", "Südost")


def outline(*, seed: int = 2026) -> Polygon:
    """A smooth, irregular city outline of about 217 km², elongated north-south, in EPSG:25832."""
    rng = np.random.default_rng(seed)
    phases = rng.uniform(0, 2 * math.pi, 3)
    theta = np.linspace(0, 2 * math.pi, 240, endpoint=False)
    r = 1 + 0.12 * np.sin(2 * theta + phases[0]) + 0.08 * np.cos(3 * theta + phases[1])
    r += 0.05 * np.sin(5 * theta + phases[2])
    x = CENTRE[0] + 6_300 * r * np.cos(theta)
    y = CENTRE[1] + 11_000 * r * np.sin(theta)
    return Polygon(np.column_stack([x, y]))


def _seeds(region: Polygon, n: int, rng: np.random.Generator, iterations: int = 6) -> np.ndarray:
    """`n` well-spread points in `region`: random start, then Lloyd relaxation."""
    minx, miny, maxx, maxy = region.bounds
    pts: list[tuple[float, float]] = []
    while len(pts) < n:
        cand = rng.uniform((minx, miny), (maxx, maxy), size=(4 * n, 2))
        inside = shapely.contains_xy(region, cand[:, 0], cand[:, 1])
        pts.extend(map(tuple, cand[inside][: n - len(pts)]))
    seeds = np.asarray(pts)
    for _ in range(iterations):
        cells = _cells(region, seeds)
        seeds = np.array([[c.centroid.x, c.centroid.y] for c in cells])
    return seeds


def _cells(region: Polygon, seeds: np.ndarray) -> list[Polygon]:
    """Voronoi cells of `seeds` clipped to `region`, in seed order."""
    if len(seeds) == 1:
        return [region]
    diagram = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=region, ordered=True)
    cells = [shapely.intersection(c, region) for c in shapely.get_parts(diagram)]
    return [max(shapely.get_parts(c), key=lambda p: p.area) if c.geom_type != "Polygon" else c for c in cells]


def _noded(leaves: list[Polygon]) -> list[Polygon]:
    """Rebuild `leaves` from the faces of their noded boundaries, so shared borders share vertices."""
    lines = shapely.union_all([p.boundary for p in leaves])
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(lines)))
    owner = np.full(len(faces), -1)
    face_idx, leaf_idx = shapely.STRtree(leaves).query(shapely.point_on_surface(faces), predicate="within")
    owner[face_idx] = leaf_idx
    for i in np.flatnonzero(owner < 0):  # slivers thinner than floating point: largest overlap wins
        owner[i] = int(np.argmax(shapely.area(shapely.intersection(faces[i], leaves))))
    return [shapely.coverage_union_all(faces[owner == i]) for i in range(len(leaves))]


def _allocation(rng: np.random.Generator) -> dict[str, int]:
    """Sozialräume per Stadtteil: one each, the rest drawn with more in the inner city."""
    numbers = [nr for nr, _ in STADTTEILE]
    weights = np.array([2.5 if nr[:2] in {"01", "02", "03"} else 1.0 for nr in numbers])
    extra = rng.multinomial(N_SOZIALRAEUME - len(numbers), weights / weights.sum())
    return {nr: 1 + int(e) for nr, e in zip(numbers, extra, strict=True)}


def geometry(*, seed: int = 2026) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """
    Sozialraum and Stadtteil polygons that tile the outline without gaps or overlaps.

    Returns
    -------
    tuple of geopandas.GeoDataFrame
        Sozialräume (`sozialraum_id`, `stadtteil_nr`, `stadtbezirk`, `name`) and Stadtteile
        (`stadtteil_nr`, `name`, `stadtbezirk`), both in EPSG:25832.
    """
    rng = np.random.default_rng(seed)
    city = outline(seed=seed)
    per_stadtteil = _allocation(rng)
    bezirke = sorted({nr[:2] for nr, _ in STADTTEILE})
    bezirk_cells = _cells(city, _seeds(city, len(bezirke), rng))
    # order Bezirke north to south so numbering runs roughly like a real city's
    bezirk_cells.sort(key=lambda c: (-round(c.centroid.y, -3), c.centroid.x))
    leaves, rows = [], []
    names = dict(STADTTEILE)
    for bezirk, bcell in zip(bezirke, bezirk_cells, strict=True):
        members = [nr for nr, _ in STADTTEILE if nr[:2] == bezirk]
        for nr, tcell in zip(members, _cells(bcell, _seeds(bcell, len(members), rng)), strict=True):
            n = per_stadtteil[nr]
            for i, cell in enumerate(_cells(tcell, _seeds(tcell, n, rng)), start=1):
                leaves.append(cell)
                rows.append(
                    {
                        "sozialraum_id": f"{nr}{i:03d}",
                        "stadtteil_nr": nr,
                        "stadtbezirk": int(bezirk),
                        "name": _unit_name(names[nr], cell, tcell, n),
                    }
                )
    spaces = gpd.GeoDataFrame(rows, geometry=_noded(leaves), crs=METRIC_CRS)
    spaces["name"] = _unique(spaces["name"])
    stadtteile = spaces.dissolve(by="stadtteil_nr", method="coverage", as_index=False)[
        ["stadtteil_nr", "stadtbezirk", "geometry"]
    ]
    stadtteile["name"] = stadtteile["stadtteil_nr"].map(names)
    return spaces, stadtteile[["stadtteil_nr", "name", "stadtbezirk", "geometry"]]


def _unit_name(stadtteil: str, cell: Polygon, parent: Polygon, n: int) -> str:
    if n == 1:
        return stadtteil
    dx = cell.centroid.x - parent.centroid.x
    dy = cell.centroid.y - parent.centroid.y
    if math.hypot(dx, dy) < 0.15 * math.sqrt(parent.area):
        return f"{stadtteil}-Mitte"
    sector = round(math.atan2(dy, dx) / (math.pi / 4)) % 8
    return f"{stadtteil}-{_DIRECTIONS[sector]}"


def _unique(names: pd.Series) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} {seen[name]}")
    return out


def _need_surface(points: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A smooth synthetic need field: a few Gaussian hot spots plus noise, standardised."""
    spots = rng.uniform((-5_000, -10_000), (5_000, 10_000), size=(7, 2)) + np.array(CENTRE)
    strength = rng.uniform(0.5, 1.5, 7)
    d2 = ((points[:, None, :] - spots[None, :, :]) ** 2).sum(axis=2)
    field = (strength * np.exp(-d2 / (2 * 1_700.0**2))).sum(axis=1) + rng.normal(0, 0.15, len(points))
    return np.asarray((field - field.mean()) / field.std())


def _largest_remainder(values: np.ndarray) -> np.ndarray:
    """Each row rounded to whole numbers that keep the row's rounded sum (the largest remainders round up)."""
    floor = np.floor(values)
    short = np.nan_to_num(np.round(values.sum(axis=1)) - floor.sum(axis=1))
    order = np.argsort(-(values - floor), axis=1, kind="stable")
    bump = np.zeros_like(floor)
    for row, missing in enumerate(short.astype(int)):
        bump[row, order[row, :missing]] = 1
    return np.asarray(floor + bump)


def _clip(values: np.ndarray, low: float, high: float) -> np.ndarray:
    return np.asarray(np.round(np.clip(values, low, high), 1))


def _demo_people(
    t: pd.DataFrame,
    pop: np.ndarray,
    z: np.ndarray,
    noise: Callable[[float], np.ndarray],
    rng: np.random.Generator,
) -> None:
    """Population, age groups (adding up to it), origin, moves and households: into `t`, in this order."""
    t["bevoelkerung"] = pop
    t["weiblich_pct"] = _clip(51 + noise(1.5), 40, 60)
    shares = rng.dirichlet([5.5, 9, 14, 30, 20, 14, 6], size=len(pop))
    shares[:, :2] *= (1 + 0.15 * z)[:, None]
    shares /= shares.sum(axis=1, keepdims=True)
    counts = _largest_remainder(pop[:, None] * shares)  # the age groups add up to the population
    with np.errstate(invalid="ignore", divide="ignore"):
        for j, group in enumerate(("u6", "6_17", "18_29", "30_49", "50_64", "65_79", "80plus")):
            t[f"alter_{group}"] = counts[:, j]
            t[f"alter_{group}_pct"] = np.round(counts[:, j] / pop * 100, 1)  # as the city rounds them
    working = t[["alter_18_29", "alter_30_49", "alter_50_64"]].sum(axis=1).replace(0, np.nan)
    t["jugendquotient"] = np.round((t["alter_u6"] + t["alter_6_17"]) / working * 100, 1)
    t["altenquotient"] = np.round((t["alter_65_79"] + t["alter_80plus"]) / working * 100, 1)
    t["migration_pct"] = _clip(42 + 12 * z + noise(5), 10, 85)
    t["auslaender_pct"] = _clip(t["migration_pct"] * 0.5 + noise(3), 3, 60)
    t["wanderungssaldo"] = _clip(noise(14), -60, 60)
    t["fluktuationsrate"] = _clip(30 + 7 * z + noise(6), 8, 70)
    t["haushalte"] = np.round(pop / np.clip(1.85 - 0.1 * z + noise(0.12), 1.3, 2.6))
    t["einpersonen_hh_pct"] = _clip(50 + noise(8), 25, 80)
    t["hh_kinder_pct"] = _clip(17 + 3 * z + noise(3), 5, 40)
    t["alleinerziehende_pct"] = _clip(21 + 5 * z + noise(3), 5, 45)
    t["senioren_single_pct"] = _clip(14 + 2 * z + noise(3), 3, 35)


def _demo_conditions(
    t: pd.DataFrame,
    spaces: gpd.GeoDataFrame,
    pop: np.ndarray,
    z: np.ndarray,
    noise: Callable[[float], np.ndarray],
) -> None:
    """Work, poverty, schools, housing and land use (they follow the need surface `z`): into `t`."""
    t["arbeitslosenquote"] = _clip(6 + 3 * z + noise(0.8), 0.8, 20)
    t["arbeitslose"] = np.round(pop * 0.66 * t["arbeitslosenquote"] / 100)
    t["sgb2_quote"] = _clip(10 + 6.5 * z + noise(1.5), 0.5, 40)
    t["sgb2_personen"] = np.round(pop * t["sgb2_quote"] / 100)
    t["kinderarmut"] = _clip(17 + 11 * z + noise(3), 0.5, 60)
    t["altersarmut"] = _clip(6 + 4 * z + noise(1.2), 0.3, 30)
    t["mindestsicherung"] = _clip(t["sgb2_quote"] + 1.4 + noise(0.5), 0.5, 45)
    t["wohngeld_hh_pct"] = _clip(2 + 1.2 * z + noise(0.5), 0.1, 10)
    t["schueler_primar"] = np.round(pop * 0.036)
    t["schueler_sekundar"] = np.round(pop * 0.052)
    t["hauptschule_pct"] = _clip(6 + 4 * z + noise(2), 0, 30)
    t["realschule_pct"] = _clip(16 + 3 * z + noise(4), 2, 40)
    t["gymnasium_pct"] = _clip(52 - 12 * z + noise(6), 10, 90)
    t["gesamtschule_pct"] = _clip(
        100 - t["hauptschule_pct"] - t["realschule_pct"] - t["gymnasium_pct"], 0, 80
    )
    schools = ["hauptschule_pct", "realschule_pct", "gymnasium_pct", "gesamtschule_pct"]
    t[schools] = (
        _largest_remainder(t[schools].to_numpy() / t[schools].sum(axis=1).to_numpy()[:, None] * 1000) / 10
    )
    t["uebergang_gym_pct"] = _clip(55 - 14 * z + noise(6), 10, 95)
    t["wohnflaeche_pro_ew"] = _clip(42 - 4 * z + noise(3), 25, 70)
    t["oeff_gef_whg_pct"] = _clip(6 + 5 * z + noise(3), 0, 60)
    t["wohneigentum_pct"] = _clip(26 - 8 * z + noise(6), 1, 80)
    t["flaeche_ha"] = np.round(spaces.to_crs(METRIC_CRS).area.to_numpy() / 10_000, 3)
    t["dichte"] = np.round(pop / (t["flaeche_ha"] / 100))
    t["wohnflaechenanteil_pct"] = _clip(38 + 8 * z + noise(10), 2, 75)
    t["gruenflaeche_pct"] = _clip(14 - 3 * z + noise(6), 0.5, 60)


def indicators(spaces: gpd.GeoDataFrame, *, seed: int = 2026) -> pd.DataFrame:
    """
    Synthetic values for every catalogue indicator, with plausible ranges and correlations.

    Poverty, unemployment and SGB-II rise together with the need surface; population adds up to the
    city's total; one Sozialraum is left uninhabited, as in the official data.

    Returns
    -------
    pandas.DataFrame
        Columns `sozialraum_id`, `name`, `stadtbezirk` and the catalogue ids.
    """
    rng = np.random.default_rng(seed + 1)
    centres = np.column_stack([spaces.geometry.centroid.x, spaces.geometry.centroid.y])
    z = _need_surface(centres, rng)
    n = len(spaces)

    def noise(scale: float) -> np.ndarray:
        return rng.normal(0, scale, n)

    pop = rng.lognormal(mean=8.1, sigma=0.45, size=n)
    uninhabited = int(np.argmin(pop))
    pop[uninhabited] = 0
    pop = np.round(pop / pop.sum() * CITY_POPULATION_2021)
    pop[np.argmax(pop)] += CITY_POPULATION_2021 - pop.sum()
    t = pd.DataFrame(
        {
            "sozialraum_id": spaces["sozialraum_id"],
            "name": spaces["name"],
            "stadtbezirk": spaces["stadtbezirk"],
        }
    )
    _demo_people(t, pop, z, noise, rng)
    _demo_conditions(t, spaces, pop, z, noise)
    small = pop < 400  # the city suppresses rates for very small populations
    rates = ["arbeitslosenquote", "sgb2_quote", "kinderarmut", "altersarmut", "uebergang_gym_pct"]
    t.loc[small, rates] = np.nan
    keep = [
        "sozialraum_id",
        "name",
        "stadtbezirk",
        "bevoelkerung",
        "flaeche_ha",
        "gruenflaeche_pct",
        "wohnflaechenanteil_pct",
    ]
    t.loc[uninhabited, [c for c in t.columns if c not in keep]] = np.nan
    t.loc[uninhabited, "bevoelkerung"] = np.nan
    return t


def welcome_points(spaces: gpd.GeoDataFrame, table: pd.DataFrame, *, n: int = 10) -> gpd.GeoDataFrame:
    """
    `n` synthetic Welcome Points in the Sozialräume of highest SGB-II rate, at most two per Stadtbezirk.

    Returns
    -------
    geopandas.GeoDataFrame
        Same columns as `geo.data.sources.read_welcome_points`, in the CRS of `spaces`.
    """
    merged = spaces.merge(table[["sozialraum_id", "sgb2_quote"]], on="sozialraum_id")
    ranked = merged.sort_values("sgb2_quote", ascending=False, na_position="last")
    chosen = ranked.groupby("stadtbezirk", sort=False).head(2).head(n)
    rows = []
    for k, (_, r) in enumerate(chosen.iterrows(), start=1):
        stadtteil = dict(STADTTEILE)[r["stadtteil_nr"]]
        address = f"Musterstraße {10 + 7 * k}, 40{200 + k:03d} Düsseldorf"
        rows.append(
            {
                "welcome_point_id": f"wp-demo-{k:02d}",
                "name": f"Welcome Point {stadtteil}",
                "organisation": f"Demo-Träger {k} e. V.",
                "address": address,
                "stadtteil": stadtteil,
                "url": "",
                "contacts": '[{"organisation": "Demo-Träger e. V.", "einrichtung": "", "telefon": "0211 000000"}]',
                "geometry": r.geometry.representative_point(),
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=spaces.crs)


_STREET_WORDS = (
    "Linden", "Eichen", "Birken", "Ahorn", "Kastanien", "Buchen", "Erlen", "Eschen", "Weiden", "Pappel",
    "Ulmen", "Tannen", "Rosen", "Tulpen", "Nelken", "Lilien", "Flieder", "Holunder", "Mühlen", "Garten",
    "Schul", "Kirch", "Berg", "Wiesen", "Feld", "Bach", "Park", "Markt", "Brunnen", "Sonnen",
    "Stern", "Mond", "Lerchen", "Finken", "Amsel", "Drossel", "Schwalben", "Falken", "Raben", "Heide",
)  # fmt: skip
_STREET_KINDS = ("straße", "weg", "allee", "ring", "gasse", "pfad")


def streets(spaces: gpd.GeoDataFrame, *, seed: int = 2026) -> pd.DataFrame:
    """
    A synthetic street list (made-up generic names, one street at a random point in each Sozialraum).

    Returns
    -------
    pandas.DataFrame
        `name`, `lon`, `lat` as `geo.data.streets.read_streets` returns them.
    """
    rng = np.random.default_rng(seed + 11)
    names = [w + k for w in _STREET_WORDS for k in _STREET_KINDS]
    chosen = rng.choice(len(names), size=min(len(spaces), len(names)), replace=False)
    rows = []
    for pick, polygon in zip(chosen, spaces.geometry, strict=False):
        minx, miny, maxx, maxy = polygon.bounds
        point = polygon.representative_point()
        for _ in range(50):  # a random point inside; the representative point when the shape is thin
            candidate = shapely.Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
            if polygon.contains(candidate):
                point = candidate
                break
        rows.append({"name": names[pick], "lon": round(point.x, 6), "lat": round(point.y, 6)})
    return pd.DataFrame(rows).sort_values("name").reset_index(drop=True)


#: Nationalities of the demo's foreign residents and their city-wide weights (made up, roughly the order of
#: magnitude of a large German city).
DEMO_NATIONALITIES = {
    "Türkei": 0.16,
    "Ukraine": 0.12,
    "Griechenland": 0.10,
    "Polen": 0.09,
    "Italien": 0.08,
    "Syrien": 0.08,
    "Rumänien": 0.07,
    "Irak": 0.05,
    "Marokko": 0.05,
    "Spanien": 0.05,
    "Japan": 0.04,
    "Russische Föderation": 0.04,
}


def nationalities(spaces: gpd.GeoDataFrame, table: pd.DataFrame, *, seed: int = 2026) -> pd.DataFrame:
    """
    Foreign residents by nationality per Stadtteil, shaped like the city's tables (synthetic).

    Each Stadtteil's foreign residents (population times the foreign share of its Sozialräume) are split
    over `DEMO_NATIONALITIES` with Dirichlet weights around the city-wide mix, so communities cluster; about a
    tenth of all foreign residents is left to "sonstige" as in the real tables.
    """
    rng = np.random.default_rng(seed + 7)
    joined = spaces[["sozialraum_id", "stadtteil_nr"]].merge(table, on="sozialraum_id")
    foreign = (joined["bevoelkerung"] * joined["auslaender_pct"] / 100).groupby(joined["stadtteil_nr"]).sum()
    mix = np.array(list(DEMO_NATIONALITIES.values()))
    rows = {}
    for nr, total in foreign.items():
        shares = rng.dirichlet(mix * 30) * 0.9
        rows[nr] = np.round(shares * total)
    out = pd.DataFrame.from_dict(rows, orient="index", columns=list(DEMO_NATIONALITIES))
    out.index.name = "stadtteil_nr"
    return out.sort_index()


def series(spaces: gpd.GeoDataFrame, table: pd.DataFrame, *, seed: int = 2026) -> pd.DataFrame:
    """
    Synthetic time series shaped like the city's (population of Sozialräume and Stadtteile over time).

    Population and the five age groups of the Wohnquartier tables per Sozialraum on 31.12.2021, 2022 and 2024
    (2021 equal to the demo's indicator table); population per Stadtteil 2012–2024 with a forecast for
    1.1.2035; the share with a migration history per Stadtteil 2020–2024.

    Each Sozialraum and Stadtteil drifts by its own yearly rate (a few per mille, some shrinking) plus noise.

    Returns
    -------
    pandas.DataFrame
        `geo.data.series.COLUMNS`.
    """
    rng = np.random.default_rng(seed + 13)
    base = table.set_index("sozialraum_id")["bevoelkerung"].dropna()
    base = base[base > 0]
    rate = pd.Series(rng.normal(0.006, 0.012, len(base)), index=base.index)
    rows = []
    for year in (2021, 2022, 2024):
        values = np.round(base * (1 + rate) ** (year - 2021) * (1 + rng.normal(0, 0.004, len(base))))
        if year == 2021:
            values = base
        rows += [
            ("sozialraum", sid, "bevoelkerung", f"{year}-12-31", float(v), "observed")
            for sid, v in values.items()
        ]
    # the age groups the Wohnquartier tables give (2021 equal to the demo's table), each with its own drift
    for column in ("alter_u6", "alter_6_17", "alter_18_29", "alter_30_49", "alter_50_64"):
        group = table.set_index("sozialraum_id")[column].reindex(base.index).dropna()
        shift = rate.reindex(group.index) + rng.normal(0, 0.01, len(group))
        for year in (2021, 2022, 2024):
            values = group if year == 2021 else np.round(group * (1 + shift) ** (year - 2021))
            rows += [
                ("sozialraum", sid, column, f"{year}-12-31", float(v), "observed")
                for sid, v in values.items()
            ]
    nr = spaces.set_index("sozialraum_id")["stadtteil_nr"].reindex(base.index)
    stadtteil = base.groupby(nr).sum()
    # the share with a migration history per Stadtteil, 2020-2024 (population-weighted from the table)
    weights = base * table.set_index("sozialraum_id")["migration_pct"].reindex(base.index)
    share = (weights.groupby(nr).sum() / stadtteil).dropna()
    trend = pd.Series(rng.normal(0.5, 0.4, len(share)), index=share.index)
    for year in range(2020, 2025):
        values = (share + trend * (year - 2021) + rng.normal(0, 0.2, len(share))).clip(0, 100).round(1)
        rows += [
            ("stadtteil", n, "migration_pct", f"{year}-12-31", float(v), "observed")
            for n, v in values.items()
        ]
    drift = pd.Series(rng.normal(0.005, 0.01, len(stadtteil)), index=stadtteil.index)
    for year in range(2012, 2025):
        values = np.round(
            stadtteil * (1 + drift) ** (year - 2021) * (1 + rng.normal(0, 0.003, len(stadtteil)))
        )
        rows += [
            ("stadtteil", n, "bevoelkerung", f"{year}-12-31", float(v), "observed") for n, v in values.items()
        ]
    forecast = np.round(stadtteil * (1 + drift * 0.8) ** 13)
    rows += [
        ("stadtteil", n, "bevoelkerung", "2035-01-01", float(v), "forecast") for n, v in forecast.items()
    ]
    out = pd.DataFrame(rows, columns=["level", "id", "indicator", "date", "value", "kind"])
    out["source"] = "Demo-Zeitreihen (synthetisch)"
    return out.sort_values(["level", "id", "indicator", "date"]).reset_index(drop=True)


def write(out: str | Path, *, seed: int = 2026) -> Path:
    """
    Generate the demo dataset and write it as a dataset folder (see `geo.data.dataset`).

    Returns
    -------
    pathlib.Path
        The folder written.
    """
    spaces, stadtteile = geometry(seed=seed)
    table = indicators(spaces, seed=seed)
    points = welcome_points(spaces, table)
    meta = DatasetMeta(
        title=DEMO_TITLE,
        demo=True,
        source="Synthetisch erzeugt mit »python -m geo demo« (Sozialraum-Karte); keine amtlichen Werte",
        reference_date="2021-12-31",
        licence="CC0 1.0",
    )
    return write_dataset(
        out,
        spaces=spaces[["sozialraum_id", "stadtbezirk", "name", "geometry"]],
        stadtteile=stadtteile,
        indicators=table,
        welcome_points=points,
        nationalities=nationalities(spaces, table, seed=seed),
        streets=streets(spaces.to_crs("EPSG:4326"), seed=seed),
        series=series(spaces, table, seed=seed),
        meta=meta,
    )
