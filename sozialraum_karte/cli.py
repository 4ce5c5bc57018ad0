"""
``sozialraum-karte``: start the app for production, or run one of the data tools.

::

    sozialraum-karte serve [--port 8501] [--address 127.0.0.1] [--processes N]   # the app, production settings
    sozialraum-karte --version
    sozialraum-karte validate|import|gaps|backup|restore|user|...  # the same as python -m geo ...

``serve`` runs ``streamlit run`` on the installed ``server.py`` (``app.py``'s pages and the login cookie's
routes) with the project's Streamlit settings
(``streamlit.toml``) and, on top of them, what production needs: no file watcher, no rerun on save, XSRF
protection on, headless. Data and user folders come from ``SOZIALRAUM_DATA_DIR`` and ``SOZIALRAUM_USER_DIR``
(see docs/betrieb.md); nothing is written inside the installed package.
"""

from __future__ import annotations

import os
import sys
import tomllib
from importlib import resources
from pathlib import Path

#: Settings production adds to `streamlit.toml` (a development checkout keeps Streamlit's defaults).
PRODUCTION = {
    "server.fileWatcherType": "none",
    "server.runOnSave": "false",
    "server.enableXsrfProtection": "true",
    "server.enableCORS": "true",
    "server.headless": "true",
    "global.developmentMode": "false",
}


def app_path() -> Path:
    """The installed Streamlit entry point (``app.py`` beside the ``app_pages`` package)."""
    import app_pages  # noqa: PLC0415 - found where the wheel (or the checkout) put it

    return Path(app_pages.__file__).resolve().parent.parent / "app.py"


def server_path() -> Path:
    """The file ``streamlit run`` serves: the pages with the login cookie's routes (`sozialraum_karte.server`)."""
    return Path(__file__).resolve().parent / "server.py"


def streamlit_flags(extra: dict[str, str] | None = None) -> list[str]:
    """``--section.option value`` for every setting of `streamlit.toml`, then production's, then `extra`."""
    text = resources.files("sozialraum_karte").joinpath("streamlit.toml").read_text(encoding="utf-8")
    settings: dict[str, str] = {}
    for section, options in tomllib.loads(text).items():
        for option, value in options.items():
            settings[f"{section}.{option}"] = str(value).lower() if isinstance(value, bool) else str(value)
    settings |= PRODUCTION | (extra or {})
    return [part for key, value in settings.items() for part in (f"--{key}", value)]


def serve(argv: list[str]) -> int:
    """Start the app (replaces this process with Streamlit's)."""
    import argparse  # noqa: PLC0415

    p = argparse.ArgumentParser(
        prog="sozialraum-karte serve", description="start the app (production settings)"
    )
    p.add_argument("--port", default=os.environ.get("SOZIALRAUM_PORT", "8501"))
    p.add_argument("--address", default=os.environ.get("SOZIALRAUM_ADDRESS", "127.0.0.1"))
    p.add_argument(
        "--processes",
        type=int,
        default=int(os.environ.get("SOZIALRAUM_PROCESSES", "1") or 1),
        help="server processes on PORT, PORT+1, ... behind a sticky proxy (deploy/nginx.conf); default 1",
    )
    args = p.parse_args(argv)
    if not 1 <= args.processes <= 32:
        print("sozialraum-karte: --processes must be between 1 and 32.", file=sys.stderr)
        return 2
    from geo.core import logs  # noqa: PLC0415
    from geo.core.errors import SozialraumError  # noqa: PLC0415
    from geo.core.settings import get_settings  # noqa: PLC0415
    from geo.data import dataset, demo_dataset  # noqa: PLC0415

    data_dir = get_settings().data_dir
    if not (data_dir / dataset.META_FILE).exists():  # a fresh install shows the demo, marked as such
        try:
            demo_dataset.write(data_dir)
        except (OSError, SozialraumError) as exc:  # an operator's setting: sentences, never a traceback
            reason = exc.message("en") if isinstance(exc, SozialraumError) else (exc.strerror or str(exc))
            print(
                f"sozialraum-karte: no dataset in {data_dir}, and the demo cannot be written there: {reason}\n"
                "Set SOZIALRAUM_DATA_DIR to a folder this user may write, or import a dataset into it first "
                "(docs/betrieb.md).",
                file=sys.stderr,
            )
            return 2
        logs.configure().info("no dataset in %s: the demo dataset was written there", data_dir)
    if args.processes == 1:
        flags = streamlit_flags({"server.port": str(args.port), "server.address": args.address})
        command = [sys.executable, "-m", "streamlit", "run", str(server_path()), *flags]
        os.execv(sys.executable, command)  # noqa: S606 - our own interpreter and arguments, no shell
        return 0  # pragma: no cover - execv does not return
    return _supervise(args.address, int(args.port), args.processes)


def _supervise(address: str, port: int, processes: int) -> int:
    """
    `processes` Streamlit servers on `port`, `port` + 1, …; stopped together, and all when one ends.

    Each process keeps its browser sessions in memory, so the proxy in front must send a browser to the same
    one every time (``ip_hash`` in `deploy/nginx.conf`). They share the register and the dataset folders;
    the register migrates once (`geo.register.store`), caches key on the dataset's version token.
    """
    import signal  # noqa: PLC0415
    import subprocess  # noqa: PLC0415
    import time  # noqa: PLC0415

    from geo.core import logs  # noqa: PLC0415

    log = logs.configure()
    children = []
    for n in range(processes):
        flags = streamlit_flags({"server.port": str(port + n), "server.address": address})
        command = [sys.executable, "-m", "streamlit", "run", str(server_path()), *flags]
        children.append(subprocess.Popen(command))
        log.info(
            "server process %d of %d on %s:%d (pid %d)", n + 1, processes, address, port + n, children[-1].pid
        )
    stopping = []

    def stop(signum: int, _frame: object) -> None:
        stopping.append(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = 0
    while not stopping:
        ended = [c for c in children if c.poll() is not None]
        if ended:  # one process died: stop the others too, so the service manager restarts the whole set
            code = ended[0].returncode or 1
            log.error(
                "server process %d ended with %s: stopping the others", ended[0].pid, ended[0].returncode
            )
            break
        time.sleep(0.5)
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
    return code


def main(argv: list[str] | None = None) -> int:
    """The console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] in (["--version"], ["-V"]):
        from geo import __version__  # noqa: PLC0415

        print(f"sozialraum-karte {__version__}")
        return 0
    if args[:1] == ["serve"]:
        return serve(args[1:])
    from geo.__main__ import main as geo_main  # noqa: PLC0415

    return geo_main(args)


if __name__ == "__main__":
    sys.exit(main())
