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
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

import solara

from bottrop_sim.errors import ScenarioError
from bottrop_sim.scenario.loading import load_scenario
from bottrop_sim.scenario.schema import MAX_SEED, Scenario

from .ensemble import ENSEMBLE_SIZE, RUNNING, Ensemble, InFlight
from .levers import lever_values, panel_scenario
from .runs import PanelRun, PanelSnapshot, advance
from .share import CodeError, Settings, UploadProblem, decode, encode, read_upload, scenario_json, scenario_of_json
from .texts import DEFAULT_LANGUAGE, LANGUAGES, parse_number, t
from .why import variants

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
#: How often the session's service thread looks for arrived ensemble runs and queued clicks (seconds).
SERVICE_POLL_SECONDS = 0.25
#: How long changed settings must stand still, with the runs at their start, before their ensemble starts ahead of "Start" (seconds).
PREPARE_AFTER_SECONDS = 1.5


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
                self.uploaded[panel].set(None)
                self.upload_problem[panel].set(None)
                self.upload_note[panel].set(None)
                self.settings[panel].set(panel_values[panel])
                self.panel_problem[panel].set(None)
                self.applied[panel].set(panel_scenario(base, panel_values[panel], self.catalog[name]))
            self._rebuild()

    def set_lever(self, panel: str, path: str, value: Any) -> None:
        """Set one lever of a panel; the panel's settings are validated as a whole, the run changes with the next start."""
        settings = {**self.settings[panel].value, path: value}
        self.settings[panel].set(settings)
        base = self.panel_base(panel)
        if base is None:
            return
        try:
            scenario = panel_scenario(base, settings, self.panel_source(panel))
        except ScenarioError as error:
            self.panel_problem[panel].set(error)
            return
        self.panel_problem[panel].set(None)
        if scenario != self.applied[panel].value:
            self.applied[panel].set(scenario)
            self.dirty.set(True)

    def set_seed(self, entry: str) -> str | None:
        """Set the seed both panels share from a typed entry; returns a message if the entry is not a valid seed.

        The problem is also kept as a text key (:attr:`seed_problem`), so that its message follows the language switch.
        """
        value = parse_number(entry, self.lang.value)
        if value is None or value != int(value):
            self.seed_problem.set(("integer_expected", {}))
        elif not 0 <= value <= MAX_SEED:
            self.seed_problem.set(("out_of_range", {"low": "0", "high": f"{MAX_SEED}", "unit": ""}))
        else:
            self.seed_problem.set(None)
            if int(value) != self.seed.value:
                self.seed.set(int(value))
                self.dirty.set(True)
        return self.seed_message(self.lang.value)

    def seed_message(self, lang: str) -> str | None:
        """The message of the last refused seed entry in ``lang`` (None if the last entry was valid)."""
        problem = self.seed_problem.value
        if problem is None:
            return None
        key, values = problem
        return t(lang, key, **values).replace(" .", ".")

    # ------------------------------------------------------------------ panels from files and codes
    def panel_base(self, panel: str) -> Scenario | None:
        """The scenario a panel's levers apply to: an uploaded file, else the session's scenario."""
        return self.uploaded[panel].value or self.base.value

    def panel_source(self, panel: str) -> str | Path:
        """The file named in a panel's validation messages."""
        uploaded = self.uploaded[panel].value
        if uploaded is not None:
            return f"<upload {uploaded.name}>"
        return self.catalog.get(self.scenario_name.value or "", "<scenario>")

    def upload(self, panel: str, name: str, text: str | None) -> UploadProblem | None:
        """Load an uploaded scenario file into a panel; a refused file changes nothing (the problem is kept for the panel)."""
        result = read_upload(name, text, self.folder)
        if isinstance(result, UploadProblem):
            self.upload_problem[panel].set(result)
            return result
        self.playing.set(False)
        with self.lock:
            self.upload_problem[panel].set(None)
            self.uploaded[panel].set(result)
            self.settings[panel].set(lever_values(result))
            self.panel_problem[panel].set(None)
            self.applied[panel].set(result)
            self._rebuild()
            self.upload_note[panel].set(name)  # last: the note appears with the loaded settings
        return None

    def settings_code(self) -> str:
        """The code that restores this session's settings (also kept in the page's address)."""
        base = self.base.value
        levers: dict[str, dict] = {}
        uploaded: dict[str, dict] = {}
        for panel in PANELS:
            if self.uploaded[panel].value is not None:
                uploaded[panel] = scenario_json(self.applied[panel].value or self.uploaded[panel].value)
                continue
            reference = lever_values(base) if base is not None else {}
            applied = self.applied[panel].value
            current = lever_values(applied) if applied is not None else self.settings[panel].value
            levers[panel] = {path: value for path, value in current.items() if reference.get(path) != value}
        settings = Settings(self.scenario_name.value or "", int(self.seed.value), self.lang.value, levers, uploaded)
        return encode(settings)

    def restore(self, code: str) -> str | None:
        """Restore the settings of a code; returns a message (in the session's language) if it cannot, and then changes nothing."""
        lang = self.lang.value
        if not code.strip():
            return None
        try:
            settings = decode(code)
            if settings.scenario not in self.catalog:
                raise CodeError(f"unknown scenario {settings.scenario!r}")
            base = load_scenario(self.catalog[settings.scenario])
            uploaded = {panel: scenario_of_json(data, f"<code, panel {panel}>") for panel, data in settings.uploaded.items() if panel in PANELS}
            reference = lever_values(base)
            values = {panel: {**reference, **dict(settings.levers.get(panel, {}))} for panel in PANELS}
            applied = {
                panel: uploaded[panel] if panel in uploaded else panel_scenario(base, values[panel], self.catalog[settings.scenario]) for panel in PANELS
            }
        except (CodeError, ScenarioError) as error:
            logger.info("workshop app: settings code refused: %s", error)
            message = t(lang, "code_invalid")
            self.code_problem.set(message)
            return message
        self.code_problem.set(None)
        self.playing.set(False)
        with self.lock:
            if settings.lang in LANGUAGES:
                self.lang.set(settings.lang)
            self.base.set(base)
            self.scenario_name.set(settings.scenario)
            self.scenario_problem.set(None)
            self.seed.set(settings.seed)
            self.seed_problem.set(None)
            for panel in PANELS:
                self.uploaded[panel].set(uploaded.get(panel))
                self.upload_problem[panel].set(None)
                self.upload_note[panel].set(None)
                self.settings[panel].set(lever_values(applied[panel]))
                self.panel_problem[panel].set(None)
                self.applied[panel].set(applied[panel])
            self._rebuild()
        return None

    def reset(self) -> None:
        """Both panels back to the start, with their current settings and the shared seed."""
        self.playing.set(False)
        with self.lock:
            self._rebuild()

    def close(self) -> None:
        """The session's page is closed (its tab, a navigation, the server's cull): its ensemble stops, queued runs and those in the workers.

        Without this, a reloaded page's old session kept computing its ensemble
        beside the new session's, on the same two cores.
        """
        for ensemble in (self.ensemble.value, self._prepared):
            if ensemble is not None:
                ensemble.cancel()

    def prepare_ensemble(self) -> None:
        """Start the ensemble of the changed settings now, before the start that shows it (the room is still talking).

        Only while the runs are at their start: then the ensemble shown belongs to
        settings on their way out, and it stops, so the workers take the new runs.
        (Changed mid-play, the settings wait for a reset, which starts their ensemble.)
        At the start, :meth:`_start_ensemble` takes the prepared ensemble with the
        runs that arrived meanwhile. The service thread calls this once changed
        settings stood still for :data:`PREPARE_AFTER_SECONDS`.
        """
        with self.lock:
            scenarios = self._ensemble_scenarios()
            if scenarios is None or self.months_done:
                return
            seed = self.seed.value
            if any(existing is not None and existing.serves(scenarios, seed) for existing in (self._prepared, self.ensemble.value)):
                return
            replaced = (self._prepared, self.ensemble.value)
            self._prepared = self._new_ensemble(scenarios, seed)
            for ensemble in replaced:  # after the new one joined the runs under way it needs too (they go on)
                if ensemble is not None:
                    ensemble.cancel()

    def _prepare_if_settled(self) -> None:
        """Prepare the ensemble of changed settings once they stood still for :data:`PREPARE_AFTER_SECONDS` (service thread)."""
        if not self.dirty.value:
            self._settled = None
            return
        changed = (self.seed.value, *(self.applied[panel].value for panel in PANELS))
        now = time.monotonic()
        if self._settled is None or self._settled[0] != changed:
            self._settled = (changed, now)
        elif now - self._settled[1] >= PREPARE_AFTER_SECONDS:
            self.prepare_ensemble()

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

    def explain(self) -> None:
        """Start the "Why?" runs: every mechanism acting in a panel switched off in turn, on the ensemble's seeds."""
        ensemble = self.ensemble.value
        if ensemble is None:
            return
        wanted = variants({panel: scenario for panel in PANELS if (scenario := self.applied[panel].value) is not None})
        new = {key: panels for key, panels in wanted.items() if key not in ensemble.variants()}
        if new:
            ensemble.add_variants(new)
        self.why.set(tuple(wanted))
        self._wake.set()

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

    def _ensemble_scenarios(self) -> dict[str, Scenario] | None:
        """The panels' applied scenarios, if the session has ensembles and both panels have one."""
        scenarios = {panel: scenario for panel in PANELS if (scenario := self.applied[panel].value) is not None}
        return scenarios if self.ensemble_size >= 2 and len(scenarios) == len(PANELS) else None

    def _new_ensemble(self, scenarios: dict[str, Scenario], seed: int) -> Ensemble:
        """An ensemble of these settings on the session's pool, waiting for the runs under way it needs."""
        return Ensemble(scenarios, seed, self.ensemble_size, on_arrival=self._wake.set, submit=self._submit, running=self._running)

    def _start_ensemble(self) -> None:
        """Replace the ensemble by one of the current settings: the prepared one if it fits (the old one's runs stop, those the new one needs go on)."""
        old = self.ensemble.value
        scenarios = self._ensemble_scenarios()
        seed = self.seed.value
        if old is not None and old.serves(scenarios, seed):
            return
        self.why.set(None)
        prepared, self._prepared = self._prepared, None
        replaced = [old]
        if prepared is not None and not prepared.serves(scenarios, seed):
            replaced.append(prepared)
            prepared = None
        if scenarios is None:
            self.ensemble.set(None)
        else:
            self.ensemble.set(prepared or self._new_ensemble(scenarios, seed))
        for ensemble in replaced:  # after the new one joined the runs under way it needs too (they go on)
            if ensemble is not None:
                ensemble.cancel()
