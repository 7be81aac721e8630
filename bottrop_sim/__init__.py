"""bottrop_sim: an agent-based simulation of Bottrop's economy around the closure of Prosper-Haniel.

Public API::

    from bottrop_sim import load_scenario, simulate, BottropModel

    scenario = load_scenario("scenarios/closure_2018.toml")
    result = simulate(scenario, seed=1)
    result.timeseries  # pandas DataFrame, one row per month

The names load on first use (PEP 562 ``__getattr__``), so ``import bottrop_sim``
and the command's ``--help`` do not wait for Mesa, scipy and pandas.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bottrop_sim.errors import ScenarioError
    from bottrop_sim.model import BottropModel
    from bottrop_sim.scenario import Scenario, load_scenario
    from bottrop_sim.simulate import SimulationResult, simulate

__version__ = "0.1.0"

__all__ = ["BottropModel", "Scenario", "ScenarioError", "SimulationResult", "__version__", "load_scenario", "simulate"]

#: Where each public name lives.
_EXPORTS = {
    "BottropModel": "bottrop_sim.model",
    "Scenario": "bottrop_sim.scenario",
    "ScenarioError": "bottrop_sim.errors",
    "SimulationResult": "bottrop_sim.simulate",
    "load_scenario": "bottrop_sim.scenario",
    "simulate": "bottrop_sim.simulate",
}


def __getattr__(name: str) -> Any:
    """Import a public name on first use."""
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


class _Package(types.ModuleType):
    """Keeps ``bottrop_sim.simulate`` the function, as it was when it was imported eagerly.

    Importing the submodule ``bottrop_sim.simulate`` sets the package attribute of
    that name to the module; the function of the same name takes its place.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _EXPORTS.get(name) == value.__name__ and hasattr(value, name):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
