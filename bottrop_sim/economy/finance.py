"""Firm finance: profit, cash buffers, credit lines, interest, taxes, payouts, cost cutting, insolvency.

Rules (docs/ODD.md §7.25; parameters in the scenario's ``[firms]`` section):

* **Profit is not a cost.** At the baseline a firm's value added pays its wage bill,
  its fixed costs (capital costs, rents, leasing) and its owners' profit,
  ``return_on_sales`` x output (KfW-Mittelstandspanel: SMEs' return on sales 5.7 % in
  2011, about 7 % in 2023); fixed costs are the rest. A firm whose value added does not
  cover its wage bill (small firms rounded to whole persons) gets the gap as an
  operating subsidy from the state.
* **Cash buffers differ.** Each firm draws an equity ratio from a Beta distribution
  fitted to the KfW-Mittelstandspanel shares (``data/equity_ratios.csv``); its cash
  target is ``liquidity_months`` x (equity ratio / mean equity ratio) months of its
  wages and fixed costs (stated assumption: liquid reserves in proportion to equity).
* **Credit.** The bank grants every firm a credit line of ``credit_line_months`` of its
  wages and fixed costs (stated assumption; an overdraft line, Kontokorrentkredit);
  a drawn line costs ``interest_rate_year`` / 12 a month.
* **Taxes and payouts.** Positive profit (trade's cash result minus interest) pays the
  corporate income tax to the state and the trade tax to the city; owners take out
  whatever cash exceeds the target (residents' share ``owner_resident_share``).
* **Cost cutting before exit.** A firm drawing on its credit line cuts its fixed
  costs by ``cost_cut_share`` and hoards no labour (adaptive mode).
* **Exit on insolvency.** A firm whose debt exceeds its credit line for
  ``exit_after_months`` consecutive months exits (adaptive mode); the bank writes off
  its debt.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

if TYPE_CHECKING:
    from bottrop_sim.economy.accounting import FirmArrays
    from bottrop_sim.economy.accounts import Accounts
    from bottrop_sim.scenario.schema import BehaviourSpec


@lru_cache(maxsize=1)
def equity_ratio_distribution() -> tuple[float, float]:
    """Parameters (a, b) of the Beta distribution through the two KfW points of ``data/equity_ratios.csv``."""
    table = pd.read_csv(resources.files("bottrop_sim.data").joinpath("equity_ratios.csv"))
    points = list(zip(table["equity_ratio_below"], table["share_of_firms"], strict=True))

    def misfit(log_ab: np.ndarray) -> list[float]:
        a, b = np.exp(log_ab)
        return [float(stats.beta.cdf(x, a, b) - share) for x, share in points]

    a, b = np.exp(optimize.fsolve(misfit, [0.0, 0.5]))
    return float(a), float(b)


def equity_ratio_check() -> float:
    """The KfW panel's mean equity ratio (a check on the fit, not an input)."""
    meta = tomllib.loads(resources.files("bottrop_sim.data").joinpath("equity_ratios.meta.toml").read_text())
    return float(meta["check_mean_equity_ratio"])


def equity_ratios(uniform: np.ndarray) -> np.ndarray:
    """Equity ratios 0..1 of firms, one per uniform draw (the fitted beta distribution's quantiles).

    Taking quantiles of keyed uniforms (not ``Generator.beta``) keeps a firm's
    ratio a function of the seed and the firm alone: common random numbers.
    """
    a, b = equity_ratio_distribution()
    return special.betaincinv(a, b, np.asarray(uniform, float))


def mean_equity_ratio() -> float:
    """Mean of the fitted equity-ratio distribution."""
    a, b = equity_ratio_distribution()
    return a / (a + b)


def split_value_added(output: np.ndarray, value_added: np.ndarray, wages: np.ndarray, return_on_sales: float) -> tuple[np.ndarray, np.ndarray]:
    """Baseline profit and fixed costs per firm, EUR per month.

    Profit is ``return_on_sales`` x output, at most what value added leaves after
    wages (never negative); fixed costs are the rest (negative: an operating subsidy).
    """
    surplus = value_added - wages
    profit = np.clip(return_on_sales * output, 0.0, np.maximum(surplus, 0.0))
    return profit, surplus - profit


@dataclass
class FinanceResult:
    """One month's finance of all firms (EUR, per slot of the first ``n``)."""

    interest: np.ndarray
    profit_taxes: np.ndarray
    trade_tax: np.ndarray
    dividends: np.ndarray


