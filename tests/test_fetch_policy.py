"""The server downloads only from allowed hosts, never into internal networks, not even by a redirect."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.core.access import AccessDeniedError, Principal
from geo.core.errors import DownloadError
from geo.data import imports

ADMIN = Principal(label="test-admin", roles=frozenset({"admin"}))


@pytest.fixture
def local_server() -> Iterator[tuple[str, int]]:
    """127.0.0.1 serving a file, and redirects (to a link-local address, to another local host name)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            targets = {
                "/to-metadata": "http://169.254.169.254/latest/meta-data/",
                "/to-localhost": f"http://localhost:{self.server.server_address[1]}/file.txt",
            }
            if self.path == "/slow":  # a byte every 0.2 s, for ever: each read is quick, the whole never ends
                self.send_response(200)
                self.send_header("Content-Length", "100000")
                self.end_headers()
                try:
                    for _ in range(100):
                        self.wfile.write(b"x")
                        self.wfile.flush()
                        time.sleep(0.2)
                except OSError:
                    return
                return
            if self.path in targets:
                self.send_response(302)
                self.send_header("Location", targets[self.path])
                self.end_headers()
                return
            body = b"inhalt"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "127.0.0.1", server.server_address[1]
    server.shutdown()
    server.server_close()


def test_the_portal_is_the_only_default_host(monkeypatch: pytest.MonkeyPatch) -> None:
    assert imports.allowed_hosts() == {"opendata.duesseldorf.de"}
    with pytest.raises(DownloadError, match="erlaubt sind nur"):
        imports.check_url("https://example.org/datei.geojson")
    with pytest.raises(DownloadError, match="only http"):
        imports.check_url("file:///etc/passwd")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "http://10.0.0.8/x",
        "http://192.168.1.1/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/x",
        "http://localhost/x",
    ],
)
def test_internal_addresses_are_refused_as_mirrors(url: str) -> None:
    with pytest.raises(DownloadError, match="wird nicht geladen"):
        imports.check_url(url)


def test_a_listed_name_that_resolves_to_loopback_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOZIALRAUM_FETCH_HOSTS", "opendata.duesseldorf.de,localhost")
    with pytest.raises(DownloadError, match="internes Netz"):
        imports.check_url("http://localhost/x")  # a name is no licence to reach an internal address


def test_a_listed_local_mirror_works_and_its_redirects_are_checked(
    local_server: tuple[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    host, port = local_server
    with pytest.raises(DownloadError, match="erlaubt sind nur"):  # not listed: refused before connecting
        imports.download(f"http://{host}:{port}/file.txt", tmp_path / "a.txt")
    monkeypatch.setenv("SOZIALRAUM_FETCH_HOSTS", f"{host}:{port}")  # the operator lists this mirror
    assert imports.download(f"http://{host}:{port}/file.txt", tmp_path / "a.txt").read_bytes() == b"inhalt"
    with pytest.raises(DownloadError, match="erlaubt sind nur"):
        imports.download(f"http://{host}:{port}/to-metadata", tmp_path / "b.txt")
    with pytest.raises(DownloadError, match="erlaubt sind nur"):
        imports.download(f"http://{host}:{port}/to-localhost", tmp_path / "c.txt")
    assert not (tmp_path / "b.txt").exists()  # nothing was written
    with pytest.raises(DownloadError, match="erlaubt sind nur"):  # another port is another server
        imports.check_url(f"http://{host}:{port + 1}/file.txt")


def test_only_a_real_admin_fetches(tmp_path: Path) -> None:
    for who in (Principal.public(), Principal(label="k", roles=frozenset({"coordinator"}))):
        with pytest.raises(AccessDeniedError):
            imports.fetch_official(tmp_path / "o", by=who)
    demo_admin = Principal(label="admin@demo.invalid", roles=frozenset({"admin"}), demo=True)
    with pytest.raises(AccessDeniedError, match="Demo-Konto"):
        imports.fetch_official(tmp_path / "o", by=demo_admin)
    assert not (tmp_path / "o").exists()


def test_the_address_really_reached_is_checked_again(
    local_server: tuple[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name that resolved to a public address when checked but reaches loopback when connecting (DNS
    rebinding) is refused at the connection itself."""
    _host, port = local_server
    monkeypatch.setenv("SOZIALRAUM_FETCH_HOSTS", "localhost")
    monkeypatch.setattr(imports, "check_url", lambda url: "localhost")  # the first look saw nothing wrong
    with pytest.raises(DownloadError, match="internes Netz"):
        imports.download(f"http://localhost:{port}/file.txt", tmp_path / "d.txt")
    assert not (tmp_path / "d.txt").exists()


def test_a_server_that_sends_a_byte_at_a_time_meets_the_deadline(
    local_server: tuple[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    host, port = local_server
    monkeypatch.setenv("SOZIALRAUM_FETCH_HOSTS", f"{host}:{port}")
    monkeypatch.setenv("SOZIALRAUM_DOWNLOAD_TIMEOUT", "5")  # each read gets its byte well within this
    monkeypatch.setenv("SOZIALRAUM_DOWNLOAD_DEADLINE", "2")
    started = time.monotonic()
    with pytest.raises(DownloadError, match="2 Sekunden"):
        imports.download(f"http://{host}:{port}/slow", tmp_path / "slow.bin")
    assert time.monotonic() - started < 6
