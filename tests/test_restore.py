"""
Restores an operator can rely on at 3 a.m.: a new machine, people logged in, a damaged or huge file.

A restore checks everything before it writes anything, writes tables and datasets together or not at all,
and says what it did.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest

from geo.core.access import Principal
from geo.register import accounts, backup, store
from tests.test_operations import _filled

CLI = Principal.cli()


def _datasets(folder: Path) -> Path:
    (folder / "sozialraeume").mkdir(parents=True)
    (folder / "dataset.json").write_text('{"title": "Offiziell"}', encoding="utf-8")
    (folder / "sozialraeume" / "indikatoren.csv").write_bytes(b"a;b\n1;2\n")
    return folder


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _rewrite(source: Path, target: Path, change: dict[str, bytes], manifest: dict | None = None) -> Path:
    """A copy of a backup with some entries replaced (and, optionally, another manifest)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == backup.MANIFEST and manifest is not None:
                data = json.dumps(manifest).encode("utf-8")
            dst.writestr(item.filename, change.get(item.filename, data))
    return target


@pytest.fixture
def taken(tmp_path: Path) -> tuple[Path, Path, str]:
    """A backup of machine A (its own user folder, register and datasets): (file, datasets, url)."""
    machine_a = tmp_path / "a"
    url = f"sqlite:///{machine_a / 'var' / 'register.sqlite'}"
    register = _filled(url)
    datasets = _datasets(machine_a / "var" / "official")
    out = machine_a / "sicherung.zip"
    manifest = backup.backup(register, out, datasets=datasets, by=CLI)
    assert set(manifest["dataset_files"]) == {"dataset.json", "sozialraeume/indikatoren.csv"}
    register.close()
    return out, datasets, url


def test_restore_drill_into_a_new_machine(taken: tuple[Path, Path, str], tmp_path: Path) -> None:
    out, datasets, url = taken
    machine_b = tmp_path / "b" / "var"  # does not exist yet
    target = f"sqlite:///{machine_b / 'register.sqlite'}"
    done = backup.restore(target, out, datasets=machine_b / "official", by=CLI)["restored"]
    assert done["rows"] > 10 and done["dataset_files"] == 2 and done["datasets_checked"]
    assert set(backup.compare(url, target)) <= {"audit_entry"}
    assert _tree(machine_b / "official") == _tree(datasets)  # byte for byte


def test_replace_while_people_are_logged_in_ends_their_sessions(
    taken: tuple[Path, Path, str], tmp_path: Path
) -> None:
    out, _, url = taken
    register = store.Register(url)
    (view, *_) = accounts.accounts(register, by=CLI)
    who = accounts.principal_for(register, view.id)
    login = accounts.start_session(register, who)
    register.close()
    done = backup.restore(url, out, datasets=tmp_path / "official", replace=True, by=CLI)["restored"]
    assert done["sessions_ended"] == 1
    register = store.Register(url)
    assert accounts.session_principal(register, login.session_id).is_public
    register.close()


def test_a_refused_restore_changes_nothing_and_can_be_tried_again(
    taken: tuple[Path, Path, str], tmp_path: Path
) -> None:
    out, _, _ = taken
    changed = _rewrite(
        out, tmp_path / "changed.zip", {"datasets/sozialraeume/indikatoren.csv": b"a;b\n9;9\n"}
    )
    target = f"sqlite:///{tmp_path / 'neu' / 'register.sqlite'}"
    place = tmp_path / "neu" / "official"
    with pytest.raises(backup.BackupError) as refused:  # a changed dataset file: its checksum tells
        backup.restore(target, changed, datasets=place, by=CLI)
    assert refused.value.key == "backup.damaged" and "indikatoren.csv" in refused.value.message()
    assert not backup._has_rows(store.make_engine(target))  # no table was written
    assert not place.exists() and not list(place.parent.glob("official*"))  # nor a dataset file
    backup.restore(target, out, datasets=place, by=CLI)  # the good file then goes in at once
    assert (place / "sozialraeume" / "indikatoren.csv").read_bytes() == b"a;b\n1;2\n"


def test_an_entry_bigger_than_the_limit_is_refused_before_it_is_unpacked(
    taken: tuple[Path, Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, _, _ = taken
    zeros = io.BytesIO()
    with zipfile.ZipFile(zeros, "w", zipfile.ZIP_DEFLATED) as z:  # 3 MB of zeros: a few KB packed
        z.writestr("x", b"\0" * (3 * 1024 * 1024))
    with zipfile.ZipFile(out) as src:
        manifest = json.loads(src.read(backup.MANIFEST))
    big = b"\0" * (3 * 1024 * 1024)
    manifest["dataset_files"]["sozialraeume/indikatoren.csv"] = {
        "bytes": len(big),
        "sha256": hashlib.sha256(big).hexdigest(),
    }
    bomb = _rewrite(out, tmp_path / "bomb.zip", {"datasets/sozialraeume/indikatoren.csv": big}, manifest)
    assert bomb.stat().st_size < 200_000
    monkeypatch.setenv("SOZIALRAUM_RESTORE_MAX_MB", "2")
    target = f"sqlite:///{tmp_path / 'r.sqlite'}"
    with pytest.raises(backup.BackupError) as refused:
        backup.restore(target, bomb, datasets=tmp_path / "official", by=CLI)
    assert refused.value.key == "backup.too_big" and "2 MB" in refused.value.message()
    assert not backup._has_rows(store.make_engine(target))


def test_a_zip_that_declares_less_than_it_unpacks_is_refused(tmp_path: Path) -> None:
    data = b"\0" * (2 * 1024 * 1024)
    path = tmp_path / "liar.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("tables/x.jsonl", data)
    raw = bytearray(path.read_bytes())
    # the central directory's "uncompressed size" of the entry set to 1 KB (what a crafted file may say)
    at = raw.rfind(b"PK\x01\x02")
    raw[at + 24 : at + 28] = (1024).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    with zipfile.ZipFile(path) as archive, pytest.raises(backup.BackupError):
        backup._read(archive, "tables/x.jsonl", 10 * 1024 * 1024)


def test_an_older_backup_without_dataset_checksums_still_restores_and_says_so(
    taken: tuple[Path, Path, str], tmp_path: Path
) -> None:
    out, _, _ = taken
    with zipfile.ZipFile(out) as src:
        manifest = json.loads(src.read(backup.MANIFEST))
    del manifest["dataset_files"]
    older = _rewrite(out, tmp_path / "older.zip", {}, manifest)
    target = f"sqlite:///{tmp_path / 'r.sqlite'}"
    done = backup.restore(target, older, datasets=tmp_path / "official", by=CLI)["restored"]
    assert done["dataset_files"] == 2 and not done["datasets_checked"]


def test_a_backup_checks_the_account_as_stored_now(tmp_path: Path) -> None:
    from geo.core.access import AccessDeniedError

    register = _filled(f"sqlite:///{tmp_path / 'r.sqlite'}")
    account_id, _ = accounts.create_account(register, by=CLI, email="a@stadt.invalid", roles="admin")
    admin = accounts.principal_for(register, account_id)
    backup.backup(register, tmp_path / "1.zip", by=admin)
    (view,) = [a for a in accounts.accounts(register, by=CLI) if a.id == account_id]
    accounts.update_account(register, account_id, by=CLI, version=view.version, roles="coordinator")
    with pytest.raises(AccessDeniedError):  # the object still says admin; the register does not
        backup.backup(register, tmp_path / "2.zip", by=admin)
    register.close()
