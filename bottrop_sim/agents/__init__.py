"""Agents: the decisions that really are individual (firms, the mine)."""

from bottrop_sim.agents.firm import Firm
from bottrop_sim.agents.mine import Mine

__all__ = ["Firm", "Mine"]
