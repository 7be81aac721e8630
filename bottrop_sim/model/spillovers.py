"""Channels of a shock beyond the supply chain and residents' income: the city's budget and agglomeration.

* **The city's budget** (:class:`CityBudget`). The city's own tax revenue is the trade tax
  firms pay (booked in finance) and its share of residents' income tax
  (``income_tax_share`` of what households pay the state; Gemeindeanteil an der
  Einkommensteuer, 15 % of the income tax, GemFinRefG s. 1), booked state -> city as
  ``income_tax_share``. Stated assumption: at the baseline the city spends its own tax
  revenue on local purchases, part of public final demand (booked city -> firms as
  ``city_purchases``; the state pays the rest of public demand). It budgets with its
  smoothed revenue (``budget_smoothing``): a fall in revenue cuts its purchases, and the
  Land's key grants make good ``equalisation_rate`` of the fall ``equalisation_lag_months``
  later (GFG NRW: Ausgleichsquote 90 % of the gap between fiscal need and tax capacity,
  measured in a reference period before the budget year). The city's remaining net
  position is settled with the state each month (``fiscal_equalisation``), as before.
* **Agglomeration** (:class:`Agglomeration`). A firm's export sales follow local
  employment in related sectors: ``(R / R0) ** elasticity`` with
  ``R = relatedness @ staff`` by sector (the relatedness table of diversification,
  skill-relatedness after Neffke & Henning 2013) and R0 its value at the start. The
  elasticity is the agglomeration elasticity Gathmann, Helm & Schoenberg (2020, JEEA
  18(1)) estimate from the spillovers of German mass layoffs on firms of the same
  broad industry (0.19). Stated mapping: the productivity loss of a thinner local
  cluster (labour pooling, suppliers, knowledge) is lost sales one for one (unit price
  elasticity of export demand). Public and household demand are not affected (no
  agglomeration effect for non-tradables in that study). No money moves: buyers
  outside buy less.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from bottrop_sim.economy.accounts import Accounts
    from bottrop_sim.scenario.schema import CityBudgetSpec


class CityBudget:
    """The city's own tax revenue and the local purchases it pays from it.

    Args:
        spec: the scenario's city budget parameters.
        public_demand: public final demand at the start, EUR per month (the city's purchases are part of it).
    """

    def __init__(self, spec: CityBudgetSpec, public_demand: float) -> None:
        self.spec = spec
        self.public_demand = public_demand
        self.baseline_revenue: float | None = None  # EUR per month, the first month's revenue
        self.budgeted_revenue = 0.0  # EUR per month, smoothed
        self._shortfalls: deque[float] = deque([0.0] * spec.equalisation_lag_months, maxlen=max(spec.equalisation_lag_months, 1))

    @property
    def share(self) -> float:
        """Share of baseline public demand the city pays (its baseline revenue over public demand; 0 before the first month closed)."""
        if self.baseline_revenue is None or self.public_demand <= 0:
            return 0.0
        return min(self.baseline_revenue / self.public_demand, 1.0)

    def public_factor(self, adaptive: bool) -> float:
        """Factor on public final demand this month: the city's cut of its purchases (1 at the baseline and in the static mode)."""
        if not adaptive or self.baseline_revenue is None or self.baseline_revenue <= 0:
            return 1.0
        shortfall = self.baseline_revenue - self.budgeted_revenue
        made_good = self.spec.equalisation_rate * (self._shortfalls[0] if self.spec.equalisation_lag_months > 0 else shortfall)
        planned = max(self.baseline_revenue - shortfall + made_good, 0.0)
        return 1.0 - self.share + self.share * planned / self.baseline_revenue

    def city_part(self, factor: float) -> float:
        """Share of this month's public demand the city pays, given the factor :meth:`public_factor` returned."""
        return (factor - 1.0 + self.share) / factor if self.share > 0 and factor > 0 else 0.0

    def close_month(self, accounts: Accounts) -> None:
        """Book the city's income tax share (state -> city) and update the revenue it budgets with."""
        income_tax = self.spec.income_tax_share * accounts.kind_total("income_taxes")
        accounts.pay("income_tax_share", accounts.state, accounts.city, income_tax)
        revenue = accounts.kind_total("trade_tax") + income_tax
        if self.baseline_revenue is None:
            self.baseline_revenue = self.budgeted_revenue = revenue
        self.budgeted_revenue += self.spec.budget_smoothing * (revenue - self.budgeted_revenue)
        if self.spec.equalisation_lag_months > 0:
            self._shortfalls.append(self.baseline_revenue - self.budgeted_revenue)


class Agglomeration:
    """Export sales that follow local employment in related sectors.

    Args:
        relatedness: relatedness between the (extended) sectors, 0..1.
        staff: persons employed per sector at the start.
        elasticity: the agglomeration elasticity (0 switches the channel off).
    """

    def __init__(self, relatedness: np.ndarray, staff: np.ndarray, elasticity: float) -> None:
        self.relatedness = np.asarray(relatedness, float)
        self.elasticity = float(elasticity)
        self.baseline = self.relatedness @ np.asarray(staff, float)

    def factor(self, staff: np.ndarray) -> np.ndarray:
        """Per sector, the factor on export sales with this month's staff (1 with the starting staff)."""
        if self.elasticity == 0.0:
            return np.ones(len(self.baseline))
        ratio = np.divide(self.relatedness @ np.asarray(staff, float), self.baseline, out=np.ones(len(self.baseline)), where=self.baseline > 0)
        return ratio**self.elasticity
