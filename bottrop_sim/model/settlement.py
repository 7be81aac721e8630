"""Money outside the accounts and its settlement: holders of firm slots, their positions, the mine's and the city's settlement with the state.

A mixin of :class:`~bottrop_sim.model.BottropModel`. Firms' and households'
money lives in their own arrays; the region's accounts
(:mod:`bottrop_sim.economy.accounts`) see it as the net positions of their
holders (``firms:<sector>``, the mine, households). The state settles the
mine's monthly cash result (the coal subsidy) and the city's net spending
(fiscal equalisation), so that both keep their starting positions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from bottrop_sim.governance.holders import holders_of

if TYPE_CHECKING:
    from bottrop_sim.economy.accounting import FirmArrays, MonthFlows
    from bottrop_sim.economy.accounts import Accounts
    from bottrop_sim.economy.households import Households
    from bottrop_sim.economy.labour import LabourMarket
    from bottrop_sim.model.mine import Mine


class Settlement:
    """Holders' positions and the state's settlement with the mine and the city (attributes as set by :class:`~bottrop_sim.model.BottropModel`)."""

    firms: FirmArrays
    accounts: Accounts
    households: Households
    labour: LabourMarket
    mine: Mine | None
    mine_liquidity: float
    flows_this_month: MonthFlows

    def holder_of_slots(self) -> np.ndarray:
        """Accounts holder index per firm slot: ``firms:<sector>``, or the mine (capacity-sized)."""
        return holders_of(self, slice(None))

    def resident_wage_share(self) -> np.ndarray:
        """Per slot: the share of its wage bill paid to residents (residents among its sector's staff), capacity-sized."""
        staff = self.sector_staff()
        residents = self.labour.employed_local.sum(axis=1)
        share = np.divide(residents, staff, out=np.zeros(len(staff)), where=staff > 0)
        return share[self.firms.sector]

    def holder_positions(self) -> np.ndarray:
        """Net money positions of the holders whose money lives outside the accounts (firms, the mine, households)."""
        firms, n, accounts = self.firms, self.firms.size, self.accounts
        live = firms.alive[:n]
        positions = np.bincount(self.holder_of_slots()[:n][live], weights=firms.liquidity[:n][live], minlength=len(accounts.holders))
        positions[accounts.households] = self.households.savings
        return positions

    def _settle_mine(self) -> None:
        """The mine's cash result is settled by the state (the coal subsidy).

        Hard-coal mining was subsidised until the end (coal financing law of 2007;
        federal and Land budgets): the state pays the mine's monthly deficit (a
        surplus goes back), so its cash stays at its starting level. Booked as
        ``coal_subsidy``, state -> mine.
        """
        if self.mine is None:
            return
        firms, slot = self.firms, self.mine.slot
        subsidy = self.mine_liquidity - float(firms.liquidity[slot])
        firms.liquidity[slot] = self.mine_liquidity
        self.accounts.pay("coal_subsidy", self.accounts.state, self.accounts.mine, subsidy)
        self.flows_this_month.mine_subsidies += subsidy

    def _settle_city(self) -> None:
        """The state covers the city's net spending of the month, or takes its net revenue (fiscal equalisation).

        Stated simplification: the city's general spending is part of public final
        demand, paid from the consolidated public budget; its trade tax revenue and
        its programme spending are settled with the state each month, so the city's
        position stays at its opening level (0).
        """
        accounts = self.accounts
        accounts.pay("fiscal_equalisation", accounts.state, accounts.city, -float(accounts.position[accounts.city]))
