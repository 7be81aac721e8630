"""Issue 14, item 8 (report): the scorecard of ``report.html`` with four scenarios fits a 1366 px screen (headless Chromium)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bottrop_sim.report import write_report

from .test_report import SCENARIOS, _inputs

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [pytest.mark.timeout(300), pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's /usr/bin/chromium")]
playwright_api = pytest.importorskip("playwright.sync_api") if CHROMIUM.exists() else None
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.mark.parametrize("lang", ["de", "en"])
def test_scorecard_of_four_scenarios_fits_1366_px(tmp_path, lang):
    assert len(SCENARIOS) == 4
    path = write_report(tmp_path / "report.html", **_inputs(SCENARIOS), lang=lang)
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(path.as_uri())
        box = page.evaluate(
            """() => { const t = document.querySelector('#scorecard table'); const w = t.parentElement;
                 const last = [...t.querySelectorAll('thead th')].pop().getBoundingClientRect();
                 return {table: t.scrollWidth, wrap: w.clientWidth, right: last.right, page: document.documentElement.scrollWidth}; }"""
        )
        browser.close()
    assert box["table"] <= box["wrap"], box  # the table does not scroll sideways
    assert box["right"] <= 1366, box  # the fourth scenario's column is on the screen
    assert box["page"] <= 1366, box
    assert all(url.startswith(("file://", "data:")) for url in requests), requests
