"""bottrop_sim: an agent-based simulation of Bottrop's economy around the closure of Prosper-Haniel.

Public API::

    from bottrop_sim import load_scenario, simulate, BottropModel

    scenario = load_scenario("scenarios/closure_2018.toml")
    result = simulate(scenario, seed=1)
    result.timeseries  # pandas DataFrame, one row per month
"""

from bottrop_sim.errors import ScenarioError
from bottrop_sim.model import BottropModel
from bottrop_sim.scenario import Scenario, load_scenario
from bottrop_sim.simulate import SimulationResult, simulate

__version__ = "0.1.0"

__all__ = ["BottropModel", "Scenario", "ScenarioError", "SimulationResult", "__version__", "load_scenario", "simulate"]
