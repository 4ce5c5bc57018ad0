"""The synthetic demo dataset: shape, scheme, topology, plausibility, determinism."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.core.settings import CITY_POPULATION_2021, REPO_ROOT
from geo.data import dataset, demo_dataset
from tests.conftest import STADTTEILE


@pytest.fixture(scope="module")
def loaded(demo_dir: Path) -> dataset.Dataset:
    return dataset.load_dataset(demo_dir)


def test_id_scheme_and_hierarchy(loaded: dataset.Dataset) -> None:
    spaces = loaded.spaces
    assert len(spaces) == 171
    assert spaces["sozialraum_id"].is_unique
    assert spaces["sozialraum_id"].str.fullmatch(r"\d{6}").all()
    assert set(spaces["stadtteil_nr"]) == {nr for nr, _ in demo_dataset.STADTTEILE}
    assert sorted(spaces["stadtbezirk"].unique()) == list(range(1, 11))
    assert (spaces["stadtbezirk"] == spaces["sozialraum_id"].str[:2].astype(int)).all()
    assert loaded.stadtteile is not None
    assert len(loaded.stadtteile) == 50
    assert loaded.meta.demo
    assert loaded.meta.title == "Demo-Daten (synthetisch)"


@pytest.mark.real_data
def test_stadtteil_names_are_the_official_ones() -> None:
    from geo.data import sources

    official = sources.read_stadtteile(STADTTEILE)
    assert dict(demo_dataset.STADTTEILE) == dict(zip(official["stadtteil_nr"], official["name"], strict=True))


def test_geometry_tiles_without_gaps_or_overlaps(loaded: dataset.Dataset) -> None:
    metric = loaded.spaces.to_crs(25832).geometry.to_numpy()
    assert shapely.coverage_is_valid(metric)
    union = shapely.union_all(metric)
    assert union.geom_type == "Polygon"  # one piece, no holes
    assert len(union.interiors) == 0
    assert shapely.area(metric).sum() == pytest.approx(union.area, rel=1e-6)
    assert 190e6 < union.area < 250e6  # Düsseldorf: 217 km²


def test_indicators_plausible_correlated_and_clustered(loaded: dataset.Dataset) -> None:
    spaces = loaded.spaces
    assert spaces["bevoelkerung"].sum() == CITY_POPULATION_2021
    assert spaces["sgb2_quote"].between(0, 100).all() or spaces["sgb2_quote"].isna().any()
    corr = spaces[["sgb2_quote", "kinderarmut", "arbeitslosenquote", "gymnasium_pct"]].corr()
    assert corr.loc["sgb2_quote", "kinderarmut"] > 0.6
    assert corr.loc["sgb2_quote", "arbeitslosenquote"] > 0.6
    assert corr.loc["sgb2_quote", "gymnasium_pct"] < -0.3
    # Moran's I with rook-like contiguity (shared border) is clearly positive: need clusters in space
    metric = spaces.to_crs(25832)
    values = metric["sgb2_quote"].to_numpy()
    ok = ~np.isnan(values)
    geoms = metric.geometry.to_numpy()[ok]
    z = values[ok] - values[ok].mean()
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="touches")
    morans_i = len(z) / len(left) * (z[left] * z[right]).sum() / (z**2).sum()
    assert morans_i > 0.3
    assert "uninhabited" in loaded.report.codes()


def test_demo_loads_with_no_findings_but_the_uninhabited_unit(loaded: dataset.Dataset) -> None:
    assert {i.code for i in loaded.report.issues} - {"missing_values"} == {"uninhabited"}
    assert len(loaded.welcome_points) == 10
    assert (loaded.welcome_points["sozialraum_id"] != "").all()


def test_deterministic_and_committed_copy_is_current(tmp_path: Path, demo_dir: Path) -> None:
    again = demo_dataset.write(tmp_path / "again")
    for name in (
        dataset.SPACES_FILE,
        dataset.INDICATORS_FILE,
        dataset.WELCOME_POINTS_FILE,
        dataset.STADTTEILE_FILE,
    ):
        assert (again / name).read_bytes() == (demo_dir / name).read_bytes(), name
        assert (REPO_ROOT / "data" / name).read_bytes() == (demo_dir / name).read_bytes(), (
            f"data/{name} differs from what `python -m geo demo` generates: run `make demo` and commit"
        )


def test_indicator_file_has_the_quartiersatlas_columns(demo_dir: Path) -> None:
    header = pd.read_csv(demo_dir / dataset.INDICATORS_FILE, sep=";", nrows=0).columns.tolist()
    assert header[:4] == ["Sozialraum-ID", "Stadtbezirk", "Name", "Bevölkerung"]
    assert "SGB-II-Quote %" in header
    assert len(header) == 52
