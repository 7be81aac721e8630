"""Shortcuts of the speed work under the governance mechanisms give the plain computation's bits.

The ledger's payments from many holders (one direction summed when no amount is
negative) and the keyed streams' uniform numbers with kept month keys, each checked
against the computation it replaced, written out here as it was, to the bit, on
random inputs.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bottrop_sim.economy.accounts import KIND_INDEX, Accounts
from bottrop_sim.streams import Streams, purpose_code


# -- the ledger's payments from many holders ----------------------------------------------------
def plain_pay_from_holders(accounts, kind, payers, payee, eur):
    """The booking with both directions always summed (as before the shortcut)."""
    size = len(accounts.holders)
    positive = np.bincount(payers, weights=np.maximum(eur, 0.0), minlength=size)
    negative = np.bincount(payers, weights=np.maximum(-eur, 0.0), minlength=size)
    k = KIND_INDEX[kind]
    accounts.month[k, :, payee] += positive
    accounts.month[k, payee, :] += negative
    accounts._move(positive - negative, payee)


amounts = st.lists(st.one_of(st.floats(0.0, 1e9), st.just(0.0), st.just(-0.0), st.floats(-1e6, 0.0), st.just(float("nan"))), min_size=0, max_size=12)


@settings(max_examples=300, deadline=None)
@given(bookings=st.lists(st.tuples(amounts, st.integers(0, 2**32 - 1), st.sampled_from(["alliance_contributions", "search_costs", "imports"])), max_size=6))
def test_payments_from_holders_without_negative_entries_book_the_plain_bits(bookings):
    """Runs of bookings (non-negative, zero, -0.0, negative, NaN entries; to a kept and an outside payee): same month and positions."""
    fast, plain = Accounts(("a", "b", "c"), "2014-12"), Accounts(("a", "b", "c"), "2014-12")
    for accounts in (fast, plain):
        accounts.position[:] = np.arange(len(accounts.position)) * 1e5 - 3e5
    for eur, seed, kind in bookings:
        rng = np.random.default_rng(seed)
        eur = np.array(eur, float)
        payers = rng.integers(0, len(fast.holders), len(eur))
        payee = int(rng.choice([fast.rest_of_world, fast.households, fast.city]))
        fast.pay_from_holders(kind, payers, payee, eur)
        plain_pay_from_holders(plain, kind, payers, payee, eur)
        assert fast.month.tobytes() == plain.month.tobytes()
        assert fast.position.tobytes() == plain.position.tobytes()


# -- keyed uniform numbers ----------------------------------------------------------------------
_U64 = (1 << 64) - 1


def plain_mix(value: int) -> int:
    value &= _U64
    value ^= value >> 30
    value = (value * 0xBF58476D1CE4E5B9) & _U64
    value ^= value >> 27
    value = (value * 0x94D049BB133111EB) & _U64
    return value ^ (value >> 31)


def plain_uniform(seed, purpose, month, entities, draws):
    """``(mix(mix(id * GOLDEN + key) + j * M2) >> 11) * 2**-53`` in Python integers, the key from (seed, purpose, month) afresh."""
    seed_key = plain_mix(seed * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019)
    key = plain_mix(plain_mix(seed_key ^ purpose_code(purpose)) + (month & _U64) * 0x9E3779B97F4A7C15)
    ids = range(entities) if isinstance(entities, int) else entities
    rows = [[(plain_mix(plain_mix(i * 0x9E3779B97F4A7C15 + key) + j * 0x94D049BB133111EB) >> 11) * 2.0**-53 for j in range(draws)] for i in ids]
    values = np.array(rows, float).reshape(len(rows), draws)
    return values[:, 0] if draws == 1 else values


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**40),
    calls=st.lists(
        st.tuples(
            st.sampled_from(["free_riding", "brokerage_buyer", "alliance_membership"]),
            st.integers(0, 400),
            st.one_of(st.integers(0, 30), st.lists(st.integers(0, 2**40), min_size=0, max_size=20)),
            st.integers(1, 4),
        ),
        min_size=1,
        max_size=12,
    ),
)
def test_uniform_with_kept_month_keys_gives_the_formulas_numbers(seed, calls):
    """Calls of a few purposes, months going back and forth (the kept key of a purpose replaced and found again)."""
    streams = Streams(seed)
    for purpose, month, entities, draws in calls:
        given_entities = entities if isinstance(entities, int) else np.array(entities, np.int64)
        got = streams.uniform(purpose, month, given_entities, draws=draws)
        want = plain_uniform(seed, purpose, month, entities, draws)
        assert got.dtype == np.float64 and got.shape == want.shape
        assert got.tobytes() == want.tobytes()
