"""``simulate``: one run of a scenario, as a plain function that sweep tools can call."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from bottrop_sim.model import BottropModel
from bottrop_sim.provenance import provenance
from bottrop_sim.scenario.loading import load_scenario
from bottrop_sim.scenario.schema import Scenario


@dataclass
class SimulationResult:
    """The outcome of one run.

    Attributes:
        timeseries: one row per simulated month (see docs/ODD.md, "Observation").
        scenario: the validated scenario that ran.
        seed: the seed it ran with.
        provenance: parameters, seed, package versions, git revision, time.
        model: the final model state, if ``keep_model`` was set.
    """

    timeseries: pd.DataFrame
    scenario: Scenario
    seed: int
    provenance: dict[str, Any]
    model: BottropModel | None = field(default=None, repr=False)


def simulate(scenario: Scenario | str | Path | None = None, seed: int | None = None, *, keep_model: bool = False, progress: bool = False) -> SimulationResult:
    """Run a scenario from start to end.

    Args:
        scenario: a validated scenario, or the path of a scenario file; default: ``Scenario()``.
        seed: overrides the scenario's seed.
        keep_model: keep the final model in the result (costs memory in sweeps).
        progress: show a progress bar on standard error.

    Returns:
        The run's time series with its provenance.
    """
    if scenario is None:
        scenario = Scenario()
    elif not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    model = BottropModel(scenario, seed=seed)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=scenario.months, unit="month", desc=scenario.name, leave=False)
    while model.running:
        model.step()
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    timeseries = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    return SimulationResult(
        timeseries=timeseries,
        scenario=scenario,
        seed=model.seed,
        provenance=provenance(scenario, model.seed),
        model=model if keep_model else None,
    )
