"""Fast checks of the accounting's shortcuts: each gives what the plain computation gives (part of the mutation run's selection).

The shortcuts (``Accounts.holder_pairs`` recomputing only changed places,
``TradeResult.edge_payments`` without the fill product when nobody is rationed,
the one-candidate weighted sample) must give the same integers and the same
bits as the plain formulas written out here by hand.
"""

from __future__ import annotations

import numpy as np

from bottrop_sim.economy.accounting import FinalDemand, TradeResult
from bottrop_sim.economy.accounts import Accounts
from bottrop_sim.streams import weighted_sample

SECTORS = ("a", "b", "c")  # 3 firm holders + 6 institutions = 9 holders


def read_only(values) -> np.ndarray:
    array = np.array(values, np.int64)
    array.flags.writeable = False  # as the network store hands out its cached entries
    return array


def plain_pairs(holder: np.ndarray, payers: np.ndarray, payees: np.ndarray) -> list[int]:
    return [int(holder[p]) * 9 + int(holder[q]) for p, q in zip(payers, payees, strict=True)]


def test_holder_pairs_after_a_few_places_change_equal_the_plain_pairs():
    accounts = Accounts(SECTORS, "2014-12")
    holder = np.array([0, 1, 2, 0, 1, 3, 2, 0])  # slot -> holder (slot 5 is the mine's holder 3)
    payers, payees = read_only([0, 1, 2, 3, 4]), read_only([5, 6, 7, 0, 1])
    assert list(accounts.holder_pairs(holder, payers, payees)) == plain_pairs(holder, payers, payees)
    # the network changed: place 1 got another supplier, place 3 another buyer, two places were added at the end
    new_payers, new_payees = read_only([0, 4, 2, 3, 4, 6, 7]), read_only([5, 6, 7, 2, 1, 0, 3])
    pairs = accounts.holder_pairs(holder, new_payers, new_payees)
    assert list(pairs) == plain_pairs(holder, new_payers, new_payees)
    assert accounts.holder_pairs(holder, new_payers, new_payees) is pairs  # the same arrays again: kept
    # another holder of a slot (a new firm in another sector): every pair recomputed
    other = holder.copy()
    other[2] = 1
    assert list(accounts.holder_pairs(other, new_payers, new_payees)) == plain_pairs(other, new_payers, new_payees)
    # fewer places than before (the store shrank): computed afresh
    short_payers, short_payees = read_only([7, 6]), read_only([1, 2])
    assert list(accounts.holder_pairs(other, short_payers, short_payees)) == plain_pairs(other, short_payers, short_payees)


def test_writable_slot_arrays_are_never_kept():
    accounts = Accounts(SECTORS, "2014-12")
    holder = np.array([0, 1, 2])
    payers, payees = np.array([0, 1]), np.array([1, 2])
    first = accounts.holder_pairs(holder, payers, payees)
    payers[0] = 2  # a writable array may change in place: the next call must see it
    assert list(accounts.holder_pairs(holder, payers, payees)) == plain_pairs(holder, payers, payees)
    assert list(first) == [0 * 9 + 1, 1 * 9 + 2]


def trade_result(fill: np.ndarray) -> TradeResult:
    zeros = np.zeros(3)
    return TradeResult(
        n=3,
        fill=fill[:3],
        final_sales=FinalDemand(zeros, zeros, zeros),
        local_purchases=zeros,
        imports=zeros,
        rationed=zeros,
        unfilled=zeros,
        energy=zeros,
        surcharge_rate=zeros,
        surcharges_paid=zeros,
        wages=zeros,
        fixed=zeros,
        cash=zeros,
        edge_rows=np.array([0, 1, 2, 2]),
        edge_cols=np.array([1, 2, 0, 1]),
        edge_eur=None,
        fill_all=fill,
        planned_all=np.array([10.0, 20.0, 30.0, 0.0]),
        edge_values=np.array([0.1, 0.3, 0.7, 0.0]),
    )


def test_edge_payments_are_value_times_fill_of_the_supplier_times_planned_output_of_the_buyer():
    served = trade_result(np.ones(4)).edge_payments()
    assert list(served) == [0.1 * 20.0, 0.3 * 30.0, 0.7 * 10.0, 0.0]
    rationed = trade_result(np.array([1.0, 0.5, 0.25, 1.0])).edge_payments()
    assert list(rationed) == [0.1 * 1.0 * 20.0, 0.3 * 0.5 * 30.0, 0.7 * 0.25 * 10.0, 0.0]
    over = trade_result(np.array([1.0, 1.0, 1.0, 2.0])).edge_payments()  # a fill above one (never in trade) is not taken for one
    assert list(over) == [0.1 * 1.0 * 20.0, 0.3 * 1.0 * 30.0, 0.7 * 1.0 * 10.0, 0.0 * 2.0 * 0.0]


def test_a_one_firm_weighted_sample_is_the_first_of_the_largest_keys():
    uniforms = np.array([0.5, 0.9, 0.2, 0.9, 0.7])
    weights = np.array([1.0, 1.0, 0.0, 1.0, 2.0])
    keys = [np.log(u) / w if w > 0 else -np.inf for u, w in zip(uniforms, weights, strict=True)]
    assert list(weighted_sample(uniforms, weights, 1)) == [int(np.argmax(keys))] == [1]  # 1 and 3 tie: the first
    assert list(weighted_sample(uniforms, weights, 2)) == [1, 3]
    assert len(weighted_sample(uniforms, np.zeros(5), 1)) == 0  # nobody of positive weight: nobody picked
    assert weighted_sample(uniforms[:0], weights[:0], 1).dtype.kind == "i"
