"""Firm adaptation: customer search, diversification and the green activity.

Rules (parameters in the scenario's ``[governance.adaptation]``; sources and
stated assumptions in docs/ODD.md):

* **Customer search.** A firm whose expected orders fall more than
  ``search_trigger`` below its reference (its aspiration level: an average of
  its past expected orders that moves ``aspiration_adjustment`` of the way to
  the newest each month, Cyert & March 1963; Greve 2003) searches every month, at a cost of ``search_cost_share`` of its reference
  output. A search succeeds with probability ``search_success_rate`` x
  capability (x (1 + information bonus) for alliance members when information
  is shared) and wins back ``search_gain_share`` of the lost orders: with
  probability ``local_search_share`` from a local firm that replaces imported
  inputs (a new supply link), else from outside the region (final demand).
  Search as costly, uncertain and capability-dependent follows the
  search-and-matching view of customer markets (Gourio & Rudanko 2014).
* **Diversification.** A firm with a shortfall for ``diversification_after_months``
  months, not yet diversified and able to pay ``diversification_cost_months`` of
  its wage bill, decides with monthly chance ``diversification_rate``; it picks a
  sector with probability proportional to relatedness (green activity weighted
  by ``green_attraction``); after ``diversification_lag_months`` the new activity
  starts with chance ``diversification_success`` x capability: a new
  establishment (branch) in that sector takes ``diversification_share`` of the
  staff, with its market from open demand in that sector or new final demand
  (related diversification, Frenken et al. 2007; Neffke et al. 2011).
* **Green activity.** The green sector's final demand grows by
  ``green_demand_growth_per_year`` from ``green_growth_start``; half the growth
  goes to incumbents, half opens up for entrants and diversifying firms
  (InnovationCity Ruhr, Bottrop: 3.3 % of homes modernised per year).
"""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from bottrop_sim.calendar import month_number
from bottrop_sim.economy.adjacency import KEY
from bottrop_sim.governance.holders import holder_of, holders_of
from bottrop_sim.streams import weighted_sample

if TYPE_CHECKING:
    from bottrop_sim.model import BottropModel
    from bottrop_sim.scenario.governance import AdaptationSpec

#: Share of the green activity's demand growth that goes to incumbent firms (stated assumption).
GREEN_INCUMBENT_SHARE = 0.5


def relatedness_matrix(sectors: tuple[str, ...], groups: tuple[str, ...]) -> np.ndarray:
    """Relatedness 0..1 between sectors: from the data file, else by variety group."""
    data = resources.files("bottrop_sim.data")
    table = pd.read_csv(data.joinpath("relatedness.csv"), index_col="sector")
    meta = tomllib.loads(data.joinpath("relatedness.meta.toml").read_text())
    n = len(sectors)
    matrix = np.zeros((n, n))
    for i, a in enumerate(sectors):
        for j, b in enumerate(sectors):
            if a in table.index and b in table.columns:
                matrix[i, j] = float(table.loc[a, b])
            else:
                matrix[i, j] = meta["fallback_same_group"] if groups[i] == groups[j] else meta["fallback_other_group"]
    return matrix


