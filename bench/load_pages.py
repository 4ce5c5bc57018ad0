"""
Benchmark: the pages people use at a meeting, under SESSIONS sessions at once, at protocol level.

``.venv/bin/python bench/load_pages.py PAGE {demo,real} [SESSIONS] [SECONDS] [THINK] [--processes N]`` with
PAGE one of
``start``, ``erkunden``, ``abdeckung``, ``anliegen``, ``aktivitaeten``, ``programmjahr`` (defaults: 20
sessions, 60 s, think time 2 s). Starts `streamlit run` on 127.0.0.1 with the demo or the real data and opens
SESSIONS websocket sessions speaking Streamlit's protocol (as `bench/load_protocol.py`, whose client it uses),
all at once on PAGE. On Abdeckung, Anliegen, Aktivitäten and Programmjahr each session is a coordinator
logged in (its own account and login session in the server's register, the session cookie sent with the
websocket's handshake, as a browser does); Start and Erkunden are opened as the public does.

Then each session, for SECONDS, reruns the page after a think time (uniform 0.5 x .. 1.5 x THINK): on
Erkunden a new indicator or a click on a Sozialraum (as `load_protocol.py`), on the other pages a full rerun
of the page as any widget change causes. Printed in `load_protocol.py`'s format: page load, ``- all reruns:
n=…, median …, p95 … s``, server memory, ``- errors: N`` (an exception element, a run that did not finish,
an error box, a page that did not open as the person, a timeout).

With ``--processes N`` there are N server processes on one register and dataset (as `sozialraum-karte serve
--processes N`), and session k talks to process k mod N, as distinct browsers do behind the sticky proxy
(``ip_hash``); the proxy itself is not in the path, so the figures are the servers' own.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402

from bench._data import real_or_demo, serve, server_rss_mib  # noqa: E402
from bench.load_protocol import Client, Run, _spots  # noqa: E402
from bench.load_protocol import session as explore_session  # noqa: E402

#: Pages and whether a coordinator opens them (else the public).
PAGES = {
    "start": False,
    "erkunden": False,
    "abdeckung": True,
    "anliegen": True,
    "aktivitaeten": True,
    "programmjahr": True,
}
#: The heading each page shows when it opened (as `geo/core/locales/de.json` has it); a coordinator's pages also
#: show "Angemeldet: …" in the sidebar, checked too.
OPENED = {
    "start": "Sozialraum-Karte Düsseldorf",
    "abdeckung": "Wo Tandems arbeiten und wo sie fehlen",
    "anliegen": "Anliegen und Rückmeldungen",
    "aktivitaeten": "Aktivitäten",
    "programmjahr": "Programmjahr",
}


def _demo_folder(tmp: Path) -> Path:
    from geo.data import demo_dataset  # noqa: PLC0415

    return demo_dataset.write(tmp / "demo")


def _coordinator_cookies(folder: Path, user_dir: Path, sessions: int, *, demo: bool) -> list[str]:
    """
    A login session per benchmark session, as the session cookies a browser would send.

    Real data: one coordinator account each in the server's register. Demo data: the demo register's
    coordinator (seeded as the app seeds it on first use), once per session.
    """
    import os  # noqa: PLC0415

    os.environ["SOZIALRAUM_USER_DIR"] = str(user_dir)  # the register files the server will open
    from geo.core.access import Principal  # noqa: PLC0415
    from geo.data import dataset  # noqa: PLC0415
    from geo.register import accounts, store  # noqa: PLC0415
    from geo.register import demo_register as demo_module  # noqa: PLC0415

    if demo:
        spaces = dataset.load_dataset(folder).spaces
        register = demo_module.seeded_register(sorted(spaces["sozialraum_id"]), spaces=spaces)
    else:
        register = store.Register(f"sqlite:///{user_dir / 'register.sqlite'}")
    cookies = []
    try:
        for n in range(sessions):
            if demo:
                who = accounts.login(register, "koordination@demo.invalid", demo_module.DEMO_PASSWORD)
            else:
                email = f"koordination{n}@bench.invalid"
                _id, code = accounts.create_account(
                    register, by=Principal.cli(), email=email, roles="coordinator"
                )
                who = accounts.set_password_with_code(register, email, code, "ein-langes-passwort")
            ticket = accounts.start_session(register, who)
            token = accounts.redeem_ticket(register, ticket.ticket)
            assert token is not None
            cookies.append(f"sk_session={token[0]}")
    finally:
        register.close()
    return cookies


def _texts(run: Run) -> str:
    return " ".join(run.texts)


async def page_session(
    url: str,
    page: str,
    cookie: str,
    *,
    seconds: float,
    think: float,
    rng: random.Random,
    out: dict[str, list],
) -> None:
    ws_url = url.replace("http", "ws") + "/_stcore/stream"
    headers = {"Cookie": cookie} if cookie else {}
    try:
        async with websockets.connect(
            ws_url, subprotocols=["streamlit"], max_size=None, additional_headers=headers
        ) as ws:
            client = Client(ws)
            first = await client.run(page=page)
            out["loads"].append(first.seconds)
            if (
                first.exceptions
                or first.finished != "FINISHED_SUCCESSFULLY"
                or OPENED[page] not in _texts(first)
            ):
                out["errors"].append(f"load: {first.finished} {first.exceptions} {_texts(first)[:120]!r}")
                return
            end = asyncio.get_running_loop().time() + seconds
            while asyncio.get_running_loop().time() < end:
                await asyncio.sleep(think * rng.uniform(0.5, 1.5))
                run = await client.run(page=page)
                out["reruns"].append(run.seconds)
                if (
                    run.exceptions
                    or run.finished != "FINISHED_SUCCESSFULLY"
                    or run.errors
                    or (OPENED[page] not in _texts(run))
                ):
                    out["errors"].append(f"rerun: {run.finished} {run.exceptions} {run.errors}")
    except (TimeoutError, OSError, websockets.WebSocketException) as exc:
        out["errors"].append(f"{type(exc).__name__}: {exc}")


def _stats(values: list[float]) -> str:
    if not values:
        return "none"
    p95 = sorted(values)[max(0, round(0.95 * len(values)) - 1)]
    return (
        f"n={len(values)}, min {min(values):.2f}, median {statistics.median(values):.2f}, "
        f"p95 {p95:.2f}, max {max(values):.2f} s"
    )


async def main(
    page: str, data: str, sessions: int, seconds: float, think: float, *, processes: int = 1
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if data == "real":
            folder, label = real_or_demo(Path(tmp))
        else:
            folder, label = _demo_folder(Path(tmp)), "demo"
        user_dir = Path(tmp) / "var"
        user_dir.mkdir()
        cookies = (
            _coordinator_cookies(folder, user_dir, sessions, demo=data == "demo")
            if PAGES[page]
            else [""] * sessions
        )
        out: dict[str, list] = {"loads": [], "reruns": [], "indicator": [], "click": [], "errors": []}
        with contextlib.ExitStack() as stack:
            urls = [stack.enter_context(serve(folder, user_dir))[0] for _ in range(processes)]
            before = sum(server_rss_mib(u) for u in urls)
            if page == "erkunden":
                spots = _spots(folder)
                await asyncio.gather(
                    *(
                        explore_session(
                            urls[n % processes],
                            spots,
                            seconds=seconds,
                            think=think,
                            rng=random.Random(n),
                            out=out,
                        )
                        for n in range(sessions)
                    )
                )
                out["reruns"] = out["indicator"] + out["click"]
            else:
                await asyncio.gather(
                    *(
                        page_session(
                            urls[n % processes],
                            page,
                            cookies[n],
                            seconds=seconds,
                            think=think,
                            rng=random.Random(n),
                            out=out,
                        )
                        for n in range(sessions)
                    )
                )
            after = sum(server_rss_mib(u) for u in urls)
    who = "coordinators (logged in)" if PAGES[page] else "the public"
    on = f" on {processes} processes" if processes > 1 else ""
    print(
        f"page: {page}; data: {label}; {sessions} sessions of {who}{on} for {seconds:.0f} s, think {think:g} s"
    )
    print(f"- page load (all at once): {_stats(out['loads'])}")
    print(f"- all reruns: {_stats(sorted(out['reruns']))}")
    print(f"- server memory (RSS): {before:,.0f} MiB before the sessions, {after:,.0f} MiB after")
    print(f"- errors: {len(out['errors'])}")
    for error in out["errors"][:10]:
        print(f"  {error}")


if __name__ == "__main__":
    args = sys.argv[1:]
    procs = 1
    if "--processes" in args:
        at = args.index("--processes")
        procs = int(args[at + 1])
        del args[at : at + 2]
    if not args or args[0] not in PAGES or (len(args) > 1 and args[1] not in {"demo", "real"}):
        sys.exit(f"usage: load_pages.py {{{','.join(PAGES)}}} {{demo,real}} [SESSIONS] [SECONDS] [THINK]")
    asyncio.run(
        main(
            args[0],
            args[1] if len(args) > 1 else "real",
            int(args[2]) if len(args) > 2 else 20,
            float(args[3]) if len(args) > 3 else 60.0,
            float(args[4]) if len(args) > 4 else 2.0,
            processes=procs,
        )
    )
