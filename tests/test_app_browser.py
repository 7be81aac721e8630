"""The workshop app end to end: the real server on 127.0.0.1 and headless Chromium (Playwright).

The test starts ``python -m bottrop_sim.app.server`` (what ``bottrop-sim app``
runs) on a free port, loads the page at 1366x768, picks a scenario, sets
different governance in A and B, plays, sees both panels advance and differ,
switches the language, downloads a panel's scenario file and loads it with
``bottrop_sim.load_scenario``. Every request of the browser must stay on
127.0.0.1 (the app works offline). A closed page must leave the ensemble's
workers idle. Screenshots go to ``test-artifacts/``.
Skipped only when Debian's Chromium is missing.
"""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from bottrop_sim import load_scenario
from bottrop_sim.app.texts import SCENARIOS as SCENARIO_TEXTS
from experiments.benchmarks.bench_app import session_cpu

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
VIEWPORT = {"width": 1366, "height": 768}

SERVERS: dict[str, int] = {}
"""Process id of the server at each address (the session leader of its workers)."""

pytestmark = [pytest.mark.timeout(600), pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's /usr/bin/chromium")]
playwright_api = pytest.importorskip("playwright.sync_api") if CHROMIUM.exists() else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app's real server on a free port of 127.0.0.1; stopped (with its process group) afterwards."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    log = log_path.open("w")
    env = {**os.environ, "BOTTROP_SIM_SCENARIOS": str(ROOT / "scenarios")}
    process = subprocess.Popen(
        [sys.executable, "-m", "bottrop_sim.app.server", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    SERVERS[url] = process.pid
    deadline = time.time() + 90
    while True:
        if process.poll() is not None:
            pytest.fail(f"the app server stopped (exit code {process.returncode}):\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if time.time() > deadline:
            process.kill()
            pytest.fail(f"the app server did not answer within 90 s:\n{log_path.read_text()}")
        time.sleep(0.3)
    yield url
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    log.close()
    assert "Traceback" not in log_path.read_text(), log_path.read_text()


@pytest.fixture
def browser_page(server):
    """A headless Chromium page at 1366x768 that records every request it makes."""
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="de-DE")
        page = context.new_page()
        page.set_default_timeout(60_000)
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        yield page, requests
        context.close()
        browser.close()


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def pick(page, select: str, option: str) -> None:
    """Choose ``option`` (its exact text) in the Vuetify select with CSS class ``select``."""
    page.locator(f".bs-select-{select}").click()
    menu = page.locator(f".bs-menu-{select}")
    menu.locator(".v-list-item", has_text=re.compile(f"^{re.escape(option)}$")).click()
    menu.wait_for(state="hidden")


def figures(page, panel: str) -> list[str]:
    return page.locator(f".bs-panel-{panel} .bs-figure-value").all_inner_texts()


NO_HORIZONTAL_SCROLLING = """() => document.documentElement.scrollWidth <= window.innerWidth
    && [...document.querySelectorAll('*')].every(e => {
        const style = getComputedStyle(e);
        return !(['auto', 'scroll'].includes(style.overflowX) && e.scrollWidth > e.clientWidth + 1);
    })"""


def no_horizontal_scrolling(page) -> bool:
    """Neither the page nor any box inside it scrolls sideways."""
    return page.evaluate(NO_HORIZONTAL_SCROLLING)


def test_workshop_session_in_headless_chromium(server, browser_page, tmp_path):
    page, requests = browser_page
    page.goto(server)
    page.locator(".bs-play").wait_for()
    page.get_by_text("Start: Jan. 2015").wait_for()
    shoot(page, "app_start")
    assert no_horizontal_scrolling(page)

    # pick a scenario: A gets the file's governance (the alliance), B the counterpart (none)
    pick(page, "scenario", "Schließung 2018 mit Allianz")
    page.get_by_text("gegründet im März 2017, rund 60 Betriebe").wait_for()
    # different governance in A and B
    pick(page, "governance-mode-B", "Stadt (Wirtschaftsförderung)")
    page.get_by_text("Geänderte Einstellungen gelten ab dem Start.").wait_for()
    # a lever with a wrong entry, then a right one
    page.locator(".bs-levers-toggle-B").click()
    budget = page.locator(".bs-lever-governance-city-budget-eur-year .bs-entry-number input")
    budget.fill("zwanzig")
    budget.press("Enter")
    page.locator(".bs-lever-governance-city-budget-eur-year").get_by_text("Bitte eine Zahl eingeben.").wait_for()
    budget.fill("3,5")
    budget.press("Enter")
    page.locator(".bs-lever-governance-city-budget-eur-year").get_by_text("Bitte eine Zahl eingeben.").wait_for(state="detached")
    shoot(page, "app_levers")
    page.locator(".bs-levers-toggle-B").click()
    start = {panel: figures(page, panel) for panel in ("A", "B")}

    # play: both panels advance together and differ
    page.locator(".bs-play").click()
    page.wait_for_function("() => /20(1[6-9]|2[0-9])/.test(document.querySelector('.bs-date').textContent)", timeout=90_000)
    playing = {panel: figures(page, panel) for panel in ("A", "B")}
    shoot(page, "app_playing")
    page.locator(".bs-date", has_text="Dez. 2035").wait_for(timeout=180_000)
    page.locator(".bs-play:not([disabled])").wait_for(state="detached")
    end = {panel: figures(page, panel) for panel in ("A", "B")}
    assert playing["A"] != start["A"] and playing["B"] != start["B"]  # both advanced while playing
    assert end["A"] != start["A"] and end["B"] != start["B"]
    assert end["A"] != end["B"]
    assert len(end["A"]) == 4 and len(end["B"]) == 3  # the alliance panel shows its members
    shoot(page, "app")  # the README screenshot (docs/images/app.png is a copy)
    assert no_horizontal_scrolling(page)

    for tab, name in (("Liefernetz", "network"), ("Kennzahlen", "scorecard"), ("Allianz", "alliance")):
        page.locator(".v-tab", has_text=tab).click()
        marker = {"network": ".bs-chart-network img", "scorecard": ".bs-scorecard", "alliance": ".bs-chart-alliance img"}[name]
        page.locator(marker).first.wait_for()
        time.sleep(0.5)
        shoot(page, f"app_{name}")
        assert no_horizontal_scrolling(page), name
        if name == "scorecard":  # live run: indicator, A, B, A - B, better, unit; over seeds: indicator, A, B, A - B, interval, verdict, unit
            cells = page.locator(".bs-scorecard tr[data-indicator='resistance'] td").count()
            assert cells == (7 if page.locator(".bs-scorecard-ensemble").count() else 6)

    # the language switch
    page.locator(".bs-lang-en").click()
    page.get_by_text("Dec 2035").wait_for()
    page.locator(".v-tab", has_text="Export").click()
    page.get_by_text("Scenario A (TOML)").wait_for()
    jobs = page.locator(".bs-panel-A .bs-figure-value").first.inner_text()
    assert re.fullmatch(r"\d{1,3}(,\d{3})+", jobs), jobs  # English thousands separator
    chosen = SCENARIO_TEXTS["closure_2018_alliance"]  # the scenario picked above: its description follows the language
    page.get_by_text(chosen["en"][1]).wait_for()
    assert page.get_by_text(chosen["de"][1]).count() == 0
    time.sleep(0.6)  # let the tab's slide animation finish before the screenshot
    shoot(page, "app_english_export")

    # download the panels' scenario files and the time series
    for panel, mode in (("A", "alliance"), ("B", "city_led")):
        with page.expect_download() as download:
            page.locator(f".bs-export-scenario-{panel}").click()
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        scenario = load_scenario(path)
        assert scenario.governance.mode == mode
        assert scenario.seed == 20181221
        if panel == "B":
            assert scenario.governance.city.budget_eur_year == 3_500_000
    with page.expect_download() as download:
        page.get_by_text("Time series (CSV)").click()
    table = pd.read_csv(io.StringIO(Path(download.value.path()).read_text()))
    assert set(table["panel"]) == {"A", "B"} and table["date"].iloc[-1] == "2035-12"

    outside = [url for url in requests if not url.startswith(("http://127.0.0.1", "blob:http://127.0.0.1", "data:"))]
    assert outside == [], f"requests left 127.0.0.1: {outside}"


def workers_cpu(server_pid: int) -> float:
    """CPU seconds used so far by the server's ensemble workers (and their forkserver), as bench_app reads them from /proc."""
    return session_cpu(server_pid)["workers"]


def test_a_closed_page_leaves_the_ensemble_workers_idle(server):
    """Closing the page stops its session's ensemble: the runs in the workers are given up, the next session gets both cores."""
    pid = SERVERS[server]
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        context = browser.new_context(viewport=VIEWPORT, locale="de-DE")
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(server)
        page.locator(".bs-play").wait_for()
        field = page.locator(".bs-seed input")
        field.fill("987654")  # a seed no earlier test computed (the server keeps finished runs)
        field.press("Enter")
        page.locator(".bs-step").click()
        page.locator(".bs-ensemble-progress", has_text="von 8").wait_for()
        start, busy = workers_cpu(pid), 0.0
        for _ in range(40):  # the workers take up the new ensemble's runs
            time.sleep(0.5)
            busy = workers_cpu(pid) - start
            if busy > 1.0:
                break
        assert busy > 1.0, "the ensemble's runs never started"
        context.close()  # the tab is closed
        time.sleep(2.0)  # a run notices at its next month (a few milliseconds), the page's close takes a moment
        before = workers_cpu(pid)
        time.sleep(4.0)
        assert workers_cpu(pid) - before < 0.5  # before: both workers ran the closed page's runs to their end
        browser.close()
