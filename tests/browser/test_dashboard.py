"""The dashboard in a real browser: Debian's chromium, headless, driven by Selenium through
Debian's chromedriver (no browser download). .ci/run installs both, so in CI this never
skips.

Against a node on the embedded dev chain, left unseeded until the browser is live: then the
demo's intents are submitted, and the test watches the pipeline climb to the demo's
closures and the settlements appear, without the page reloading. A browser with a wrong
token, and a WebSocket with a made-up ticket, are refused. Screenshots are written to
``$DASHBOARD_ARTIFACTS`` (default: the test's tmp dir) and their paths printed.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
HAVE_BROWSER = Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()

pytestmark = [
    pytest.mark.skipif(
        not HAVE_BROWSER,
        reason="needs Debian's chromium and chromium-driver (apt-get install -y chromium "
        "chromium-driver; .ci/run installs them)",
    ),
    pytest.mark.timeout(240),
]


def _closures(conn: sqlite3.Connection) -> int:
    return int(
        conn.execute(
            "SELECT COUNT(*) FROM settlements WHERE own = 1 AND state = 'closed'"
        ).fetchone()[0]
    )


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("DASHBOARD_ARTIFACTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Any]:
    from mediator_actors.chain.devchain import DevChain
    from mediator_actors.config import load_settings
    from mediator_actors.wiring import build_node
    from tests.chainlimits import FAST_WINDOW

    data = tmp_path / "data"
    data.mkdir()
    # A dev chain with its genesis only: the node would seed a fresh one with the demo.
    DevChain(state_file=data / "devchain.json")._save()
    settings = load_settings(
        {
            "DATA_DIR": str(data),
            "HEALTH_PORT": "0",
            "WS_PORT": "0",
            "POLL_INTERVAL_SECONDS": "0.3",
            "ENV_FILE": str(tmp_path / "absent.env"),
        },
        cwd=tmp_path,
    )
    node = build_node(
        settings, dev_auto_mine=1.0, simulated_parties=True, dev_rate_window=FAST_WINDOW
    )
    context = node.start()
    try:
        yield context
    finally:
        node.request_stop()
        node.stop()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1400,1800",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _shot(driver: Any, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    driver.save_screenshot(str(path))
    print(f"screenshot: {path}")
    return path


def _wait(driver: Any, what: str, condition: Any, timeout: float = 60.0) -> Any:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.2).until(condition, message=what)
    except TimeoutException:
        # What the page saw, for the failure report.
        for entry in driver.get_log("browser"):
            print(f"browser: {entry.get('level')} {entry.get('message')}")
        print("pipeline:", driver.find_element("id", "pipeline").text.replace("\n", " "))
        raise


def _stage(driver: Any, stage: str) -> int:
    text = driver.execute_script(
        "const n = document.querySelector(`#pipeline li[data-stage='${arguments[0]}'] .n`);"
        " return n ? n.textContent : null;",
        stage,
    )
    return int(text) if text is not None and text.isdigit() else -1


def test_the_dashboard_follows_the_demo_live_and_refuses_a_stranger(
    node: Any, browser: Any, artifacts: Path
) -> None:
    from mediator_actors.chain.demo import DEMO_INTENTS, seed_demo

    edge = node.edge
    url = edge.urls()["dashboard"]
    token = edge.dashboard_token_file.read_text().strip()

    # A stranger: a wrong token gets no WebSocket ticket, so no live view.
    browser.get(url + "#token=not-the-token-" + "x" * 24)
    _wait(
        browser,
        "a wrong token refused",
        lambda d: d.find_element("tag name", "body").get_attribute("data-state") == "refused",
    )
    assert "401" in browser.find_element("id", "refused-why").text
    # And a socket that skips the ticket exchange with a made-up ticket is closed, 1008.
    code = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "const ws = new WebSocket(`ws://${location.hostname}:${arguments[0]}/ws`);"
        "ws.onmessage = () => ws.send(JSON.stringify({type: 'ticket', ticket: '0'.repeat(64)}));"
        "ws.onclose = (e) => done(e.code);",
        edge.bound["ws"][1],
    )
    assert code == 1008
    _shot(browser, artifacts, "1-refused")
    # No token at all: the page asks for one and shows no data.
    browser.execute_script("sessionStorage.clear()")
    browser.get(url)
    _wait(browser, "the token form", lambda d: d.find_element("id", "login").is_displayed())
    assert not browser.find_element("id", "main").is_displayed()

    # The operator, with the link `mediator-node dashboard` prints (a fresh page load).
    browser.get("about:blank")
    browser.get(url + "#token=" + token)
    _wait(
        browser,
        "live",
        lambda d: d.find_element("tag name", "body").get_attribute("data-state") == "live",
    )
    assert "token" not in browser.current_url  # moved out of the address bar
    load_id = browser.execute_script("return window.dashboardLoadId")
    assert _stage(browser, "intents") == 0
    _wait(
        browser,
        "the actor tree",
        lambda d: d.find_elements(
            "css selector", "#actors li[data-actor='root/chain_listener'] .state"
        ),
    )
    _shot(browser, artifacts, "2-live-before-the-demo")

    seed_demo(node.dev_chain)
    _wait(
        browser,
        "a settlement row",
        lambda d: d.find_elements("css selector", "#settlements tr[data-settlement]"),
        timeout=90,
    )
    _wait(browser, "all intents", lambda d: _stage(d, "intents") == len(DEMO_INTENTS), timeout=90)
    # The demo's closures: whatever the store ends with once every proposal is decided.
    from mediator_actors.demo import _finished

    def finished(_: Any) -> bool:
        return bool(node.store.read(_finished))

    _wait(browser, "the demo finished in the store", finished, timeout=120)
    closures = node.store.read(_closures)
    assert closures >= 1
    _wait(browser, f"{closures} closures", lambda d: _stage(d, "closures") == closures)
    _wait(browser, f"{closures} payouts", lambda d: _stage(d, "payouts") == closures)
    _wait(
        browser,
        "closed rows",
        lambda d: (
            len(d.find_elements("css selector", "#settlements tr[data-state='closed']")) == closures
        ),
    )
    assert browser.execute_script("return window.dashboardLoadId") == load_id  # no reload
    assert browser.find_elements("css selector", "#events li")
    assert browser.find_elements("css selector", "#negotiations tbody tr")
    assert "closures" in browser.find_element("id", "reputation").text
    _shot(browser, artifacts, "3-live-after-the-demo")
