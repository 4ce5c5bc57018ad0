"""
Benchmark: server time of a rerun of the programme-year pages (AppTest), logged in as a coordinator.

The demo with its programme year in a temporary user folder. Wirkung and Programmjahr (whose four tabs all
run on every rerun) are rerun without a change, which is what every click elsewhere on the page costs.
Run with ``.venv/bin/python bench/page_reruns.py [ROUNDS]`` (default 7); figures in ``bench/RESULTS.md``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from bench._data import spread  # noqa: E402


def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SOZIALRAUM_DATA_DIR"] = str(ROOT / "data")
        os.environ["SOZIALRAUM_USER_DIR"] = str(Path(tmp) / "var")
        os.environ["SOZIALRAUM_DEMO_PROGRAMME"] = "1"
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.run()
        at.text_input(key="app_login_email").set_value("koordination@demo.invalid")
        at.text_input(key="app_login_password").set_value("demo-passwort")
        next(b for b in at.button if b.label == "Anmelden").click().run()
        print(f"rerun without a change, {rounds} rounds, min / median / max in seconds")
        for page in ("app_pages/impact.py", "app_pages/programme.py"):
            at.switch_page(page).run()
            assert not at.exception, [e.value for e in at.exception]
            times = []
            for _ in range(rounds):
                start = time.perf_counter()
                at.run()
                times.append(time.perf_counter() - start)
            print(f"- {page}: {spread(times, places=2)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
