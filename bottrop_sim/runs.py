"""A run with its counterfactual twin, and its scorecard: the one path the CLI, compare, sweeps and the app share.

The twin is the same scenario without its shocks, run with the same seed (common
random numbers): the resilience measures compare the two. A scenario without
shocks is its own twin, and its resilience measures take their neutral value.

* :func:`run_with_twin`: both runs to the end, with the scorecard;
* :class:`TwinStepper`: both models stepped month by month (the app), scored so far;
* :func:`pair_scores`: the scorecard of a run and its twin, optionally up to a month.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from bottrop_sim.model import BottropModel
from bottrop_sim.monitoring import scorecard
from bottrop_sim.scenario.schema import Scenario
from bottrop_sim.simulate import SimulationResult, release_agent_ids, simulate


def pair_scores(run: pd.DataFrame, twin: pd.DataFrame | None, scenario: Scenario, until: str | None = None) -> dict[str, float]:
    """The monitoring scorecard of a run against its twin.

    Args:
        run: the run's time series.
        twin: the twin's time series (the run itself for a scenario without shocks), or None:
            no twin was run, so the resilience measures are NaN.
        scenario: the scenario that ran.
        until: score the horizon only up to this month (YYYY-MM), for runs under way.
    """
    scored = scenario if until is None else scenario.model_copy(update={"end": until})
    return scorecard(run, twin, scored)


@dataclass
class PairedRun:
    """A run, its twin and its scorecard.

    Attributes:
        run: the scenario's run.
        twin: the twin's run (the run itself if the scenario has no shocks; None if no twin was asked for).
        scores: indicator name -> value (see :data:`bottrop_sim.monitoring.REGISTRY`).
    """

    run: SimulationResult
    twin: SimulationResult | None = field(repr=False)
    scores: dict[str, float]


def run_with_twin(
    scenario: Scenario,
    seed: int | None = None,
    *,
    with_twin: bool = True,
    keep_model: bool = False,
    progress: bool = False,
    panel: bool = False,
    stop: Callable[[], bool] | None = None,
) -> PairedRun:
    """Run a scenario and its twin with one seed, and score the pair.

    Args:
        scenario: a validated scenario.
        seed: the seed of both runs (default: the scenario's).
        with_twin: run the twin (False saves the second run where no resilience measure is wanted; they are then NaN).
        keep_model: keep the final models in the results.
        progress: show a progress bar for each run.
        panel: record the per-firm panel of the run (not of its twin).
        stop: asked before every month of both runs; True gives the pair up (``RunStoppedError``, :func:`~bottrop_sim.simulate.simulate`).
    """
    run = simulate(scenario, seed=seed, keep_model=keep_model, progress=progress, panel=panel, stop=stop)
    twin: SimulationResult | None = None
    if with_twin:
        twin = simulate(scenario.without_shocks(), seed=run.seed, keep_model=keep_model, progress=progress, stop=stop) if scenario.shocks else run
    return PairedRun(run=run, twin=twin, scores=pair_scores(run.timeseries, twin.timeseries if twin is not None else None, scenario))


class TwinStepper:
    """A scenario's model and its twin's, stepped together month by month.

    Args:
        scenario: a validated scenario.
        seed: the seed of both models.
    """

    def __init__(self, scenario: Scenario, seed: int) -> None:
        self.scenario = scenario
        self.seed = int(seed)
        self.model = BottropModel(scenario, seed=self.seed)
        self.twin = BottropModel(scenario.without_shocks(), seed=self.seed) if scenario.shocks else None

    @property
    def running(self) -> bool:
        """Whether there are months left."""
        return bool(self.model.running)

    @property
    def months_done(self) -> int:
        """Simulated months."""
        return self.model.month - self.model.start_month

    def step(self) -> None:
        """Simulate one month of the run and of its twin."""
        self.model.step()
        if self.twin is not None:
            self.twin.step()

    def close(self) -> None:
        """Let both models go once no month will be stepped any more (the app replacing a panel's run).

        Mesa's per-model agent-id counter would otherwise keep them alive
        (:func:`bottrop_sim.simulate.release_agent_ids`): about 15 MiB per
        replaced pair, every reset of a workshop session.
        """
        release_agent_ids(self.model)
        if self.twin is not None:
            release_agent_ids(self.twin)

    def timeseries(self) -> pd.DataFrame:
        """The run's months so far (empty before the first step)."""
        return self.model.datacollector.get_model_vars_dataframe().reset_index(drop=True) if self.months_done else pd.DataFrame()

    def twin_timeseries(self) -> pd.DataFrame | None:
        """The twin's months so far (None before the first step and for a scenario without shocks)."""
        if self.twin is None or not self.months_done:
            return None
        return self.twin.datacollector.get_model_vars_dataframe().reset_index(drop=True)

    def scores(self, until: str | None = None) -> dict[str, float]:
        """The scorecard so far (the run is its own twin when the scenario has no shocks).

        Args:
            until: the last month to score (default: the last simulated month).
        """
        run = self.timeseries()
        twin = self.twin_timeseries()
        return pair_scores(run, run if twin is None else twin, self.scenario, until or str(run["date"].iloc[-1]))
