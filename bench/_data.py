"""The data the benchmarks run on: the real files when they are beside the checkout, else the demo."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from geo.core.access import Principal
from geo.data import demo_dataset, imports

COORD = Principal(label="test-coordinator", roles=frozenset({"coordinator"}))
ADMIN = Principal(label="test-admin", roles=frozenset({"admin"}))

ROOT = Path(__file__).resolve().parent.parent

#: Flags for Debian's Chromium in a container (Playwright cannot download its own browser here).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

#: Page script: ``[x, y, id]`` of every Sozialraum whose centre is on screen and not covered by anything.
CLICKABLE = """() => {
  const found = [];
  for (const p of document.querySelectorAll('path.sk-sozialraum')) {
    const r = p.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    if (r.width > 14 && y > 0 && y < innerHeight && document.elementFromPoint(x, y) === p) found.push([x, y, p.dataset.id]);
  }
  return found;
}"""
RAW = ROOT.parent / "shared" / "data" / "raw"


def real_or_demo(tmp: Path) -> tuple[Path, str]:
    """A dataset folder in `tmp`: the official files imported when present, else the demo; and its label."""
    spaces = RAW / "jukkler-sozialindex" / "Sozialräume_WGS84_4326_0.geojson"
    if not spaces.exists():
        return demo_dataset.write(tmp / "demo"), "demo"
    folder = tmp / "official"
    imports.import_files(
        folder,
        sozialraeume=spaces,
        indicators=RAW / "jukkler-sozialindex" / "Quartiersatlas_2024_Daten.xlsx",
        welcome_points=RAW / "ilia-sapan-portfolio" / "Integrationsberatung in Düsseldorf_1.csv",
        by=ADMIN,
    )
    return folder, "official (real)"


@contextmanager
def serve(folder: Path, user_dir: Path) -> Iterator[tuple[str, float]]:
    """
    `streamlit run app.py` on 127.0.0.1 for `folder`; yields its URL and when the process was started.

    The file watcher is off, as in production; the server is stopped afterwards.
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    env = {**os.environ, "SOZIALRAUM_DATA_DIR": str(folder), "SOZIALRAUM_USER_DIR": str(user_dir)}
    started = time.perf_counter()
    command = [
        *(sys.executable, "-m", "streamlit", "run", str(ROOT / "sozialraum_karte" / "server.py")),
        *("--server.port", str(port)),
    ]
    command += [
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
    ]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(1200):
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        yield url, started
    finally:
        server.terminate()
        server.wait(timeout=30)


def spread(values: list[float], unit: str = "s", *, scale: float = 1.0, places: int = 2) -> str:
    """``min / median / max unit (n=...)`` of benchmark figures, the way bench/RESULTS.md reports them."""
    if not values:
        return "–"
    v = [x * scale for x in values]
    return (
        f"{min(v):.{places}f} / {statistics.median(v):.{places}f} / {max(v):.{places}f} {unit} (n={len(v)})"
    )


def server_rss_mib(url: str) -> float:
    """Resident memory (MiB) of the `streamlit run` process serving `url` (found by its port in /proc)."""
    port = url.rsplit(":", 1)[-1]
    for proc in Path("/proc").iterdir():
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
            if b"streamlit" in b" ".join(args) and port.encode() in args:
                for line in (proc / "status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            continue
    return float("nan")
