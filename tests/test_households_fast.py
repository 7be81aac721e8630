"""Fast checks of the households (economy/households.py), one rule at a time: budgets, local and outside spending.

Each test computes its expectation by hand, on crafted arrays or on a few months
of a small economy. The accounting selection of the mutation run (experiments/mutation/)
is tests/test_accounts_fast.py, tests/test_trade_fast.py, tests/test_households_fast.py,
tests/test_short_time_city_fast.py and tests/test_accounts_paths.py; together they run
in seconds. The ledger and households they share: tests/ledgers.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from bottrop_sim.economy.accounts import KINDS
from bottrop_sim.economy.households import HouseholdPlan, Households
from bottrop_sim.economy.labour import CommutingZone, LabourMarket
from bottrop_sim.scenario.schema import HouseholdSpec
from tests.ledgers import households, ledger


# -- households -----------------------------------------------------------------------
def labour() -> LabourMarket:
    zone = CommutingZone(labour_force=2_350_000, unemployment_rate=0.107, job_finding_rate=0.042, vacancies=35_000, elasticity=0.5)
    market = LabourMarket(
        np.array([[0.2, 0.6, 0.2]]),
        np.array([100]),
        np.array([0.5]),
        out_commuters=40,
        unemployment_rate=0.1,
        job_finding_rate=0.065,
        vacancy_filling_rate=0.22,
        elasticity=0.5,
        zone=zone,
        resident_hire_share=0.5,
        replacing_staff=100,
    )
    market.retired[:] = [1, 1, 0]
    market.in_training[:] = [1, 0, 0]
    market.unemployed[0] -= 1  # one of the unemployed is in training
    return market


def test_household_baseline_budget_and_local_share():
    market = labour()  # 50 employed here, 40 outside, 10 unemployed, 2 retired
    home = households(saving_rate=0.1, tax_and_contributions_rate=0.3, savings_months=2.0, max_local_share=0.2)
    assert home.transfers(market) == 100.0 * 10 + 200.0 * 2  # 9 unemployed and 1 trainee get the benefit
    home.start(market, resident_wages=5000.0, resident_payouts=100.0, local_demand=3000.0)
    income = (5000.0 + 300.0 * 40) * 0.7 + 1400.0 + 100.0
    assert home.baseline_income == pytest.approx(income) and home.savings == pytest.approx(2.0 * income)
    consumption = 0.9 * income
    assert home.baseline_consumption == pytest.approx(consumption)
    assert home.local_share == pytest.approx(0.2)  # capped: the rest of the local demand is visitors
    assert home.visitors == pytest.approx(3000.0 - home.local_share * consumption)
    plan = home.plan_month(adaptive=True)
    assert plan.consumption == pytest.approx(consumption) and plan.demand_factor == pytest.approx(1.0)
    assert plan.visitor_share == pytest.approx(home.visitors / 3000.0) and home.visitors > 0
    assert plan.local == pytest.approx(0.2 * consumption) and home.plan is plan


def test_household_month_books_income_taxes_and_outside_spending():
    market = labour()
    home = households(saving_rate=0.1, tax_and_contributions_rate=0.3, income_smoothing=0.5, savings_months=1.0)
    home.start(market, resident_wages=5000.0, resident_payouts=0.0, local_demand=3000.0)
    accounts = ledger()
    plan = home.plan_month(adaptive=True)
    start = home.savings
    home.after_trade(resident_wages=3000.0, local_paid=2000.0)
    home.after_trade(resident_wages=1000.0, local_paid=500.0)  # a second booking adds
    home.receive(30.0)
    home.receive(20.0)
    home.pay(0.0)
    income = home.close_month(market, accounts, forced_saving=100.0)
    m, k = accounts.month, {name: i for i, name in enumerate(KINDS)}
    assert m[k["outside_wages"], 7, 3] == 12_000.0
    assert m[k["unemployment_benefit"], 5, 3] == 1000.0 and m[k["early_retirement_income"], 5, 3] == 400.0
    assert m[k["income_taxes"], 3, 5] == pytest.approx(0.3 * 16_000.0)
    outside = plan.consumption - 100.0 - 2500.0
    assert m[k["outside_spending"], 3, 7] == pytest.approx(outside)
    assert home.savings - start == pytest.approx(4000.0 - 2500.0 + 50.0 + 12_000.0 + 1400.0 - 0.3 * 16_000.0 - outside)
    assert income == pytest.approx(16_000.0 * 0.7 + 1400.0 + 50.0)
    assert home.expected_income == pytest.approx(home.baseline_income + 0.5 * (income - home.baseline_income))


def test_households_cannot_spend_more_than_they_have():
    market = labour()
    home = households(savings_months=0.0)
    home.start(market, resident_wages=5000.0, resident_payouts=0.0, local_demand=1000.0)
    home.savings = -0.5 * home.expected_income
    plan = home.plan_month(adaptive=True)
    assert plan.consumption == pytest.approx(0.5 * home.expected_income)  # in debt: no more than income minus the debt
    home.savings = -2.0 * home.expected_income
    assert home.plan_month(adaptive=True).consumption == 0.0
    accounts = ledger()
    home.savings = -20_000.0  # deeper in debt than the month's income: nothing is spent outside
    home.close_month(market, accounts, forced_saving=0.0)
    assert accounts.kind_total("outside_spending") == 0.0
    home.plan_month(adaptive=True)
    home.after_trade(0.0, 10 * home.plan.consumption)  # local purchases above the budget: nothing left for outside
    accounts = ledger()
    home.close_month(market, accounts, forced_saving=0.0)
    assert accounts.kind_total("outside_spending") == 0.0


def test_static_households_keep_the_baseline_budget_and_local_spending_follows_consumption():
    market = labour()
    home = Households(HouseholdSpec(saving_rate=0.2), outside_wage=300.0, benefit=100.0, retirement_income=200.0, elasticity=2.0)
    home.start(market, resident_wages=5000.0, resident_payouts=0.0, local_demand=2000.0)
    home.expected_income *= 0.9
    assert home.plan_month(adaptive=False).consumption == pytest.approx(home.baseline_consumption)
    plan = home.plan_month(adaptive=True)
    assert plan.consumption == pytest.approx(0.9 * home.baseline_consumption)
    local = home.local_share * home.baseline_consumption * (1 + 2.0 * (0.9 - 1))
    assert plan.local == pytest.approx(local)
    assert plan.demand_factor == pytest.approx((local + home.visitors) / 2000.0)
    assert home.demand_factor() == plan.demand_factor


# -- households' edges ----------------------------------------------------------------------
def nobody() -> LabourMarket:
    """A labour market without residents."""
    zone = CommutingZone(labour_force=2_350_000, unemployment_rate=0.107, job_finding_rate=0.042, vacancies=35_000, elasticity=0.5)
    return LabourMarket(np.array([[0.2, 0.6, 0.2]]), np.array([0]), np.array([0.5]), 0, 0.1, 0.065, 0.22, 0.5, zone, 0.5, 0)


def test_households_before_their_baseline_hold_nothing_and_shift_no_demand():
    home = households()
    assert home.plan == HouseholdPlan(0.0, 0.0, 1.0, 0.0) and home.demand_factor() == 1.0
    accounts = ledger()
    assert home.close_month(nobody(), accounts, forced_saving=0.0) == 0.0
    assert np.count_nonzero(accounts.month) == 0 and home.savings == 0.0 and home.expected_income == 0.0
    for adaptive in (False, True):
        plan = home.plan_month(adaptive=adaptive, in_commuters=0.0)
        assert plan == HouseholdPlan(0.0, 0.0, 1.0, 0.0) and home.visitors == 0.0


def test_in_commuters_spending_is_part_of_local_demand_the_rest_is_residents():
    market = labour()
    home = households(saving_rate=0.1, tax_and_contributions_rate=0.3, max_local_share=0.9, in_commuter_local_spending_eur_month=100.0)
    home.start(market, resident_wages=5000.0, resident_payouts=0.0, local_demand=3000.0, in_commuters=10.0)
    consumption = 0.9 * ((5000.0 + 300.0 * 40) * 0.7 + 1400.0)
    assert home.local_share == pytest.approx((3000.0 - 1000.0) / consumption)  # below the cap: all the rest is residents'
    assert home.visitors == 1000.0 and home.other_visitors == 0.0
    assert home.plan.consumption == pytest.approx(consumption) and home.plan.visitor_share == pytest.approx(1000.0 / 3000.0)
    plan = home.plan_month(adaptive=True, in_commuters=4.0)  # six in-commuters fewer: 600 EUR less local spending
    assert home.visitors == 400.0 and plan.demand_factor == pytest.approx(2400.0 / 3000.0)
    assert home.plan_month(adaptive=True).demand_factor == pytest.approx(2400.0 / 3000.0)  # the number stays until it is given again
    default = households(in_commuter_local_spending_eur_month=100.0)
    default.start(market, resident_wages=5000.0, resident_payouts=0.0, local_demand=3000.0)  # no in-commuters unless said
    assert default.in_commuters == 0.0 and default.other_visitors + default.local_share * default.baseline_consumption == pytest.approx(3000.0)
    assert default.visitors == default.other_visitors


def test_households_without_income_or_local_demand():
    broke = households(saving_rate=0.1, tax_and_contributions_rate=0.0, max_local_share=0.5)
    broke.start(nobody(), resident_wages=0.0, resident_payouts=0.0, local_demand=100.0)
    assert broke.baseline_consumption == 0.0 and broke.local_share == 0.0 and broke.other_visitors == 100.0
    tiny = households(saving_rate=0.1, tax_and_contributions_rate=0.0, max_local_share=0.5)
    tiny.start(nobody(), resident_wages=1.0, resident_payouts=0.0, local_demand=100.0)  # 0.9 EUR of consumption a month
    assert tiny.local_share == 0.5 and tiny.other_visitors == pytest.approx(100.0 - 0.45)
    empty = households()
    empty.start(labour(), resident_wages=5000.0, resident_payouts=0.0, local_demand=0.0)  # no local demand at all
    assert empty.local_share == 0.0 and empty.visitors == 0.0
    plan = empty.plan_month(adaptive=True)
    assert plan.demand_factor == 1.0 and plan.visitor_share == 0.0 and plan.local == 0.0


def test_local_spending_never_falls_below_zero_when_it_follows_consumption_strongly():
    home = Households(HouseholdSpec(saving_rate=0.2), outside_wage=300.0, benefit=100.0, retirement_income=200.0, elasticity=3.0)
    home.start(labour(), resident_wages=5000.0, resident_payouts=0.0, local_demand=2000.0)
    home.expected_income *= 0.5  # consumption halves: the local spending it drives would be negative (1 + 3 x (0.5 - 1))
    assert home.plan_month(adaptive=True).local == 0.0


def test_outside_spending_is_at_most_savings_and_never_negative():
    market = labour()  # this month: 12,000 EUR outside wages, 1,000 benefit, 400 Anpassungsgeld, no taxes
    for savings, outside in ((300.0 - 13_400.0, 300.0), (-50.0 - 13_400.0, 0.0)):
        home = households(savings_months=0.0, tax_and_contributions_rate=0.0)
        home.start(market, resident_wages=5000.0, resident_payouts=0.0, local_demand=1000.0)
        assert home.plan_month(adaptive=True).consumption > 1_000.0
        home.savings = savings
        accounts = ledger()
        home.close_month(market, accounts, forced_saving=0.0)
        assert accounts.kind_total("outside_spending") == pytest.approx(outside)  # what is left, or nothing in debt
    rich = households(savings_months=5.0)
    rich.start(market, resident_wages=5000.0, resident_payouts=0.0, local_demand=1000.0)
    rich.plan_month(adaptive=True)
    rich.after_trade(0.0, 2 * rich.plan.consumption)  # local purchases above the budget: nothing left for outside, nothing negative
    accounts = ledger()
    rich.close_month(market, accounts, forced_saving=0.0)
    assert accounts.kind_total("outside_spending") == 0.0
