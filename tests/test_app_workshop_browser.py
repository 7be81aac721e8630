"""Issue 14 in the real app: the server on 127.0.0.1 and Debian's headless Chromium (Playwright).

Broken items 1-8 each have a check here (item 8's report half is in
``test_app_report_width.py``), and so do the ensemble view (bands drawn, verdict
shown), the "Why?" view, upload into a panel, the handout, the history
scenario's published figures, and that every request stays on 127.0.0.1.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

from bottrop_sim import load_scenario
from bottrop_sim.app.export import scenario_toml

from .test_app_browser import CHROMIUM, ROOT, free_port, pick, shoot

pytestmark = [pytest.mark.timeout(900), pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's /usr/bin/chromium")]
playwright_api = pytest.importorskip("playwright.sync_api") if CHROMIUM.exists() else None
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def start_server(port: int, log_path: Path) -> subprocess.Popen:
    env = {**os.environ, "BOTTROP_SIM_SCENARIOS": str(ROOT / "scenarios"), "BOTTROP_SIM_APP_WORKERS": "2"}
    process = subprocess.Popen(
        [sys.executable, "-m", "bottrop_sim.app.server", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log_path.open("a"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.time() + 120
    while True:
        if process.poll() is not None:
            pytest.fail(f"the app server stopped:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            pass
        if time.time() > deadline:
            process.kill()
            pytest.fail(f"the app server did not answer:\n{log_path.read_text()}")
        time.sleep(0.3)


def stop_server(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("server14") / "server.log"
    process = start_server(port, log)
    yield f"http://127.0.0.1:{port}/", port, log
    stop_server(process)
    assert "Traceback" not in log.read_text(), log.read_text()


@pytest.fixture
def browser():
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


def open_page(browser, url: str, width: int = 1366, height: int = 768):
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(120_000)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url)
    page.locator(".bs-play").wait_for()
    return page, requests


def assert_local(requests: list[str]) -> None:
    outside = [url for url in requests if not url.startswith(("http://127.0.0.1", "blob:http://127.0.0.1", "data:"))]
    assert outside == [], f"requests left 127.0.0.1: {outside}"


def wait_for_code(page, holds, timeout: float = 90.0):
    """Wait until the settings code in the page's address decodes to settings for which ``holds(settings)`` is true."""
    from bottrop_sim.app.share import decode

    deadline = time.time() + timeout
    while True:
        code = page.evaluate("() => new URLSearchParams(location.search).get('c')")
        if code and holds(decode(code)):
            return
        assert time.time() < deadline, f"the address never held the expected settings (last code: {code and decode(code)})"
        time.sleep(0.2)


def entry(page, panel: str, lever: str):
    return page.locator(f".bs-lever-{panel}.bs-lever-{lever} .bs-entry input").first


def type_entry(page, panel: str, lever: str, text: str) -> None:
    field = entry(page, panel, lever)
    field.fill(text)
    field.press("Enter")
    time.sleep(1.0)  # the page redraws the panel; the next entry must not go to a field about to be replaced


def download_scenario(page, panel: str, tmp_path: Path) -> dict:
    page.locator(".v-tab", has_text="Export").click()
    with page.expect_download() as download:
        page.locator(f".bs-export-scenario-{panel}").click()
    path = tmp_path / f"{panel}_{download.value.suggested_filename}"
    download.value.save_as(path)
    load_scenario(path)  # a valid scenario file
    return tomllib.loads(path.read_text())


