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
from bottrop_sim.economy.accounting import FinalDemand, FirmArrays, MonthFlows, book_trade, solve_output, trade
from bottrop_sim.economy.accounts import KINDS, Accounts
from bottrop_sim.economy.households import Households
from bottrop_sim.economy.labour import CommutingZone, LabourMarket
from bottrop_sim.model import BottropModel
from bottrop_sim.scenario.schema import BehaviourSpec, HouseholdSpec
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
