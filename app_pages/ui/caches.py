"""Work done once: per script run (`run_memo`), per process for all sessions (`shared`), per session."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

_RUN = threading.local()


def run_memo() -> dict:
    """
    A dictionary that lives for one script run (a rerun or a fragment run starts a new one).

    For what many widgets ask on one run and what may change between runs (folder listings, file times):
    looked up once per run instead of a dozen times. Outside a script run (a test calling a function
    directly) every call gets a fresh dictionary. A run is recognised by Streamlit's per-run cursor table,
    which `ScriptRunContext.reset` replaces at the start of every run; holding on to it keeps its identity
    from being reused.
    """
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return {}
    held = getattr(_RUN, "held", None)
    if held is None or held[0] is not ctx.cursors:
        held = (ctx.cursors, {})
        _RUN.held = held
    return held[1]


T = TypeVar("T")
P = ParamSpec("P")
R = TypeVar("R")
SHARED_CACHES: list[Callable[[], None]] = []


def shared(max_entries: int) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """
    A result made once per process for every session, by its arguments; the least recently used goes first.

    For results every session reads as they are (a Steckbrief, a legend, "Was wir hier wissen" per role):
    unlike `st.cache_data`, a hit hands out the same object (no unpickled copy, no hashing of the arguments
    through Streamlit's hasher), so a caller must never change what it gets. Arguments whose names start
    with ``_`` (the register, the person) are not part of the key, as with Streamlit's caches; the others
    must be hashable. ``func.clear()`` forgets everything.
    """

    def wrap(func: Callable[P, R]) -> Callable[P, R]:
        import inspect  # noqa: PLC0415 - once per decorated function

        names = list(inspect.signature(func).parameters)
        skipped = {i for i, name in enumerate(names) if name.startswith("_")}
        entries: OrderedDict[tuple, Any] = OrderedDict()
        busy: dict[tuple, threading.Lock] = {}
        lock = threading.Lock()

        @functools.wraps(func)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            key = (
                tuple(a for i, a in enumerate(args) if i not in skipped),
                tuple(sorted((k, v) for k, v in kwargs.items() if not k.startswith("_"))),
            )
            with lock:
                if key in entries:
                    entries.move_to_end(key)
                    found: R = entries[key]
                    return found
                making = busy.setdefault(key, threading.Lock())
            with making:  # many sessions asking at once (a meeting opening the app): one makes, the rest wait
                with lock:
                    if key in entries:
                        made: R = entries[key]
                        return made
                value = func(*args, **kwargs)
                with lock:
                    entries[key] = value
                    busy.pop(key, None)
                    while len(entries) > max_entries:
                        entries.popitem(last=False)
            return value

        def clear() -> None:
            with lock:
                entries.clear()

        call.clear = clear  # type: ignore[attr-defined]
        SHARED_CACHES.append(clear)
        return call

    return wrap


def session_copy(name: str, key: tuple, make: Callable[[], T]) -> T:
    """
    This session's copy of what `make` returns, made again only when `key` changes.

    `st.cache_data` hands every caller a fresh copy (unpickled on every call); a session that keeps its copy
    for the reruns that follow saves that work (about 9 ms for the real dataset on every rerun).
    """
    held = st.session_state.get(name)
    if held is not None and held[0] == key:
        return held[1]
    value = make()
    st.session_state[name] = (key, value)
    return value


#: Session key of the files a user prepared for download (forgotten at logout: they may hold personal data).
PREPARED = "_app_prepared_files"
