"""Shortcuts of the speed work on trade, ledger, network and labour market give the plain computation's bits.

Each shortcut is checked against the plain formula written out here (a bincount
over the entries in storage order, scipy's products on the full matrix, ...),
to the bit, on random economies and random changes of the supply network.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from bottrop_sim.economy.accounting import FinalDemand, FirmArrays, trade
from bottrop_sim.economy.accounts import Accounts
from bottrop_sim.economy.trade_booking import book_trade
from tests.test_network_store import STORE_HISTORY, TwinEconomies


def plain_pair_sums(twins: TwinEconomies, group: np.ndarray, groups: int, fill: np.ndarray, planned: np.ndarray) -> np.ndarray:
    """EUR per (buyer group, supplier group) as the ledger summed them before: a bincount over the entries in storage order."""
    matrix, _ = twins.store.operators()
    suppliers, buyers = twins.store.entries()
    eur = matrix.data * fill[suppliers] * planned[buyers]
    return np.bincount(group[buyers] * groups + group[suppliers], weights=eur, minlength=groups * groups)


def model_like_groups(twins: TwinEconomies) -> np.ndarray:
    """Labels as the accounts' holders: the sector of each firm's slot, 0 for slots not used yet (new firms get theirs)."""
    group = np.zeros(twins.capacity, np.int64)
    group[: twins.used] = twins.sector[: twins.used]
    return group


def check_pair_sums(twins: TwinEconomies, group: np.ndarray, groups: int, draw: np.random.Generator) -> None:
    pairs = twins.store.place_pairs(group, groups)
    for rationing in (0, 1, 3, twins.capacity):  # nobody (the values as they are), a few rationing suppliers, many
        fill = np.ones(twins.capacity)
        count = min(rationing, twins.capacity)
        fill[draw.choice(twins.capacity, count, replace=False)] = draw.uniform(0.1, 1.0, count)
        planned = draw.uniform(0.0, 1e6, twins.capacity)
        assert pairs.sums(fill, planned).tobytes() == plain_pair_sums(twins, group, groups, fill, planned).tobytes()


@settings(max_examples=40, deadline=None)
@given(
    **STORE_HISTORY,
    relabel_at=st.sets(st.integers(0, 29), max_size=3),
)
def test_place_pairs_kept_across_changes_sum_as_a_bincount_over_the_entries(seed, sectors, firms_per_sector, operations, relabel_at):
    """One PlacePairs follows the store through exits, entries, links and growth; now and then the labels change."""
    twins = TwinEconomies(seed, sectors, firms_per_sector)
    draw = np.random.default_rng(seed)
    check_pair_sums(twins, model_like_groups(twins), sectors, draw)
    for step, (name, *arguments) in enumerate(operations):
        getattr(twins, name)(*arguments)
        group = model_like_groups(twins)
        if step in relabel_at:  # a slot that places refer to gets another label: every pair recomputed
            group = draw.integers(0, sectors, twins.capacity)
        check_pair_sums(twins, group, sectors, draw)


def test_place_pairs_follow_a_repack_and_a_long_change_log():
    """Links that outgrow a row's slack repack the store (a new layout); many changes overflow the log."""
    twins = TwinEconomies(seed=5, sectors=3, firms_per_sector=8)
    draw = np.random.default_rng(1)
    layout = twins.store.rows.layout
    for pick in range(1, 12):  # new suppliers for one buyer: its row outgrows its slack
        twins.link(pick, 0, 0.01)
        check_pair_sums(twins, model_like_groups(twins), 3, draw)
    assert twins.store.rows.layout > layout  # the rows were laid out afresh at least once
    rows = twins.store.rows
    for _ in range(5000):  # more log entries than the limit: the log starts afresh
        rows.resort(np.array([1, 2]))
    assert len(rows.changed) < 5000
    twins.exit(3)
    check_pair_sums(twins, model_like_groups(twins), 3, draw)


def test_trade_reads_the_edges_only_when_the_booking_needs_them_and_books_the_same_bits():
    """Entries given as a function (read for the energy surcharges) or as arrays: the same bookings to the bit."""

    def month(lazy: bool) -> tuple[bytes, bytes, int]:
        firms = FirmArrays(4)
        firms.add(4)
        firms.alive[:3] = True
        firms.sector[:3] = [0, 0, 1]
        firms.headcount[:3] = [2, 3, 4]
        firms.productivity[:3] = [30.0, 30.0, 30.0]
        firms.wage[:3] = [100.0, 200.0, 50.0]
        firms.local_input_per_output[:3] = [0.2, 0.1, 0.3]
        firms.import_per_output[:3] = [0.1, 0.2, 0.05]
        firms.planned[:3] = [1.0, 1.0, 1.0]
        matrix = sp.csc_matrix((np.array([0.2, 0.1, 0.2, 0.0]), np.array([2, 0, 1, 0], np.int32), np.array([0, 1, 1, 4, 4], np.int32)), shape=(4, 4))
        entries = (np.array([2, 0, 1, 0]), np.array([0, 2, 2, 2]))  # supplier and buyer of each stored place (the last a free place)
        calls = []

        def source() -> tuple[np.ndarray, np.ndarray]:
            calls.append(1)
            return entries

        demand = FinalDemand(np.array([100.0, 0.0, 10.0, 0.0]), np.array([0.0, 50.0, 10.0, 0.0]), np.array([0.0, 0.0, 10.0, 0.0]))
        extra, passed = np.array([0.01, 0.02, 0.03, 0.0]), np.array([0.5, 0.5, 0.5, 0.0])
        result = trade(firms, matrix, matrix.T.tocsr(), demand, firms.capacity_limit(0.1), np.zeros(4), 0.5, extra, passed, entries=source if lazy else entries)
        accounts = Accounts(("a", "b"), "2014-12")
        holder = np.array([0, 0, 1, 0])
        book_trade(accounts, result, holder, np.full(4, 0.5), 0.2)
        return accounts.month.tobytes(), accounts.position.tobytes(), len(calls)

    eager, lazy = month(lazy=False), month(lazy=True)
    assert lazy[:2] == eager[:2]
    assert lazy[2] == 1  # the surcharges needed the edges: read once
