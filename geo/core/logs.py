"""
The application log: one line per event on standard error, the level from the environment.

``SOZIALRAUM_LOG_LEVEL`` (``DEBUG``, ``INFO`` – the default –, ``WARNING``, ``ERROR``) sets the level of the
``sozialraum_karte`` loggers; ``SOZIALRAUM_LOG_FORMAT=json`` writes each event as one JSON object instead of
``time level logger message``. Times are UTC. A multi-line traceback is folded into its one line (each line
break written as ``⏎``) so that a log collector never splits an event.

The audit log is a different thing and stays apart: who did what to which record lives in the database
(`geo.register.models.AuditEntry`, exported with ``geo audit``) and never in this log; this log holds no personal
data (no names, e-mail addresses or contents of concerns), only what an operator needs: start, migrations,
imports, backups, faults.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time

#: The root of the app's loggers (`logging.getLogger("sozialraum_karte.…")`).
ROOT = "sozialraum_karte"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class OneLine(logging.Formatter):
    """``2026-11-23T10:00:00Z INFO sozialraum_karte.store schema migrated …`` – one line, always."""

    converter = staticmethod(time.gmtime)

    def __init__(self, *, as_json: bool = False) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s", "%Y-%m-%dT%H:%M:%SZ")
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line (the traceback folded in)."""
        if self.as_json:
            event = {
                "time": self.formatTime(record, self.datefmt),
                "level": record.levelname,
                "logger": record.name,
                "message": record.getMessage(),
            }
            if record.exc_info:
                event["exception"] = self.formatException(record.exc_info)
            return json.dumps(event, ensure_ascii=False)
        return super().format(record).replace("\r", "").replace("\n", " ⏎ ")


def level() -> int:
    """The level `SOZIALRAUM_LOG_LEVEL` asks for (INFO when unset or unknown)."""
    name = os.environ.get("SOZIALRAUM_LOG_LEVEL", "INFO").strip().upper()
    return getattr(logging, name) if name in LEVELS else logging.INFO


def configure() -> logging.Logger:
    """
    Set up the app's loggers once per process (a second call only re-reads the level).

    Returns
    -------
    logging.Logger
        The ``sozialraum_karte`` logger.
    """
    logger = logging.getLogger(ROOT)
    logger.setLevel(level())
    if not any(getattr(h, "_sozialraum", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(OneLine(as_json=os.environ.get("SOZIALRAUM_LOG_FORMAT", "").lower() == "json"))
        handler._sozialraum = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.propagate = False  # not twice through Streamlit's root handler
    return logger


def get(name: str) -> logging.Logger:
    """The logger of one part of the app (``sozialraum_karte.<name>``)."""
    return logging.getLogger(f"{ROOT}.{name}")


_STARTED: list[bool] = []


def started(what: str, **facts: object) -> None:
    """Log once per process that it started (the app's first page run, or a command)."""
    if _STARTED:
        return
    _STARTED.append(True)
    from geo import __version__  # noqa: PLC0415

    parts = " ".join(f"{k}={v}" for k, v in facts.items())
    configure().info("%s started, version %s %s", what, __version__, parts)
