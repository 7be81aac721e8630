"""The model: ``BottropModel`` (builds the region, orders the monthly step) and its parts.

* :mod:`.region`: ``BottropModel`` itself (construction and the month's order);
* :mod:`.initial_economy`: the initial economy, sectors, firms, supply network, steady state (a part of ``BottropModel``);
* :mod:`.settlement`: holders' money positions, the mine's and the city's settlement with the state (a part of ``BottropModel``);
* :mod:`.firm_dynamics`: staffing, exit, entry, branches and dividends (a part of ``BottropModel``);
* :mod:`.observation`: the monthly record the DataCollector keeps;
* :mod:`.firm`, :mod:`.mine`: the individual Mesa agents (a firm's exit, the mine's phase-down).

The economy's accounting arrays live one layer below in :mod:`bottrop_sim.economy`;
the governance mechanisms and collective actors in :mod:`bottrop_sim.governance`.
"""

from bottrop_sim.model.firm import Firm
from bottrop_sim.model.mine import Mine
from bottrop_sim.model.region import BottropModel, size_weights, solve_leontief

__all__ = ["BottropModel", "Firm", "Mine", "size_weights", "solve_leontief"]
