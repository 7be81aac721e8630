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

What the settings controls do (scenario, levers, seed, uploads, settings code)
is in :mod:`~bottrop_sim.app.workshop_settings`, the session's ensembles of
seeds in :mod:`~bottrop_sim.app.workshop_ensembles`; :class:`Workshop` inherits
both. This module keeps the construction, the readings, the service thread and
the play loop, stepping, reset and rebuild.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

import solara

from bottrop_sim.errors import ScenarioError
from bottrop_sim.scenario.schema import Scenario

from .ensemble import ENSEMBLE_SIZE, RUNNING, Ensemble, InFlight
from .runs import PanelRun, PanelSnapshot, advance
from .share import UploadProblem
from .texts import DEFAULT_LANGUAGE, t
from .workshop_ensembles import WorkshopEnsembles
from .workshop_settings import (
    DEFAULT_SCENARIO,
    PANELS,
    SCENARIO_FOLDER_VARIABLE,
    SCENARIO_ORDER,
    WorkshopSettings,
    counterpart,
    scenario_catalog,
    scenario_folder,
)

__all__ = [
    "BREATHER_SECONDS",
    "DEFAULT_RENDER_INTERVAL",
    "DEFAULT_SCENARIO",
    "DRAW_TIMEOUT_SECONDS",
    "PANELS",
    "RENDER_INTERVALS",
    "SCENARIO_FOLDER_VARIABLE",
    "SCENARIO_ORDER",
    "SERVICE_POLL_SECONDS",
    "Workshop",
    "counterpart",
    "scenario_catalog",
    "scenario_folder",
]

logger = logging.getLogger(__name__)

RENDER_INTERVALS = (1, 3, 6, 12)
"""Months simulated per screen update (the speed control)."""
DEFAULT_RENDER_INTERVAL = 6
#: Pause between two updates while playing (seconds): time for the browser's clicks.
BREATHER_SECONDS = 0.03
#: Longest wait for the page to draw an update before the play loop steps on anyway (seconds).
DRAW_TIMEOUT_SECONDS = 10.0
#: How often the session's service thread looks for arrived ensemble runs and queued clicks (seconds).
SERVICE_POLL_SECONDS = 0.25


