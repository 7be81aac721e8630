"""Households: what residents earn, pay and spend, and the local demand their spending is.

Resident households (employed in Bottrop, out-commuting, unemployed, in training,
early-retired) are one institution with one money position (``savings``). Each month:

* **income** (gross): the resident share of the wage bills firms and the mine paid
  (booked in trade), out-commuters' wages (from the rest of the world), unemployment
  benefit for the unemployed and trainees and Anpassungsgeld for early-retired miners
  (from the state), and resident owners' payouts and exit payouts (from firms);
* **taxes**: ``tax_and_contributions_rate`` x gross wages to the state (benefits and
  Anpassungsgeld are net amounts; payouts were taxed in the firm);
* **consumption** (a budget, planned at the start of the month): ``(1 - saving_rate)``
  x expected disposable income, where expected income follows disposable income with
  weight ``income_smoothing`` (adaptive expectations of permanent income), and never
  more than savings plus expected income (a household in debt cuts its spending). Of it, residents plan to spend a fixed share
  locally (derived at the start: the sector table's household demand, minus in-commuters'
  spending, over residents' consumption, at most ``max_local_share``; the rest of that
  demand is non-residents'),
  scaled by ``household_spending_elasticity``; what a shock cuts from local spending is
  saved (a recession) or paid for dearer energy outside (an energy price shock); local
  goods firms could not deliver are bought outside; the rest of the budget is spent
  outside the region. Local spending is the household demand firms see.

Non-residents' local spending (booked as ``visitor_purchases``, from the rest of the world)
is in-commuters' (``in_commuter_local_spending_eur_month`` per person working in Bottrop
and living elsewhere, following their number month by month: commuters who lose their
job in Bottrop stop buying lunch and shopping there) plus other visitors' (what the
local demand leaves beyond ``max_local_share`` of residents' consumption, constant).

Stated assumptions: a consumption function on expected disposable income with a fixed
local share (Godley & Lavoie 2007, ch. 3, model SIM; regional multiplier analysis,
Moretti 2010); no interest on savings (deposit rates near zero in 2015-2021).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from bottrop_sim.economy.accounts import Accounts
    from bottrop_sim.economy.labour import LabourMarket
    from bottrop_sim.scenario.schema import HouseholdSpec


@dataclass
class HouseholdPlan:
    """This month's spending plan."""

    consumption: float  # EUR, the month's budget for consumption
    local: float  # EUR residents plan to spend locally before shocks
    demand_factor: float  # factor on firms' baseline household demand (residents and visitors)
    visitor_share: float  # share of local household demand that is non-residents'


