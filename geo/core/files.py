"""
Files written whole or not at all: a temporary sibling first, then one rename.

Every file or folder the app writes (an export, a map, the audit log, a dataset folder) is first written
under a hidden sibling name that says who is writing it (host and process), then renamed over the
target. A reader sees the old file or the new one, never half of one; a full disk or a read-only folder
leaves the old file as it was. What a killed run leaves behind is recognised by its name and removed by
the next write into the same folder (`clean_leftovers`), and by the app at start.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import time
import uuid
from pathlib import Path

from geo.core.errors import SozialraumError

#: ``.<target name>.<kind>-<host>-<pid>-<random>``: kind is ``part`` (a file), ``new`` or ``old`` (folders).
_LEFTOVER = re.compile(
    r"^\.(?P<target>.+)\.(?P<kind>part|new|old)-(?P<host>[A-Za-z0-9_-]*)-(?P<pid>\d+)-[0-9a-f]{8}$"
)

#: A leftover written on another host (a shared volume) is removed only after this many seconds.
FOREIGN_AGE_S = 6 * 3600


class WriteError(SozialraumError, OSError):
    """A file or folder could not be written (read-only, disk full, a file where a folder should be)."""


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", socket.gethostname())[:40]


def sibling(target: Path, kind: str) -> Path:
    """A hidden name beside `target` for writing it (`kind` part, new or old), unique to this process."""
    return target.parent / f".{target.name}.{kind}-{_host()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user
        return True
    return True


def leftover(path: Path) -> str | None:
    """The kind (part, new, old) when `path` was left by a write that is no longer running, else None."""
    match = _LEFTOVER.match(path.name)
    if match is None:
        return None
    if match["host"] == _host():
        pid = int(match["pid"])
        if pid == os.getpid() or _alive(pid):
            return None
        return match["kind"]
    try:
        age = time.time() - path.lstat().st_mtime
    except OSError:
        return None
    return match["kind"] if age > FOREIGN_AGE_S else None


def target_of(path: Path) -> Path:
    """The file or folder a leftover `path` was written for."""
    match = _LEFTOVER.match(path.name)
    if match is None:
        msg = f"{path} is not a leftover of a write"
        raise ValueError(msg)
    return path.parent / match["target"]


def clean_leftovers(folder: Path) -> list[Path]:
    """
    Remove what killed writes left in `folder`; returns what was removed or restored.

    Parts of files and unfinished new folders go. A folder set aside (``old``) whose replacement never
    arrived is renamed back, so a dataset killed between its two renames comes back as it was.
    """
    done: list[Path] = []
    if not folder.is_dir():
        return done
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return done
    for path in entries:
        kind = leftover(path)
        if kind is None:
            continue
        target = target_of(path)
        try:
            if kind == "old" and not target.exists():
                path.rename(target)
            elif path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError:
            continue  # another process cleaned it up first, or the folder is read-only
        done.append(path)
    return done


def reason(exc: OSError) -> str:
    """The operating system's reason, without the Python type (``No space left on device``)."""
    return exc.strerror or str(exc)


def write_atomic(path: str | Path, data: bytes | str) -> Path:
    """
    Write `data` to `path` whole or not at all (text as UTF-8).

    Raises
    ------
    WriteError
        With the path and the reason; `path` is as it was before.
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    clean_leftovers(path.parent)
    part = sibling(path, "part")
    try:
        if path.is_dir():
            raise IsADirectoryError(21, os.strerror(21), str(path))
        with part.open("xb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        part.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
        raise WriteError("error.cannot_write_file", file=str(path), reason=reason(exc)) from exc
    return path
