"""Firms: establishments with employees.

A firm's numbers (headcount, output, liquidity, ...) live in the model's
:class:`~bottrop_sim.economy.accounting.FirmArrays` at the firm's ``slot``, so
the monthly accounting runs on arrays; the agent owns the decisions and events
that are really individual: leaving the market and what that does to its
customers, staff and market share.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from bottrop_sim.model import BottropModel


class Firm(mesa.Agent):
    """A firm agent.

    Args:
        model: the model it belongs to.
        slot: its index in the model's firm arrays.
    """

    model: BottropModel

    def __init__(self, model: BottropModel, slot: int) -> None:
        super().__init__(model)
        self.slot = int(slot)

    # -- read-only views on the accounting arrays --------------------------
    @property
    def sector(self) -> str:
        """Sector id."""
        return self.model.sector_names[self.model.firms.sector[self.slot]]

    @property
    def headcount(self) -> int:
        """Employees (persons)."""
        return int(self.model.firms.headcount[self.slot])

    @property
    def output(self) -> float:
        """Output this month, EUR."""
        return float(self.model.firms.output[self.slot])

    @property
    def liquidity(self) -> float:
        """Cash, EUR."""
        return float(self.model.firms.liquidity[self.slot])

    @property
    def active(self) -> bool:
        """Whether the firm still operates."""
        return bool(self.model.firms.alive[self.slot])

    @property
    def suppliers(self) -> list[int]:
        """Slots of its local suppliers."""
        return [int(s) for s in self.model.network.suppliers_of(self.slot)]

    @property
    def customers(self) -> list[int]:
        """Slots of its local customers."""
        return [int(c) for c in self.model.network.customers_of(self.slot)]

    @property
    def sales_to_mine_share(self) -> float:
        """Share 0..1 of this month's orders that came from the mine."""
        model = self.model
        if model.mine is None or model.firms.orders[self.slot] <= 0:
            return 0.0
        mine_slot = model.mine.slot
        matrix = model.network.matrix(model.firms.sector)
        return float(matrix[self.slot, mine_slot] * model.firms.planned[mine_slot] / model.firms.orders[self.slot])

    # -- decisions ------------------------------------------------------------
    def exit(self) -> None:
        """Leave the market (insolvency, or failure by a shock).

        Its customers rewire to other local suppliers of its sector, its staff
        are separated (residents become job seekers), a share of its final
        demand passes to surviving competitors (``market_takeover_share``), the
        rest opens up for entrants, and its money is settled: the bank writes off
        its debt, or its remaining cash goes to its owners.
        """
        model, firms, slot = self.model, self.model.firms, self.slot
        sector = int(firms.sector[slot])
        rng = model.streams.generator("exit", model.month, slot)  # keyed by the firm: the same draws whatever else exits
        if model.panel is not None:  # its last row in the per-firm panel, before its arrays are cleared
            model.panel.note_exit(slot, firms, model.traded_this_month, model.population.vacancies, model.population.hires, model.short_time)
        firms.alive[slot] = False
        firms.member[slot] = False
        _, ended = model.network.remove_firm(rng, slot, firms.sector, firms.headcount, firms.alive)
        for buyer, coefficient in ended:  # import-replacing links with no local successor: the buyer imports again
            firms.import_per_output[buyer] += coefficient
            firms.local_input_per_output[buyer] -= coefficient
            firms.substituted[buyer] -= coefficient
        staff = int(firms.headcount[slot])
        if staff:
            n = firms.size
            sector_staff = np.zeros(len(model.sector_names_ext), np.int64)
            sector_staff[sector] = firms.headcount[:n][firms.sector[:n] == sector].sum()  # the sector's entry of model.sector_staff()
            leaving = np.zeros_like(sector_staff)
            leaving[sector] = staff
            model.labour.separate(rng, sector_staff, leaving)
        model.release_market(sector, firms.exogenous_demand[slot], firms.household_demand[slot])
        model.settle_exit(slot)
        for name in ("headcount", "planned", "output", "orders", "expected_orders", "exogenous_demand", "household_demand", "fixed_costs", "liquidity"):
            getattr(firms, name)[slot] = 0
        model.exits_this_month += 1
        self.remove()
