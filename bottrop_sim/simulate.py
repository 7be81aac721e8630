"""``simulate``: one run of a scenario, as a plain function that sweep tools can call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bottrop_sim.economy.accounts import Accounts
from bottrop_sim.model import BottropModel
from bottrop_sim.provenance import now_utc, run_provenance
from bottrop_sim.scenario.loading import load_scenario
from bottrop_sim.scenario.schema import Scenario


def replication_seeds(base_seed: int, replications: int) -> list[int]:
    """One seed per replication from a base seed, through ``numpy.random.SeedSequence``.

    Child ``i`` does not depend on how many are drawn, so more replications keep
    the first seeds. Comparisons and sweeps give replication ``i`` of every
    scenario or design point the same seed (common random numbers).
    """
    children = np.random.SeedSequence(base_seed).spawn(replications)
    return [int(child.generate_state(1, np.uint64)[0] % (2**63 - 1)) for child in children]


def release_agent_ids(model: Any) -> None:
    """Drop Mesa's per-model agent-id counter of a finished model (the leak of every run in a sweep).

    ``mesa.Agent`` keeps a class-level ``_ids`` dictionary with one id counter per
    model, keyed by the model itself and never emptied (Mesa 3.3), so every model
    ever built stays reachable: about 4 MiB per run, a 10,000-run sweep runs out
    of memory. Call this once no agent will be added to ``model`` any more.

    Args:
        model: a finished Mesa model.
    """
    import mesa

    mesa.Agent._ids.pop(model, None)


@dataclass
class SimulationResult:
    """The outcome of one run.

    Attributes:
        timeseries: one row per simulated month (see docs/ODD.md, "Observation").
        scenario: the validated scenario that ran.
        seed: the seed it ran with.
        model: the final model state, if ``keep_model`` was set.
        created_utc: when the run finished (UTC).
        ledger: the region's accounts (the arrays behind ``accounts`` and ``balances``).
        panel: one row per active firm and month (see :data:`~bottrop_sim.model.observation.PANEL_COLUMNS`), if asked for; else None.
    """

    timeseries: pd.DataFrame
    scenario: Scenario
    seed: int
    model: BottropModel | None = field(default=None, repr=False)
    created_utc: str = field(default_factory=now_utc)
    ledger: Accounts | None = field(default=None, repr=False)
    panel: pd.DataFrame | None = field(default=None, repr=False)

    @cached_property
    def provenance(self) -> dict[str, Any]:
        """Parameters, seed, package versions, git revision and time (built when first asked for)."""
        return run_provenance(self.scenario, self.seed, self.created_utc)

    @cached_property
    def accounts(self) -> pd.DataFrame:
        """Every monetary transaction: ``date``, ``payer``, ``payee``, ``kind``, ``eur`` (> 0), one row per month, pair and kind (docs/ODD.md §7.2)."""
        return self.ledger.accounts_frame() if self.ledger is not None else pd.DataFrame(columns=["date", "payer", "payee", "kind", "eur"])

    @cached_property
    def balances(self) -> pd.DataFrame:
        """Each institution's net money position at the end of each month, EUR: ``date``, ``holder``, ``eur`` (opening positions dated the month before the start)."""
        return self.ledger.balances_frame() if self.ledger is not None else pd.DataFrame(columns=["date", "holder", "eur"])


class RunStoppedError(RuntimeError):
    """A run given up before its end because its ``stop`` check said so (:func:`simulate`)."""


def simulate(
    scenario: Scenario | str | Path | None = None,
    seed: int | None = None,
    *,
    keep_model: bool = False,
    progress: bool = False,
    panel: bool = False,
    stop: Callable[[], bool] | None = None,
) -> SimulationResult:
    """Run a scenario from start to end.

    Args:
        scenario: a validated scenario, or the path of a scenario file; default: ``Scenario()``.
        seed: overrides the scenario's seed.
        keep_model: keep the final model in the result (costs memory in sweeps).
        progress: show a progress bar on standard error.
        panel: also return the per-firm panel (one row per active firm and month; memory grows with firms x months).
        stop: asked before every month; when it answers True the run is given up (e.g. the app's ensemble
            whose settings were replaced frees its worker at once, :mod:`bottrop_sim.app.ensemble`).

    Returns:
        The run's time series with its provenance.

    Raises:
        RunStoppedError: ``stop`` answered True before the last month.
    """
    if scenario is None:
        scenario = Scenario()
    elif not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    model = BottropModel(scenario, seed=seed, panel=panel)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=scenario.months, unit="month", desc=scenario.name, leave=False)
    while model.running:
        if stop is not None and stop():
            if bar is not None:
                bar.close()
            release_agent_ids(model)
            raise RunStoppedError(f"{scenario.name}: stopped after {model.month - model.start_month} of {scenario.months} months")
        model.step()
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    timeseries = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    if not keep_model:
        release_agent_ids(model)
    return SimulationResult(
        timeseries=timeseries,
        scenario=scenario,
        seed=model.seed,
        model=model if keep_model else None,
        ledger=model.accounts,
        panel=model.panel.frame() if model.panel is not None else None,
    )