def test_typed_values_month_limits_seed_message_hint_and_width(app_server, browser, tmp_path):
    url, _, _ = app_server
    page, requests = open_page(browser, url, 1920, 1080)
    # item 8: at 1920x1080 the page uses the width
    width = page.evaluate("() => document.querySelector('.bs-app').getBoundingClientRect().width")
    assert width >= 1850, width
    # item 2: the "no data yet" hint stands above the chart, not over its legend
    hint = page.locator(".bs-waiting").bounding_box()
    chart = page.locator(".bs-chart-series img").bounding_box()
    assert hint["y"] + hint["height"] <= chart["y"] + 1, (hint, chart)
    shoot(page, "app14_1920")

    # item 1: typed values keep their exact value (A city-led, B the alliance)
    pick(page, "governance-mode-A", "Stadt (Wirtschaftsförderung)")
    page.locator(".bs-levers-toggle-A").click()
    page.locator(".bs-levers-toggle-B").click()
    type_entry(page, "A", "governance-city-budget-eur-year", "1,55")
    type_entry(page, "A", "governance-adaptation-green-demand-growth-per-year", "3,3")
    type_entry(page, "B", "governance-alliance-founding-members", "62")
    type_entry(page, "B", "governance-alliance-initial-trust", "33")
    type_entry(page, "B", "governance-alliance-membership-cost-eur-month", "125")
    time.sleep(1.5)  # time for a slider to send back a rounded value, if it did
    assert entry(page, "A", "governance-city-budget-eur-year").input_value() == "1,55"
    assert entry(page, "A", "governance-adaptation-green-demand-growth-per-year").input_value() == "3,3"
    assert entry(page, "B", "governance-alliance-founding-members").input_value() == "62"
    assert entry(page, "B", "governance-alliance-initial-trust").input_value() == "33"
    assert entry(page, "B", "governance-alliance-membership-cost-eur-month").input_value() == "125"

    # item 7: the month check says the real limits; a founding after the horizon is flagged
    type_entry(page, "B", "governance-alliance-start", "1900-01")
    page.locator(".bs-lever-B.bs-lever-governance-alliance-start").get_by_text("Erlaubt: 1950-01 bis 2100-12.").wait_for()
    type_entry(page, "B", "governance-alliance-start", "2099-12")
    page.get_by_text("liegt nach dem Ende des Zeitraums").first.wait_for()
    type_entry(page, "B", "governance-alliance-start", "2017-03")
    page.get_by_text("liegt nach dem Ende des Zeitraums").first.wait_for(state="detached")

    # item 5: the seed's message follows the language switch
    seed = page.locator(".bs-seed input")
    seed.fill("-3")
    seed.press("Enter")
    page.get_by_text("Erlaubt: 0 bis").first.wait_for()
    page.locator(".bs-lang-en").click()
    page.get_by_text("Allowed: 0 to").first.wait_for()
    assert page.get_by_text("Erlaubt: 0 bis").count() == 0
    seed.fill("20181221")
    seed.press("Enter")
    page.get_by_text("Allowed: 0 to").first.wait_for(state="detached")

    # item 1, continued: the run and the exported files have the typed values
    a, b = download_scenario(page, "A", tmp_path), download_scenario(page, "B", tmp_path)
    assert a["governance"]["city"]["budget_eur_year"] == 1_550_000.0
    assert a["governance"]["adaptation"]["green_demand_growth_per_year"] == pytest.approx(0.033, abs=1e-12)
    assert b["governance"]["alliance"]["founding_members"] == 62
    assert b["governance"]["alliance"]["initial_trust"] == pytest.approx(0.33, abs=1e-12)
    assert b["governance"]["alliance"]["membership_cost_eur_month"] == 125.0
    assert_local(requests)


def type_and_enter_at_once(field, text: str) -> None:
    """Type ``text`` key by key and press Enter at once, as a facilitator does.

    Each key is an update of the field's text; the browser sends one and holds
    the rest until the server answers, but sends the Enter at once. Before the
    Enter carried its text, the server got it with the first keys only and
    took those (seed 4242 became 4).
    """
    field.click()
    field.press("Control+a")
    field.press_sequentially(text)
    field.press("Enter")


def test_a_seed_and_a_lever_typed_and_entered_at_once_reach_the_settings(app_server, browser):
    url, _, _ = app_server
    page, requests = open_page(browser, url)
    type_and_enter_at_once(page.locator(".bs-seed input"), "987654")
    wait_for_code(page, lambda code: code.seed != 20181221)
    wait_for_code(page, lambda code: code.seed == 987654, timeout=5.0)
    assert page.locator(".bs-seed input").input_value() == "987654"

    page.locator(".bs-levers-toggle-B").click()
    type_and_enter_at_once(entry(page, "B", "governance-alliance-founding-members"), "150")

    def founding(code):
        return dict(code.levers.get("B", {})).get("governance.alliance.founding_members")

    wait_for_code(page, lambda code: founding(code) not in (None, 60))
    wait_for_code(page, lambda code: founding(code) == 150, timeout=5.0)
    assert_local(requests)


