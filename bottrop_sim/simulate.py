"""``simulate``: one run of a scenario, as a plain function that sweep tools can call."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bottrop_sim.economy.accounts import Accounts
from bottrop_sim.model import BottropModel
from bottrop_sim.provenance import provenance
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


def twin_timeseries(scenario: Scenario, run: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The counterfactual twin's time series: the scenario minus its shocks, same seed.

    A scenario without shocks is its own twin (its resilience is then the neutral value).
    """
    return simulate(scenario.without_shocks(), seed=seed).timeseries if scenario.shocks else run


@dataclass
class SimulationResult:
    """The outcome of one run.

    Attributes:
        timeseries: one row per simulated month (see docs/ODD.md, "Observation").
        scenario: the validated scenario that ran.
        seed: the seed it ran with.
        provenance: parameters, seed, package versions, git revision, time.
        model: the final model state, if ``keep_model`` was set.
        ledger: the region's accounts (the arrays behind ``accounts`` and ``balances``).
    """

    timeseries: pd.DataFrame
    scenario: Scenario
    seed: int
    provenance: dict[str, Any]
    model: BottropModel | None = field(default=None, repr=False)
    ledger: Accounts | None = field(default=None, repr=False)

    @cached_property
    def accounts(self) -> pd.DataFrame:
        """Every monetary transaction: ``date``, ``payer``, ``payee``, ``kind``, ``eur`` (> 0), one row per month, pair and kind (docs/ODD.md §7.2)."""
        return self.ledger.accounts_frame() if self.ledger is not None else pd.DataFrame(columns=["date", "payer", "payee", "kind", "eur"])

    @cached_property
    def balances(self) -> pd.DataFrame:
        """Each institution's net money position at the end of each month, EUR: ``date``, ``holder``, ``eur`` (opening positions dated the month before the start)."""
        return self.ledger.balances_frame() if self.ledger is not None else pd.DataFrame(columns=["date", "holder", "eur"])


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
        ledger=model.accounts,
    )
