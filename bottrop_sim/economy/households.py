"""Households: resident income and the local spending it induces.

Resident income (EUR per month) is the wage of residents employed in Bottrop
(sector wage x residents employed in that sector), plus out-commuters' wages,
unemployment benefit and early-retirement income (Anpassungsgeld). In the
adaptive mode local household spending, the table's household part of final
demand, follows this income with a one-month lag:

    household demand(t) = base x (1 + elasticity x (income(t-1) / income(0) - 1))

so that a no-shock run stays on its baseline. What residents do not spend
locally (spending elsewhere, savings, taxes) leaks out of the region; the table's
household share already is the local part. Assumption: a proportional
consumption function on a fixed local share, as in regional multiplier analysis
(e.g. Moretti 2010 on local multipliers).
"""

from __future__ import annotations

import numpy as np

from bottrop_sim.economy.labour import LabourMarket


class Households:
    """Income of resident workers and the factor on local household demand.

    Args:
        sector_wage: gross wage per sector, EUR per employee-month.
        outside_wage: out-commuters' wage, EUR per month.
        benefit: income of an unemployed resident, EUR per month.
        retirement_income: income of an early-retired resident, EUR per month.
        elasticity: how strongly local spending follows income (1: proportionally).
    """

    def __init__(self, sector_wage: np.ndarray, outside_wage: float, benefit: float, retirement_income: float, elasticity: float) -> None:
        self.sector_wage = sector_wage
        self.outside_wage = outside_wage
        self.benefit = benefit
        self.retirement_income = retirement_income
        self.elasticity = elasticity
        self.baseline_income = 0.0
        self.income = 0.0

    def resident_income(self, labour: LabourMarket) -> float:
        """Resident income this month, EUR."""
        local_wages = float(self.sector_wage @ labour.employed_local.sum(axis=1))
        return (
            local_wages
            + self.outside_wage * float(labour.out_commuters.sum())
            + self.benefit * float(labour.unemployed.sum() + labour.in_training.sum())
            + self.retirement_income * float(labour.retired.sum())
        )

    def start(self, labour: LabourMarket) -> None:
        """Fix the baseline income (call once after the labour market is set up)."""
        self.baseline_income = self.income = self.resident_income(labour)

    def update(self, labour: LabourMarket) -> float:
        """Record this month's income; returns it (EUR)."""
        self.income = self.resident_income(labour)
        return self.income

    def demand_factor(self) -> float:
        """Factor on the household part of final demand for the next month."""
        if self.baseline_income <= 0:
            return 1.0
        return max(0.0, 1.0 + self.elasticity * (self.income / self.baseline_income - 1.0))
