"""The monitoring and evaluation instrument: indicators of a run and its resilience against a counterfactual twin.

Usage::

    from bottrop_sim import load_scenario, simulate
    from bottrop_sim.monitoring import REGISTRY, scorecard

    scenario = load_scenario("scenarios/closure_2018.toml")
    run = simulate(scenario, seed=1).timeseries
    twin = simulate(scenario.without_shocks(), seed=1).timeseries  # common random numbers
    values = scorecard(run, twin, scenario)  # {indicator name: value}, units in REGISTRY

Definitions and references: docs/monitoring.md.
"""

from bottrop_sim.monitoring.diversity import herfindahl, shannon_entropy, variety
from bottrop_sim.monitoring.indicators import GOVERNANCE_DEFINED, GROUPS, REGISTRY, Indicator, indicator_series, jobs_saved_cost, scorecard, sectors_of
from bottrop_sim.monitoring.resilience import (
    MEASURES,
    growth_rate,
    recovery,
    relative_gap,
    renewal,
    reorientation,
    resilience_measures,
    resistance,
    shock_rows,
    trough,
)
from bottrop_sim.monitoring.verdicts import verdicts

__all__ = [
    "GOVERNANCE_DEFINED",
    "GROUPS",
    "MEASURES",
    "REGISTRY",
    "Indicator",
    "growth_rate",
    "herfindahl",
    "indicator_series",
    "jobs_saved_cost",
    "recovery",
    "relative_gap",
    "renewal",
    "reorientation",
    "resilience_measures",
    "resistance",
    "scorecard",
    "sectors_of",
    "shannon_entropy",
    "shock_rows",
    "trough",
    "variety",
    "verdicts",
]
