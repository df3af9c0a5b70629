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
def browser(tmp_path: Path, artifacts: Path) -> Iterator[Any]:
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
    driver.mediator_artifacts = artifacts  # where _wait saves the page it gave up on
    try:
        yield driver
        # What the page said even when it passed: a warning here is a flake on its way.
        for entry in driver.get_log("browser"):
            print(f"browser: {entry.get('level')} {entry.get('message')}")
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
        print("state:", driver.find_element("tag name", "body").get_attribute("data-state"))
        print("pipeline:", driver.find_element("id", "pipeline").text.replace("\n", " "))
        folder = getattr(driver, "mediator_artifacts", None)
        if folder is not None:
            _shot(
                driver,
                folder,
                "failed-waiting-for-" + "".join(c if c.isalnum() else "-" for c in what),
            )
        raise


def _queues(driver: Any) -> dict[str, int]:
    """The queue chart's legend: {queue name: samples drawn}."""
    return dict(
        driver.execute_script(
            "return [...document.querySelectorAll('#queue-legend li[data-queue]')]"
            ".map((li) => [li.dataset.queue, Number(li.dataset.points)]);"
        )
    )


def _dispute_entry(conn: sqlite3.Connection) -> dict[str, Any]:
    """A ``[DISPUTE]`` by the offering party of one of the node's closed settlements."""
    from mediator_actors.disputes.book import dispute_id_for
    from mediator_actors.model import PROTOCOL

    sid, claimant = conn.execute(
        "SELECT settlement_id, offer_party FROM settlements WHERE own = 1 AND state = 'closed'"
        " ORDER BY settlement_id LIMIT 1"
    ).fetchone()
    dispute_id = dispute_id_for(sid, claimant)
    return {
        "author": claimant,
        "content": f"[DISPUTE] {dispute_id} by {claimant}: the delivery missed the agreed date.",
        "intent": "dispute",
        "metadata": {
            "is_contract": True,
            "contract_type": "dispute",
            "protocol": PROTOCOL,
            "dispute_id": dispute_id,
            "settlement_id": sid,
            "claimant": claimant,
            "issue": "The delivery missed the agreed date.",
        },
    }


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
    # The queue chart: one series per declared queue, idle ones included, fed by the
    # overview and then by each metrics event.
    from mediator_actors.edge.overview import QUEUE_NAMES

    _wait(browser, "a series per queue", lambda d: set(_queues(d)) == set(QUEUE_NAMES))
    samples_before = _queues(browser)
    # The page sums each queue's states and fills a declared idle queue with zero.
    summed = browser.execute_script(
        "return Object.fromEntries(queueDepths({queue_names: ['negotiation', 'chain_outbox'],"
        " queues: {negotiation_pending: 2, negotiation_running: 1, chain_outbox_running: 4}}));"
    )
    assert summed == {"negotiation": 3, "chain_outbox": 4}
    idle = browser.execute_script(
        "return Object.fromEntries(queueDepths({queue_names: ['negotiation', 'chain_outbox'],"
        " queues: {}}));"
    )
    assert idle == {"negotiation": 0, "chain_outbox": 0}
    # Fees per currency, never one sum: nothing claimed yet, then two currencies listed.
    assert browser.find_element("id", "fees").text == "fees claimed: 0 NLC"
    listed = browser.execute_script("return feesText({EUR: 12, NLC: 0.25})")
    assert listed == "0.25 NLC, 12 EUR"
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
    # Metrics events kept every queue's series growing while the demo ran.
    _wait(
        browser,
        "new samples in every queue series",
        lambda d: all(_queues(d).get(q, 0) > samples_before[q] for q in QUEUE_NAMES),
    )
    _shot(browser, artifacts, "3-live-after-the-demo")

    # A party disputes a closed settlement: the dispute shows in the live feed, the counts
    # and the open disputes, without a reload.
    claim = node.store.read(_dispute_entry)
    dispute_id = claim["metadata"]["dispute_id"]
    node.dev_chain.add_block([claim])
    _wait(
        browser,
        "the dispute in the live feed",
        lambda d: d.find_elements(
            "css selector", "#events li[data-channel='disputes'][data-kind='dispute_opened']"
        ),
    )
    _wait(
        browser,
        "the open dispute listed",
        lambda d: d.find_elements("css selector", f"#disputes li[data-dispute='{dispute_id}']"),
    )
    facts = browser.find_element("id", "challenges").text
    assert "disputes open\n1" in facts or "disputes open 1" in facts, facts
    assert browser.execute_script("return window.dashboardLoadId") == load_id
    browser.execute_script("document.getElementById('events').scrollIntoView()")
    _shot(browser, artifacts, "4-a-dispute-live")


def test_a_first_overview_that_fails_does_not_keep_the_page_from_going_live(
    browser: Any, artifacts: Path
) -> None:
    """The page connects its socket unless the token was refused: a first ``/api/v1/overview``
    that failed (500 here; a busy node, a cut body) is retried, and the page goes live."""
    from mediator_actors.edge.health_app import HealthApp
    from mediator_actors.edge.hub import EventHub
    from mediator_actors.edge.server import EdgeServer, Limits
    from mediator_actors.edge.servers import dashboard_origins
    from mediator_actors.edge.tickets import TicketBook
    from mediator_actors.edge.ws import WsApp, WsHandler, WsLimits
    from mediator_actors.health.report import SnapshotBox
    from mediator_actors.safety.secrets import Secret
    from tests.edge.fakes import MemoryReadModel

    token = "browser-test-token-" + "z" * 24
    tickets = TicketBook()
    box = SnapshotBox()
    health_app = HealthApp(
        box, read_model=MemoryReadModel(), tickets=tickets, dashboard_token=Secret(token)
    )
    ws_app = WsApp(
        EventHub(),
        server_id="b" * 64,
        authorized_keys=dict,
        limits=WsLimits(auth_timeout_s=5.0),
        tickets=tickets,
    )
    ws_app.snapshot = health_app.overview.channel
    answered = health_app.overview.dashboard
    calls: list[int] = []

    def failing_once() -> dict[str, Any]:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the first overview fails")
        return answered()

    health_app.overview.dashboard = failing_once  # type: ignore[method-assign]
    health = EdgeServer(health_app, "127.0.0.1", 0, limits=Limits())
    ws = EdgeServer(ws_app, "127.0.0.1", 0, handler_class=WsHandler, limits=Limits())
    health.start()
    ws.start()
    try:
        host, port = health.address
        health_app.ws_port = ws.address[1]
        ws_app.allowed_origins = dashboard_origins(host, port)
        browser.get(f"http://{host}:{port}/dashboard/#token={token}")
        _wait(
            browser,
            "live",
            lambda d: d.find_element("tag name", "body").get_attribute("data-state") == "live",
        )
        _wait(browser, "the overview retried", lambda _d: len(calls) >= 2)
        _shot(browser, artifacts, "5-live-after-a-failed-first-overview")
    finally:
        ws_app.stop()
        ws.stop(1)
        health.stop(1)
