"""
Benchmark: the monthly meeting at protocol level, when every connector opens the map at once.

Starts `streamlit run` on 127.0.0.1 with the real data (the demo when absent) and opens SESSIONS websocket
sessions that speak Streamlit's own protocol (protobuf `BackMsg`/`ForwardMsg`, as the browser does), so the
figure measures the server and not the browsers sharing its two cores (`bench/load.py` drives real pages).
All sessions connect at once and load Erkunden; then each, for SECONDS, alternates:

- a new indicator (the "Indikator" box, a full rerun, as the browser sends it);
- a click on a Sozialraum (the map component's ``clicked`` trigger, a rerun of the map's fragment only, as the
  browser sends it); counted only when the answer holds that Sozialraum's Steckbrief;

with a think time of THINK seconds (uniform 0.5 x .. 1.5 x, default 2 s) between actions, like people reading
the map. Reported: page load (connect -> script finished), each rerun (message sent -> script finished),
errors (an exception element, a run that did not finish, a click without its Steckbrief, a timeout).

Run with ``.venv/bin/python bench/load_protocol.py [SESSIONS] [SECONDS] [THINK]`` (default 20, 60, 2).
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from bench._data import real_or_demo, serve, server_rss_mib  # noqa: E402
from geo.core.settings import METRIC_CRS, STORAGE_CRS  # noqa: E402
from geo.data import dataset  # noqa: E402

TIMEOUT = 120.0


@dataclass
class Run:
    """What one script run sent back."""

    seconds: float
    texts: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # red boxes (st.error)
    finished: str = ""


@dataclass
class Client:
    """One browser tab, at protocol level."""

    ws: websockets.ClientConnection
    page_hash: str = ""
    widgets: dict[str, object] = field(default_factory=dict)  # key suffix -> element proto
    fragments: dict[str, str] = field(default_factory=dict)  # key suffix -> fragment id
    values: dict[str, str] = field(default_factory=dict)  # widget id -> string value sent before
    cached: set[str] = field(default_factory=set)

    async def run(
        self,
        *,
        fragment: str = "",
        trigger: tuple[str, str] | None = None,
        json_values: dict | None = None,
        page: str = "",
    ) -> Run:
        back = BackMsg()
        state = back.rerun_script
        state.page_script_hash = self.page_hash
        if page and not self.page_hash:  # the first run opens the page by its address (``/abdeckung``)
            state.page_name = page
        state.fragment_id = fragment
        state.cached_message_hashes.extend(sorted(self.cached))
        for widget_id, value in self.values.items():
            w = state.widget_states.widgets.add()
            w.id = widget_id
            w.string_value = value
        for widget_id, value in (json_values or {}).items():
            w = state.widget_states.widgets.add()
            w.id = widget_id
            w.json_value = value
        if trigger is not None:
            w = state.widget_states.widgets.add()
            w.id, w.json_trigger_value = trigger
        start = time.perf_counter()
        await self.ws.send(back.SerializeToString())
        run = Run(seconds=0.0)
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await asyncio.wait_for(self.ws.recv(), TIMEOUT))
            kind = msg.WhichOneof("type")
            if msg.metadata.cacheable and msg.hash:
                self.cached.add(msg.hash)
            if kind == "new_session":
                self.page_hash = msg.new_session.page_script_hash
            elif kind == "navigation":  # the page this run shows (st.navigation): reruns stay on it
                self.page_hash = msg.navigation.page_script_hash
            elif kind == "page_info_changed":
                continue
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                which = element.WhichOneof("type")
                body = getattr(element, which)
                if which == "exception":
                    run.exceptions.append(body.message)
                elif which == "alert":
                    run.texts.append(body.body)
                    if body.format == 1:  # Alert.Format.ERROR: a red box
                        run.errors.append(body.body)
                elif which in {"markdown", "heading"}:
                    run.texts.append(body.body)
                key = getattr(body, "id", "").rsplit("-", 1)[-1] if hasattr(body, "id") else ""
                if key:
                    self.widgets[key] = body
                    self.fragments[key] = msg.delta.fragment_id
            elif kind == "script_finished":
                run.finished = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
                run.seconds = time.perf_counter() - start
                if run.finished != "FINISHED_EARLY_FOR_RERUN":
                    return run


def _spots(folder: Path) -> list[tuple[str, float, float]]:
    """Every Sozialraum as (ID, lat, lng) of a point inside it."""
    spaces = dataset.load_dataset(folder).spaces
    inside = spaces.to_crs(METRIC_CRS).geometry.representative_point().to_crs(STORAGE_CRS)
    return [(i, p.y, p.x) for i, p in zip(spaces["sozialraum_id"], inside, strict=True)]


async def session(
    url: str, spots: list, *, seconds: float, think: float, rng: random.Random, out: dict[str, list]
) -> None:
    ws_url = url.replace("http", "ws") + "/_stcore/stream"
    try:
        async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None) as ws:
            client = Client(ws)
            first = await client.run(page="erkunden")
            out["loads"].append(first.seconds)
            if first.exceptions or "indicator" not in "".join(client.widgets):
                out["errors"].append(f"load: {first.exceptions or 'no indicator box'}")
                return
            indicator = client.widgets["explore_indicator"]
            options = list(indicator.options)
            map_id = client.widgets["explore_map"].id
            trigger_id = f"$$STREAMLIT_INTERNAL_KEY_{map_id}__events"
            end = time.monotonic() + seconds
            i = 0
            while time.monotonic() < end:
                await asyncio.sleep(think * rng.uniform(0.5, 1.5))
                i += 1
                if i % 2:
                    client.values[indicator.id] = options[(i // 2 + 1) % len(options)]
                    run = await client.run()
                    ok = run.finished == "FINISHED_SUCCESSFULLY"
                    out["indicator"].append(run.seconds)
                else:
                    sid, lat, lng = rng.choice(spots)
                    payload = json.dumps([{"event": "clicked", "value": {"id": sid, "lat": lat, "lng": lng}}])
                    run = await client.run(
                        fragment=client.fragments["explore_map"],
                        trigger=(trigger_id, payload),
                        json_values={map_id: "{}"},  # the component's state, as the browser sends it
                    )
                    ok = run.finished.startswith("FINISHED_") and any(f"{sid} ·" in t for t in run.texts)
                    out["click"].append(run.seconds)
                if run.exceptions or not ok:
                    out["errors"].append(
                        f"{'indicator' if i % 2 else 'click'}: {run.finished} {run.exceptions}"
                    )
    except (TimeoutError, OSError, websockets.WebSocketException) as exc:
        out["errors"].append(f"{type(exc).__name__}: {exc}")


async def main(sessions: int, seconds: float, think: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder, label = real_or_demo(Path(tmp))
        spots = _spots(folder)
        with serve(folder, Path(tmp) / "var") as (url, _started):
            out: dict[str, list] = {"loads": [], "indicator": [], "click": [], "errors": []}
            before = server_rss_mib(url)
            await asyncio.gather(
                *(
                    session(url, spots, seconds=seconds, think=think, rng=random.Random(n), out=out)
                    for n in range(sessions)
                )
            )
            after = server_rss_mib(url)
    reruns = sorted(out["indicator"] + out["click"])

    def stats(values: list[float]) -> str:
        if not values:
            return "none"
        p95 = sorted(values)[max(0, round(0.95 * len(values)) - 1)]
        return (
            f"n={len(values)}, min {min(values):.2f}, median {statistics.median(values):.2f}, "
            f"p95 {p95:.2f}, max {max(values):.2f} s"
        )

    print(f"data: {label}; {sessions} sessions for {seconds:.0f} s, think time {think:g} s (0.5-1.5 x)")
    print(f"- page load (all at once): {stats(out['loads'])}")
    print(f"- indicator change: {stats(out['indicator'])}")
    print(f"- click -> Steckbrief: {stats(out['click'])}")
    print(f"- all reruns: {stats(reruns)}")
    print(f"- server memory (RSS): {before:,.0f} MiB before the sessions, {after:,.0f} MiB after")
    print(f"- errors: {len(out['errors'])}")
    for error in out["errors"][:10]:
        print(f"  {error}")


if __name__ == "__main__":
    args = sys.argv[1:]
    asyncio.run(
        main(
            int(args[0]) if args else 20,
            float(args[1]) if len(args) > 1 else 60.0,
            float(args[2]) if len(args) > 2 else 2.0,
        )
    )
