"""The incremental supply-network store stays equal to the former edge list after random exits, entries and links.

Both sides get the same operations and generators of the same seed: the store
(bottrop_sim.economy.network) and the former implementation that rebuilt its
matrix from an edge list on every change (tests/reference_network.py). They must
draw the same suppliers, hold the same edges in the same order, and give the
same matrices to the last bit (the products of the monthly trade included). A
third check rebuilds the matrix from the store's own places from scratch.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from bottrop_sim.economy.adjacency import FREE, KEY
from bottrop_sim.economy.network import SupplyNetwork
from tests.reference_network import ReferenceNetwork

SUPPLIERS_PER_INPUT = 3


class TwinEconomies:
    """A small economy whose network is kept by the store and by the reference, side by side."""

    def __init__(self, seed: int, sectors: int, firms_per_sector: int) -> None:
        setup = np.random.default_rng(seed)
        coefficients = setup.uniform(0.01, 0.1, (sectors, sectors)) * (setup.random((sectors, sectors)) < 0.7)
        total = sectors * firms_per_sector
        self.capacity = total + 3  # small: entries soon make the arrays grow
        self.sector = np.zeros(self.capacity, np.int64)
        self.sector[:total] = np.repeat(np.arange(sectors), firms_per_sector)
        self.alive = np.zeros(self.capacity, bool)
        self.alive[:total] = True
        self.size = np.zeros(self.capacity, np.int64)
        self.size[:total] = setup.integers(1, 40, total)
        self.used = total
        self.sectors = sectors
        self.store = SupplyNetwork(self.capacity, coefficients)
        self.reference = ReferenceNetwork(self.capacity, coefficients)
        self.store_rng = np.random.default_rng(seed + 1)
        self.reference_rng = np.random.default_rng(seed + 1)
        slots = np.arange(total)
        for s in range(sectors):  # slot 0 last, as the model draws the mine's suppliers last
            buyers = slots[(self.sector[:total] == s) & (slots != 0)]
            self._draw(buyers, s)
        self._draw(slots[:1], int(self.sector[0]))

    def _draw(self, buyers: np.ndarray, sector: int) -> None:
        self.store.draw_suppliers(self.store_rng, buyers, sector, self.sector, self.size, self.alive, SUPPLIERS_PER_INPUT)
        self.reference.draw_suppliers(self.reference_rng, buyers, sector, self.sector, self.size, self.alive, SUPPLIERS_PER_INPUT)

    def active(self) -> np.ndarray:
        return np.flatnonzero(self.alive)

    def exit(self, pick: int) -> None:
        active = self.active()
        if len(active) <= 2:
            return
        firm = int(active[pick % len(active)])
        self.alive[firm] = False
        got = self.store.remove_firm(self.store_rng, firm, self.sector, self.size, self.alive)
        expected = self.reference.remove_firm(self.reference_rng, firm, self.sector, self.size, self.alive)
        assert got == expected

    def enter(self, sector: int, count: int) -> None:
        sector %= self.sectors
        if self.used + count > self.capacity:  # grow as FirmArrays does: new arrays, old values copied
            capacity = max(2 * self.capacity, self.used + count)
            for name in ("sector", "alive", "size"):
                old = getattr(self, name)
                grown = np.zeros(capacity, old.dtype)
                grown[: self.used] = old[: self.used]
                setattr(self, name, grown)
            self.capacity = capacity
            self.store.resize(capacity)
            self.reference.resize(capacity)
        slots = np.arange(self.used, self.used + count)
        self.used += count
        self.sector[slots] = sector
        self.alive[slots] = True
        self.size[slots] = 1 + slots % 7
        self._draw(slots, sector)

    def link(self, supplier_pick: int, buyer_pick: int, coefficient: float) -> None:
        active = self.active()
        supplier, buyer = int(active[supplier_pick % len(active)]), int(active[buyer_pick % len(active)])
        if supplier != buyer:
            self.store.add_link(supplier, buyer, coefficient)
            self.reference.add_link(supplier, buyer, coefficient)

    def link_on_edge(self, pick: int, coefficient: float) -> None:
        """A link on a pair that already has a table edge (and perhaps links): three or more parts."""
        if len(self.reference.buyer):
            edge = pick % len(self.reference.buyer)
            supplier, buyer = int(self.reference.supplier[edge]), int(self.reference.buyer[edge])
            if supplier != buyer:
                for part in (coefficient, coefficient * 0.7, coefficient * 1.3):
                    self.store.add_link(supplier, buyer, part)
                    self.reference.add_link(supplier, buyer, part)

    def unlink(self, pick: int) -> None:
        """An import-replacing link ends (a brokered supplier failed)."""
        links = len(self.reference.link_supplier)
        if links:
            i = pick % links
            supplier, buyer, coefficient = (int(self.reference.link_supplier[i]), int(self.reference.link_buyer[i]), float(self.reference.link_coefficient[i]))
            assert self.store.remove_link(supplier, buyer, coefficient) == self.reference.remove_link(supplier, buyer, coefficient) is True

    def grow(self, pick: int, staff: int) -> None:
        active = self.active()
        self.size[active[pick % len(active)]] = staff

    def check(self) -> None:
        store, reference = self.store, self.reference
        assert store.capacity == reference.capacity
        matrix, matrix_t = reference.matrix(self.sector), reference.matrix_t(self.sector)
        for got, expected in ((store.matrix(), matrix), (store.matrix_t(), matrix_t)):
            assert got.shape == expected.shape
            assert np.array_equal(got.indptr, expected.indptr)
            assert np.array_equal(got.indices, expected.indices)
            assert np.array_equal(got.data, expected.data)  # exact, not approximately
        by_supplier, by_buyer = store.operators()
        vector = np.random.default_rng(self.used).uniform(0.5, 2.0, store.capacity)
        assert np.array_equal(by_supplier @ vector, matrix @ vector)
        assert np.array_equal(by_buyer @ vector, matrix_t @ vector)
        coo = by_supplier.tocoo()  # the cached entries of the monthly trade follow every change of the store
        suppliers, buyers = store.entries()
        assert np.array_equal(suppliers, coo.row) and np.array_equal(buyers, coo.col) and len(by_supplier.data) == len(suppliers)
        self.check_grouped_sums(by_supplier.data, suppliers, buyers)
        for name in ("supplier", "buyer", "share", "link_supplier", "link_buyer", "link_coefficient"):
            assert np.array_equal(getattr(store, name), getattr(reference, name)), name
        for firm in range(self.used):
            assert np.array_equal(store.suppliers_of(firm), reference.suppliers_of(firm))
            assert np.array_equal(store.customers_of(firm), reference.customers_of(firm))
        member = (np.arange(store.capacity) % 3 == 0).astype(float)
        linked = (matrix != 0).astype(float)
        partners, member_partners = store.partner_counts(member)
        assert np.array_equal(partners, linked @ np.ones(store.capacity) + linked.T @ np.ones(store.capacity))
        assert np.array_equal(member_partners, linked @ member + linked.T @ member)
        assert self.store_rng.bit_generator.state == self.reference_rng.bit_generator.state
        self.check_places()

    def check_grouped_sums(self, values: np.ndarray, suppliers: np.ndarray, buyers: np.ndarray) -> None:
        """Sums per pair of groups from the store's kept place pairs: the bits of a bincount over the entries' EUR in storage order."""
        store = self.store
        draw = np.random.default_rng(self.used)
        for groups in (2, 5):  # two labellings: the cache follows the labels as well as the store's changes
            group = draw.integers(0, groups, store.capacity)
            for rationing in (1, 3, store.capacity):  # a few rationing suppliers or many
                fill = np.ones(store.capacity)
                fill[draw.choice(store.capacity, min(rationing, store.capacity), replace=False)] = draw.uniform(0.1, 1.0, min(rationing, store.capacity))
                planned = draw.uniform(0.0, 1e6, store.capacity)
                eur = values * fill[suppliers] * planned[buyers]
                expected = np.bincount(group[buyers] * groups + group[suppliers], weights=eur, minlength=groups * groups)
                assert store.place_pairs(group, groups).sums(fill, planned).tobytes() == expected.tobytes()

    def check_places(self) -> None:
        """The store's own layout: sorted keys, rows where they belong, and a from-scratch rebuild of M.T."""
        rows = self.store.rows
        keys = rows.key[: rows.end]
        assert (np.diff(keys) >= 0).all()
        owner = np.repeat(np.arange(rows.capacity), np.diff(rows.indptr))
        assert np.array_equal(keys // KEY, owner)
        free = (keys & (KEY - 1)) == FREE
        assert (rows.value[: rows.end][free] == 0).all()
        assert np.array_equal(np.bincount(owner[~free], minlength=rows.capacity), rows.length)
        offsets = np.arange(rows.end) - rows.indptr[owner]
        assert np.array_equal(offsets < rows.length[owner], ~free)  # used places first in each row
        used = np.flatnonzero(~free)
        rebuilt = sp.csr_matrix((rows.value[used], (owner[used], rows.col[used])), shape=(rows.capacity, rows.capacity))
        assert (rebuilt != self.store.matrix_t()).nnz == 0
        assert self.alive_index_matches()

    def alive_index_matches(self) -> bool:
        index = self.store._by_sector
        return all(np.array_equal(index.get(s, np.zeros(0, np.int64)), np.flatnonzero(self.alive & (self.sector == s))) for s in range(self.sectors))


operation = st.one_of(
    st.tuples(st.just("exit"), st.integers(0, 10_000)),
    st.tuples(st.just("enter"), st.integers(0, 5), st.integers(1, 4)),
    st.tuples(st.just("link"), st.integers(0, 10_000), st.integers(0, 10_000), st.floats(0.001, 0.05)),
    st.tuples(st.just("link_on_edge"), st.integers(0, 10_000), st.floats(0.001, 0.05)),
    st.tuples(st.just("grow"), st.integers(0, 10_000), st.integers(1, 200)),
    st.tuples(st.just("unlink"), st.integers(0, 10_000)),
)

#: A random economy and up to 30 changes of its network (hypothesis arguments of the store's tests and their speed paths).
STORE_HISTORY = {
    "seed": st.integers(0, 2**32 - 1),
    "sectors": st.integers(2, 4),
    "firms_per_sector": st.integers(2, 12),
    "operations": st.lists(operation, max_size=30),
}


@settings(max_examples=40, deadline=None)
@given(**STORE_HISTORY)
def test_store_matches_the_former_edge_list_after_random_changes(seed, sectors, firms_per_sector, operations):
    twins = TwinEconomies(seed, sectors, firms_per_sector)
    twins.check()
    for name, *arguments in operations:
        getattr(twins, name)(*arguments)
        twins.check()


def test_three_part_entries_are_added_in_scipys_order():
    """Entries with a table edge and several links, in long rows: the store adds their parts in scipy's order."""
    twins = TwinEconomies(seed=3, sectors=2, firms_per_sector=120)
    store = twins.store
    hub = int(np.argmax([len(store.customers_of(f)) for f in range(twins.used)]))
    customers = [int(c) for c in store.customers_of(hub) if c != hub]
    assert len(customers) > 16  # longer than the rows std::sort orders stably
    parts = np.random.default_rng(5).uniform(0.001, 0.05, (len(customers), 3))
    for buyer, (first, second, third) in zip(customers, parts, strict=True):
        for part in (first, second, third):
            store.add_link(hub, buyer, part)
            twins.reference.add_link(hub, buyer, part)
    twins.check()
    exiting = next(f for f in twins.active() if f != hub and len(store.customers_of(f)))
    twins.exit(int(np.flatnonzero(twins.active() == exiting)[0]))  # rewiring sorts the former edge list
    twins.check()
    assert store.summation.keys  # entries of three or more parts exist
    # the data has teeth: adding the parts left to right would give other values for some entries
    rows, matrix = store.rows, store.matrix()
    differ = 0
    for buyer, (first, second, third) in zip(customers, parts, strict=True):
        place = rows.find(np.array([buyer * KEY + hub]))[0][0]
        differ += (((rows.share[place] * rows.coef[place] + first) + second) + third) != matrix[hub, buyer]
    assert differ > 0


def test_exits_change_only_the_rows_of_the_customers():
    """An exit leaves every row but the exiting firm's and its customers' untouched."""
    twins = TwinEconomies(seed=11, sectors=3, firms_per_sector=10)
    store = twins.store
    before = {b: (store.suppliers_of(b).tolist(), store.rows.share[store.rows.row(b)].tolist()) for b in range(twins.used)}
    firm = int(np.argmax([len(store.customers_of(f)) for f in range(twins.used)]))
    customers = set(store.customers_of(firm).tolist())
    twins.exit(int(np.flatnonzero(twins.active() == firm)[0]))
    twins.check()
    for buyer, row in before.items():
        if buyer != firm and buyer not in customers:
            assert (store.suppliers_of(buyer).tolist(), store.rows.share[store.rows.row(buyer)].tolist()) == row


def test_local_inputs_equal_the_row_reductions_of_the_matrix():
    twins = TwinEconomies(seed=21, sectors=3, firms_per_sector=15)
    for pick in range(0, 60, 9):
        twins.exit(pick)
        twins.link(pick, pick + 5, 0.013)
        for n in (twins.used // 2, twins.used):
            totals, largest = twins.store.local_inputs(n)
            inputs = twins.reference.matrix_t(twins.sector)[:n]
            assert np.array_equal(totals, np.asarray(inputs.sum(axis=1)).ravel())
            assert np.array_equal(largest, inputs.max(axis=1).toarray().ravel())
