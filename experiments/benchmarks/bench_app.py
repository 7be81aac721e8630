"""How fast the workshop app plays, and whether the page stays responsive meanwhile (target: 2015-2035 in at most 60 s).

Starts the app's real server on a free port of 127.0.0.1, opens it in headless
Chromium (Debian's /usr/bin/chromium, through Playwright) at 1366x768, and with
the default scenario (closure 2018: A no coordination, B the alliance) and the
default render interval (6 months per update) measures:

* play time: from the click on "Start" until both panels show December 2035,
  once just watching and once while clicking every half second;
* responsiveness while playing: how long the page takes to answer clicks that
  need the server (opening and closing a panel's levers), the language switch
  at the end, and the longest stretch the browser's main thread was busy
  (long tasks and timer lag);
* the same for each other render interval given with --intervals.

Also prints the compute time of the four Mesa models alone (both panels with
their counterfactual twins) in this process, for comparison.

Usage: python experiments/benchmarks/bench_app.py [--repeat 1] [--intervals 6 12] [--port 0]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
TARGET_SECONDS = 60.0
INTERVAL_LABELS = {1: "1 Monat je Bild", 3: "3 Monate je Bild", 6: "6 Monate je Bild", 12: "12 Monate je Bild"}

WATCH_MAIN_THREAD = """() => {
    window.__lag = {maxTimerLag: 0, longTasks: [], };
    let last = performance.now();
    window.__lagTimer = setInterval(() => {
        const now = performance.now();
        window.__lag.maxTimerLag = Math.max(window.__lag.maxTimerLag, now - last - 50);
        last = now;
    }, 50);
    try {
        new PerformanceObserver(list => list.getEntries().forEach(e => window.__lag.longTasks.push(e.duration)))
            .observe({entryTypes: ['longtask']});
    } catch (e) {}
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    env = {**os.environ, "BOTTROP_SIM_SCENARIOS": str(ROOT / "scenarios")}
    process = subprocess.Popen(
        [sys.executable, "-m", "bottrop_sim.app.server", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                return process
        except OSError:
            time.sleep(0.3)
    os.killpg(process.pid, signal.SIGKILL)
    raise SystemExit("the app server did not start within 90 s")


def stop_server(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def model_compute_seconds() -> float:
    """Both default panels with their twins, stepped to the end without any drawing."""
    from bottrop_sim import load_scenario
    from bottrop_sim.app.runs import PanelRun, advance

    base = load_scenario(ROOT / "scenarios" / "closure_2018.toml")
    alliance = base.model_copy(update={"governance": base.governance.model_copy(update={"mode": "alliance"})})
    start = time.perf_counter()
    runs = [PanelRun(base, base.seed), PanelRun(alliance, base.seed)]
    while advance(runs, 6):
        pass
    return time.perf_counter() - start


def play_once(page, url: str, interval: int, clicking: bool) -> dict[str, float]:
    """One session: load, set the render interval, play to the end (clicking meanwhile, if asked); returns the measurements."""
    page.goto(url)
    page.locator(".bs-play").wait_for(timeout=60_000)
    if interval != 6:
        page.locator(".bs-select-speed").click()
        page.locator(".v-menu__content:visible .v-list-item", has_text=INTERVAL_LABELS[interval]).click()
        time.sleep(0.5)
    page.evaluate(WATCH_MAIN_THREAD)
    start = time.perf_counter()
    page.locator(".bs-play").click()
    page.wait_for_function("() => !document.querySelector('.bs-date').textContent.startsWith('Start')", timeout=60_000)
    answers = []
    while clicking and not page.locator(".bs-date", has_text="Dez. 2035").count() and time.perf_counter() - start < 3 * TARGET_SECONDS:
        clicked = time.perf_counter()
        page.locator(".bs-levers-toggle-A").click()
        page.locator(".bs-levers-toggle-A", has_text="Hebel ausblenden").wait_for(timeout=30_000)
        answers.append(time.perf_counter() - clicked)
        clicked = time.perf_counter()
        page.locator(".bs-levers-toggle-A").click()
        page.locator(".bs-levers-toggle-A", has_text="Hebel (").wait_for(timeout=30_000)
        answers.append(time.perf_counter() - clicked)
        time.sleep(0.5)
    page.locator(".bs-date", has_text="Dez. 2035").wait_for(timeout=180_000)
    played = time.perf_counter() - start
    lag = page.evaluate("window.__lag")
    clicked = time.perf_counter()
    page.locator(".bs-lang-en").click()
    page.get_by_text("Dec 2035").wait_for(timeout=30_000)
    language = time.perf_counter() - clicked
    return {
        "played_s": played,
        "click_answer_median_s": statistics.median(answers) if answers else float("nan"),
        "click_answer_max_s": max(answers) if answers else float("nan"),
        "clicks": len(answers),
        "language_switch_s": language,
        "longest_main_thread_task_ms": max(lag["longTasks"], default=0.0),
        "max_timer_lag_ms": lag["maxTimerLag"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="sessions per render interval")
    parser.add_argument("--intervals", type=int, nargs="+", default=[6], choices=sorted(INTERVAL_LABELS), help="months per update")
    parser.add_argument("--port", type=int, default=0, help="server port (0: a free one)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"model compute alone (2 panels + 2 twins, 252 months): {model_compute_seconds():.2f} s")
    port = args.port or free_port()
    server = start_server(port)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            for interval in args.intervals:
                for repeat in range(args.repeat):
                    for clicking in (False, True):
                        context = browser.new_context(viewport={"width": 1366, "height": 768})
                        result = play_once(context.new_page(), f"http://127.0.0.1:{port}/", interval, clicking)
                        context.close()
                        verdict = "ok" if result["played_s"] <= TARGET_SECONDS else "over the target"
                        line = (
                            f"render interval {interval:>2} months, session {repeat + 1}, {'clicking every 0.5 s' if clicking else 'watching only      '}: "
                            f"played 2015-2035 in {result['played_s']:5.1f} s (target <= {TARGET_SECONDS:.0f} s: {verdict}); "
                        )
                        if clicking:
                            line += f"clicks answered in {result['click_answer_median_s']:.2f} s median, {result['click_answer_max_s']:.2f} s max ({result['clicks']} clicks); "
                        line += (
                            f"language switch {result['language_switch_s']:.2f} s; "
                            f"longest browser task {result['longest_main_thread_task_ms']:.0f} ms, timer lag {result['max_timer_lag_ms']:.0f} ms"
                        )
                        print(line, flush=True)
            browser.close()
    finally:
        stop_server(server)


if __name__ == "__main__":
    main()
