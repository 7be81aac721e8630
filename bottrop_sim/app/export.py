"""What a workshop takes home: a panel's settings as a scenario file, the time series as CSV.

The scenario file is complete (no ``extends``): every field of the validated
scenario is written out, the sector table as an absolute path or not at all,
so that ``bottrop-sim run``, ``bottrop-sim compare`` and sweeps accept it
unchanged and :func:`bottrop_sim.load_scenario` reads back the same scenario.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from bottrop_sim import __version__
from bottrop_sim.files import toml_text
from bottrop_sim.scenario.fields import PathError, get_value
from bottrop_sim.scenario.schema import Scenario

from .runs import PanelSnapshot


def scenario_toml(scenario: Scenario, *, name: str | None = None, comment: Sequence[str] = ()) -> str:
    """A complete scenario file for ``scenario``.

    Args:
        scenario: a validated scenario.
        name: the ``name`` written into the file (default: the scenario's).
        comment: lines written as a comment at the top (what the file is, where it came from).

    Returns:
        TOML text that :func:`bottrop_sim.load_scenario` reads back as an equal scenario.
    """
    data = scenario.model_dump(mode="python")
    if name is not None:
        data["name"] = name
    return toml_text(data, comment)


def panel_file_comment(panel: str, scenario: Scenario, base_name: str, seed: int) -> list[str]:
    """The header comment of an exported panel scenario."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return [
        f"Exported from the bottrop_sim workshop app ({__version__}), panel {panel}, {stamp}.",
        f"Based on scenario '{base_name}', governance '{scenario.governance.mode}', seed {seed}.",
        "Complete scenario (no 'extends'): run it with  bottrop-sim run THIS_FILE",
    ]


def panel_description(base: Scenario, scenario: Scenario, panel: str) -> str:
    """The description of an exported panel: the base scenario's, plus what the panel changed."""
    before, after = base.model_dump(), scenario.model_dump()
    changed = [f"{path} = {value!r}" for path, value in _leaves(after) if _get(before, path) != value and path not in ("name", "description")]
    note = f"Workshop app, panel {panel}: " + ("; ".join(changed) if changed else "as the base scenario") + "."
    return f"{base.description} {note}".strip()[:2000]


def _leaves(data: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else key
        items.extend(_leaves(value, path) if isinstance(value, Mapping) and value else [(path, value)])
    return items


def _get(data: Mapping[str, Any], path: str) -> Any:
    try:
        return get_value(data, path)
    except PathError:
        return None


def timeseries_csv(snapshots: Mapping[str, PanelSnapshot]) -> str:
    """All monthly series of the panels (and their counterfactual twins) in one table.

    Columns: ``panel`` (A, B), ``run`` (scenario or counterfactual), ``governance``,
    ``seed``, then the model's time-series columns (see docs/ODD.md, "Observation").
    Load it with ``pandas.read_csv(path)``.
    """
    frames = []
    for panel, snapshot in snapshots.items():
        for run, frame in (("scenario", snapshot.timeseries), ("counterfactual", snapshot.twin)):
            if frame is None or frame.empty:
                continue
            meta = pd.DataFrame({"panel": panel, "run": run, "governance": snapshot.scenario.governance.mode, "seed": snapshot.seed}, index=frame.index)
            frames.append(pd.concat([meta, frame], axis=1))
    if not frames:
        return "panel,run,governance,seed,date\n"
    buffer = io.StringIO()
    pd.concat(frames, ignore_index=True).to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()