class Workshop(WorkshopSettings, WorkshopEnsembles):
    """Reactive state and actions of one session.

    Args:
        folder: folder of scenario files (default: :func:`scenario_folder`).
    """

    def __init__(self, folder: Path | None = None, ensemble_size: int = ENSEMBLE_SIZE, submit: Callable | None = None) -> None:
        self.folder = Path(folder) if folder is not None else scenario_folder()
        self.ensemble_size = int(ensemble_size)
        self._submit = submit
        self._running = RUNNING if submit is None else InFlight()  # the session's ensembles wait for each other's runs (all sessions' with the server's pool)
        self.catalog = scenario_catalog(self.folder)
        self.lang = solara.reactive(DEFAULT_LANGUAGE)
        self.scenario_name: solara.Reactive[str | None] = solara.reactive(None)
        self.scenario_problem: solara.Reactive[tuple[str, str] | None] = solara.reactive(None)
        self.base: solara.Reactive[Scenario | None] = solara.reactive(None)
        self.settings = {panel: solara.reactive(dict[str, Any]()) for panel in PANELS}
        self.panel_problem: dict[str, solara.Reactive[ScenarioError | None]] = {panel: solara.reactive(None) for panel in PANELS}
        self.applied: dict[str, solara.Reactive[Scenario | None]] = {panel: solara.reactive(None) for panel in PANELS}
        self.uploaded: dict[str, solara.Reactive[Scenario | None]] = {panel: solara.reactive(None) for panel in PANELS}
        self.upload_problem: dict[str, solara.Reactive[UploadProblem | None]] = {panel: solara.reactive(None) for panel in PANELS}
        self.upload_note: dict[str, solara.Reactive[str | None]] = {panel: solara.reactive(None) for panel in PANELS}
        self.seed_problem: solara.Reactive[tuple[str, dict[str, str]] | None] = solara.reactive(None)
        self.code_problem: solara.Reactive[str | None] = solara.reactive(None)
        self.ensemble: solara.Reactive[Ensemble | None] = solara.reactive(None)
        self.ensemble_tick = solara.reactive(0)
        self.why: solara.Reactive[tuple[str, ...] | None] = solara.reactive(None)  # None: not asked for yet
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
        self._requests = threading.Lock()
        self._pending_months = 0
        self._pending_reset = False
        self._working = False
        self._wake = threading.Event()
        self._prepared: Ensemble | None = None  # the ensemble of changed settings, started before "Start" shows it
        self._settled: tuple[tuple, float] | None = None  # (changed settings, since when) while they wait for the start
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
    def at_start(self) -> bool:
        """Whether both panels' runs stand at their first month with the current settings (a reset would change nothing)."""
        runs = [self.runs[panel].value for panel in PANELS]
        return not self.dirty.value and all(run is not None and run.months_done == 0 for run in runs)

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

    def reset(self) -> None:
        """Both panels back to the start, with their current settings and the shared seed."""
        self.playing.set(False)
        with self.lock:
            self._rebuild()

    # ------------------------------------------------------------------ clicks that coalesce
    def request_step(self) -> None:
        """The "+N months" button: queue a step for the session's service thread and return at once.

        Clicks that arrive while an earlier one is being computed add up: 20 quick
        clicks become one step of 20 intervals, drawn once, instead of 20 steps
        that keep the page busy one after the other.
        """
        if self.playing.value or self.finished:
            return
        with self._requests:
            self._pending_months += self.interval.value
        self._wake.set()

    def request_reset(self) -> None:
        """The reset button: queue a reset (several quick clicks are one reset; it drops steps queued before it)."""
        self.playing.set(False)
        with self._requests:
            self._pending_reset = True
            self._pending_months = 0
        self._wake.set()

    @property
    def busy(self) -> bool:
        """Whether queued clicks wait for the service thread."""
        with self._requests:
            return self._pending_reset or self._pending_months > 0 or self._working

    def service(self, cancel: threading.Event) -> None:
        """The session's service thread: queued steps and resets, and redraws when ensemble runs arrive (until cancelled)."""
        seen = -1
        while not cancel.is_set():
            self._wake.wait(SERVICE_POLL_SECONDS)
            self._wake.clear()
            if cancel.is_set():
                break
            try:
                with self._requests:
                    reset, months = self._pending_reset, self._pending_months
                    self._pending_reset, self._pending_months = False, 0
                    self._working = bool(reset or months)
                try:
                    if reset and self.at_start:
                        reset = False  # quick clicks after the first: the runs already start from the current settings
                    if reset:
                        self.reset()
                    if months:
                        self._step_months(months)
                finally:
                    with self._requests:
                        self._working = False
                self._prepare_if_settled()
                ensemble = self.ensemble.value
                arrived = sum(ensemble.progress(v)[0] for v in ["", *ensemble.variants()]) if ensemble is not None else -1
                if arrived != seen:
                    seen = arrived
                    self.ensemble_tick.set(self.ensemble_tick.value + 1)
            except Exception:
                logger.exception("workshop app: a queued action failed")
                self.problem.set(t(self.lang.value, "problem", what=t(self.lang.value, "step", months="")))

    def _step_months(self, months: int) -> None:
        self._start_if_changed()
        moved = 0
        runs = self._runs()
        while runs and moved < months:  # a month at a time, letting the threads that answer clicks in between
            with self.lock:
                if not all(run.running for run in runs):
                    break
                for run in runs:
                    run.step()
            moved += 1
            time.sleep(0.002)
        if moved:
            with self.lock:
                for run in runs:
                    run.refresh()
        if moved:
            version = self.version.value + 1
            self.version.set(version)
            with self._drawn:
                self._drawn.wait_for(lambda: self._drawn_version >= version, timeout=DRAW_TIMEOUT_SECONDS)

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

        The next update is computed while the page draws this one: the runs step
        on at once, their snapshots (what the views show) are taken only when the
        update is shown. Before it is shown, the loop waits until the page has
        drawn the last one. Without this wait, a click that happens to start a
        redraw would make the thread that serves the browser's messages draw every
        following update (Reacton lets the thread that holds the render lock draw
        all pending changes), and further clicks would wait until the end. After a
        pause the months already computed are shown, so the page always shows
        where the runs are.
        """
        shown = self.version.value  # the last update the page was asked to draw
        pending = 0  # months stepped but not shown yet
        runs: list[PanelRun] = []
        try:
            while self.playing.value and not cancel.is_set():
                with self.lock:
                    runs = self._runs()
                    pending += advance(runs, self.interval.value, refresh=False) if runs else 0
                with self._drawn:  # the page has drawn the last update (or gave up waiting)
                    self._drawn.wait_for(lambda shown=shown: self._drawn_version >= shown or cancel.is_set(), timeout=DRAW_TIMEOUT_SECONDS)
                if not pending or cancel.is_set():
                    break
                shown = self._show(runs)
                pending = 0
                cancel.wait(BREATHER_SECONDS)
        except Exception:
            logger.exception("workshop app: playing failed")
            self.problem.set(t(self.lang.value, "problem", what=t(self.lang.value, "play")))
        finally:
            if pending and runs and runs == self._runs():  # paused while the next update was computed: show it (not after a reset)
                with suppress(Exception):  # the session may be closing
                    self._show(runs)
            if not cancel.is_set():
                self.playing.set(False)

    def _show(self, runs: list[PanelRun]) -> int:
        """Take the runs' snapshots and redraw the views from them (usually in this thread); returns the new version."""
        with self.lock:
            for run in runs:
                run.refresh()
        version = self.version.value + 1
        self.version.set(version)
        return version

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
        scenarios = {panel: self.applied[panel].value for panel in PANELS}
        for panel in PANELS:
            scenario = scenarios[panel]
            if scenario is not None:
                replaced = self.runs[panel].value
                self.runs[panel].set(PanelRun(scenario, seed))
                if replaced is not None:
                    replaced.close()  # else every reset keeps two models alive (Mesa's agent-id counters)
        # the browser's clicks are served while the runs are built (seconds on a busy machine): a seed or a
        # lever set meanwhile (set_seed and set_lever do not wait for the lock) is not in these runs and
        # still waits for the next start (issue 14)
        self.dirty.set(seed != self.seed.value or any(self.applied[panel].value is not scenarios[panel] for panel in PANELS))
        self._start_ensemble()
        self.version.set(self.version.value + 1)
