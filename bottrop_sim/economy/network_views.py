"""What the supply network gives its readers: the month's operators, per-pair sums and counts, and views.

Part of :class:`~bottrop_sim.economy.network.SupplyNetwork` (a mixin; the store
itself is in :mod:`bottrop_sim.economy.network`). The hot path reads ``M`` and
``M.T`` on the store's own arrays (:meth:`NetworkViews.operators`); the rest
gives the same numbers, to the last bit, as the matrices built from the former
edge list would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from bottrop_sim.economy.adjacency import FREE, KEY
from bottrop_sim.economy.kernels import csc_matvec, csr_matvec
from bottrop_sim.economy.place_pairs import PlacePairs

if TYPE_CHECKING:
    import networkx as nx

    from bottrop_sim.economy.adjacency import BuyerRows
    from bottrop_sim.economy.summation_order import SummationOrder


class NetworkViews:
    """Operators, sums and views of :class:`~bottrop_sim.economy.network.SupplyNetwork` (attributes as set there)."""

    capacity: int
    rows: BuyerRows
    input_coefficients: np.ndarray
    link_supplier: np.ndarray
    link_buyer: np.ndarray
    link_coefficient: np.ndarray
    draw_call: np.ndarray
    calls_at_merge: int
    merged: bool
    summation: SummationOrder
    _place_pairs: PlacePairs | None
    _sector: np.ndarray

    # -- the hot path -----------------------------------------------------
    def operators(self) -> tuple[sp.csc_matrix, sp.csr_matrix]:
        """``M`` (CSC) and ``M.T`` (CSR) for the monthly trade, on the store itself (free places are explicit zeros)."""
        self.summation.settle()
        return self.rows.operators()

    def entries(self) -> tuple[np.ndarray, np.ndarray]:
        """Supplier and buyer slot of every place of :meth:`operators`' arrays (free places included), in storage order.

        Cached until the edges change (the store's version counter, never the arrays'
        identity: the store changes them in place); the values stay in the matrix.
        """
        return self._cached("entries", self.rows.entries)

    def place_pairs(self, group: np.ndarray, groups: int) -> PlacePairs:
        """The (buyer group, supplier group) pair of every place of :meth:`operators`, for sums of EUR per pair of groups.

        Kept across months and brought up to date from the store's change log (only the
        rows that changed are recomputed); :meth:`PlacePairs.sums` gives the bits of a
        bincount over the entries' EUR in storage order.
        Use the result before the network next changes.

        Args:
            group: group label per slot (capacity-sized), e.g. the accounts holder of each slot.
            groups: number of groups.
        """
        self.summation.settle()  # the values as the products see them
        if self._place_pairs is None:
            self._place_pairs = PlacePairs(self.rows)
        return self._place_pairs.update(group, groups)

    def matrix(self, sector: np.ndarray | None = None) -> sp.csr_matrix:
        """``M[g, f]``: EUR from firm g per EUR of output of firm f (canonical CSR, cached until edges change)."""
        return self._cached("matrix", lambda: self.matrix_t().T.tocsr())

    def matrix_t(self, sector: np.ndarray | None = None) -> sp.csr_matrix:
        """Transpose of :meth:`matrix` (buyer-side sums)."""
        self.summation.settle()
        return self._cached("matrix_t", self.rows.canonical_transpose)

    def local_inputs(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Per buyer slot below ``n``: the sum and the largest of its column of ``M`` (local inputs per EUR of output).

        The same reductions, on the same values in the same order, as ``matrix_t()[:n].sum(axis=1)``
        and ``.max(axis=1)`` (scipy reduces each row with ``reduceat``), without building the matrix.
        """
        self.summation.settle()
        rows = self.rows
        counts = rows.length[:n]
        used = rows.used()[: int(counts.sum())]  # rows lie in slot order: the first used places are those of slots below n
        values = rows.value[used]
        nonempty = np.flatnonzero(counts)
        starts = (np.cumsum(counts) - counts)[nonempty]
        totals, largest = np.zeros(n), np.zeros(n)
        if len(nonempty):
            totals[nonempty] = np.add.reduceat(values, starts)
            largest[nonempty] = np.maximum(np.maximum.reduceat(values, starts), 0.0)
        return totals, largest

    def partner_counts(self, member: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per slot: local suppliers plus customers, and how many of them are members (as ``M != 0`` counts them).

        The counts are sums over the used places, in storage order, of ``member`` of the
        place's buyer (per supplier) and of its supplier (per buyer): those of the
        bincounts over the used places' suppliers and buyers. scipy's ``csc_matvec`` and
        ``csr_matvec`` on the store's arrays, with 1.0 for a used place and 0.0 for a free
        one, add the same terms in the same order (and +0.0 for each free place, which
        changes no sum), without gathering the used places first; tests/test_speed_paths_members.py
        checks them against the bincounts.

        Args:
            member: 1.0 for member slots, else 0.0 (per slot).
        """
        rows, capacity = self.rows, self.capacity

        def structure() -> tuple[np.ndarray, np.ndarray]:
            used = ((rows.key[: rows.end] & (KEY - 1)) != FREE).astype(float)
            suppliers = np.zeros(capacity)
            csc_matvec((capacity, capacity), rows.indptr, rows.col, used, np.ones(capacity), suppliers)
            return used, suppliers + rows.length.astype(float)

        used, partners = self._cached("partners", structure)  # every change of the rows bumps the version
        member = np.ascontiguousarray(member, np.float64)
        member_partners = np.zeros(capacity)
        csc_matvec((capacity, capacity), rows.indptr, rows.col, used, member, member_partners)  # per supplier: member buyers
        member_buyers = np.zeros(capacity)
        csr_matvec((capacity, capacity), rows.indptr, rows.col, used, member, member_buyers)  # per buyer: member suppliers
        member_partners += member_buyers
        return partners.copy(), member_partners

    # -- views ------------------------------------------------------------
    def _table_edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Table edges (supplier, buyer, share) in the order of the former edge list."""

        def build() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            rows = self.rows
            used = rows.used()
            used = used[rows.share[used] > 0]
            buyer, supplier, share = rows.key[used] // KEY, rows.key[used] % KEY, rows.share[used]
            call = self.draw_call[buyer]
            merged_before = self.merged & (call < self.calls_at_merge)
            input_sector = self._sector[supplier]
            order = np.lexsort((supplier, buyer, np.where(merged_before, 0, input_sector), np.where(merged_before, -1, call), ~merged_before))
            return supplier[order], buyer[order], share[order]

        return self._cached("edges", build)

    @property
    def supplier(self) -> np.ndarray:
        """Supplier slot of each table edge."""
        return self._table_edges()[0]

    @property
    def buyer(self) -> np.ndarray:
        """Buyer slot of each table edge."""
        return self._table_edges()[1]

    @property
    def share(self) -> np.ndarray:
        """Share of each table edge in its buyer's purchases from the supplier's sector."""
        return self._table_edges()[2]

    def to_digraph(self, sector: np.ndarray, planned_output: np.ndarray, alive: np.ndarray, names: tuple[str, ...]) -> nx.DiGraph:
        """A networkx DiGraph supplier -> buyer weighted by the current monthly flow.

        Args:
            sector: sector index per slot.
            planned_output: the output level buyers order inputs for (EUR per month).
            alive: active slots (nodes).
            names: sector ids, stored as node attribute ``sector``.

        Returns:
            Nodes are firm slots with ``sector``; edges have ``share`` (of the
            buyer's table inputs from the supplier's sector), ``weight`` (EUR per
            month ordered along the edge, all links) and ``import_replacing`` (the
            part of ``weight`` on links that replaced imports: customer search and
            the alliance's brokerage, §7.6).
        """
        import networkx as nx

        supplier, buyer, share = self._table_edges()
        graph = nx.DiGraph()
        nodes = np.flatnonzero(alive)
        graph.add_nodes_from((int(i), {"sector": names[sector[i]] if sector[i] < len(names) else "mine"}) for i in nodes)
        flow = share * self.input_coefficients[sector[supplier], sector[buyer]] * planned_output[buyer]
        graph.add_edges_from(
            (int(s), int(b), {"share": float(w), "weight": float(f), "import_replacing": 0.0}) for s, b, w, f in zip(supplier, buyer, share, flow, strict=True)
        )
        live = alive[self.link_supplier] & alive[self.link_buyer] if len(self.link_supplier) else np.zeros(0, bool)
        for s, b, coefficient in zip(self.link_supplier[live], self.link_buyer[live], self.link_coefficient[live], strict=True):
            replacing = float(coefficient * planned_output[b])
            if graph.has_edge(int(s), int(b)):
                edge = graph[int(s)][int(b)]
                edge["weight"] += replacing
                edge["import_replacing"] += replacing
            else:
                graph.add_edge(int(s), int(b), share=0.0, weight=replacing, import_replacing=replacing)
        return graph

    def suppliers_of(self, firm: int) -> np.ndarray:
        """Slots of the firm's local suppliers."""
        return self.rows.col[self.rows.row(firm)].astype(np.int64)

    def customers_of(self, firm: int) -> np.ndarray:
        """Slots of the firm's local customers."""
        return self.rows.key[self.rows.column(firm)] // KEY
