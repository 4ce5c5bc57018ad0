"""
Benchmark: the programme year on the demo register - seeding it, and the documents and figures people ask for.

Run with ``.venv/bin/python bench/programme_year.py [ROUNDS]``; figures are kept in ``bench/RESULTS.md``.
The figures on the real data need the real register, which a benchmark never reads: the demo year (four
connectors, two tandems, about fifty activities with hours, twelve concerns) stands in, placed on the real
Sozialräume when ``../shared`` is beside the checkout.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._data import real_or_demo  # noqa: E402
from geo.core.access import Principal  # noqa: E402
from geo.data import dataset  # noqa: E402
from geo.output import programme_pdfs  # noqa: E402
from geo.register import demo_register, digest, impact, programme, store  # noqa: E402


def _times(action: Callable[[], object], rounds: int) -> str:
    seconds = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - start)
    return f"{min(seconds):.2f} / {statistics.median(seconds):.2f} / {max(seconds):.2f} s"


def main(rounds: int = 5) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder, label = real_or_demo(Path(tmp))
        data = dataset.load_dataset(folder)
        ids = sorted(data.spaces["sozialraum_id"])
        start = time.perf_counter()
        register = store.Register(f"sqlite:///{tmp}/demo.sqlite", demo=True)
        demo_register.seed_register(register, ids)
        demo_register.seed_programme_year(register, ids, today=date(2026, 11, 23))
        seeded = time.perf_counter() - start
        by = Principal.cli()
        places = impact.places(data)
        names = {t.id: t.name for t in register.tandems()}
        q3 = impact.quarter("2026-Q3")

        def certificate() -> bytes:
            frame = programme.hours(register, 1, by=by, start=date(2026, 1, 1), end=date(2026, 12, 31))
            return programme_pdfs.certificate(programme.journey(register, 1, by=by), frame, *q3)

        def figures() -> impact.Impact:
            return impact.impact(impact.events(register, by=by), places, *q3, tandem_names=names)

        def report() -> bytes:
            ev = impact.events(register, by=by)
            result = impact.impact(ev, places, *q3, tandem_names=names)
            return programme_pdfs.impact_report(result, impact.by_quarter(ev), data, label="2026-Q3")

        print(f"data: {label}; {rounds} rounds; min / median / max")
        print("| step | time |")
        print("|---|---|")
        print(f"| new demo register with its programme year | {seeded:.2f} s (once) |")
        print(f"| certificate of a year (PDF) | {_times(certificate, rounds)} |")
        print(f"| impact figures of a quarter | {_times(figures, rounds)} |")
        print(f"| quarterly report (PDF) | {_times(report, rounds)} |")
        print(
            f"| agenda (figures + PDF) | {_times(lambda: programme_pdfs.agenda(impact.agenda(register, places, by=by)), rounds)} |"
        )
        print(
            f"| weekly digest of one tandem | {_times(lambda: digest.render(digest.digest(register, 1, by=by)), rounds)} |"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
