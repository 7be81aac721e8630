"""How fast the workshop app answers a room: a full play of both panels with bands, and the first result after a lever change.

Starts the app's real server on a free port of 127.0.0.1 and opens it in headless
Chromium (Debian's /usr/bin/chromium, through Playwright) at 1366x768, default
scenario (closure 2018: A no coordination, B the alliance), 6 months per update.
Each repetition uses a new seed, so every ensemble is computed afresh.

* ensemble play (target <= 15 s): from the click on "Start" until both panels show
  December 2035 *and* all seeds of both ensembles (2 x 8 runs with their twins) have
  arrived, i.e. the bands and intervals are complete; the seed is typed just before
  the click (``--talk S``: S seconds before it, as when the room discusses the change);
* first result after a lever change (target <= 3 s): a lever is typed, then "+6 Monate"
  clicked; the time until the chart shows the new run's first months, and the time
  until the first seed of the new ensemble arrives;
* chart rendering: the time-series chart with bands drawn by matplotlib on the server
  (PNG) against the same chart as a Plotly figure (JSON built on the server, drawn by
  plotly.js in Chromium from the installed plotly package, offline), if plotly is installed.

Each is reported as min / median / max over --repeat repetitions.

Usage: python experiments/benchmarks/bench_app.py [--repeat 3] [--port 0] [--no-charts] [--timeline] [--talk 0]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PLAY_TARGET_SECONDS = 15.0
FIRST_RESULT_TARGET_SECONDS = 3.0


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


def session_cpu(session: int) -> dict[str, float]:
    """CPU seconds (user + system) used so far by the server (the session leader) and by the other processes of its session (the ensemble's workers and their forkserver)."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {"server": 0.0, "workers": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) != session:  # fields after the command name: state, ppid, pgrp, session, ...
            continue
        seconds = (int(fields[11]) + int(fields[12])) / tick
        used["server" if int(entry.name) == session else "workers"] += seconds
    return used


def spread(values: list[float]) -> str:
    """min / median / max of measurements in seconds."""
    return f"min {min(values):.1f} s, median {statistics.median(values):.1f} s, max {max(values):.1f} s"


def ensemble_play(page, url: str, seed: int, timeline: bool = False, server: int | None = None, talk: float = 0.0) -> float:
    """Seconds from "Start" until December 2035 with both ensembles complete (``timeline``: print what the page shows as it changes).

    ``talk``: seconds between typing the seed and "Start" (the facilitator explains the change; the
    app starts the new settings' ensemble once they stood still for 1.5 s). With the server's process
    id, also prints the CPU seconds the server and the ensemble's workers used meanwhile.
    """
    page.goto(url)
    page.locator(".bs-play").wait_for(timeout=120_000)
    field = page.locator(".bs-seed input")
    field.fill(str(seed))
    field.press("Enter")
    page.get_by_text("Geänderte Einstellungen gelten ab dem Start.").wait_for(timeout=30_000)
    time.sleep(talk)
    before = session_cpu(server) if server else None
    start = time.perf_counter()
    page.locator(".bs-play").click()
    if timeline:
        watch(page, start)
    page.locator(".bs-date", has_text="Dez. 2035").wait_for(timeout=900_000)
    page.locator(".bs-ensemble-progress", has_text="8 von 8").wait_for(timeout=900_000)
    elapsed = time.perf_counter() - start
    if before is not None:
        after = session_cpu(server)
        used = {part: after[part] - before[part] for part in ("server", "workers")}
        cores = os.cpu_count() or 1
        print(
            f"  CPU during the play: server {used['server']:.1f} s, ensemble workers {used['workers']:.1f} s; "
            f"on {cores} cores no play is shorter than {(used['server'] + used['workers']) / cores:.1f} s (all of it) "
            f"or {used['workers'] / cores:.1f} s (the ensemble's runs alone)",
            flush=True,
        )
    return elapsed


def watch(page, start: float) -> None:
    """Print the shown month and the ensemble's progress whenever either changes, until both are final."""
    seen = None
    while True:
        shown = page.evaluate("() => [document.querySelector('.bs-date')?.textContent, document.querySelector('.bs-ensemble-progress')?.textContent]")
        if shown != seen:
            seen = shown
            print(f"  {time.perf_counter() - start:6.1f} s  {shown[0]}  {shown[1]}", flush=True)
        if shown[0] and "Dez. 2035" in shown[0] and shown[1] and "8 von 8" in shown[1]:
            return
        time.sleep(0.2)


def first_result(page, url: str, members: int) -> tuple[float, float]:
    """Seconds from a typed lever change to the new run's first chart, and to its ensemble's first seed."""
    page.goto(url)
    page.locator(".bs-play").wait_for(timeout=120_000)
    page.locator(".bs-ensemble-progress", has_text="von 8").wait_for(timeout=120_000)
    page.locator(".bs-levers-toggle-B").click()
    field = page.locator(".bs-lever-B.bs-lever-governance-alliance-founding-members .bs-entry input")
    before = page.locator(".bs-chart-series img").get_attribute("src")
    field.fill(str(members))
    start = time.perf_counter()
    field.press("Enter")
    page.locator(".bs-step").click()
    page.locator(".bs-date", has_text="Juni 2015").wait_for(timeout=120_000)
    page.wait_for_function(
        "(before) => { const img = document.querySelector('.bs-chart-series img'); return img !== null && img.src !== before; }", arg=before, timeout=120_000
    )
    chart = time.perf_counter() - start
    page.wait_for_function("() => /Streuung: [1-8] von 8/.test(document.querySelector('.bs-ensemble-progress').textContent)", timeout=600_000)
    seed = time.perf_counter() - start
    return chart, seed


def chart_rendering(browser, repeat: int, seeds: int = 3) -> None:
    """matplotlib (server, PNG) against Plotly (server JSON + plotly.js in Chromium) for the time-series chart with bands."""
    from bottrop_sim import load_scenario
    from bottrop_sim.app.charts import png_bytes, series_figure
    from bottrop_sim.app.ensemble import Ensemble
    from bottrop_sim.app.runs import PanelRun, advance
    from bottrop_sim.app.workers import member_task

    base = load_scenario(ROOT / "scenarios" / "closure_2018.toml")
    alliance = base.model_copy(update={"governance": base.governance.model_copy(update={"mode": "alliance"})})
    runs = [PanelRun(base, base.seed), PanelRun(alliance, base.seed)]
    while advance(runs, 12):
        pass
    from concurrent.futures import Future

    def here(task):
        future: Future = Future()
        future.set_result(member_task(task))
        return future

    ensemble = Ensemble({"A": base, "B": alliance}, base.seed, seeds, submit=here)
    snapshots = {"A": runs[0].snapshot, "B": runs[1].snapshot}
    drawn = []
    for _ in range(max(3, repeat)):
        start = time.perf_counter()
        size = len(png_bytes(series_figure(snapshots, "de", ensemble)))
        drawn.append(time.perf_counter() - start)
    print(f"matplotlib, server side (figure + PNG, {size / 1000:.0f} kB per update): {spread(drawn)} ".replace(" s,", " s,"), flush=True)
    try:
        import plotly
        import plotly.graph_objects as go
    except ImportError:
        print("plotly not installed: browser-drawn charts not measured")
        return
    columns = ("employment_workplace", "unemployment_rate", "value_added_eur", "firms", "co2_t")
    built, payload = [], 0
    for _ in range(max(3, repeat)):
        start = time.perf_counter()
        figure = go.Figure()
        for index, column in enumerate(columns):
            axis = "" if index == 0 else str(index + 1)
            for panel in ("A", "B"):
                for twin in (False, True):
                    band = ensemble.band(panel, column, twin=twin)
                    x = list(band.years)
                    figure.add_trace(go.Scatter(x=x + x[::-1], y=list(band.high) + list(band.low[::-1]), fill="toself", xaxis=f"x{axis}", yaxis=f"y{axis}"))
                    figure.add_trace(go.Scatter(x=x, y=list(band.median), xaxis=f"x{axis}", yaxis=f"y{axis}"))
                frame = snapshots[panel].timeseries
                figure.add_trace(go.Scatter(x=list(range(len(frame))), y=frame[column].tolist(), xaxis=f"x{axis}", yaxis=f"y{axis}"))
        figure.update_layout(grid={"rows": 2, "columns": 3, "pattern": "independent"}, width=1330, height=430)
        text = figure.to_json()
        built.append(time.perf_counter() - start)
        payload = len(text)
    print(f"Plotly, server side (figure + JSON, {payload / 1000:.0f} kB per update): {spread(built)}", flush=True)
    script = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    with tempfile.TemporaryDirectory() as folder:
        page_path = Path(folder) / "plotly.html"
        page_path.write_text(f"<html><body><div id='chart'></div><script>{script.read_text()}</script><script>const FIGURE = {text};</script></body></html>")
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(page_path.as_uri())
        rendered = []
        for _ in range(max(3, repeat)):
            rendered.append(
                page.evaluate(
                    "async () => { const t = performance.now(); await Plotly.react('chart', FIGURE.data, FIGURE.layout); return (performance.now() - t) / 1000; }"
                )
            )
        page.close()
    print(f"Plotly, drawn by plotly.js in Chromium (same machine): {spread(rendered)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of each measurement")
    parser.add_argument("--port", type=int, default=0, help="server port (0: a free one)")
    parser.add_argument("--no-charts", action="store_true", help="skip the chart rendering comparison")
    parser.add_argument("--timeline", action="store_true", help="print the shown month and the ensemble's progress during each play")
    parser.add_argument("--charts-only", action="store_true", help="only the chart rendering comparison (no server)")
    parser.add_argument("--talk", type=float, default=0.0, help="seconds between typing the seed and Start (the room talks; the ensemble starts meanwhile)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"cores: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.1f}", flush=True)
    if args.charts_only:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            chart_rendering(browser, args.repeat, seeds=2)
            browser.close()
        return
    port = args.port or free_port()
    server = start_server(port)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            plays, charts, seeds = [], [], []
            for repeat in range(args.repeat):
                context = browser.new_context(viewport={"width": 1366, "height": 768})
                plays.append(ensemble_play(context.new_page(), f"http://127.0.0.1:{port}/", 7000 + repeat, args.timeline, server.pid, args.talk))
                context.close()
                talked = f" ({plays[-1] + args.talk:.1f} s from the typed seed, {args.talk:.0f} s of it before the start)" if args.talk else ""
                print(f"ensemble play {repeat + 1}: {plays[-1]:.1f} s{talked}", flush=True)
                context = browser.new_context(viewport={"width": 1366, "height": 768})
                chart, seed = first_result(context.new_page(), f"http://127.0.0.1:{port}/", 40 + repeat)
                context.close()
                charts.append(chart)
                seeds.append(seed)
                print(f"lever change {repeat + 1}: first chart {chart:.1f} s, first ensemble seed {seed:.1f} s", flush=True)
            print(f"ensemble play, both panels with bands (target <= {PLAY_TARGET_SECONDS:.0f} s): {spread(plays)}")
            print(f"first result after a lever change (target <= {FIRST_RESULT_TARGET_SECONDS:.0f} s): {spread(charts)}")
            print(f"first seed of the new ensemble after a lever change: {spread(seeds)}")
            print(f"load average after: {os.getloadavg()[0]:.1f}")
            if not args.no_charts:
                chart_rendering(browser, args.repeat)
            browser.close()
    finally:
        stop_server(server)


if __name__ == "__main__":
    main()
