"""The state of one workshop session and what the buttons do with it.

One :class:`Workshop` per browser session holds everything in Solara reactive
variables: the language, the picked scenario, each panel's lever values and
the Mesa models of each panel (in a :class:`~bottrop_sim.app.runs.PanelRun`), the
seed both panels share, the render interval and whether the session plays.
Play, pause, step, reset and speed act on both panels together; a lever change
validates at once (the message stays next to the control) and takes effect with
the next run: at the start, when the run starts; later, after a reset.

The play loop runs in a worker thread: it steps both panels by the render
interval, then bumps :attr:`Workshop.version`, which redraws the views from
the new snapshots in that same thread; between updates the browser's clicks
are served, so the page stays responsive while it plays.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import solara

from bottrop_sim.errors import ScenarioError
from bottrop_sim.scenario.loading import load_scenario
from bottrop_sim.scenario.schema import MAX_SEED, Scenario

from .levers import lever_values, panel_scenario
from .runs import PanelRun, PanelSnapshot, advance
from .texts import DEFAULT_LANGUAGE, parse_number, t

logger = logging.getLogger(__name__)

PANELS = ("A", "B")
RENDER_INTERVALS = (1, 3, 6, 12)
"""Months simulated per screen update (the speed control)."""
DEFAULT_RENDER_INTERVAL = 6
DEFAULT_SCENARIO = "closure_2018"
SCENARIO_ORDER = (
    "closure_2018",
    "closure_2018_alliance",
    "closure_2018_city_led",
    "closure_2018_hybrid",
    "no_closure",
    "compound_stress",
    "history_2015_2023",
)
#: Pause between two updates while playing (seconds): time for the browser's clicks.
BREATHER_SECONDS = 0.03
#: Longest wait for the page to draw an update before the play loop steps on anyway (seconds).
DRAW_TIMEOUT_SECONDS = 10.0
SCENARIO_FOLDER_VARIABLE = "BOTTROP_SIM_SCENARIOS"


def scenario_folder() -> Path:
    """Where the app looks for scenario files: $BOTTROP_SIM_SCENARIOS, ./scenarios, or the repository's scenarios/."""
    given = os.environ.get(SCENARIO_FOLDER_VARIABLE)
    if given:
        return Path(given)
    here = Path.cwd() / "scenarios"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "scenarios"


def scenario_catalog(folder: Path) -> dict[str, Path]:
    """Scenario files of a folder by name (file stem), the closure scenarios first."""
    files = {path.stem: path for path in sorted(folder.glob("*.toml"))} if folder.is_dir() else {}
    ordered = [name for name in SCENARIO_ORDER if name in files] + [name for name in files if name not in SCENARIO_ORDER]
    return {name: files[name] for name in ordered}


def counterpart(mode: str) -> str:
    """Governance of panel B when a scenario is picked: the alliance, or no coordination if the file already has the alliance."""
    return "none" if mode == "alliance" else "alliance"


