"""A dataset is written as a whole: readers see the old one or the new one, never a mix, never nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from geo.core.errors import DataError
from geo.data import dataset


def _copy(demo_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "official"
    shutil.copytree(demo_dir, folder)
    return folder


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_write_that_fails_halfway_leaves_the_old_dataset(
    demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _copy(demo_dir, tmp_path)
    before = _files(folder)
    data = dataset.load_dataset(folder)
    real = dataset._write_geojson
    calls = []

    def disk_full_on_the_second_file(gdf: object, path: Path) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(gdf, path)  # type: ignore[arg-type]

    monkeypatch.setattr(dataset, "_write_geojson", disk_full_on_the_second_file)
    with pytest.raises(DataError, match="No space left on device") as info:
        dataset.write_dataset(
            folder,
            spaces=data.spaces,
            stadtteile=data.stadtteile,
            welcome_points=data.welcome_points.iloc[:1],
            meta=data.meta,
        )
    assert "bleiben, wie sie sind" in info.value.message()
    assert _files(folder) == before  # not one file changed
    assert [p.name for p in tmp_path.iterdir()] == ["official"]  # no half-written folder left behind


def test_a_file_where_the_folder_should_be_is_one_sentence(demo_dir: Path, tmp_path: Path) -> None:
    data = dataset.load_dataset(demo_dir)
    blocker = tmp_path / "var"
    blocker.write_text("kein Ordner", encoding="utf-8")
    with pytest.raises(DataError, match="ließen sich nicht nach"):
        dataset.write_dataset(blocker / "official", spaces=data.spaces, meta=data.meta)
    assert blocker.read_text(encoding="utf-8") == "kein Ordner"


def test_a_complete_write_swaps_everything_at_once(demo_dir: Path, tmp_path: Path) -> None:
    folder = _copy(demo_dir, tmp_path)
    data = dataset.load_dataset(folder)
    dataset.write_dataset(
        folder,
        spaces=data.spaces,
        welcome_points=data.welcome_points.iloc[:3],
        meta=data.meta,
        drop=(dataset.NATIONALITIES_FILE,),
    )
    again = dataset.load_dataset(folder)
    assert len(again.welcome_points) == 3
    assert again.nationalities is None  # dropped in the same swap
    assert len(again.spaces) == 171  # kept parts are still there
    assert sorted(p.name for p in tmp_path.iterdir()) == ["official"]
