"""Fast checks of the accounting code, one rule at a time (the test selection of the mutation run, experiments/mutation/).

Each test computes its expectation by hand, on crafted arrays or on a few months
of a small economy; together they run in seconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from bottrop_sim.economy import finance
from bottrop_sim.economy.accounting import FinalDemand, FirmArrays, MonthFlows, book_trade, solve_output, times, trade
from bottrop_sim.economy.accounts import KINDS, Accounts
from bottrop_sim.economy.households import HouseholdPlan, Households
from bottrop_sim.economy.labour import CommutingZone, LabourMarket
from bottrop_sim.economy.short_time_work import ShortTimePayments, ShortTimeWork
from bottrop_sim.model import BottropModel
from bottrop_sim.model.spillovers import Agglomeration, CityBudget
from bottrop_sim.scenario.schema import BehaviourSpec, CityBudgetSpec, HouseholdSpec
from bottrop_sim.scenario.short_time import ShortTimeWorkSpec
from bottrop_sim.streams import Streams
from tests.economies import small_scenario
from tests.sfc import check_stock_flow_consistency

SECTORS = ("a", "b")  # holders: firms:a 0, firms:b 1, mine 2, households 3, city 4, state 5, bank 6, rest_of_world 7


def ledger() -> Accounts:
    accounts = Accounts(SECTORS, "2014-12")
    accounts.open(np.zeros(len(accounts.holders)))
    return accounts


# -- the ledger -----------------------------------------------------------------------
def test_holders_are_named_by_sector_and_institution():
    accounts = ledger()
    assert accounts.holders == ("firms:a", "firms:b", "mine", "households", "city", "state", "bank", "rest_of_world")
    assert (accounts.mine, accounts.households, accounts.city, accounts.state, accounts.bank, accounts.rest_of_world) == (2, 3, 4, 5, 6, 7)
    assert accounts.n_sectors == 2
    assert list(accounts.kept_here) == [False, False, False, False, True, True, True, True]  # firms, mine, households: read from the model


def test_a_payment_moves_money_from_payer_to_payee_once():
    accounts = ledger()
    accounts.pay("interest", accounts.state, accounts.bank, 5.0)
    accounts.pay("coal_subsidy", accounts.state, accounts.city, -2.0)  # negative: the other way round
    accounts.pay("exports", accounts.state, accounts.city, 0.0)  # nothing booked
    accounts.pay("exports", accounts.state, accounts.city, 0.5)  # a small amount is booked too
    accounts.pay("exports", accounts.city, accounts.state, 0.5)
    assert accounts.position[accounts.state] == -3.0 and accounts.position[accounts.bank] == 5.0 and accounts.position[accounts.city] == -2.0
    accounts.open(np.array([1.0, 2.0, 3.0, 4.0, 0, 0, 0, 0]))
    assert accounts.position[accounts.rest_of_world] == -(1.0 + 2.0 + 3.0 + 4.0 - 3.0 + 5.0 - 2.0)  # minus everybody else
    assert accounts.kind_total("interest") == 5.0 and accounts.kind_total("coal_subsidy") == 2.0
    assert accounts.month[KINDS.index("coal_subsidy"), accounts.city, accounts.state] == 2.0
    assert np.count_nonzero(accounts.month) == 4


def test_payments_from_and_to_many_holders():
    accounts = ledger()
    payers = np.array([0, 1, 1, 7])
    accounts.pay_from_holders("imports", payers, accounts.state, np.array([1.0, 2.0, -0.5, 4.0]))
    accounts.pay_from_holders("imports", np.array([0]), accounts.state, np.array([0.0]))  # a second booking adds, never overwrites
    k = KINDS.index("imports")
    assert accounts.month[k, 1, accounts.state] == 2.0 and accounts.month[k, accounts.state, 1] == 0.5
    assert accounts.month[k, 7, accounts.state] == 4.0
    assert accounts.position[accounts.state] == pytest.approx(6.5) and accounts.position[7] == -4.0
    accounts.pay_to_holders("exports", accounts.bank, np.array([0, 4, 4]), np.array([3.0, 1.0, -0.25]))
    accounts.pay_to_holders("exports", accounts.bank, np.array([1]), np.array([0.0]))
    k = KINDS.index("exports")
    assert accounts.month[k, accounts.bank, 0] == 3.0 and accounts.month[k, accounts.bank, 4] == 1.0 and accounts.month[k, 4, accounts.bank] == 0.25
    assert accounts.position[accounts.bank] == pytest.approx(-3.75) and accounts.position[4] == pytest.approx(0.75)


def test_holder_sums_and_matrix_payments():
    accounts = ledger()
    sums = accounts.sums_by_holder(np.array([0, 0, 1, 3]), np.array([[1.0, 10.0], [2.0, 20.0], [4.0, 40.0], [8.0, 80.0]]))
    assert sums.shape == (8, 2)
    np.testing.assert_array_equal(sums[:, 0], [3.0, 4.0, 0, 8.0, 0, 0, 0, 0])
    np.testing.assert_array_equal(sums[:, 1], [30.0, 40.0, 0, 80.0, 0, 0, 0, 0])
    accounts.pay_sums_from("wages", np.array([1.0, -2.0, 0, 0, 3.0, 0, 0, 0]), accounts.state)
    accounts.pay_sums_from("wages", np.zeros(8), accounts.state)
    k = KINDS.index("wages")
    assert accounts.month[k, 0, accounts.state] == 1.0 and accounts.month[k, accounts.state, 1] == 2.0
    assert accounts.position[accounts.state] == 2.0 and accounts.position[4] == -3.0
    accounts.pay_sums_to("public_demand", accounts.bank, np.array([0, 0, 0, 0, 5.0, -1.0, 0, 0]))
    accounts.pay_sums_to("public_demand", accounts.bank, np.zeros(8))
    k = KINDS.index("public_demand")
    assert accounts.month[k, accounts.bank, 4] == 5.0 and accounts.month[k, 5, accounts.bank] == 1.0
    assert accounts.position[accounts.bank] == -4.0 and accounts.position[4] == 2.0 and accounts.position[5] == 1.0
    matrix = np.zeros((8, 8))
    matrix[4, 6], matrix[0, 7] = 7.0, 1.5
    accounts.pay_matrix("intermediate_purchases", matrix)
    assert accounts.position[4] == -5.0 and accounts.position[6] == 3.0 and accounts.position[7] == 1.5


def test_batched_bookings_equal_the_calls_one_by_one_to_the_last_bit():
    """``pay_sums`` books what ``pay_sums_from``/``pay_sums_to`` one after another book, bit for bit (signs and repeated cells included)."""
    rng = np.random.default_rng(8)
    for _ in range(20):
        batched, one_by_one = ledger(), ledger()
        size = len(batched.holders)
        start_month, start_position = rng.random(batched.month.shape) * (rng.random(batched.month.shape) < 0.1), rng.normal(size=size) * 1e6
        for accounts in (batched, one_by_one):
            accounts.month[:] = start_month
            accounts.position[:] = start_position
        bookings = tuple(
            (str(rng.choice(["from", "to"])), str(rng.choice(["wages", "exports", "price_surcharges"])), int(rng.integers(size))) for _ in range(9)
        )
        sums = rng.normal(size=(9, size)) * 1e5 * (rng.random((9, size)) < 0.7)
        batched.pay_sums(bookings, sums)
        for (direction, kind, counterpart), amounts in zip(bookings, sums, strict=True):
            if direction == "from":
                one_by_one.pay_sums_from(kind, amounts, counterpart)
            else:
                one_by_one.pay_sums_to(kind, counterpart, amounts)
        assert batched.month.tobytes() == one_by_one.month.tobytes()
        assert batched.position.tobytes() == one_by_one.position.tobytes()
        holder = rng.integers(0, size, 50)
        columns = rng.normal(size=(50, 3))
        expected = np.array([[_in_slot_order(columns[holder == h, k]) for k in range(3)] for h in range(size)])  # from zero, slot by slot
        assert batched.sums_by_holder(holder, columns).tobytes() == np.ascontiguousarray(expected).tobytes()


def _in_slot_order(values: np.ndarray) -> float:
    """Sum from zero, one value after another."""
    total = 0.0
    for value in values:
        total += value
    return total


def test_frames_list_every_transaction_and_position():
    accounts = Accounts(SECTORS, "2014-12")
    firm_cash = np.array([10.0, 20.0, 5.0, 40.0, 0, 0, 0, 0])
    accounts.open(firm_cash)
    accounts.pay("fixed_costs", 0, accounts.rest_of_world, 4.0)
    accounts.close_month("2015-01", firm_cash - np.array([4.0, 0, 0, 0, 0, 0, 0, 0]))
    accounts.pay("outside_wages", accounts.rest_of_world, accounts.households, 1.0)
    accounts.close_month("2015-02", firm_cash - np.array([4.0, 0, 0, -1.0, 0, 0, 0, 0]))
    flows = accounts.accounts_frame()
    assert list(flows.columns) == ["date", "payer", "payee", "kind", "eur"]
    assert flows.to_dict("records") == [
        {"date": "2015-01", "payer": "firms:a", "payee": "rest_of_world", "kind": "fixed_costs", "eur": 4.0},
        {"date": "2015-02", "payer": "rest_of_world", "payee": "households", "kind": "outside_wages", "eur": 1.0},
    ]
    balances = accounts.balances_frame()
    assert list(balances["date"].unique()) == ["2014-12", "2015-01", "2015-02"]
    wide = balances.pivot(index="date", columns="holder", values="eur")
    assert wide.loc["2014-12", "rest_of_world"] == -75.0  # minus the region: the positions sum to zero
    assert wide.sum(axis=1).abs().max() == 0.0
    assert wide.loc["2015-02", "households"] == 41.0 and wide.loc["2015-02", "rest_of_world"] == -72.0
    check_stock_flow_consistency(flows, balances)
    empty = Accounts(SECTORS, "2014-12")
    assert empty.accounts_frame().empty and list(empty.accounts_frame().columns) == ["date", "payer", "payee", "kind", "eur"]
    assert empty.balances_frame().empty and list(empty.balances_frame().columns) == ["date", "holder", "eur"]
    only_opening = Accounts(SECTORS, "2014-12")
    only_opening.open(firm_cash)
    assert list(only_opening.balances_frame()["date"]) == ["2014-12"] * 8


def test_the_consistency_check_catches_a_flow_booked_on_one_side_only():
    accounts = Accounts(SECTORS, "2014-12")
    cash = np.zeros(8)
    accounts.open(cash)
    accounts.pay("interest", accounts.state, accounts.bank, 2.0)
    accounts.close_month("2015-01", cash)
    balances = accounts.balances_frame()
    balances.loc[(balances["date"] == "2015-01") & (balances["holder"] == "bank"), "eur"] += 1.0
    with pytest.raises(AssertionError):
        check_stock_flow_consistency(accounts.accounts_frame(), balances)


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


def households(**spec) -> Households:
    return Households(HouseholdSpec(**spec), outside_wage=300.0, benefit=100.0, retirement_income=200.0, elasticity=1.0)


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


# -- a small economy for a few months -------------------------------------------------
def test_a_small_economy_is_stock_flow_consistent_through_shocks():
    table = pd.DataFrame(
        {
            "sector": ["s0", "s1"],
            "a_s0": [0.05, 0.2],
            "a_s1": [0.1, 0.05],
            "final_demand_eur_month": [8e5, 5e5],
            "labour_per_output": [1e-4, 1.5e-4],
            "emission_per_output": [1e-4, 1e-4],
            "import_per_output": [0.2, 0.3],
            "wage_eur_month": [3000.0, 2500.0],
            "mean_establishment_size": [8.0, 5.0],
            "energy_cost_share": [0.1, 0.05],
        }
    )
    scenario = small_scenario(table, months=10, mine_staff=40, closure=True, seed=3)
    data = scenario.model_dump(mode="json")
    data["governance"] = {"mode": "none"}
    data["shocks"] += [
        {"type": "energy_price", "start": "2015-03", "duration_months": 3, "price_rise": 2.0},
        {"type": "supply_disruption", "start": "2015-04", "duration_months": 2, "unavailable_share": 0.9},
        {"type": "demand_recession", "start": "2015-06", "duration_months": 2},
        {"type": "key_employer_failure", "start": "2015-05"},
    ]
    from bottrop_sim.scenario import scenario_from_dict

    model = BottropModel(scenario_from_dict(data, strict=False))
    while model.running:
        model.step()
    flows = model.accounts.accounts_frame()
    check_stock_flow_consistency(flows, model.accounts.balances_frame())
    kinds = set(flows["kind"])
    assert {"price_surcharges", "energy_costs", "rationed_inputs", "coal_subsidy", "dividends", "income_taxes"} <= kinds
    assert kinds & {"exit_payout", "loan_write_off"}  # the failed key employer's money is settled


def test_the_fit_check_is_the_panels_mean_equity_ratio():
    assert finance.equity_ratio_check() == 0.312


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


# -- from the surviving mutants of the third mutation run: the ledger's edges -----------------
def test_a_small_payment_is_booked_payer_to_payee():
    accounts = ledger()
    accounts.pay("exports", accounts.state, accounts.city, 0.5)
    accounts.pay("exports", accounts.city, accounts.bank, 2.0)
    k = KINDS.index("exports")
    assert accounts.month[k, accounts.state, accounts.city] == 0.5 and accounts.month[k, accounts.city, accounts.state] == 0.0
    assert accounts.month[k, accounts.city, accounts.bank] == 2.0 and np.count_nonzero(accounts.month) == 2


def test_opening_positions_add_up_to_zero_whatever_was_booked_before():
    accounts = ledger()
    accounts.pay("imports", accounts.state, accounts.rest_of_world, 4.0)
    accounts.open(np.array([1.0, 2.0, 3.0, 4.0, 0, 0, 0, 0]))
    assert accounts.position[accounts.rest_of_world] == -6.0  # minus firms, mine, households (10) and the state (-4)
    assert accounts.balances_frame()["eur"].sum() == 0.0


def test_batched_bookings_keep_the_signed_zero_of_a_holder_they_do_not_touch():
    sums = np.array([[1.0, 2.0, 0, 0, 0, 0, 0, 0], [0.5, 0, 0, 0, 0, 0, 0, 0]])
    batched, one_by_one = ledger(), ledger()
    for accounts in (batched, one_by_one):
        accounts.position[accounts.rest_of_world] = -0.0  # e.g. minus a sum of zeros
    batched.pay_sums((("from", "wages", batched.households), ("from", "imports", batched.state)), sums)
    one_by_one.pay_sums_from("wages", sums[0], one_by_one.households)
    one_by_one.pay_sums_from("imports", sums[1], one_by_one.state)
    assert np.signbit(one_by_one.position[one_by_one.rest_of_world]) and one_by_one.position[one_by_one.state] == 0.5
    assert batched.position.tobytes() == one_by_one.position.tobytes()  # the same bits, signed zeros included


def test_holder_sums_of_integer_rows_and_of_rows_of_another_length():
    accounts = ledger()
    holder = np.array([1, 0, 1])
    np.testing.assert_array_equal(accounts.row_sums_by_holder(holder, [np.array([1, 2, 3])]), [[2.0, 4.0, 0, 0, 0, 0, 0, 0]])
    np.testing.assert_array_equal(accounts.sums_by_holder(holder, np.array([[1], [2], [3]])), [[2.0], [4.0], [0], [0], [0], [0], [0], [0]])
    with pytest.raises(ValueError):
        accounts.row_sums_by_holder(holder, [np.ones(4)])  # not one value per slot: an error, not a silent sum
    with pytest.raises(ValueError):
        accounts.row_sums_by_holder(holder, [np.ones(2)])


def test_holder_pairs_are_kept_only_for_the_same_read_only_slots_and_holders():
    accounts = ledger()
    holder = np.array([0, 1, 2, 0])
    payer, payee = np.array([0, 1, 3]), np.array([2, 2, 1])
    payer.flags.writeable = payee.flags.writeable = False
    np.testing.assert_array_equal(accounts.holder_pairs(holder, payer, payee), [0 * 8 + 2, 1 * 8 + 2, 0 * 8 + 1])
    other_payer, other_payee = np.array([1, 1, 1]), np.array([0, 0, 0])
    other_payer.flags.writeable = other_payee.flags.writeable = False
    np.testing.assert_array_equal(accounts.holder_pairs(holder, other_payer, payee), [10, 10, 9])
    np.testing.assert_array_equal(accounts.holder_pairs(holder, other_payer, other_payee), [8, 8, 8])
    np.testing.assert_array_equal(accounts.holder_pairs(np.array([1, 1, 1, 1]), other_payer, other_payee), [9, 9, 9])  # holders changed
    changing = np.array([0, 1, 3])  # a writeable array may change in place between calls: never kept
    np.testing.assert_array_equal(accounts.holder_pairs(holder, changing, payee), [2, 10, 1])
    changing[:] = 3
    np.testing.assert_array_equal(accounts.holder_pairs(holder, changing, payee), [2, 2, 1])


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
