"""
Benchmark: what a first visit to Erkunden downloads, on the wire, with an empty browser cache.

Starts `streamlit run` on 127.0.0.1 with the real data (the demo when absent), opens ``/erkunden`` in a fresh
headless Chromium at 1366x768 and waits until every Sozialraum shape is drawn. Counted: each HTTP response's
body as sent (``responseBodySize``: compressed when the server compressed it) and headers, by kind, and the
websocket messages the server sent (their payload; Streamlit's websocket compression is reported as set).
A second visit in the same browser shows what its cache saves.

With ``--nginx`` the browser goes through nginx (Debian's ``nginx``) configured with the compression lines of
`deploy/nginx.conf`, copied from that file, on plain HTTP on 127.0.0.1: what a first visit costs behind the
documented proxy.

Run with ``.venv/bin/python bench/first_visit.py [--nginx]``.
"""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from bench._data import CHROMIUM, CHROMIUM_ARGS, real_or_demo, serve  # noqa: E402


def _kind(url: str) -> str:
    if "/_sk/web/" in url:
        return "map code (Leaflet + map.js, one file)"
    if "/_sk/base/" in url:
        return "map geometry and names (TopoJSON, one file)"
    if url.endswith(".js"):
        return "Streamlit JavaScript"
    if url.endswith((".woff2", ".woff", ".ttf")):
        return "fonts"
    if url.endswith(".css"):
        return "CSS"
    return "other"


def visit(page, url: str, shapes: int) -> tuple[Counter, int, Counter]:
    sizes: Counter = Counter()
    files: Counter = Counter()
    socket_bytes = [0, 0]

    def finished(request) -> None:
        s = request.sizes()
        sizes[_kind(request.url)] += s["responseBodySize"] + s["responseHeadersSize"]
        files[request.url.rsplit("/", 1)[-1][:60]] += s["responseBodySize"] + s["responseHeadersSize"]

    # permessage-deflate as the server does it with context takeover (one stream per connection, flushed
    # after every message): what the frames cost on the wire when the server compresses them
    deflate = zlib.compressobj(6, zlib.DEFLATED, -15)

    def received(payload) -> None:
        data = payload if isinstance(payload, bytes) else payload.encode("utf-8")
        socket_bytes[0] += len(data)
        socket_bytes[1] += len(deflate.compress(data) + deflate.flush(zlib.Z_SYNC_FLUSH)) - 4

    def websocket(ws) -> None:
        ws.on("framereceived", received)

    page.on("requestfinished", finished)
    page.on("websocket", websocket)
    page.goto(url + "/erkunden")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if page.locator("path.sk-sozialraum").count() >= shapes:
            break
        page.wait_for_timeout(250)
    page.wait_for_timeout(1500)
    page.remove_listener("requestfinished", finished)
    page.remove_listener("websocket", websocket)
    return sizes, socket_bytes, files


@contextlib.contextmanager
def nginx_in_front(url: str, tmp: Path):
    """nginx on a free loopback port proxying to `url`, with deploy/nginx.conf's gzip lines; yields its URL."""
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    gzip = "\n".join(line for line in conf.splitlines() if re.match(r"\s*gzip\w*\s", line))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    target = url.removeprefix("http://")
    (tmp / "nginx").mkdir()
    config = tmp / "nginx" / "nginx.conf"
    config.write_text(
        f"""daemon off; worker_processes 1; pid {tmp}/nginx/pid; error_log {tmp}/nginx/error.log;
events {{}}
http {{
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path {tmp}/nginx/body; proxy_temp_path {tmp}/nginx/proxy;
  fastcgi_temp_path {tmp}/nginx/fcgi; uwsgi_temp_path {tmp}/nginx/uwsgi; scgi_temp_path {tmp}/nginx/scgi;
  map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
  server {{
    listen 127.0.0.1:{port};
{gzip}
    location / {{
      proxy_pass http://{target};
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_read_timeout 86400;
      proxy_buffering off;
    }}
  }}
}}
""",
        encoding="utf-8",
    )
    server = subprocess.Popen(["/usr/sbin/nginx", "-c", str(config), "-p", str(tmp / "nginx")])
    try:
        time.sleep(1.0)
        yield f"http://127.0.0.1:{port}", gzip
    finally:
        server.terminate()
        server.wait(timeout=10)


def main(*, nginx: bool) -> None:
    from geo.data import dataset  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        folder, label = real_or_demo(Path(tmp))
        shapes = len(dataset.load_dataset(folder).spaces)
        with serve(folder, Path(tmp) / "var") as (direct, _started), contextlib.ExitStack() as stack:
            url = direct
            if nginx:
                url, gzip = stack.enter_context(nginx_in_front(direct, Path(tmp)))
                print("behind nginx with deploy/nginx.conf's lines: " + " ".join(gzip.split()))
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            page = context.new_page()
            print(f"data: {label}; first visit to /erkunden, then a second in the same browser")
            for n in (1, 2):
                sizes, (ws, deflated), files = visit(page, url, shapes)
                http = sum(sizes.values())
                print(
                    f"- visit {n}: HTTP {http / 1024:,.0f} KiB + websocket {ws / 1024:,.0f} KiB = "
                    f"{(http + ws) / 1024:,.0f} KiB; with websocket compression (server.enableWebsocket"
                    f"Compression, the deploy kit's setting) {deflated / 1024:,.0f} KiB on the wire: "
                    f"{(http + deflated) / 1024:,.0f} KiB = {(http + deflated) / 1e6:.2f} MB"
                )
                for kind, size in sizes.most_common():
                    print(f"    {kind}: {size / 1024:,.0f} KiB")
                if n == 1 and "--files" in sys.argv:
                    for name, size in files.most_common(15):
                        print(f"      {name}: {size / 1024:,.1f} KiB")
            browser.close()


if __name__ == "__main__":
    main(nginx="--nginx" in sys.argv)