def monthly_costs(firms: FirmArrays, n: int) -> np.ndarray:
    """Wages and (non-negative) fixed costs per firm this month, EUR."""
    return firms.headcount[:n] * firms.wage[:n] + np.maximum(firms.fixed_costs[:n], 0.0)


def set_buffers(firms: FirmArrays, slots: np.ndarray, spec: BehaviourSpec) -> None:
    """Cash target and credit line of ``slots`` from their equity ratios and costs."""
    costs = firms.headcount[slots] * firms.wage[slots] + np.maximum(firms.fixed_costs[slots], 0.0)
    firms.cash_target[slots] = spec.liquidity_months * firms.equity_ratio[slots] / mean_equity_ratio() * costs
    firms.credit_limit[slots] = spec.credit_line_months * costs


def _set_active_buffers(firms: FirmArrays, n: int, active: np.ndarray, spec: BehaviourSpec) -> None:
    """:func:`set_buffers` of the ``active`` slots among the first ``n``, on whole slices instead of gathered slots.

    Each slot's numbers go through the same operations in the same order (elementwise), so the
    active slots get the same bits; the others keep theirs (tests/test_speed_paths_a.py).
    """
    costs = firms.headcount[:n] * firms.wage[:n] + np.maximum(firms.fixed_costs[:n], 0.0)
    cash_target, credit_limit = firms.cash_target[:n], firms.credit_limit[:n]
    cash_target[:] = np.where(active, spec.liquidity_months * firms.equity_ratio[:n] / mean_equity_ratio() * costs, cash_target)
    credit_limit[:] = np.where(active, spec.credit_line_months * costs, credit_limit)


def settle(firms: FirmArrays, trade_cash: np.ndarray, spec: BehaviourSpec, adaptive: bool) -> FinanceResult:
    """Interest, taxes and payouts after trade; cost-cutting and insolvency counters (adaptive mode).

    Args:
        firms: the firm arrays (``liquidity`` is written; in the adaptive mode also
            ``cutting_costs`` and ``illiquid_months``).
        trade_cash: each firm's cash result of this month's trade, EUR.
        spec: the scenario's firm parameters.
        adaptive: whether firms cut costs and can become insolvent.
    """
    n = firms.size
    active = firms.alive[:n] & ~firms.is_mine[:n]
    _set_active_buffers(firms, n, active, spec)
    liquidity = firms.liquidity[:n]
    interest = np.where(active, spec.interest_rate_year / 12.0 * np.maximum(-liquidity, 0.0), 0.0)
    profit = np.where(active, trade_cash[:n] - interest, 0.0)
    taxable = np.maximum(profit, 0.0)
    profit_taxes = spec.profit_tax_rate * taxable
    trade_tax = spec.trade_tax_rate * taxable
    liquidity -= interest + profit_taxes + trade_tax
    dividends = np.where(active, np.maximum(liquidity - firms.cash_target[:n], 0.0), 0.0)
    liquidity -= dividends
    firms.profit[:n] = profit
    if adaptive:
        firms.cutting_costs[:n] = active & (liquidity < 0.0)
        over = active & (liquidity < -firms.credit_limit[:n])
        firms.illiquid_months[:n] = np.where(over, firms.illiquid_months[:n] + 1, 0)
    return FinanceResult(interest, profit_taxes, trade_tax, dividends)


def fixed_costs_paid(firms: FirmArrays, cost_cut_share: float) -> np.ndarray:
    """Fixed costs each slot pays this month (cut while it draws on its credit line), EUR; capacity-sized."""
    return firms.fixed_costs * np.where(firms.cutting_costs & (firms.fixed_costs > 0), 1.0 - cost_cut_share, 1.0)


def book_finance(accounts: Accounts, result: FinanceResult, holder: np.ndarray, owner_resident_share: float) -> float:
    """Book interest, taxes and payouts; returns the payouts to resident owners (EUR)."""
    n = len(result.interest)
    residents = result.dividends * owner_resident_share
    rows = [result.interest, result.profit_taxes, result.trade_tax, residents, result.dividends - residents]  # summed row by row, no stacked copy
    bookings = (
        ("from", "interest", accounts.bank),
        ("from", "profit_taxes", accounts.state),
        ("from", "trade_tax", accounts.city),
        ("from", "dividends", accounts.households),
        ("from", "dividends", accounts.rest_of_world),
    )
    accounts.pay_sums(bookings, accounts.row_sums_by_holder(holder[:n], rows))
    return float(residents.sum())
