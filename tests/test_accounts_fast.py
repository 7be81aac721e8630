"""Fast checks of the ledger (economy/accounts.py), one rule at a time: every payment has a payer and a payee.

Holders, payments, batched bookings, the frames and the consistency check, and a
small economy that stays stock-flow consistent for a few months through shocks.

Each test computes its expectation by hand, on crafted arrays or on a few months
of a small economy. The accounting selection of the mutation run (experiments/mutation/)
is tests/test_accounts_fast.py, tests/test_trade_fast.py, tests/test_households_fast.py,
tests/test_short_time_city_fast.py and tests/test_accounts_paths.py; together they run
in seconds. The ledger and households they share: tests/ledgers.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bottrop_sim.economy import finance
from bottrop_sim.economy.accounts import KINDS, Accounts
from bottrop_sim.model import BottropModel
from tests.economies import small_scenario
from tests.ledgers import SECTORS, ledger
from tests.sfc import check_stock_flow_consistency


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