class Households:
    """Income, taxes, budget and savings of resident households.

    Args:
        spec: the scenario's household parameters.
        outside_wage: out-commuters' gross wage, EUR per month.
        benefit: income of an unemployed resident or trainee, EUR per month.
        retirement_income: Anpassungsgeld of an early-retired miner, EUR per month.
        elasticity: how strongly residents' local spending follows their consumption (1: proportionally).
    """

    def __init__(self, spec: HouseholdSpec, outside_wage: float, benefit: float, retirement_income: float, elasticity: float) -> None:
        self.spec = spec
        self.outside_wage = outside_wage
        self.benefit = benefit
        self.retirement_income = retirement_income
        self.elasticity = elasticity
        self.savings = 0.0
        self.baseline_income = self.expected_income = self.income = 0.0
        self.baseline_consumption = 0.0
        self.local_share = 0.0
        self.visitors = 0.0
        self.other_visitors = 0.0  # EUR per month, visitors' spending other than in-commuters'
        self.in_commuters = 0.0  # persons, this month's
        self.baseline_local_demand = 0.0
        self.plan = HouseholdPlan(0.0, 0.0, 1.0, 0.0)
        self.gross_wages = 0.0  # this month's, EUR
        self.local_paid = 0.0  # this month's local purchases and surcharges, EUR
        self.other_income = 0.0  # this month's payouts received, EUR

    def start(self, labour: LabourMarket, resident_wages: float, resident_payouts: float, local_demand: float, in_commuters: float = 0.0) -> None:
        """Fix the baseline: disposable income, consumption, the local share, savings.

        Args:
            labour: the labour market at the start.
            resident_wages: residents' share of the baseline wage bill, EUR per month.
            resident_payouts: resident owners' baseline payouts, EUR per month.
            local_demand: the baseline household demand of all firms, EUR per month.
            in_commuters: persons working in Bottrop who live elsewhere, at the start.
        """
        spec = self.spec
        income = self.disposable(labour, resident_wages, resident_payouts)
        self.baseline_income = self.expected_income = self.income = income
        self.baseline_consumption = (1.0 - spec.saving_rate) * income
        consumption = self.baseline_consumption
        self.in_commuters = float(in_commuters)
        commuters = min(spec.in_commuter_local_spending_eur_month * self.in_commuters, local_demand)
        self.local_share = min((local_demand - commuters) / consumption, spec.max_local_share) if consumption > 0 else 0.0
        self.other_visitors = max(local_demand - commuters - self.local_share * consumption, 0.0)
        self.visitors = self.other_visitors + commuters
        self.baseline_local_demand = local_demand
        self.savings = spec.savings_months * income
        self.plan = self._plan(consumption)

    def disposable(self, labour: LabourMarket, resident_wages: float, payouts: float) -> float:
        """Disposable income from wages, transfers and payouts with this labour market, EUR."""
        wages = resident_wages + self.outside_wage * float(labour.out_commuters.sum())
        return wages * (1.0 - self.spec.tax_and_contributions_rate) + self.transfers(labour) + payouts

    def transfers(self, labour: LabourMarket) -> float:
        """Unemployment benefit and Anpassungsgeld this month, EUR."""
        return self.benefit * float(labour.unemployed.sum() + labour.in_training.sum()) + self.retirement_income * float(labour.retired.sum())

    def plan_month(self, adaptive: bool, in_commuters: float | None = None) -> HouseholdPlan:
        """The month's budget (before trade); static mode: the baseline budget.

        Args:
            adaptive: whether behaviour is adaptive (static: the baseline budget and visitors).
            in_commuters: persons working in Bottrop who live elsewhere now (default: as before).
        """
        if adaptive and in_commuters is not None:
            self.in_commuters = float(in_commuters)
            self.visitors = self.other_visitors + self.spec.in_commuter_local_spending_eur_month * self.in_commuters
        budget = (1.0 - self.spec.saving_rate) * self.expected_income if adaptive else self.baseline_consumption
        budget = max(0.0, min(budget, self.savings + self.expected_income))  # in debt, households cut spending
        self.plan = self._plan(budget)
        self.gross_wages = self.local_paid = self.other_income = 0.0
        return self.plan

    def _plan(self, consumption: float) -> HouseholdPlan:
        base = self.baseline_consumption
        followed = base + self.elasticity * (consumption - base)
        local = self.local_share * max(followed, 0.0)
        demand = local + self.visitors
        factor = demand / self.baseline_local_demand if self.baseline_local_demand > 0 else 1.0
        return HouseholdPlan(consumption, local, factor, self.visitors / demand if demand > 0 else 0.0)

    def after_trade(self, resident_wages: float, local_paid: float) -> None:
        """Wages received and local goods paid in trade (booked there)."""
        self.gross_wages += resident_wages
        self.local_paid += local_paid
        self.savings += resident_wages - local_paid

    def receive(self, eur: float) -> None:
        """Payouts received (booked by the payer)."""
        self.other_income += eur
        self.savings += eur

    def pay(self, eur: float) -> None:
        """A payment made (booked by the payee), e.g. start-up capital of a resident's new firm."""
        self.savings -= eur

    def close_month(self, labour: LabourMarket, accounts: Accounts, forced_saving: float) -> float:
        """Outside wages, transfers, taxes and outside spending of the month; returns disposable income (EUR).

        Outside spending is the month's budget minus what a recession kept residents
        from spending (saved) minus what they paid for local goods: it includes dearer
        energy and local goods firms could not deliver. It never exceeds savings.

        Args:
            labour: the labour market at the end of the month.
            accounts: the region's accounts (these flows are booked here).
            forced_saving: planned local spending a recession cut this month, EUR.
        """
        spec = self.spec
        outside_wages = self.outside_wage * float(labour.out_commuters.sum())
        benefit = self.benefit * float(labour.unemployed.sum() + labour.in_training.sum())
        retirement = self.retirement_income * float(labour.retired.sum())
        taxes = spec.tax_and_contributions_rate * (self.gross_wages + outside_wages)
        accounts.pay("outside_wages", accounts.rest_of_world, accounts.households, outside_wages)
        accounts.pay("unemployment_benefit", accounts.state, accounts.households, benefit)
        accounts.pay("early_retirement_income", accounts.state, accounts.households, retirement)
        accounts.pay("income_taxes", accounts.households, accounts.state, taxes)
        self.savings += outside_wages + benefit + retirement - taxes
        outside = float(np.clip(self.plan.consumption - forced_saving - self.local_paid, 0.0, max(self.savings, 0.0)))
        accounts.pay("outside_spending", accounts.households, accounts.rest_of_world, outside)
        self.savings -= outside
        self.income = self.gross_wages + outside_wages - taxes + benefit + retirement + self.other_income
        self.expected_income += spec.income_smoothing * (self.income - self.expected_income)
        return self.income

    def demand_factor(self) -> float:
        """Factor on firms' baseline household demand this month."""
        return self.plan.demand_factor