class Workshop:
    """Reactive state and actions of one session.

    Args:
        folder: folder of scenario files (default: :func:`scenario_folder`).
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else scenario_folder()
        self.catalog = scenario_catalog(self.folder)
        self.lang = solara.reactive(DEFAULT_LANGUAGE)
        self.scenario_name: solara.Reactive[str | None] = solara.reactive(None)
        self.scenario_problem: solara.Reactive[tuple[str, str] | None] = solara.reactive(None)
        self.base: solara.Reactive[Scenario | None] = solara.reactive(None)
        self.settings = {panel: solara.reactive(dict[str, Any]()) for panel in PANELS}
        self.panel_problem: dict[str, solara.Reactive[ScenarioError | None]] = {panel: solara.reactive(None) for panel in PANELS}
        self.applied: dict[str, solara.Reactive[Scenario | None]] = {panel: solara.reactive(None) for panel in PANELS}
        self.runs: dict[str, solara.Reactive[PanelRun | None]] = {panel: solara.reactive(None) for panel in PANELS}
        self.dirty = solara.reactive(False)
        self.seed = solara.reactive(0)
        self.interval = solara.reactive(DEFAULT_RENDER_INTERVAL)
        self.playing = solara.reactive(False)
        self.version = solara.reactive(0)
        self.tab = solara.reactive(0)
        self.problem: solara.Reactive[str | None] = solara.reactive(None)
        self.lock = threading.RLock()
        self._drawn = threading.Condition()
        self._drawn_version = -1
        first = DEFAULT_SCENARIO if DEFAULT_SCENARIO in self.catalog else next(iter(self.catalog), None)
        if first is not None:
            self.choose_scenario(first)

    # ------------------------------------------------------------------ reading
    def snapshots(self) -> dict[str, PanelSnapshot]:
        """The latest snapshot of each panel (empty before a scenario is loaded)."""
        runs = {panel: self.runs[panel].value for panel in PANELS}
        return {panel: run.snapshot for panel, run in runs.items() if run is not None}

    @property
    def months_done(self) -> int:
        """Months both panels have simulated."""
        run = self.runs[PANELS[0]].value
        return run.months_done if run is not None else 0

    @property
    def finished(self) -> bool:
        """Whether the panels reached the end of the horizon."""
        return any(run.value is not None and not run.value.running for run in self.runs.values())

    # ------------------------------------------------------------------ actions
    def guarded(self, what: str, action: Callable[..., Any]) -> Callable[..., Any]:
        """``action`` for a button: a failure becomes a message in the app, never a traceback."""

        def run(*args: Any) -> Any:
            try:
                return action(*args)
            except Exception:
                logger.exception("workshop app: %s failed", what)
                self.playing.set(False)
                self.problem.set(t(self.lang.value, "problem", what=what))
                return None

        return run

    def choose_scenario(self, name: str) -> None:
        """Load scenario ``name`` into both panels: A as in the file, B with the counterpart governance; both reset."""
        self.playing.set(False)
        try:
            base = load_scenario(self.catalog[name])
        except ScenarioError as error:
            self.scenario_problem.set((name, error.message))
            return
        self.scenario_problem.set(None)
        values = lever_values(base)
        panel_values = {"A": values, "B": {**values, "governance.mode": counterpart(base.governance.mode)}}
        with self.lock:
            self.base.set(base)
            self.scenario_name.set(name)
            self.seed.set(base.seed)
            for panel in PANELS:
                self.settings[panel].set(panel_values[panel])
                self.panel_problem[panel].set(None)
                self.applied[panel].set(panel_scenario(base, panel_values[panel], self.catalog[name]))
            self._rebuild()

    def set_lever(self, panel: str, path: str, value: Any) -> None:
        """Set one lever of a panel; the panel's settings are validated as a whole, the run changes with the next start."""
        settings = {**self.settings[panel].value, path: value}
        self.settings[panel].set(settings)
        base = self.base.value
        if base is None:
            return
        try:
            scenario = panel_scenario(base, settings, self.catalog[self.scenario_name.value])
        except ScenarioError as error:
            self.panel_problem[panel].set(error)
            return
        self.panel_problem[panel].set(None)
        if scenario != self.applied[panel].value:
            self.applied[panel].set(scenario)
            self.dirty.set(True)

    def set_seed(self, entry: str) -> str | None:
        """Set the seed both panels share from a typed entry; returns a message if the entry is not a valid seed."""
        value = parse_number(entry, self.lang.value)
        if value is None or value != int(value):
            return t(self.lang.value, "integer_expected")
        if not 0 <= value <= MAX_SEED:
            return t(self.lang.value, "out_of_range", low="0", high=f"{MAX_SEED}", unit="").replace(" .", ".")
        if int(value) != self.seed.value:
            self.seed.set(int(value))
            self.dirty.set(True)
        return None

    def reset(self) -> None:
        """Both panels back to the start, with their current settings and the shared seed."""
        self.playing.set(False)
        with self.lock:
            self._rebuild()

    def step(self) -> None:
        """Advance both panels by one render interval (rebuilding first if settings changed before the start)."""
        if self.playing.value:
            return
        self._start_if_changed()
        with self.lock:
            runs = self._runs()
            if runs and advance(runs, self.interval.value):
                self.version.set(self.version.value + 1)

    def toggle_play(self) -> None:
        """Play or pause both panels."""
        if self.playing.value:
            self.playing.set(False)
            return
        if self.finished:
            return
        self._start_if_changed()
        self.playing.set(True)

    def drawn(self, version: int) -> None:
        """Note that the page finished drawing ``version`` (called from an effect of the page, after each redraw)."""
        with self._drawn:
            self._drawn_version = max(self._drawn_version, version)
            self._drawn.notify_all()

    def play_loop(self, cancel: threading.Event) -> None:
        """Step both panels by the render interval and redraw, until paused, cancelled or at the end (worker thread).

        After each update the loop waits until the page has drawn it before it
        steps on. Without this wait, a click that happens to start a redraw
        would make the thread that serves the browser's messages draw every
        following update (Reacton lets the thread that holds the render lock
        draw all pending changes), and further clicks would wait until the end.
        """
        try:
            while self.playing.value and not cancel.is_set():
                with self.lock:
                    runs = self._runs()
                    moved = advance(runs, self.interval.value) if runs else 0
                if not moved:
                    break
                version = self.version.value + 1
                self.version.set(version)  # redraws the views, usually in this thread
                with self._drawn:
                    self._drawn.wait_for(lambda version=version: self._drawn_version >= version or cancel.is_set(), timeout=DRAW_TIMEOUT_SECONDS)
                cancel.wait(BREATHER_SECONDS)
        except Exception:
            logger.exception("workshop app: playing failed")
            self.problem.set(t(self.lang.value, "problem", what=t(self.lang.value, "play")))
        finally:
            if not cancel.is_set():
                self.playing.set(False)

    # ------------------------------------------------------------------ internals
    def _runs(self) -> list[PanelRun]:
        runs = [self.runs[panel].value for panel in PANELS]
        return [run for run in runs if run is not None]

    def _start_if_changed(self) -> None:
        if self.dirty.value and self.months_done == 0:
            with self.lock:
                self._rebuild()

    def _rebuild(self) -> None:
        seed = self.seed.value
        for panel in PANELS:
            scenario = self.applied[panel].value
            if scenario is not None:
                self.runs[panel].set(PanelRun(scenario, seed))
        self.dirty.set(False)
        self.version.set(self.version.value + 1)
