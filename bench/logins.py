"""
Benchmark: 20 people log in at the same moment (the start of a meeting); memory above the process's base.

One process, one SQLite register with one account; 20 threads call `accounts.login` together, as 20 browser
sessions of one server would. The peak resident memory is read from the kernel (``VmHWM`` after resetting it
through ``/proc/self/clear_refs``), so it includes Argon2's working memory of every hash that ran at once.
``--before`` measures the earlier setting for comparison: argon2-cffi's defaults (64 MiB, 3 iterations) and
no bound on concurrent hashing.

Run with ``.venv/bin/python bench/logins.py [--before] [PEOPLE]`` (default 20); prints MiB above the base
and the wall time of the whole wave.
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from argon2 import PasswordHasher  # noqa: E402

from geo.core.access import Principal  # noqa: E402
from geo.register import accounts, store  # noqa: E402

PASSWORD = "ein-gutes-passwort"


def _kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def main(people: int, *, before: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        register = store.Register(f"sqlite:///{Path(tmp) / 'register.sqlite'}")
        if before:
            accounts._hasher = PasswordHasher()  # argon2-cffi's defaults, as before
            pool = ThreadPoolExecutor(max_workers=people)  # unbounded: every login hashes at once
            accounts._slots = lambda: pool  # type: ignore[assignment]
        _id, code = accounts.create_account(
            register, by=Principal.cli(), email="a@stadt.invalid", roles="admin"
        )
        accounts.set_password_with_code(register, "a@stadt.invalid", code, PASSWORD)
        accounts.login(register, "a@stadt.invalid", PASSWORD)  # warm: imports, connection pool
        base = _kib("VmRSS")
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
        start = threading.Barrier(people)

        def one() -> None:
            start.wait()
            accounts.login(register, "a@stadt.invalid", PASSWORD)

        threads = [threading.Thread(target=one) for _ in range(people)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.perf_counter() - began
        peak = _kib("VmHWM")
        register.close()
    label = "before (64 MiB, t=3, unbounded)" if before else "now (19 MiB, t=2, 4 at once)"
    print(f"{people} logins at once, {label}: +{(peak - base) / 1024:.0f} MiB above base, {took:.2f} s")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--before"]
    main(int(args[0]) if args else 20, before="--before" in sys.argv)
