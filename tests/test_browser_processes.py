"""
Two server processes on one PostgreSQL and one shared user folder, as a city runs them behind a proxy.

A dataset write and a register write in one process are seen by the other after a reload; failed logins
count across both; ``kill -9`` of one leaves the other serving and loses nothing that was committed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import IO

import pytest

from tests.test_browser import (
    _NOT_INHERITED,
    ARTIFACTS,
    ROOT,
    _free_port,
    _log_in,
    _wait_for_login_cookie,
    open_section,
    settled,
)

pytestmark = [pytest.mark.browser]  # grouped per server in conftest.py (`_browser_groups`)

from playwright.sync_api import Browser, Page  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

ADMIN = "admin@stadt.invalid"
KOORD = "koordination@stadt.invalid"
PASSWORD = "ein-gutes-passwort"


def _start(env: dict[str, str], log: IO[str]) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen(
        [
            *(
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(ROOT / "sozialraum_karte" / "server.py"),
                "--server.port",
                str(port),
            ),
            *(
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--server.fileWatcherType",
                "none",
            ),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                pytest.fail(f"streamlit did not start; see {log.name}")
            time.sleep(0.5)


@pytest.fixture
def two_servers(
    postgres_server: str, demo_dir: Path, tmp_path: Path
) -> Iterator[tuple[str, str, subprocess.Popen, str]]:
    """Servers A and B: the same PostgreSQL register, the same user folder with an official dataset."""
    import psycopg

    from geo.core.access import Principal
    from geo.register import accounts, store

    name = f"two_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(
        postgres_server.replace("postgresql+psycopg", "postgresql") + "/postgres", autocommit=True
    ) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    url = f"{postgres_server}/{name}"
    user_dir = tmp_path / "var"
    official = user_dir / "official"
    shutil.copytree(demo_dir, official)
    meta = json.loads((official / "dataset.json").read_text(encoding="utf-8"))
    meta.update(demo=False, title="Offiziell (zwei Prozesse)")
    (official / "dataset.json").write_text(json.dumps(meta), encoding="utf-8")
    register = store.Register(url)
    for email, roles in ((ADMIN, "admin"), (KOORD, "coordinator")):
        _id, code = accounts.create_account(register, by=Principal.cli(), email=email, roles=roles)
        accounts.set_password_with_code(register, email, code, PASSWORD)
    register.close()
    env = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
    env |= {
        "DATABASE_URL": url,
        "SOZIALRAUM_DATA_DIR": str(official),
        "SOZIALRAUM_USER_DIR": str(user_dir),
        "SOZIALRAUM_LOGIN_MAX_FAILURES": "3",
    }
    with (tmp_path / "a.log").open("w") as log_a, (tmp_path / "b.log").open("w") as log_b:
        a, url_a = _start(env, log_a)
        b, url_b = _start(env, log_b)
        try:
            yield url_a, url_b, a, url
        finally:
            for proc in (a, b):
                if proc.poll() is None:
                    proc.terminate()
                    proc.wait(timeout=15)


def _try_log_in(pg: Page, email: str, password: str) -> None:
    """Fill the sidebar's login form and send it (whatever the answer)."""
    box = pg.get_by_label("E-Mail-Adresse")
    if not box.is_visible():
        pg.get_by_text("Anmeldung", exact=True).click()
        box.wait_for(state="visible", timeout=10_000)
    box.fill(email)
    pg.get_by_label("Passwort", exact=True).fill(password)
    pg.get_by_role("button", name="Anmelden", exact=True).click()


