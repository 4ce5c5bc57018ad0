"""Shared fixtures: paths to the real data beside the checkout, and a demo dataset per session."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT.parent / "shared" / "data" / "raw"
SOZIALRAEUME = RAW / "jukkler-sozialindex" / "Sozialräume_WGS84_4326_0.geojson"
STADTTEILE = RAW / "jukkler-sozialindex" / "Stadtteile_2025_WGS84_EPSG4326_1.geojson"
QUARTIERSATLAS = RAW / "jukkler-sozialindex" / "Quartiersatlas_2024_Daten.xlsx"
QUARTIERSATLAS_CSV = RAW / "jukkler-sozialindex" / "converted" / "Quartiersatlas_2024_Daten_Profildaten.csv"
REGISTRY = RAW / "ilia-sapan-portfolio" / "Integrationsberatung in Düsseldorf_1.csv"
#: Foreign residents by nationality per Stadtteil (compiled by a third party from the city's tables).
NATIONALITIES = RAW / "ilia-sapan-portfolio" / "derived_by_repo_author" / "nationality_by_stadtteil.csv"
WOHNQUARTIERE_2021 = (
    RAW / "ilia-sapan-portfolio" / "Wohnbevölkerung nach Alter Wohnquartiere Düsseldorf 2021_1.csv"
)
WOHNQUARTIERE_2024 = (
    RAW / "ilia-sapan-portfolio" / "Wohnbevölkerung nach Alter Wohnquartiere Düsseldorf 2024.csv"
)
WOHNQUARTIERE_2020 = (
    RAW / "ilia-sapan-portfolio" / "Wohnbevölkerung nach Alter Wohnquartiere Düsseldorf 2020.csv"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """
    Real-data tests need ../shared beside the checkout; CI always has it, so there they never skip.
    Browser tests run first, grouped by the server they drive (`_browser_groups`).
    """
    _browser_groups(items)
    if RAW.exists() or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason=f"the real data folder {RAW} is not beside this checkout")
    for item in items:
        if "real_data" in item.keywords:
            item.add_marker(skip)


def _browser_groups(items: list[pytest.Item]) -> None:
    """
    Each browser test joins the pytest-xdist group of its module and its server fixture (`make test` runs
    `--dist loadgroup`): the tests of one server run on one worker, one after another, and the server starts
    once for them, while the other groups run beside them on the other worker. A test that names its own
    group keeps it (the two halves of the axe sweep). The browser tests come first: they are the longest
    units, so they start at once instead of making the run's tail.
    """
    for item in items:
        if "browser" not in item.keywords or item.get_closest_marker("xdist_group"):
            continue
        fixtures = getattr(item, "fixturenames", ())
        server = next((f for f in fixtures if f.endswith(("server", "servers"))), "no-server")
        item.add_marker(pytest.mark.xdist_group(f"{item.path.stem}-{server}"))
    items.sort(key=lambda item: "browser" not in item.keywords)


#: Settings a developer's shell may carry that no test may read.
_OWN_SETTINGS = (
    "DATABASE_URL",
    "SOZIALRAUM_COORDINATOR_HASH",
    "SOZIALRAUM_REQUIRE_LOGIN",
    "SOZIALRAUM_FETCH_HOSTS",
    "SOZIALRAUM_OIDC_ROLE_CLAIM",
    "SOZIALRAUM_OIDC_ROLE_MAP",
    "SOZIALRAUM_LOGIN_MAX_FAILURES",
    "SOZIALRAUM_LOGIN_MAX_CLIENT_FAILURES",
    "SOZIALRAUM_TRUSTED_PROXIES",
    "SOZIALRAUM_LOGIN_WINDOW_MIN",
    "SOZIALRAUM_CODE_HOURS",
    "SOZIALRAUM_RETENTION_DAYS",
    "SOZIALRAUM_SESSION_HOURS",
    "SOZIALRAUM_SQLITE_BUSY_MS",
)


def _share_compiled_pages() -> None:
    """
    AppTest compiles app.py and the page's script again on every run (a new `ScriptCache` per run; a quarter
    of the words sweep's time went to Streamlit's "magic" rewriting). A running server keeps one cache for
    all its sessions; the tests now do the same, keyed on the file's path, size and modification time.
    """
    from streamlit import config
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    compiled: dict[tuple[str, int, int, bool], object] = {}

    class SharedScriptCache(ScriptCache):
        def get_bytecode(self, script_path: str) -> object:
            path = str(Path(script_path).absolute())
            stat = Path(path).stat()
            key = (path, stat.st_size, stat.st_mtime_ns, bool(config.get_option("runner.magicEnabled")))
            if key not in compiled:
                compiled[key] = super().get_bytecode(path)
            return compiled[key]

    app_test.ScriptCache = SharedScriptCache  # type: ignore[misc]
    local_script_runner.ScriptCache = SharedScriptCache  # type: ignore[misc]


_share_compiled_pages()


def _scan_components_once() -> None:
    """
    Every new AppTest scans all installed distributions for Streamlit component manifests (0.18 CPU-s each,
    and the app declares its components in code, so the scan finds none). The installed packages do not change
    during a test session: the scan runs once per process, as it does in a running server.
    """
    from streamlit.components.v2 import manifest_scanner

    manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


_scan_components_once()


# The demo register of the app holds people and tandems only in tests (the programme year adds a year of
# activities and concerns that the page tests would count); tests of the programme year seed it themselves.
# Set at import, so servers started by module-scoped fixtures inherit it too.
os.environ["SOZIALRAUM_DEMO_PROGRAMME"] = "0"
# Passwords hashed at Argon2's lowest cost here (0.4 ms instead of 22 ms a hash; about 1,300 hashes in the
# suite). The test of OWASP's parameters sets them back (`test_auth.py`). Servers started by tests inherit it.
os.environ["SOZIALRAUM_ARGON2_MEMORY_KIB"] = "1024"
os.environ["SOZIALRAUM_ARGON2_PASSES"] = "1"
# Caches a process leaves for the next (the cut icon font, `sozialraum_karte.icons`): the test session's own,
# shared by its workers and servers, never the developer's ~/.cache.
os.environ["XDG_CACHE_HOME"] = str(Path(__file__).resolve().parent.parent / ".test-cache")


@pytest.fixture(autouse=True)
def own_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """
    Tests never touch the developer's register, data folders or login settings.

    `DATABASE_URL` and every auth setting are removed; the data and user folders point into this test's
    temporary folder (a test that needs another sets its own).
    """
    for name in _OWN_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SOZIALRAUM_USER_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SOZIALRAUM_DATA_DIR", str(tmp_path / "no-data"))


@pytest.fixture(autouse=True)
def catalogue_words() -> Iterator[None]:
    """Each test starts with the catalogue's own words: a city's set by a command before it is forgotten."""
    from geo.core import i18n

    i18n.use_words(None)
    yield
    i18n.use_words(None)


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A freshly generated demo dataset folder."""
    from geo.data import demo_dataset

    return demo_dataset.write(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def portal_mirror(portal_mirror_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The local mirror's address, with 127.0.0.1 put on the download allow-list for this test."""
    monkeypatch.setenv("SOZIALRAUM_FETCH_HOSTS", "127.0.0.1")
    return portal_mirror_server


@pytest.fixture(scope="module")
def portal_mirror_server() -> Iterator[str]:
    """A local HTTP server on 127.0.0.1 serving the real files, standing in for the open-data portal."""
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(RAW / "jukkler-sozialindex")
    )
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _initdb() -> Path | None:
    """PostgreSQL's initdb: on PATH, or where Debian's `postgresql` package puts it."""
    if found := shutil.which("initdb"):
        return Path(found)
    return max(Path("/usr/lib/postgresql").glob("*/bin/initdb"), default=None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """
    A throw-away PostgreSQL cluster on 127.0.0.1, started for this test session and removed after it.

    As root the server runs as the `postgres` user (PostgreSQL refuses root). Without PostgreSQL or psycopg
    the tests that need it are skipped outside CI; under CI (`make test` installs both) they fail instead.
    """
    initdb = _initdb()
    try:
        import psycopg  # noqa: F401
    except ImportError:
        initdb = None
    if initdb is None:
        reason = "PostgreSQL (initdb) or psycopg is not installed: `make test` installs them as root"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    as_user: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="sk-pg-"))
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres")
    port = _free_port()
    data = folder / "data"
    pg_ctl = initdb.parent / "pg_ctl"
    subprocess.run(
        [*as_user, str(initdb), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [*as_user, str(pg_ctl), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(
            [*as_user, str(pg_ctl), "-D", str(data), "-m", "fast", "stop"], check=False, capture_output=True
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def register_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty register database: an SQLite file, and a new database on the PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'register.sqlite'}"
    import psycopg

    server = request.getfixturevalue("postgres_server")
    name = f"register_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(
        server.replace("postgresql+psycopg", "postgresql") + "/postgres", autocommit=True
    ) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> object:
    """The real official files imported as the app imports them (a dataset per test module)."""
    from geo.core.access import Principal
    from geo.data import dataset, imports

    out = tmp_path_factory.mktemp("real") / "official"
    imports.import_files(
        out, by=Principal.cli(), sozialraeume=SOZIALRAEUME, indicators=QUARTIERSATLAS, welcome_points=REGISTRY
    )
    return dataset.load_dataset(out)


def log_in_here(at: object, email: str, password: str) -> None:
    """
    Log in through the login form the page shows (AppTest): the sidebar's (`app_login`) or the page's own
    (the start page's `start_login`, a bookmarked page's), then rerun.
    """
    keys = [w.key for w in at.text_input if w.key and w.key.endswith("_login_email")]  # type: ignore[attr-defined]
    assert keys, "no login form on this page"
    prefix = keys[0].removesuffix("_login_email")
    at.text_input(key=f"{prefix}_login_email").set_value(email)  # type: ignore[attr-defined]
    at.text_input(key=f"{prefix}_login_password").set_value(password)  # type: ignore[attr-defined]
    next(b for b in at.button if b.proto.form_id == f"{prefix}_login").click().run()  # type: ignore[attr-defined]


# --- the browser tests' Chromium (per module) and servers (one of each kind per test process, for every module) ---


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """
    One Chromium for the tests of a module; each test gets a fresh context of it (its own cookies and storage,
    `tests.test_browser.new_page`). Per module, not per process: Playwright's synchronous API keeps an event
    loop running while it is open, and the tests of other modules run their own (`asyncio.run`).
    """
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on the demo data, as a visitor sees it: started once per test process, for every module."""
    from tests.test_browser import _serve

    yield from _serve(tmp_path_factory, {})


@pytest.fixture(scope="session")
def coordinator_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second server on the demo data, for the tests that write (its demo register has an account per role)."""
    from tests.test_browser import _serve

    yield from _serve(tmp_path_factory, {})
