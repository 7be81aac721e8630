"""Scenarios: the validated description of one simulation (schema and loading)."""

from bottrop_sim.scenario.loading import load_scenario, scenario_from_dict
from bottrop_sim.scenario.schema import Scenario

__all__ = ["Scenario", "load_scenario", "scenario_from_dict"]