def test_two_processes_share_writes_and_login_failures_and_survive_a_kill(
    two_servers: tuple[str, str, subprocess.Popen, str], chromium: Browser
) -> None:
    url_a, url_b, process_a, database = two_servers
    from geo.core.access import Principal
    from geo.register import accounts, store

    browser = chromium  # the module's Chromium (conftest.py); a new context for each page
    on_a, on_b = browser.new_page(), browser.new_page()
    # A: a dataset write (the origin of the dataset) and a register write (a new account)
    on_a.goto(url_a + "/daten")
    on_a.get_by_text("Aktueller Datensatz").wait_for(timeout=60_000)
    _log_in(on_a, ADMIN, PASSWORD)
    _wait_for_login_cookie(on_a)  # kept on a new page
    publisher = on_a.get_by_label("Herausgeber")
    open_section(on_a, on_a.get_by_text("Herkunft ergänzen oder berichtigen"), publisher)
    publisher.fill("Amt für Prozess-Tests")
    publisher.press("Tab")
    saved = on_a.get_by_text("Herkunft gespeichert")
    for attempt in range(3):  # a loaded machine may lose the tap in a rerun: the form is still filled
        on_a.get_by_role("button", name="Herkunft speichern").click()
        try:
            saved.wait_for(timeout=15_000 if attempt < 2 else 30_000)
            assert publisher.is_visible()  # the section stays open: the person stays where they were
            break
        except PlaywrightTimeout:
            ARTIFACTS.mkdir(exist_ok=True)
            on_a.screenshot(path=str(ARTIFACTS / f"two-processes-a-{attempt}.png"), full_page=True)
            alerts = on_a.locator("[data-testid=stAlert]").all_inner_texts()
            if attempt == 2 or publisher.input_value() != "Amt für Prozess-Tests":
                pytest.fail(f"the origin was not saved on A; alerts: {alerts}")
    # B, another process: sees the dataset's new origin after loading the page
    on_b.goto(url_b + "/daten")
    on_b.get_by_text("Aktueller Datensatz").wait_for(timeout=60_000)
    on_b.get_by_text("Amt für Prozess-Tests", exact=False).first.wait_for(timeout=30_000)
    # A: a register write (a new account, made on A's Verwaltung page), seen by B after loading its page
    on_a.goto(url_a + "/verwaltung")
    form = on_a.locator("[data-testid=stForm]").filter(has_text="Neues Konto")
    form.get_by_label("E-Mail-Adresse").fill("neu@stadt.invalid")
    form.get_by_role("button", name="Konto anlegen").click()
    on_a.get_by_text("Einmalcode für neu@stadt.invalid", exact=False).wait_for(timeout=30_000)
    _log_in(on_b, ADMIN, PASSWORD)
    _wait_for_login_cookie(on_b)
    on_b.goto(url_b + "/verwaltung")
    # the account table is a canvas: the account chooser below it lists every account as an option
    for attempt in range(5):  # a rerun (the login's cookie, the page's first run) may close the list
        on_b.get_by_role("combobox", name="Konto bearbeiten").click(timeout=30_000)
        on_b.keyboard.type("neu@")  # a filtered list: the option is drawn however many accounts there are
        try:
            on_b.get_by_role("option", name="neu@stadt.invalid").wait_for(timeout=8_000)
            break
        except PlaywrightTimeout:
            on_b.keyboard.press("Escape")
            if attempt == 4:
                on_b.screenshot(path=str(ARTIFACTS / "two-processes-b.png"), full_page=True)
                raise
            on_b.reload()
    on_b.keyboard.press("Escape")
    # failed logins on A count on B: the third wrong password on A locks the account on B too
    wrong = browser.new_page()
    wrong.goto(url_a)
    for _ in range(3):
        _try_log_in(wrong, KOORD, "falsch")
        wrong.get_by_text("stimmen nicht", exact=False).first.wait_for(timeout=30_000)
    # the message of the first attempt stays on the page: wait until A has recorded all three (a loaded
    # machine answers slowly), so B's refusal below is the shared count's, not a race
    shared = store.Register(database)
    deadline = time.monotonic() + 60
    three = accounts.LoginPolicy(per_account=3)  # as the servers run (SOZIALRAUM_LOGIN_MAX_FAILURES=3)
    while accounts.lock_remaining(shared, email=KOORD, client="", policy=three) <= timedelta(0):
        assert time.monotonic() < deadline, "A did not record three failed logins"
        time.sleep(0.5)
    shared.close()
    right = browser.new_page()
    right.goto(url_b)
    settled(right)
    refused = right.get_by_text("Zu viele falsche Versuche", exact=False).first
    for attempt in range(3):  # a loaded machine may lose the tap in a rerun: the form is still there
        _try_log_in(right, KOORD, PASSWORD)
        try:
            refused.wait_for(timeout=15_000 if attempt < 2 else 30_000)
            break
        except PlaywrightTimeout:
            ARTIFACTS.mkdir(exist_ok=True)
            right.screenshot(path=str(ARTIFACTS / f"two-processes-refused-{attempt}.png"), full_page=True)
            assert right.get_by_text("Angemeldet:").count() == 0, "B let in an account that A had locked"
            if attempt == 2:
                raise
    # kill -9 of A while it writes (the moment the next account is sent): B goes on serving, and the
    # database holds every account with its audit entry or neither (one transaction)
    on_a.goto(url_a + "/verwaltung")
    form = on_a.locator("[data-testid=stForm]").filter(has_text="Neues Konto")
    form.get_by_label("E-Mail-Adresse").fill("mitten@stadt.invalid")
    form.get_by_role("button", name="Konto anlegen").click()
    os.kill(process_a.pid, signal.SIGKILL)
    process_a.wait(timeout=10)
    on_b.goto(url_b + "/daten")
    on_b.get_by_text("Amt für Prozess-Tests", exact=False).first.wait_for(timeout=60_000)
    with urllib.request.urlopen(f"{url_b}/_stcore/health", timeout=5) as r:
        assert r.status == 200
    for context in browser.contexts:  # the pages this test opened
        context.close()
    register = store.Register(database)
    views = accounts.accounts(register, by=Principal.cli())
    assert {ADMIN, KOORD, "neu@stadt.invalid"} <= {a.email for a in views}
    log = accounts.audit_log(register, by=Principal.cli(), limit=None)
    created = {str(i) for i in log.loc[log["action"] == "account.create", "target_id"]}
    assert created == {str(a.id) for a in views}  # nothing half-written by the killed process
    register.close()
