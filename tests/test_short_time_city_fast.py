"""Fast checks of short-time work (economy/short_time_work.py) and the city's budget and agglomeration (model/spillovers.py).

Short-time work hand-computed on three or four firms: the legal thresholds,
keyed take-up, spells, the allowance booked payer to payee.

Each test computes its expectation by hand, on crafted arrays or on a few months
of a small economy. The accounting selection of the mutation run (experiments/mutation/)
is tests/test_accounts_fast.py, tests/test_trade_fast.py, tests/test_households_fast.py,
tests/test_short_time_city_fast.py and tests/test_accounts_paths.py; together they run
in seconds. The ledger and households they share: tests/ledgers.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from bottrop_sim.economy.accounting import FirmArrays
from bottrop_sim.economy.accounts import KINDS
from bottrop_sim.economy.short_time_work import ShortTimePayments, ShortTimeWork
from bottrop_sim.model.spillovers import Agglomeration, CityBudget
from bottrop_sim.scenario.schema import CityBudgetSpec
from bottrop_sim.scenario.short_time import ShortTimeWorkSpec
from bottrop_sim.streams import Streams
from tests.ledgers import ledger


# -- short-time work (hand-computed on three or four firms) --------------------------------
def short_time_firms(headcount=(30, 10, 20, 20)) -> FirmArrays:
    """Firms at 1,000 EUR a person-month of output and 3,000 EUR a month of gross pay; slot 4 free."""
    firms = FirmArrays(5)
    n = len(headcount)
    firms.add(n)
    firms.alive[:n] = True
    firms.headcount[:n] = headcount
    firms.productivity[:n] = 1000.0
    firms.wage[:n] = 3000.0
    firms.sector[:n] = [0, 1, 0, 1][:n]
    return firms


def short_time(capacity: int = 5, **rules) -> ShortTimeWork:
    return ShortTimeWork(ShortTimeWorkSpec(**rules), Streams(2), net_pay_share=0.8, capacity=capacity)


def test_firms_qualify_for_short_time_work_by_the_legal_thresholds():
    firms = short_time_firms()
    work = short_time(capacity=2, min_affected_share=0.25)
    movable, lay_off, shocked = np.ones(4, bool), np.ones(4, bool), np.ones(4, bool)
    # lost work 12, 0.5, 15 and 2 persons: spread over ceil(lost / 0.4) = 30, 2, 20 (capped) and exactly 5 persons;
    # each loses 0.4, 0.25, 0.75 and 0.4 of their hours. Firm 1: 2 of 10 < a quarter; firm 3: 5 of 20 is a quarter
    target = np.array([18.0, 9.5, 5.0, 18.0])
    np.testing.assert_array_equal(work.plan(0, firms, movable, target, lay_off, shocked), [True, False, True, True])
    assert len(work.persons) == 5 and work.persons.dtype == np.int64 and work.hours_lost.dtype == np.float64  # grown to the firm slots
    np.testing.assert_array_equal(work.plan(0, firms, movable, target, np.array([True, True, False, True]), shocked), [True, False, False, True])
    np.testing.assert_array_equal(work.plan(0, firms, movable, target, lay_off, np.zeros(4, bool)), [False] * 4)  # no temporary shock: nobody starts
    np.testing.assert_array_equal(work.plan(0, firms, np.array([True, True, True, False]), target, lay_off, shocked), [True, False, True, False])
    assert work.plan(0, firms, movable, np.array([31.0, 9.5, 5.0, 18.0]), lay_off, shocked)[0] == np.False_  # no lost work
    np.testing.assert_array_equal(short_time(enabled=False).plan(0, firms, movable, target, lay_off, shocked), [False] * 4)
    assert short_time().plan(0, firms, movable[:0], target[:0], lay_off[:0], shocked[:0]).shape == (0,)
    # each worker must lose more than a tenth of the hours: at 0.1 a person, a loss of 1.0 over 10 persons is exactly a tenth
    tenth = short_time(hours_lost_per_person=0.1, min_affected_share=0.25)
    np.testing.assert_array_equal(tenth.plan(0, firms, movable, np.array([29.0, 9.0, 18.0, 17.9]), lay_off, shocked), [False, False, False, True])


def test_take_up_is_a_keyed_draw_per_firm():
    firms = short_time_firms(headcount=(30,) * 4)
    firms.add(396)
    firms.alive[:400], firms.headcount[:400], firms.productivity[:400], firms.wage[:400] = True, 30, 1000.0, 3000.0
    work = short_time(take_up_share=0.3)
    on = work.plan(5, firms, np.ones(400, bool), np.full(400, 18.0), np.ones(400, bool), np.ones(400, bool))
    np.testing.assert_array_equal(on, Streams(2).uniform("short_time_take_up", 5, 400) < 0.3)
    assert 0.2 < on.mean() < 0.4


def test_spells_continue_end_at_the_maximum_and_restart_after_a_break():
    firms = short_time_firms()
    work = short_time(max_months=2, restart_after_months=2, min_affected_share=0.25)
    movable, lay_off = np.ones(4, bool), np.ones(4, bool)
    target = np.array([18.0, 9.5, 5.0, 18.0])
    on = work.plan(0, firms, movable, target, lay_off, np.ones(4, bool))
    work.set_hours(firms, on, target)
    np.testing.assert_array_equal(work.persons[:5], [30, 0, 20, 5, 0])
    np.testing.assert_allclose(work.hours_lost[:5], [12.0, 0.0, 15.0, 2.0, 0.0])
    accounts = ledger()
    holder = np.array([0, 1, 0, 1])
    for month in (1, 2):  # two months paid; on short-time work, a firm stays on without a new shock
        work.pay(accounts, firms, holder, np.zeros(5), np.zeros(5))
        on = work.plan(month, firms, movable, target, lay_off, np.zeros(4, bool))
        np.testing.assert_array_equal(on, [month < 2, False, month < 2, month < 2])  # spell month 1 < 2 continues, 2 ends
        work.set_hours(firms, on, target)
    np.testing.assert_array_equal(work.spell_month[:4], [2, 0, 2, 2])
    np.testing.assert_array_equal(work.persons[:5], [0, 0, 0, 0, 0])
    np.testing.assert_array_equal(work.months_off[:4], [1, 0, 1, 1])
    assert not work.plan(3, firms, movable, target, lay_off, np.ones(4, bool)).any()  # a shock again: too early to restart
    work.set_hours(firms, np.zeros(4, bool), target)
    np.testing.assert_array_equal(work.spell_month[:4], [0, 0, 0, 0])  # two months off: the counters are reset
    np.testing.assert_array_equal(work.months_off[:4], [0, 0, 0, 0])
    np.testing.assert_array_equal(work.plan(4, firms, movable, target, lay_off, np.ones(4, bool)), [True, False, True, True])


def test_set_hours_drops_firms_no_longer_eligible_after_leavers():
    firms = short_time_firms()
    work = short_time(min_affected_share=0.25)
    target = np.array([18.0, 9.5, 5.0, 18.0])
    on = np.array([True, True, True, True])  # firm 1 is not eligible (2 of 10 persons)
    firms.headcount[3] = 18  # firm 3 lost two leavers: no more lost work
    firms.add(1)  # a slot beyond the decision's firms is never on short-time work
    work.persons[4], work.hours_lost[4] = 3, 1.0
    work.set_hours(firms, on, target)
    np.testing.assert_array_equal(work.persons[:5], [30, 0, 20, 0, 0])
    np.testing.assert_allclose(work.hours_lost[:5], [12.0, 0.0, 15.0, 0.0, 0.0])
    firms.headcount[3] = 20
    work.set_hours(firms, on, np.array([18.0, 9.5, 5.0, 17.9]))  # 2.1 lost: 6 persons, 0.35 each
    assert work.persons[3] == 6 and work.hours_lost[3] == pytest.approx(2.1)


def test_lost_work_follows_the_staff_still_there():
    firms = short_time_firms()
    work = short_time()
    work.persons[:4], work.hours_lost[:4] = [30, 0, 20, 5], [12.0, 0.0, 15.0, 2.0]
    firms.alive[2] = False  # exited since the decision
    firms.headcount[0] = 10  # moved staff into a branch
    lost = work.lost_work(firms, 4)
    np.testing.assert_allclose(lost[:4], [10.0, 0.0, 0.0, 2.0])
    np.testing.assert_array_equal(work.persons[:4], [10, 0, 0, 5])
    firms.headcount[3] = 0  # nobody left: no lost work
    assert work.lost_work(firms, 4)[3] == 0.0 and work.persons[3] == 0


def test_the_allowance_contributions_and_refunds_are_booked_payer_to_payee():
    firms = short_time_firms()
    work = short_time(contribution_refund_share=0.5, raised_rates=[{"from_month": 2, "rate": 0.7, "rate_with_children": 0.77}])
    work.persons[:4], work.hours_lost[:4] = [30, 0, 20, 5], [12.0, 0.0, 15.0, 2.0]
    accounts, holder = ledger(), np.array([0, 1, 0, 1])
    cash, resident_share = np.zeros(5), np.array([0.25, 1.0, 0.5, 0.0, 0.0])
    firms.liquidity[:4] = 100_000.0
    totals = work.pay(accounts, firms, holder, resident_share, cash)
    # lost gross pay 36,000, 45,000, 6,000 EUR; net 80 %; rate 0.65 x 60 % + 0.35 x 67 % = 62.45 %
    allowance = np.array([36_000.0, 0.0, 45_000.0, 6_000.0]) * 0.8 * 0.6245
    np.testing.assert_allclose(work.allowance[:4], allowance)
    assert totals.allowance == pytest.approx(allowance.sum()) and totals.persons == 55 and totals.firms == 3
    assert totals.hours_lost == pytest.approx(29.0)
    residents = allowance[0] * 0.25 + allowance[2] * 0.5
    assert totals.allowance_to_residents == pytest.approx(residents)
    k = KINDS.index
    assert accounts.month[k("short_time_allowance"), accounts.state, accounts.households] == pytest.approx(residents)
    assert accounts.month[k("short_time_allowance"), accounts.state, accounts.rest_of_world] == pytest.approx(allowance.sum() - residents)
    # contributions 32 % of the lost pay, half refunded; by the firms' holders (sector a: slots 0 and 2, b: 3)
    assert accounts.month[k("short_time_contributions"), 0, accounts.state] == pytest.approx(0.32 * 81_000.0)
    assert accounts.month[k("short_time_contributions"), 1, accounts.state] == pytest.approx(0.32 * 6_000.0)
    assert accounts.month[k("short_time_contribution_refunds"), accounts.state, 0] == pytest.approx(0.16 * 81_000.0)
    assert totals.contributions == pytest.approx(0.32 * 87_000.0) and totals.refunds == pytest.approx(0.16 * 87_000.0)
    np.testing.assert_allclose(firms.liquidity[:4], 100_000.0 - 0.16 * np.array([36_000.0, 0.0, 45_000.0, 6_000.0]))
    np.testing.assert_allclose(cash[:4], -0.16 * np.array([36_000.0, 0.0, 45_000.0, 6_000.0]))
    assert accounts.position[accounts.state] == pytest.approx(-allowance.sum() + 0.16 * 87_000.0)  # the state's net payments
    np.testing.assert_array_equal(work.paid_persons[:5], [30, 0, 20, 5, 0])
    np.testing.assert_array_equal(work.paid_month[:5], [1, 0, 1, 1, 0])
    np.testing.assert_allclose(work.paid_hours_lost[:5], [12.0, 0.0, 15.0, 2.0, 0.0])
    assert work.month_totals is totals
    second = work.pay(ledger(), firms, holder, resident_share, np.zeros(5))  # month two: the raised rates, for workers losing half their hours or more
    raised = 0.65 * 0.7 + 0.35 * 0.77
    np.testing.assert_allclose(work.allowance[:4], np.array([36_000.0 * 0.6245, 0.0, 45_000.0 * raised, 6_000.0 * 0.6245]) * 0.8)
    np.testing.assert_array_equal(work.paid_month[:4], [2, 0, 2, 2])
    assert second.firms == 3


def test_no_short_time_work_pays_nothing():
    firms = short_time_firms()
    work = short_time()
    work.allowance[:] = 5.0  # last month's
    accounts = ledger()
    totals = work.pay(accounts, firms, np.array([0, 1, 0, 1]), np.ones(5), np.zeros(5))
    assert totals == ShortTimePayments() and work.month_totals is totals
    assert (work.allowance == 0).all() and np.count_nonzero(accounts.month) == 0
    work.persons[1] = 4
    firms.alive[1] = False  # an exited firm is paid nothing
    assert work.pay(accounts, firms, np.array([0, 1, 0, 1]), np.ones(5), np.zeros(5)).allowance == 0.0


def test_the_replacement_rates_by_month_of_receipt_and_hours_lost():
    work = short_time(raised_rates=[{"from_month": 4, "rate": 0.7, "rate_with_children": 0.77}, {"from_month": 7, "rate": 0.8, "rate_with_children": 0.87}])
    rates = work.rates(np.array([1, 3, 4, 6, 7, 9, 9, 9]), np.array([0.9, 0.9, 0.5, 0.9, 0.9, 0.49, 0.5, 1.0]))
    standard, fourth, seventh = 0.65 * 0.6 + 0.35 * 0.67, 0.65 * 0.7 + 0.35 * 0.77, 0.65 * 0.8 + 0.35 * 0.87
    np.testing.assert_allclose(rates, [standard, standard, fourth, fourth, seventh, standard, seventh, seventh])
    np.testing.assert_allclose(short_time(share_with_children=1.0).rates(np.array([1]), np.array([0.5])), [0.67])


# -- the city's budget and agglomeration --------------------------------------------------
def test_the_city_receives_its_income_tax_share_and_budgets_with_smoothed_revenue():
    budget = CityBudget(CityBudgetSpec(income_tax_share=0.1, budget_smoothing=0.5, equalisation_rate=0.9, equalisation_lag_months=2), public_demand=2_000.0)
    assert budget.share == 0.0 and budget.public_factor(adaptive=True) == 1.0 and budget.city_part(1.0) == 0.0  # before the first month
    accounts = ledger()
    accounts.pay("income_taxes", accounts.households, accounts.state, 5_000.0)
    accounts.pay("trade_tax", 0, accounts.city, 500.0)
    budget.close_month(accounts)
    assert accounts.month[KINDS.index("income_tax_share"), accounts.state, accounts.city] == 500.0
    assert budget.baseline_revenue == 1_000.0 and budget.budgeted_revenue == 1_000.0
    assert budget.share == 0.5  # 1,000 EUR of 2,000 EUR public demand
    assert budget.public_factor(adaptive=True) == 1.0 and budget.public_factor(adaptive=False) == 1.0
    assert budget.city_part(1.0) == 0.5
    accounts = ledger()
    accounts.pay("income_taxes", accounts.households, accounts.state, 1_000.0)
    budget.close_month(accounts)  # revenue 100: the budgeted revenue halfway there, 550
    assert budget.budgeted_revenue == 550.0
    # the Land makes good 90 % of the shortfall two months later: none yet, the city cuts its purchases by 450
    assert budget.public_factor(adaptive=True) == pytest.approx(0.5 + 0.5 * 550.0 / 1_000.0)
    assert budget.public_factor(adaptive=False) == 1.0
    budget.close_month(accounts)  # 100 again: 325 budgeted, a shortfall of 675
    budget.close_month(accounts)  # and 212.5 budgeted
    assert budget.budgeted_revenue == 212.5
    made_good = 0.9 * 675.0  # for the next month: 90 % of the shortfall two months before it
    assert budget.public_factor(adaptive=True) == pytest.approx(0.5 + 0.5 * (212.5 + made_good) / 1_000.0)
    factor = 0.8
    assert budget.city_part(factor) == pytest.approx((0.8 - 0.5) / 0.8)  # the city pays what is left of its share
    assert budget.city_part(0.0) == 0.0


def test_the_city_budget_without_a_lag_and_with_no_revenue():
    budget = CityBudget(CityBudgetSpec(income_tax_share=0.1, budget_smoothing=1.0, equalisation_rate=0.5, equalisation_lag_months=0), public_demand=500.0)
    accounts = ledger()
    accounts.pay("trade_tax", 0, accounts.city, 1_000.0)
    budget.close_month(accounts)
    assert budget.share == 1.0  # revenue above public demand: at most all of it
    accounts = ledger()
    accounts.pay("trade_tax", 0, accounts.city, 600.0)
    budget.close_month(accounts)
    assert budget.public_factor(adaptive=True) == pytest.approx((600.0 + 0.5 * 400.0) / 1_000.0)  # made good at once
    empty = CityBudget(CityBudgetSpec(), public_demand=0.0)
    empty.close_month(ledger())
    assert empty.share == 0.0 and empty.public_factor(adaptive=True) == 1.0 and empty.city_part(0.5) == 0.0


def test_export_sales_follow_staff_in_related_sectors():
    relatedness = np.array([[1.0, 0.5, 0.0], [0.5, 1.0, 0.0], [0.0, 0.0, 0.0]])
    channel = Agglomeration(relatedness, np.array([100, 100, 40]), elasticity=0.5)
    np.testing.assert_allclose(channel.factor(np.array([100, 100, 40])), [1.0, 1.0, 1.0])
    # sector 0 loses half its staff: related employment 100 of 150 in sector 0 and 125 of 150 in sector 1; sector 2 relates to nobody
    np.testing.assert_allclose(channel.factor(np.array([50, 100, 10])), [(100 / 150) ** 0.5, (125 / 150) ** 0.5, 1.0])
    np.testing.assert_array_equal(Agglomeration(relatedness, np.array([100, 100, 40]), elasticity=0.0).factor(np.array([0, 0, 0])), [1.0, 1.0, 1.0])


# -- short-time work and the city budget: edges from the surviving mutants ---------------------
def test_a_small_firm_puts_a_single_worker_on_short_time_work():
    firms = short_time_firms(headcount=(3,))  # one firm: lost work 0.4 of a person, one worker losing 40 % of the hours
    work = short_time(max_months=3, restart_after_months=2)
    assert work.persons.dtype == np.int64 and work.spell_month.dtype == np.int64 and work.hours_lost.dtype == np.float64
    assert work.month_totals == ShortTimePayments()
    yes = np.ones(1, bool)
    on = work.plan(0, firms, yes, np.array([2.6]), yes, yes)
    assert on.dtype == bool and on[0]
    work.set_hours(firms, on, np.array([2.6]))
    assert work.persons[0] == 1 and work.hours_lost[0] == pytest.approx(0.4)
    assert work.lost_work(firms, 1)[0] == pytest.approx(0.4)
    totals = work.pay(ledger(), firms, np.array([0]), np.ones(5), np.zeros(5))
    assert totals.persons == 1 and totals.firms == 1 and totals.allowance == pytest.approx(0.4 * 3000.0 * 0.8 * 0.6245)
    assert work.plan(1, firms, yes, np.array([2.6]), yes, ~yes)[0]  # on it: stays on without a new shock
    work.set_hours(firms, ~yes, np.array([2.6]))  # orders recovered: off after a one-month spell
    assert work.months_off[0] == 1 and work.spell_month[0] == 1
    disabled = short_time(enabled=False).plan(0, firms, yes, np.array([2.6]), yes, yes)
    assert disabled.dtype == bool and not disabled.any()


def test_take_up_draws_start_only_eligible_firms():
    firms = short_time_firms(headcount=(30,) * 4)
    firms.add(396)
    firms.alive[:400], firms.headcount[:400], firms.productivity[:400], firms.wage[:400] = True, 30, 1000.0, 3000.0
    lay_off = np.arange(400) % 2 == 0  # the odd ones would not lay off anybody: not eligible
    on = short_time(take_up_share=0.5).plan(5, firms, np.ones(400, bool), np.full(400, 18.0), lay_off, np.ones(400, bool))
    assert not on[1::2].any() and 0.35 < on[::2].mean() < 0.65


def test_a_worker_must_still_lose_more_than_a_tenth_after_leavers():
    firms = short_time_firms(headcount=(10,))
    work = short_time(hours_lost_per_person=0.1, min_affected_share=0.25)
    work.set_hours(firms, np.ones(1, bool), np.array([9.0]))  # a loss of 1.0 over 10 persons: exactly a tenth
    assert work.persons[0] == 0 and work.hours_lost[0] == 0.0
    work.set_hours(firms, np.ones(1, bool), np.array([8.9]))  # 1.1 over 10 (capped at the staff): 0.11 each
    assert work.persons[0] == 10 and work.hours_lost[0] == pytest.approx(1.1)


def test_key_grants_after_one_month_and_no_purchases_without_revenue():
    budget = CityBudget(CityBudgetSpec(income_tax_share=0.1, budget_smoothing=1.0, equalisation_rate=0.5, equalisation_lag_months=1), public_demand=2_000.0)
    for trade_tax in (1_000.0, 600.0, 200.0):  # shortfalls 0, 400, 800
        accounts = ledger()
        accounts.pay("trade_tax", 0, accounts.city, trade_tax)
        budget.close_month(accounts)
    assert budget.public_factor(adaptive=True) == pytest.approx(0.5 + 0.5 * (200.0 + 0.5 * 800.0) / 1_000.0)  # this month's shortfall
    lost = CityBudget(CityBudgetSpec(budget_smoothing=1.0, equalisation_rate=0.0, equalisation_lag_months=0), public_demand=2_000.0)
    for trade_tax in (1_000.0, 0.0):
        accounts = ledger()
        accounts.pay("trade_tax", 0, accounts.city, trade_tax)
        lost.close_month(accounts)
    assert lost.public_factor(adaptive=True) == 0.5  # all its own revenue gone, nothing made good: the city buys nothing


def test_export_sales_follow_related_staff_one_for_one_at_an_elasticity_of_one():
    channel = Agglomeration(np.array([[1.0, 0.5], [0.5, 1.0]]), np.array([100, 100]), elasticity=1.0)
    np.testing.assert_allclose(channel.factor(np.array([50, 100])), [100 / 150, 125 / 150])


def test_a_city_with_little_revenue_and_a_sector_with_one_related_person():
    budget = CityBudget(CityBudgetSpec(budget_smoothing=1.0, equalisation_rate=0.0, equalisation_lag_months=0), public_demand=1.0)
    for trade_tax in (0.5, 0.0):  # half a euro of revenue a month, then none
        accounts = ledger()
        accounts.pay("trade_tax", 0, accounts.city, trade_tax)
        budget.close_month(accounts)
    assert budget.share == 0.5 and budget.public_factor(adaptive=True) == 0.5  # however small, the revenue it lost is purchases cut
    channel = Agglomeration(np.array([[0.5]]), np.array([1]), elasticity=1.0)  # related employment of half a person
    np.testing.assert_allclose(channel.factor(np.array([2])), [2.0])
