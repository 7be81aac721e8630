"""The workshop's settings and what their controls do: the scenario, the levers, the seed, uploaded files, the settings code.

A mixin of :class:`~bottrop_sim.app.state.Workshop`. Picking a scenario loads
it into both panels (B with the counterpart governance); a lever or a seed
validates at once (the message stays next to the control) and marks the
settings changed, so that they take effect with the next start; an uploaded
file or a settings code replaces a panel's or the whole session's settings and
rebuilds the runs. Also the scenario files the app offers (:func:`scenario_catalog`).
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

import solara

from bottrop_sim.errors import ScenarioError
from bottrop_sim.scenario.loading import load_scenario
from bottrop_sim.scenario.schema import MAX_SEED, Scenario

from .levers import lever_values, panel_scenario
from .share import CodeError, Settings, UploadProblem, decode, encode, read_upload, scenario_json, scenario_of_json
from .texts import LANGUAGES, parse_number, t

logger = logging.getLogger(__name__)

#: The session's two panels, side by side (each with its own settings, the seed shared).
PANELS = ("A", "B")
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


class WorkshopSettings:
    """Settings actions of a :class:`~bottrop_sim.app.state.Workshop` (attributes as set by its constructor; rebuilds with its ``_rebuild``)."""

    folder: Path
    catalog: dict[str, Path]
    lang: solara.Reactive[str]
    scenario_name: solara.Reactive[str | None]
    scenario_problem: solara.Reactive[tuple[str, str] | None]
    base: solara.Reactive[Scenario | None]
    settings: dict[str, solara.Reactive[dict[str, Any]]]
    panel_problem: dict[str, solara.Reactive[ScenarioError | None]]
    applied: dict[str, solara.Reactive[Scenario | None]]
    uploaded: dict[str, solara.Reactive[Scenario | None]]
    upload_problem: dict[str, solara.Reactive[UploadProblem | None]]
    upload_note: dict[str, solara.Reactive[str | None]]
    seed_problem: solara.Reactive[tuple[str, dict[str, str]] | None]
    code_problem: solara.Reactive[str | None]
    dirty: solara.Reactive[bool]
    seed: solara.Reactive[int]
    playing: solara.Reactive[bool]
    lock: threading.RLock

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
