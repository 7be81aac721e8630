"""Fast checks of trade and finance (economy/accounting.py, economy/trade_booking.py, economy/finance.py), one rule at a time.

The output fixed point, the month's payments and their booking, rationing,
the matrix products, and the firms' profits, buffers, credit lines and cost cutting.

Each test computes its expectation by hand, on crafted arrays or on a few months
of a small economy. The accounting selection of the mutation run (experiments/mutation/)
is tests/test_accounts_fast.py, tests/test_trade_fast.py, tests/test_households_fast.py,
tests/test_short_time_city_fast.py and tests/test_accounts_paths.py; together they run
in seconds. The ledger and households they share: tests/ledgers.py.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from bottrop_sim.economy import finance
from bottrop_sim.economy.accounting import FinalDemand, FirmArrays, MonthFlows, solve_output, times, trade
from bottrop_sim.economy.accounts import KINDS
from bottrop_sim.economy.trade_booking import book_trade
from bottrop_sim.scenario.schema import BehaviourSpec
from tests.ledgers import ledger


# -- trade ----------------------------------------------------------------------------
def small_firms() -> tuple[FirmArrays, sp.csr_matrix]:
    firms = FirmArrays(4)
    firms.add(4)  # slot 3: a firm that has exited
    firms.alive[:3] = True
    firms.sector[:3] = [0, 0, 1]
    firms.headcount[:3] = [2, 3, 4]
    firms.wage[:3] = [100.0, 200.0, 50.0]
    firms.local_input_per_output[:3] = [0.2, 0.1, 0.3]
    firms.import_per_output[:3] = [0.1, 0.2, 0.05]
    firms.planned[:3] = [1.0, 1.0, 1.0]
    rows, cols, values = [2, 0, 1], [0, 2, 2], [0.2, 0.1, 0.2]  # M[g, f]: EUR from g per EUR output of f
    matrix = sp.csr_matrix((values, (rows, cols)), shape=(4, 4))
    return firms, matrix


def final_demand(exports, public, households) -> FinalDemand:
    pad = lambda v: np.append(np.asarray(v, float), 0.0)  # noqa: E731 (capacity 4, three firms)
    return FinalDemand(pad(exports), pad(public), pad(households))


def test_output_solves_the_fixed_point_and_equals_leontief_without_limits():
    _firms, matrix = small_firms()
    demand = np.array([100.0, 50.0, 30.0, 0.0])
    output = solve_output(matrix, demand, None, np.zeros(4))
    np.testing.assert_allclose(output, np.linalg.solve(np.eye(4) - matrix.toarray(), demand), rtol=1e-9)
    capped = solve_output(matrix, demand, np.array([100.0, 60.0, 35.0, 0.0]), np.zeros(4))
    np.testing.assert_allclose(capped, np.minimum(demand + matrix @ capped, [100.0, 60.0, 35.0, 0.0]), rtol=1e-9)
    assert capped[2] == 35.0


def test_trade_pays_for_goods_inputs_wages_and_fixed_costs():
    firms, matrix = small_firms()
    fixed = np.array([10.0, -5.0, 1.0, 0.0])
    demand = final_demand([100.0, 0.0, 10.0], [0.0, 50.0, 10.0], [0.0, 0.0, 10.0])
    result = trade(firms, matrix, matrix.T.tocsr(), demand, None, fixed, 0.5)
    x = np.linalg.solve(np.eye(3) - matrix.toarray()[:3, :3], [100.0, 50.0, 30.0])
    np.testing.assert_allclose(firms.output[:3], x, rtol=1e-9)
    np.testing.assert_allclose(firms.planned[:3], x, rtol=1e-9)
    local = np.array([0.2 * x[0], 0.0, 0.3 * x[2]])  # delivered in full
    np.testing.assert_allclose(result.local_purchases[:3], local, rtol=1e-9)
    np.testing.assert_allclose(result.imports[:3], x * [0.1, 0.2, 0.05], rtol=1e-9)
    np.testing.assert_allclose(result.unfilled[:3], [0.0, 0.1 * x[1], 0.0], atol=1e-9)  # firm 1 has no local supplier
    np.testing.assert_allclose(result.rationed[:3], 1.5 * result.unfilled[:3], atol=1e-9)
    np.testing.assert_array_equal(result.wages[:3], [200.0, 600.0, 200.0])
    np.testing.assert_array_equal(result.fixed[:3], [10.0, -5.0, 1.0])
    cash = x - local - x * [0.1, 0.2, 0.05] - 1.5 * result.unfilled[:3] - [200.0, 600.0, 200.0] - [10.0, -5.0, 1.0]
    np.testing.assert_allclose(firms.liquidity[:3], cash, rtol=1e-9)
    np.testing.assert_allclose(result.final_sales.exports[:3], [100.0, 0.0, 10.0])
    np.testing.assert_allclose((result.final_sales.public + result.final_sales.households)[:3], [0.0, 50.0, 20.0])
    np.testing.assert_allclose(result.edge_eur.sum(), local.sum(), rtol=1e-9)
    assert abs(firms.input_stock[:3]).max() < 1e-6


def test_capacity_rations_every_customer_alike_and_surcharges_are_paid_by_buyers():
    firms, matrix = small_firms()
    demand = final_demand([100.0, 0.0, 10.0], [0.0, 50.0, 10.0], [0.0, 0.0, 10.0])
    capacity = np.array([1e9, 1e9, 20.0, 0.0])
    extra = np.array([0.0, 0.0, 0.5, 0.0])
    flows = MonthFlows()
    firms.liquidity[3] = 0.0
    result = trade(firms, matrix, matrix.T.tocsr(), demand, capacity, np.ones(4), 0.25, extra, np.array([0.0, 0.0, 0.4, 0.0]), into=flows)
    fill = 20.0 / firms.orders[2]
    np.testing.assert_allclose(firms.planned[:3], firms.output[:3], rtol=1e-9)  # inputs bought for what is produced, capacity included
    assert firms.liquidity[3] == 0.0  # an exited firm pays and earns nothing
    assert flows.output == pytest.approx(firms.output[:4].sum())
    purchased = result.local_purchases + result.surcharges_paid + result.imports + result.rationed + result.energy
    assert flows.value_added == pytest.approx(float((firms.output[:3] * (1 + result.surcharge_rate[:3])).sum() - purchased[:3].sum()))
    assert flows.imports == pytest.approx(float((result.imports + result.rationed + result.energy).sum()))
    assert flows.price_surcharges == pytest.approx(20.0 * 0.2) and flows.fixed_costs == 3.0
    assert firms.output[2] == 20.0 and result.fill[2] == pytest.approx(fill)
    np.testing.assert_allclose(result.final_sales.exports[2], 10.0 * fill)
    assert result.local_purchases[0] == pytest.approx(0.2 * firms.planned[0] * fill)
    assert result.unfilled[0] == pytest.approx(0.2 * firms.planned[0] * (1 - fill))
    assert result.rationed[0] == pytest.approx(1.25 * result.unfilled[0])
    assert result.energy[2] == pytest.approx(0.5 * 20.0)
    assert result.surcharge_rate[2] == pytest.approx(0.2)
    assert result.surcharges_paid[0] == pytest.approx(0.2 * result.local_purchases[0])  # its input from the surcharging seller
    assert result.surcharges_paid[2] == 0.0


def test_book_trade_books_each_payment_with_its_payer_and_payee():
    firms, matrix = small_firms()
    demand = final_demand([100.0, 0.0, 10.0], [0.0, 50.0, 10.0], [0.0, 0.0, 10.0])
    capacity = np.array([1e9, 1e9, 20.0, 0.0])
    result = trade(
        firms, matrix, matrix.T.tocsr(), demand, capacity, np.array([3.0, -2.0, 1.0, 0.0]), 0.25, np.array([0.0, 0.0, 0.5, 0.0]), np.array([0.0, 0.0, 0.4, 0.0])
    )
    accounts = ledger()
    holder = np.array([0, 0, 1, 2])
    share = np.array([0.5, 0.25, 1.0, 0.0])
    paid = book_trade(accounts, result, holder, share, 0.2)
    m, k = accounts.month, {name: i for i, name in enumerate(KINDS)}
    sold = result.final_sales
    assert m[k["exports"], 7, 0] == pytest.approx(100.0) and m[k["exports"], 7, 1] == pytest.approx(sold.exports[2])
    assert m[k["public_demand"], 5, 0] == pytest.approx(50.0) and m[k["public_demand"], 5, 1] == pytest.approx(sold.public[2])
    assert m[k["household_purchases"], 3, 1] == pytest.approx(0.8 * sold.households[2])
    assert m[k["visitor_purchases"], 7, 1] == pytest.approx(0.2 * sold.households[2])
    assert paid == pytest.approx(0.8 * sold.households[2] * 1.2)
    assert m[k["price_surcharges"], 3, 1] == pytest.approx(0.2 * 0.8 * sold.households[2])
    assert m[k["price_surcharges"], 7, 1] == pytest.approx(0.2 * (sold.exports[2] + 0.2 * sold.households[2]))
    assert m[k["price_surcharges"], 5, 1] == pytest.approx(0.2 * sold.public[2])
    assert m[k["price_surcharges"], 0, 1] == pytest.approx(result.surcharges_paid[0])  # firm 0 (sector a) buys from the surcharging firm 2 (b)
    assert m[k["intermediate_purchases"], 0, 1] == pytest.approx(result.local_purchases[0])
    assert m[k["intermediate_purchases"], 1, 0] == pytest.approx(result.local_purchases[2])
    assert m[k["imports"], 0, 7] == pytest.approx(result.imports[:2].sum()) and m[k["imports"], 1, 7] == pytest.approx(result.imports[2])
    assert m[k["rationed_inputs"], 0, 7] == pytest.approx(result.rationed[:2].sum())
    assert m[k["energy_costs"], 1, 7] == pytest.approx(10.0)
    assert m[k["wages"], 0, 3] == pytest.approx(0.5 * 200 + 0.25 * 600) and m[k["wages"], 0, 7] == pytest.approx(0.5 * 200 + 0.75 * 600)
    assert m[k["wages"], 1, 3] == pytest.approx(200.0) and m[k["wages"], 1, 7] == 0.0
    assert m[k["fixed_costs"], 0, 7] == pytest.approx(3.0) and m[k["fixed_costs"], 1, 7] == pytest.approx(1.0)
    assert m[k["operating_subsidies"], 5, 0] == pytest.approx(2.0)
    firm_cash = np.bincount(holder, weights=result.cash, minlength=8)
    kept = accounts.kept_here
    received, given = m.sum(axis=(0, 1)), m.sum(axis=(0, 2))
    np.testing.assert_allclose((received - given)[~kept][:2], firm_cash[:2], rtol=1e-9, atol=1e-9)  # firms' cash = what they got - what they paid
    np.testing.assert_allclose(accounts.position[kept], (received - given)[kept], atol=1e-9)


def test_firm_arrays_grow_and_keep_their_values():
    firms = FirmArrays(2)
    slots = firms.add(2)
    firms.liquidity[slots] = [1.0, 2.0]
    firms.cutting_costs[1] = True
    more = firms.add(3)
    assert list(more) == [2, 3, 4] and firms.capacity >= 5 and firms.size == 5
    assert list(firms.liquidity[:2]) == [1.0, 2.0] and firms.cutting_costs[1] and not firms.cutting_costs[2]
    firms.headcount[:2], firms.productivity[:2] = [2, 3], [10.0, 20.0]
    np.testing.assert_allclose(firms.capacity_limit(0.1)[:2], [22.0, 66.0])


# -- finance --------------------------------------------------------------------------
def finance_firms() -> FirmArrays:
    firms = FirmArrays(4)
    firms.add(4)
    firms.alive[:4] = [True, True, True, False]
    firms.is_mine[2] = True
    firms.headcount[:4] = [2, 1, 5, 1]
    firms.wage[:4] = 100.0
    firms.fixed_costs[:4] = [50.0, -20.0, 30.0, 10.0]
    firms.equity_ratio[:4] = [0.2, 0.4, 0.3, 0.3]
    return firms


def test_value_added_splits_into_profit_and_fixed_costs():
    profit, fixed = finance.split_value_added(np.array([100.0, 100.0, 100.0]), np.array([50.0, 33.0, 20.0]), np.array([30.0, 30.0, 30.0]), 0.06)
    np.testing.assert_allclose(profit, [6.0, 3.0, 0.0])
    np.testing.assert_allclose(fixed, [14.0, 0.0, -10.0])


def test_buffers_and_credit_lines_follow_equity_and_costs():
    firms = finance_firms()
    spec = BehaviourSpec(liquidity_months=2.0, credit_line_months=1.5)
    finance.set_buffers(firms, np.array([0, 1]), spec)
    mean = finance.mean_equity_ratio()
    np.testing.assert_allclose(firms.cash_target[:2], [2.0 * 0.2 / mean * 250.0, 2.0 * 0.4 / mean * 100.0])
    np.testing.assert_allclose(firms.credit_limit[:2], [1.5 * 250.0, 1.5 * 100.0])
    np.testing.assert_allclose(finance.monthly_costs(firms, 2), [250.0, 100.0])


def test_settle_charges_interest_taxes_and_pays_out_above_the_target():
    firms = finance_firms()
    spec = BehaviourSpec(interest_rate_year=0.12, profit_tax_rate=0.2, trade_tax_rate=0.1, liquidity_months=1.0, credit_line_months=1.0)
    finance.set_buffers(firms, np.arange(2), spec)
    target = firms.cash_target[:2].copy()
    firms.liquidity[:4] = [target[0] + 100.0, -50.0, 7.0, 0.0]
    result = finance.settle(firms, np.array([100.0, -50.0, 5.0, 3.0]), spec, adaptive=True)
    np.testing.assert_allclose(result.interest, [0.0, 0.5, 0.0, 0.0])
    np.testing.assert_allclose(result.profit_taxes, [20.0, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(result.trade_tax, [10.0, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(result.dividends, [70.0, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(firms.liquidity[:4], [target[0], -50.5, 7.0, 0.0])
    np.testing.assert_allclose(firms.profit[:4], [100.0, -50.5, 0.0, 0.0])
    assert list(firms.cutting_costs[:4]) == [False, True, False, False]
    assert list(firms.illiquid_months[:4]) == [0, 0, 0, 0]  # 50.5 in debt, within its line of 100
    firms.liquidity[1] = -150.0
    finance.settle(firms, np.zeros(4), spec, adaptive=True)
    finance.settle(firms, np.zeros(4), spec, adaptive=True)
    assert firms.illiquid_months[1] == 2
    firms.liquidity[1] = 10.0
    finance.settle(firms, np.zeros(4), spec, adaptive=True)
    assert firms.illiquid_months[1] == 0 and not firms.cutting_costs[1]
    firms.liquidity[1] = -150.0
    finance.settle(firms, np.zeros(4), spec, adaptive=False)
    assert firms.illiquid_months[1] == 0 and not firms.cutting_costs[1]  # static mode: nobody cuts or fails


def test_cost_cutting_lowers_only_positive_fixed_costs_of_firms_in_debt():
    firms = finance_firms()
    firms.cutting_costs[:4] = [True, True, False, False]
    np.testing.assert_allclose(finance.fixed_costs_paid(firms, 0.25)[:4], [37.5, -20.0, 30.0, 10.0])


def test_book_finance_books_interest_taxes_and_payouts():
    accounts = ledger()
    result = finance.FinanceResult(np.array([1.0, 2.0]), np.array([3.0, 0.0]), np.array([4.0, 0.0]), np.array([10.0, 6.0]))
    residents = finance.book_finance(accounts, result, np.array([0, 1, 2]), 0.25)
    m, k = accounts.month, {name: i for i, name in enumerate(KINDS)}
    assert residents == 4.0
    assert m[k["interest"], 0, 6] == 1.0 and m[k["interest"], 1, 6] == 2.0
    assert m[k["profit_taxes"], 0, 5] == 3.0 and m[k["trade_tax"], 0, 4] == 4.0
    assert m[k["dividends"], 0, 3] == 2.5 and m[k["dividends"], 0, 7] == 7.5 and m[k["dividends"], 1, 3] == 1.5
    assert accounts.position[accounts.bank] == 3.0 and accounts.position[accounts.rest_of_world] == 12.0


def test_equity_ratios_are_drawn_from_the_fitted_distribution():
    a, b = finance.equity_ratio_distribution()
    ratios = finance.equity_ratios(np.random.default_rng(1).random(200_000))
    assert (ratios < 0.10).mean() == pytest.approx(0.251, abs=0.005)
    assert (ratios < 0.30).mean() == pytest.approx(0.493, abs=0.005)
    assert finance.mean_equity_ratio() == pytest.approx(a / (a + b)) and ratios.mean() == pytest.approx(a / (a + b), abs=0.005)


# -- the matrix products and the output solver ----------------------------------------------
def test_times_is_the_matrix_vector_product_for_any_format_dtype_and_layout():
    dense = np.array([[0.0, 0.5, 0.0], [0.25, 0.0, 1.0]])  # 2 x 3
    vector, expected = np.array([2.0, 4.0, 8.0]), [2.0, 8.5]
    for matrix in (sp.csr_matrix(dense), sp.csc_matrix(dense), sp.coo_matrix(dense), sp.csr_matrix(dense.astype(np.float32))):
        product = times(matrix, vector)
        assert product.shape == (2,)
        np.testing.assert_allclose(product, expected)
    csr = sp.csr_matrix(dense)
    np.testing.assert_allclose(times(csr, np.array([2, 4, 8])), expected)  # integers
    np.testing.assert_allclose(times(csr, np.array([2.0, 0.0, 4.0, 0.0, 8.0, 0.0])[::2]), expected)  # a strided view
    column = times(csr, vector[:, None])
    assert column.shape == (2, 1)
    np.testing.assert_allclose(column[:, 0], expected)


def test_output_is_solved_for_any_matrix_format_and_start_which_it_leaves_alone():
    _firms, matrix = small_firms()
    demand = np.array([100.0, 50.0, 30.0, 0.0])
    expected = np.linalg.solve(np.eye(4) - matrix.toarray(), demand)
    start = np.full(4, 7.0)
    np.testing.assert_allclose(solve_output(matrix, demand, None, start), expected, rtol=1e-9)
    np.testing.assert_array_equal(start, 7.0)  # the caller's start is never used as a buffer
    for other in (matrix.tocoo(), matrix.astype(np.float32), matrix.tocsc()):
        np.testing.assert_allclose(solve_output(other, demand, None, np.zeros(4)), expected, rtol=1e-6)
    np.testing.assert_allclose(solve_output(matrix, demand, None, np.zeros(4, np.int64)), expected, rtol=1e-9)  # an integer start
    assert solve_output(sp.csr_matrix((0, 0)), np.zeros(0), None, np.zeros(0)).shape == (0,)  # no firms


def test_trade_reports_its_aggregate_flows_pays_hours_worked_and_keeps_the_input_stock():
    firms, matrix = small_firms()
    firms.emission_per_output[:3] = [1e-3, 2e-3, 0.0]
    firms.input_stock[:3] = [5.0, 0.0, -1.0]
    demand = final_demand([100.0, 0.0, 10.0], [0.0, 50.0, 10.0], [0.0, 0.0, 10.0])
    flows = MonthFlows()
    hours_lost = np.array([0.5, 1.0, 0.0, 0.0])  # short-time work: persons' worth of hours not paid
    result = trade(firms, matrix, matrix.T.tocsr(), demand, None, np.zeros(4), 0.5, into=flows, hours_lost=hours_lost)
    x = np.linalg.solve(np.eye(3) - matrix.toarray()[:3, :3], [100.0, 50.0, 30.0])
    np.testing.assert_array_equal(result.wages[:3], [1.5 * 100.0, 2.0 * 200.0, 4.0 * 50.0])
    assert flows.wages == 750.0
    assert flows.final_demand == 180.0 and flows.final_sales == pytest.approx(180.0)  # all delivered
    assert flows.intermediate_sales == pytest.approx(x.sum() - 180.0) and flows.local_purchases == pytest.approx(flows.intermediate_sales)
    assert flows.unfilled_local_inputs == pytest.approx(0.1 * x[1])  # firm 1 has no local supplier
    assert flows.co2_t == pytest.approx(1e-3 * x[0] + 2e-3 * x[1])
    np.testing.assert_allclose(firms.input_stock[:3], [5.0, 0.0, -1.0], atol=1e-6)  # bought what it used: the stock carries over


def test_growing_firm_arrays_double_their_capacity():
    firms = FirmArrays(3)
    firms.add(3)
    firms.add(1)
    assert firms.capacity == 6 and len(firms.liquidity) == 6
    firms.add(10)
    assert firms.capacity == 14  # more than double needed: exactly what is needed


# -- finance edges --------------------------------------------------------------------------
def test_profit_is_never_below_zero_nor_above_the_surplus_and_small_profits_count():
    profit, fixed = finance.split_value_added(np.array([10.0, 100.0]), np.array([40.0, 50.0]), np.array([30.0, 30.0]), 0.05)
    np.testing.assert_allclose(profit, [0.5, 5.0])  # 5 % of sales, both within the surplus of 10 and 20
    np.testing.assert_allclose(fixed, [9.5, 15.0])


def test_cost_cutting_starts_below_zero_cash_and_insolvency_beyond_the_credit_line():
    firms = finance_firms()
    spec = BehaviourSpec(interest_rate_year=0.0, profit_tax_rate=0.0, trade_tax_rate=0.0, liquidity_months=1.0, credit_line_months=1.0)
    firms.liquidity[:4] = [0.0, -100.0, 0.0, 0.0]  # firm 0 exactly at zero, firm 1 exactly at its credit line (100)
    finance.settle(firms, np.zeros(4), spec, adaptive=True)
    assert list(firms.cutting_costs[:4]) == [False, True, False, False] and list(firms.illiquid_months[:4]) == [0, 0, 0, 0]
    np.testing.assert_allclose(firms.credit_limit[:4], [250.0, 100.0, 0.0, 0.0])  # settle sets the buffers of active firms only
    firms.liquidity[:2] = [0.5, -100.5]
    finance.settle(firms, np.zeros(4), spec, adaptive=True)
    assert list(firms.cutting_costs[:2]) == [False, True] and list(firms.illiquid_months[:2]) == [0, 1]


def test_settle_sets_the_cash_targets_it_pays_out_above():
    firms = finance_firms()
    spec = BehaviourSpec(interest_rate_year=0.0, profit_tax_rate=0.0, trade_tax_rate=0.0, liquidity_months=2.0, credit_line_months=1.0)
    firms.liquidity[:4] = 1_000.0
    result = finance.settle(firms, np.zeros(4), spec, adaptive=True)  # no set_buffers before: settle sets them
    target = 2.0 * np.array([0.2, 0.4]) / finance.mean_equity_ratio() * np.array([250.0, 100.0])
    np.testing.assert_allclose(result.dividends[:2], 1_000.0 - target)
    np.testing.assert_allclose(firms.liquidity[:2], target)


def test_a_small_fixed_cost_is_cut_too():
    firms = finance_firms()
    firms.fixed_costs[:4] = [0.5, 0.0, 30.0, 10.0]
    firms.cutting_costs[:4] = [True, True, False, False]
    np.testing.assert_allclose(finance.fixed_costs_paid(firms, 0.25)[:4], [0.375, 0.0, 30.0, 10.0])