def test_quick_clicks_coalesce_and_settings_survive_reload_and_restart(browser, tmp_path):
    port = free_port()
    log = tmp_path / "server.log"
    process = start_server(port, log)
    try:
        url = f"http://127.0.0.1:{port}/"
        page, requests = open_page(browser, url)
        # item 3: 20 quick clicks on "+6 months" are answered at once and computed as one step
        step = page.locator(".bs-step")
        started = time.time()
        for _ in range(20):
            step.click(timeout=5_000)
        clicking = time.time() - started
        clicked = time.time()
        page.locator(".bs-lang-en").click()
        page.locator(".bs-play", has_text="Play").wait_for(timeout=30_000)  # the page answers while the months are computed
        answered = time.time() - clicked
        page.locator(".bs-date", has_text="Dec 2024").wait_for(timeout=120_000)  # 20 x 6 months from Jan 2015: one step of 120 months
        done = time.time() - started
        print(f"20 clicks in {clicking:.1f} s, language switch answered in {answered:.1f} s, all months drawn after {done:.1f} s")
        assert clicking < 8.0, clicking
        assert answered < 8.0, answered  # the bug answered after 12-14 s; a loaded machine took up to 5.7 s when fixed
        for _ in range(10):  # quick resets are one reset
            page.locator(".bs-reset").click(timeout=5_000)
        page.get_by_text("Start: Jan 2015").wait_for(timeout=30_000)

        # item 4: settings survive a reload ...
        pick(page, "governance-mode-B", "city-led (development office)")
        wait_for_code(page, lambda code: dict(code.levers.get("B", {})).get("governance.mode") == "city_led")
        seed = page.locator(".bs-seed input")
        seed.fill("4242")
        seed.press("Enter")
        wait_for_code(
            page, lambda code: code.seed == 4242 and dict(code.levers.get("B", {})).get("governance.mode") == "city_led"
        )  # the code now holds the seed too
        page.reload()
        page.locator(".bs-play").wait_for()
        page.wait_for_function("() => document.querySelector('.bs-seed input').value === '4242'", timeout=60_000)
        assert "city-led" in page.locator(".bs-select-governance-mode-B").inner_text()
        assert page.locator(".bs-lang-en").count() == 1 and page.get_by_text("Play").count() >= 1  # the language too
        # ... and a server restart; the connection messages are in German and English
        stop_server(process)
        page.get_by_text("Verbindung zum Server unterbrochen").first.wait_for(timeout=60_000)
        assert page.get_by_text("Connection to the server lost").count() >= 1
        shoot(page, "app14_disconnected")
        process = start_server(port, log)
        page.goto(page.url)
        page.locator(".bs-play").wait_for()
        page.wait_for_function("() => document.querySelector('.bs-seed input').value === '4242'", timeout=60_000)
        assert "city-led" in page.locator(".bs-select-governance-mode-B").inner_text()
        assert_local(requests)
    finally:
        stop_server(process)