class Adaptation:
    """Firm adaptation rules, run on the firm arrays.

    Args:
        model: the model.
        spec: the scenario's adaptation parameters.
    """

    def __init__(self, model: BottropModel, spec: AdaptationSpec) -> None:
        self.model = model
        self.spec = spec
        table = model.table
        self.relatedness = relatedness_matrix(model.sector_names_ext, table.variety_groups + ("mine",) * (model.n_sectors_ext - table.n))
        self.green = table.sectors.index(spec.green_sector) if spec.green_sector in table.sectors else None
        self.green_start = month_number(spec.green_growth_start)
        self.search_successes = 0
        self.demand_won_eur = 0.0  # EUR per month of orders won by searches (at the time they were won)
        self.winners: set[int] = set()  # slots of firms whose search succeeded
        self.diversification_grants: dict[int, float] = {}  # slot -> success bonus from a city grant
        self.information_bonus = 0.0  # set by the alliance when it shares information

    # -- green demand path (before trade) ------------------------------------------
    def grow_green_demand(self) -> None:
        """Add this month's growth of the green activity's final demand."""
        model, spec = self.model, self.spec
        if not spec.green_transition or self.green is None or spec.green_demand_growth_per_year == 0 or model.month < self.green_start:
            return
        firms, n = model.firms, model.firms.size
        rate = (1.0 + spec.green_demand_growth_per_year) ** (1 / 12) - 1.0
        incumbents = np.flatnonzero(firms.alive[:n] & (firms.sector[:n] == self.green))
        base = firms.exogenous_demand[incumbents]
        base_total = base.sum()
        current = base_total + firms.household_demand[incumbents].sum() + model.open_market_exogenous[self.green] + model.open_market_household[self.green]
        growth = rate * current
        model.demand_flows["created"] += float(growth)
        if len(incumbents) and base_total > 0:
            firms.exogenous_demand[incumbents] += GREEN_INCUMBENT_SHARE * growth * base / base_total
            model.open_market_exogenous[self.green] += (1 - GREEN_INCUMBENT_SHARE) * growth
        else:
            model.open_market_exogenous[self.green] += growth
        model.open_market_exogenous[self.green] = max(model.open_market_exogenous[self.green], 0.0)

    # -- after staffing: search and diversification ----------------------------------
    def adapt(self) -> None:
        """Update shortfalls, run customer search and diversification for this month."""
        _model, firms, n = self.model, self.model.firms, self.model.firms.size
        active = firms.alive[:n] & ~firms.is_mine[:n]
        expected = firms.expected_orders[:n]
        reference = firms.reference_orders[:n]
        reference += self.spec.aspiration_adjustment * (expected - reference)  # adaptive aspiration (Cyert & March 1963; Greve 2003)
        if self.information_bonus == 0:  # search_trigger / (1 + 0 * member) is search_trigger for every firm: the same numbers without the arrays
            short = active & (expected < (1.0 - self.spec.search_trigger) * reference)
        else:
            trigger = self.spec.search_trigger / (1.0 + self.information_bonus * firms.member[:n])  # shared information: members notice a fall sooner
            short = active & (expected < (1.0 - trigger) * reference)
        firms.shortfall_months[:n] = np.where(short, firms.shortfall_months[:n] + 1, 0)
        if self.spec.customer_search and short.any():
            self._search(np.flatnonzero(short))
        self._progress_diversification()  # also diversifications the city funded
        if self.spec.diversification:
            self._decide_diversification(np.flatnonzero(active & (firms.shortfall_months[:n] >= self.spec.diversification_after_months)))

    def _search(self, searching: np.ndarray) -> None:
        model, firms, spec = self.model, self.model.firms, self.spec
        # shared information lowers what a search costs a member (leads and contacts from the meetings), not its chance of success
        cost = spec.search_cost_share * firms.reference_orders[searching] / (1.0 + self.information_bonus * firms.member[searching])
        firms.liquidity[searching] -= cost
        model.accounts.pay_from_holders("search_costs", holders_of(model, searching), model.accounts.rest_of_world, cost)
        chance = np.minimum(1.0, spec.search_success_rate * firms.capability[searching])
        draws = self.model.streams.uniform("customer_search", self.model.month, searching, draws=2)  # keyed by the firm
        success = draws[:, 0] < chance
        found = searching[success]
        if len(found) == 0:
            return
        local = draws[success, 1] < min(1.0, spec.local_search_share)
        gains = spec.search_gain_share * np.maximum(firms.reference_orders[found] - firms.expected_orders[found], 0.0)
        self.search_successes += len(found)
        for slot, gain, is_local in zip(found, gains, local, strict=True):
            if gain <= 0:
                continue
            self.demand_won_eur += float(gain)
            self.winners.add(int(slot))
            if is_local and self._local_customer(int(slot), float(gain), prefer_members=bool(firms.member[slot]) and self.information_bonus > 0):
                continue
            firms.exogenous_demand[slot] += gain
            model.demand_flows["created"] += float(gain)

    def _local_customer(self, supplier: int, gain: float, prefer_members: bool) -> bool:
        """Find a local buyer whose imports the supplier can replace; True if a link was made."""
        model, firms, n = self.model, self.model.firms, self.model.firms.size
        uses = model.sector_coefficients[firms.sector[supplier], :] > 0
        room = self.spec.max_import_substitution * firms.import_base[:n] - firms.substituted[:n]
        candidates = np.flatnonzero(firms.alive[:n] & ~firms.is_mine[:n] & uses[firms.sector[:n]] & (room > 1e-6) & (firms.planned[:n] > 0))
        candidates = candidates[candidates != supplier]
        if prefer_members and firms.member[candidates].any():
            candidates = candidates[firms.member[candidates]]
        if len(candidates) == 0:
            return False
        draws = model.streams.uniform("local_customer", model.month, supplier * KEY + candidates)  # keyed by the pair of firms
        buyer = int(candidates[weighted_sample(draws, firms.planned[candidates])[0]])
        coefficient = min(gain / firms.planned[buyer], float(room[buyer]))
        link_local_supply(model, supplier, buyer, coefficient)
        return True

    def _decide_diversification(self, eligible: np.ndarray) -> None:
        _model, firms, spec = self.model, self.model.firms, self.spec
        eligible = eligible[~firms.diversify_tried[eligible] & (firms.diversify_timer[eligible] == 0) & (firms.headcount[eligible] >= 2)]
        if len(eligible) == 0:
            return
        cost = spec.diversification_cost_months * firms.headcount[eligible] * firms.wage[eligible]
        able = firms.liquidity[eligible] >= cost
        deciding = self.model.streams.uniform("diversification_decision", self.model.month, eligible) < spec.diversification_rate
        for slot, price in zip(eligible[able & deciding], cost[able & deciding], strict=True):
            self.start_diversification(int(slot), float(price), grant=0.0, bonus=0.0)

    def start_diversification(self, slot: int, cost: float, grant: float, bonus: float) -> bool:
        """A firm commits to diversify: pays its part of the cost, picks a sector, starts the lag.

        Args:
            slot: the firm.
            cost: full cost, EUR.
            grant: part of the cost paid by the city, EUR.
            bonus: added chance of success (advice that comes with a grant).
        """
        model, firms = self.model, self.model.firms
        source = firms.sector[slot]
        weights = self.relatedness[source].copy()
        weights[source] = 0.0
        if model.mine_sector is not None:
            weights[model.mine_sector] = 0.0
        if self.green is not None and self.spec.green_transition:
            weights[self.green] *= 1.0 + self.spec.green_attraction
        weights[len(model.sector_names) :] = 0.0
        if weights.sum() <= 0:
            return False
        target = int(weighted_sample(model.streams.uniform("diversification_target", model.month, slot * KEY + np.arange(len(weights))), weights)[0])
        firms.liquidity[slot] -= cost - grant
        accounts, holder = model.accounts, holder_of(model, slot)
        accounts.pay("diversification_costs", holder, accounts.rest_of_world, cost)
        accounts.pay("diversification_grants", accounts.city, holder, grant)
        firms.diversify_tried[slot] = True
        firms.grant_funded[slot] = grant > 0
        firms.diversify_timer[slot] = self.spec.diversification_lag_months
        firms.diversify_target[slot] = target
        if bonus:
            self.diversification_grants[slot] = bonus
        return True

    def _progress_diversification(self) -> None:
        model, firms, n = self.model, self.model.firms, self.model.firms.size
        waiting = np.flatnonzero(firms.diversify_timer[:n] > 0)
        if len(waiting) == 0:
            return
        firms.diversify_timer[waiting] -= 1
        due = waiting[(firms.diversify_timer[waiting] == 0) & firms.alive[waiting]]
        for slot in due:
            bonus = self.diversification_grants.pop(int(slot), 0.0)
            chance = min(1.0, self.spec.diversification_success * firms.capability[slot] + bonus)
            if self.model.streams.uniform("diversification_success", model.month, [int(slot)])[0] < chance and firms.headcount[slot] >= 2:
                moved = max(1, round(self.spec.diversification_share * firms.headcount[slot]))
                model.open_branch(int(slot), int(firms.diversify_target[slot]), moved)
                firms.diversified[slot] = True


def link_local_supply(model: BottropModel, supplier: int, buyer: int, coefficient: float) -> None:
    """A local supplier replaces part of a buyer's imports (EUR per EUR of the buyer's output)."""
    if coefficient <= 0:
        return
    firms = model.firms
    model.network.add_link(supplier, buyer, coefficient)
    firms.import_per_output[buyer] -= coefficient
    firms.local_input_per_output[buyer] += coefficient
    firms.substituted[buyer] += coefficient