def test_exported_png_carries_title_scenario_seed_and_date(app_server, browser):
    from PIL import Image

    url, _, _ = app_server
    page, requests = open_page(browser, url)
    page.locator(".bs-step").click()
    page.locator(".bs-date", has_text="Juni 2015").wait_for()
    page.locator(".v-tab", has_text="Export").click()
    with page.expect_download() as download:
        page.get_by_text("Zeitreihen (PNG)").click()
    image = Image.open(io.BytesIO(Path(download.value.path()).read_bytes()))
    info = image.info
    assert info["Title"] == "Zeitreihen"
    assert "closure_2018" in info["Description"] and "seed 20181221" in info["Description"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", info["Creation Time"])
    pixels = image.convert("L")
    left = [pixels.getpixel((x, y)) for x in range(3) for y in range(pixels.height)]
    assert min(left) > 240  # nothing touches the left edge: the y-axis labels are whole
    assert image.width >= 1900  # 150 dpi
    assert_local(requests)


def test_ensemble_verdicts_why_handout_upload_and_published_rates(app_server, browser, tmp_path):
    url, _, _ = app_server
    page, requests = open_page(browser, url)
    pick(page, "scenario", "Geschichte 2015–2023")
    page.locator(".bs-play").click()
    page.locator(".bs-date", has_text="Dez. 2023").wait_for(timeout=300_000)
    # the history scenario: the published rates and their source under the chart
    page.get_by_text("Agentur fuer Arbeit Gelsenkirchen").first.wait_for()
    # ensemble: bands drawn over at least two seeds, then the verdicts
    page.locator(".bs-chart-series:not(.bs-bands-0):not(.bs-bands-1)").wait_for(timeout=600_000)
    page.locator(".v-tab", has_text="Kennzahlen").click()
    page.locator(".bs-scorecard-ensemble").wait_for(timeout=600_000)
    verdicts = page.locator(".bs-scorecard-ensemble td.bs-verdict").all_inner_texts()
    assert verdicts and all(re.match(r"(klarer Unterschied|kein klarer Unterschied|beschreibend|wartet|hier nicht bestimmt)", v) for v in verdicts), verdicts
    assert "Holm" in page.locator(".bs-holm-note").inner_text()
    trust = page.locator(".bs-scorecard-ensemble tr[data-indicator='alliance_trust'] td.bs-verdict").inner_text()
    assert trust == "beschreibend, nicht bewertet"
    assert "…" in page.locator(".bs-scorecard-ensemble tr[data-indicator='employment'] td.bs-interval").inner_text()
    assert page.locator(".bs-scorecard-ensemble .bs-explain").count() >= 18  # every term explained
    shoot(page, "app14_scorecard")

    # Why?: the split by mechanism
    page.locator(".v-tab", has_text="Warum?").click()
    page.locator(".bs-why-start").click()
    page.locator(".bs-why-table tr[data-mechanism='staff_pooling']").wait_for(timeout=900_000)
    rest = page.locator(".bs-why-table tr[data-mechanism='rest'] td").last.inner_text()
    assert re.search(r"\d", rest), rest
    shoot(page, "app14_why")

    # the handout: one or two A4 pages, only the handout printed
    page.locator(".v-tab", has_text="Handout").click()
    page.locator(".bs-handout img.bs-handout-chart").wait_for()
    page.emulate_media(media="print")
    assert page.evaluate("() => getComputedStyle(document.querySelector('.bs-header')).display") == "none"
    pdf = page.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 2, pages
    (tmp_path / "handout.pdf").write_bytes(pdf)
    page.emulate_media(media="screen")

    # upload into a panel: a wrong file is refused in the panel's language, a right one loaded
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\n[governance]\nmode = "city_led"\n[governance.city]\nbudget_eur_year = -5.0\n')
    page.locator(".bs-upload-A input[type=file]").set_input_files(str(bad))
    page.get_by_text("„bad.toml“ nicht übernommen").wait_for()
    page.locator(".bs-lang-en").click()
    page.get_by_text("“bad.toml” not applied").wait_for()
    page.locator(".bs-lang-de").click()
    good = load_scenario(ROOT / "scenarios" / "closure_2018_city_led.toml")
    good = good.model_copy(
        update={"governance": good.governance.model_copy(update={"city": good.governance.city.model_copy(update={"budget_eur_year": 2_750_000.0})})}
    )
    path = tmp_path / "mine.toml"
    path.write_text(scenario_toml(good, name="mine"))
    page.locator(".bs-upload-A input[type=file]").set_input_files(str(path))
    page.get_by_text("Geladen: mine.toml").wait_for()
    page.locator(".bs-select-governance-mode-A", has_text="Stadt").wait_for()
    page.locator(".bs-levers-toggle-A").click()
    assert entry(page, "A", "governance-city-budget-eur-year").input_value() == "2,75"
    assert_local(requests)
