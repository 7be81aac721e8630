"""The supply network: which firm buys its local inputs from which firm.

Edges run supplier -> buyer. Each edge carries a ``share``: the part of the
buyer's local purchases *from the supplier's sector* that go to this supplier;
for every buyer and input sector the shares sum to 1. The firm-level input
matrix is then ``M[g, f] = share[g, f] * A[sector(g), sector(f)]``, so that
summing over a sector's firms gives back the sector table exactly (the Leontief
solution of the table is the sector aggregate of the firm-level solution).

Suppliers are drawn size-biased (probability proportional to headcount), with
replacement, ``k`` draws per buyer and input sector; duplicate draws merge.
Shares among a buyer's chosen suppliers are proportional to their size.
Assumption: preferential attachment by size, as in size-biased supplier choice
in production-network models (e.g. Carvalho & Tahbaz-Salehi 2019, sec. 5).

Storage (see :mod:`bottrop_sim.economy.adjacency`): one row of suppliers per
buyer with slack, changed only for the buyers an exit, entry or new link
touches, and a list of active firms per sector for the supplier draws. The
store gives the same matrices, to the last bit, as building them from an edge
list in the order edges were drawn and merged (the former implementation);
where three or more parts add up to one matrix entry (a table edge and links,
or several links), the order in which scipy would add them depends on that
edge order, and :class:`_SummationOrder` reproduces it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from bottrop_sim.economy.adjacency import FREE, KEY, BuyerRows
from bottrop_sim.economy.kernels import csc_matvec, csr_matvec
from bottrop_sim.economy.place_pairs import PlacePairs
from bottrop_sim.economy.supplier_draws import draw_all_sectors, no_self_draws

if TYPE_CHECKING:
    import networkx as nx

_NO_SLOTS = np.zeros(0, np.int64)


class SupplyNetwork:
    """Supply links per buyer (the hot path) and a networkx view on demand.

    Changes of which firms are active must reach the network: a new firm through
    :meth:`draw_suppliers` (after it is marked active), an exit through
    :meth:`remove_firm` (after it is marked inactive).

    Args:
        capacity: number of firm slots (the matrix is capacity x capacity).
        input_coefficients: A[i, j] of the (possibly extended) sector table.
    """

    def __init__(self, capacity: int, input_coefficients: np.ndarray) -> None:
        self.capacity = capacity
        self.input_coefficients = input_coefficients
        self.rows = BuyerRows(capacity)
        # links beyond the sector table: a local supplier replacing part of a buyer's
        # imports (found by customer search or brokered by the alliance); the
        # coefficient is EUR bought from the supplier per EUR of the buyer's output
        self.link_supplier = np.zeros(0, np.int64)
        self.link_buyer = np.zeros(0, np.int64)
        self.link_coefficient = np.zeros(0)
        self._link_parts: dict[int, list[float]] = {}
        # the history that fixed the order of the former edge list
        self.draw_call = np.full(capacity, -1, np.int64)  # per buyer: which draw call made its row
        self.calls = 0
        self.merged = False  # whether an exit has rewired customers yet (the list was sorted by buyer from then on)
        self.calls_at_merge = 0
        self.late_buyers: list[int] = []  # buyers drawn after a buyer with a higher slot
        self._highest_drawn = -1
        self.summation = _SummationOrder(self)
        # active firms per sector (the candidates of supplier draws)
        self._by_sector: dict[int, np.ndarray] | None = None
        self._indexed = np.zeros(capacity, bool)
        self._version = 0
        self._cache: dict[str, tuple[int, object]] = {}
        self._place_pairs: PlacePairs | None = None
        self._sector = np.zeros(capacity, np.int64)  # the model's sector per slot (as last passed)

    # -- construction -----------------------------------------------------
    def draw_suppliers(
        self,
        rng: np.random.Generator,
        buyers: np.ndarray,
        buyer_sector: int,
        sector: np.ndarray,
        size: np.ndarray,
        alive: np.ndarray,
        k: int,
    ) -> None:
        """Draw local suppliers for ``buyers`` (all of sector ``buyer_sector``, all new).

        Args:
            rng: the model's generator.
            buyers: firm slots of the buyers.
            buyer_sector: their sector index.
            sector: sector index per slot.
            size: supplier weights per slot (headcount, persons).
            alive: which slots are active firms.
            k: draws per buyer and input sector.
        """
        if len(buyers) == 0:
            return
        buyers = np.asarray(buyers, np.int64)
        self._sector = sector
        self._index_active(sector, alive, buyers)
        buyer_sectors = set(sector[buyers].tolist())  # a buyer can draw itself only from its own sector
        inputs, pools = [], []
        for input_sector in np.flatnonzero(self.input_coefficients[:, buyer_sector] > 0).tolist():
            candidates = self._by_sector.get(input_sector, _NO_SLOTS)
            if len(candidates):  # else nobody local: all of this input is imported
                inputs.append(input_sector)
                pools.append(candidates)
        drawn = draw_all_sectors(rng, buyers, inputs, pools, size, buyer_sectors, k) if inputs else []
        if drawn is None:  # sizes not whole numbers (the initial economy): sector by sector, the same numbers
            drawn = [
                self._draw_sector(rng, buyers, candidates, size, input_sector in buyer_sectors, k)
                for input_sector, candidates in zip(inputs, pools, strict=True)
            ]
        self.draw_call[buyers] = self.calls
        self.calls += 1
        self.late_buyers.extend(int(b) for b in buyers[buyers < self._highest_drawn])
        self._highest_drawn = max(self._highest_drawn, int(buyers.max()))
        if inputs:
            b, s, w, c = self._shares(buyers, buyer_sector, inputs, pools, drawn, size)
            if not self.rows.append_rows(b, s, w, c):
                self.rows.repack(self.draw_call >= 0, {"key": b * KEY + s, "share": w, "coef": c, "value": w * c})
            self.summation.touch(s)
            self._changed()

    @staticmethod
    def _draw_sector(rng: np.random.Generator, buyers: np.ndarray, candidates: np.ndarray, size: np.ndarray, own: bool, k: int) -> np.ndarray:
        """``k`` size-biased draws per buyer from one input sector's ``candidates`` (a buyer draws itself only if it is the only one)."""
        last = len(candidates) - 1
        weights = np.maximum(size[candidates].astype(float), 1.0)
        cumulative = np.cumsum(weights)
        draws = candidates[np.minimum(np.searchsorted(cumulative, rng.random((len(buyers), k)) * cumulative[-1], side="right"), last)]
        if last > 0 and own:
            draws = no_self_draws(rng, draws, buyers, candidates, weights, cumulative)
        return draws

    def _shares(
        self, buyers: np.ndarray, buyer_sector: int, inputs: list[int], pools: list[np.ndarray], drawn: list[np.ndarray], size: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Buyer, supplier, share and coefficient of each new place, sorted by (buyer, supplier); duplicate draws merge.

        A buyer's shares of one input sector are its suppliers' sizes over their sum, the sum taken in
        ascending supplier order (as the former per-sector ``bincount`` did).
        """
        pairs = np.sort(np.concatenate([(buyers[:, None] * KEY + draws).ravel() for draws in drawn]))
        if len(pairs) > 1:
            pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]
        b, s = pairs // KEY, pairs % KEY
        w = np.maximum(size[s].astype(float), 1.0)
        segment_of = np.zeros(len(size), np.int64)  # input sector (position in ``inputs``) per candidate slot
        segment_of[np.concatenate(pools)] = np.repeat(np.arange(len(inputs)), [len(pool) for pool in pools])
        segment = segment_of[s]
        group = segment * len(buyers) + np.searchsorted(np.sort(buyers), b)
        total = np.bincount(group, weights=w, minlength=len(inputs) * len(buyers))  # adds in list order, as np.add.at does
        coefficient = self.input_coefficients[np.array(inputs)[segment], buyer_sector]
        return b, s, w / total[group], coefficient

    def add_link(self, supplier: int, buyer: int, coefficient: float) -> None:
        """Add (or strengthen) an import-replacing link supplier -> buyer (EUR per EUR of the buyer's output)."""
        self.link_supplier = np.append(self.link_supplier, supplier)
        self.link_buyer = np.append(self.link_buyer, buyer)
        self.link_coefficient = np.append(self.link_coefficient, coefficient)
        self._link_parts.setdefault(buyer * KEY + supplier, []).append(float(coefficient))
        self._gain_places(np.array([buyer * KEY + supplier], np.int64))
        self.summation.touch(np.array([supplier]))
        self._changed()

    def remove_link(self, supplier: int, buyer: int, coefficient: float) -> bool:
        """End one import-replacing link supplier -> buyer of this coefficient (the first such link); the buyer imports that input again.

        Returns:
            Whether such a link existed (it may have moved to another supplier when its supplier exited).
        """
        if not len(self.link_supplier):
            return False
        matches = np.flatnonzero((self.link_supplier == supplier) & (self.link_buyer == buyer) & (self.link_coefficient == coefficient))
        if len(matches) == 0:
            return False
        keep = np.ones(len(self.link_supplier), bool)
        keep[matches[0]] = False
        self.link_supplier, self.link_buyer, self.link_coefficient = self.link_supplier[keep], self.link_buyer[keep], self.link_coefficient[keep]
        self._link_parts = _parts_by_pair(self.link_supplier, self.link_buyer, self.link_coefficient)
        key = np.array([buyer * KEY + supplier], np.int64)
        self.summation.touch(np.array([supplier]))
        rows = self.rows
        positions, _ = rows.find(key)
        if int(key[0]) not in self._link_parts and rows.share[positions[0]] <= 0:  # nothing left on the pair: its place goes
            self.summation.discard(int(key[0]))
            rows.free(positions)
            rows.resort(np.array([buyer]))
        else:
            self._refresh(key)
        self._changed()
        return True

    def remove_firm(
        self,
        rng: np.random.Generator,
        firm: int,
        sector: np.ndarray,
        size: np.ndarray,
        alive: np.ndarray,
    ) -> tuple[int, list[tuple[int, float]]]:
        """Take an exiting firm out; its customers rewire to other suppliers of its sector.

        Each customer replaces the exiting supplier by one drawn size-biased among
        the other active firms of that sector (merging with an existing link); if
        there is none, the share is dropped and that input becomes imported.
        Import-replacing links move to another firm of the sector the same way;
        where there is none they end, and the buyer imports again.

        Returns:
            The number of customer links rewired, and the (buyer, coefficient)
            of import-replacing links that ended.
        """
        self._sector = sector
        self._index_active(sector, alive, _NO_SLOTS)
        firm_sector = int(sector[firm])
        if self._indexed[firm]:
            members = self._by_sector[firm_sector]
            self._by_sector[firm_sector] = members[members != firm]
            self._indexed[firm] = False
        others = self._by_sector.get(firm_sector, _NO_SLOTS)
        ended: list[tuple[int, float]] = []
        moved_keys = _NO_SLOTS
        as_link_supplier = self.link_supplier == firm
        keep = ~(as_link_supplier | (self.link_buyer == firm))
        if not keep.all():  # the firm has import-replacing links (most exits have none: nothing to do)
            self.summation.touch(self.link_supplier[~keep])
            moved_buyers = self.link_buyer[as_link_supplier & (self.link_buyer != firm)]
            moved_coefficients = self.link_coefficient[as_link_supplier & (self.link_buyer != firm)]
            self.link_supplier, self.link_buyer, self.link_coefficient = self.link_supplier[keep], self.link_buyer[keep], self.link_coefficient[keep]
            if len(moved_buyers):
                if len(others):
                    picks = _size_biased(rng, others, size, len(moved_buyers))
                    clash = picks == moved_buyers
                    if clash.any() and len(others) > 1:
                        picks[clash] = np.where(others[0] != moved_buyers[clash], others[0], others[1])
                    keep_mask = picks != moved_buyers
                    for buyer, coefficient in zip(moved_buyers[~keep_mask], moved_coefficients[~keep_mask], strict=True):
                        ended.append((int(buyer), float(coefficient)))
                    self.link_supplier = np.concatenate([self.link_supplier, picks[keep_mask]])
                    self.link_buyer = np.concatenate([self.link_buyer, moved_buyers[keep_mask]])
                    self.link_coefficient = np.concatenate([self.link_coefficient, moved_coefficients[keep_mask]])
                    moved_keys = moved_buyers[keep_mask] * KEY + picks[keep_mask]
                    self.summation.touch(picks[keep_mask])
                else:
                    ended.extend((int(b), float(c)) for b, c in zip(moved_buyers, moved_coefficients, strict=True))
            self._link_parts = _parts_by_pair(self.link_supplier, self.link_buyer, self.link_coefficient)
        rewired = self._remove_table_links(rng, firm, others, sector, size)
        if len(moved_keys):
            self._gain_places(moved_keys)
        self.summation.forget(firm)
        self._changed()
        return rewired, ended

    def _remove_table_links(self, rng: np.random.Generator, firm: int, candidates: np.ndarray, sector: np.ndarray, size: np.ndarray) -> int:
        rows = self.rows
        self.summation.touch(rows.clear_row(firm))
        positions = rows.column(firm)  # every place supplied by the firm (table edges and links), ascending buyer
        if not len(positions):
            return 0
        buyers = rows.key[positions] // KEY  # ascending and distinct (one place per pair)
        table = np.flatnonzero(rows.share[positions] > 0)  # the table edges among them
        if not self.merged:  # the former edge list still held draw order
            table = table[np.argsort(self.draw_call[buyers[table]], kind="stable")]
        if not (len(table) and len(candidates)):  # no customer, or nobody left to rewire to: the input becomes imported
            rows.free(positions)
            rows.resort(buyers, distinct=True)
            return 0
        customers, places = buyers[table], positions[table]
        picks = _size_biased(rng, candidates, size, len(customers))
        self_pick = picks == customers
        if self_pick.any() and len(candidates) > 1:
            weights = np.maximum(size[candidates].astype(float), 1.0)
            order = candidates[np.argsort(-weights, kind="stable")]
            picks[self_pick] = np.where(order[0] != customers[self_pick], order[0], order[1])
        keys = customers * KEY + picks
        found_at, found = rows.find(keys)
        merged_at = found_at[found]
        rows.share[merged_at] += rows.share[places[found]]  # merge with an existing link to the pick
        rows.coef[merged_at] = self.input_coefficients[sector[picks[found]], sector[customers[found]]]
        moving = ~found
        rows.key[places[moving]] = keys[moving]  # the place of the old link takes the new supplier
        rows.col[places[moving]] = picks[moving]
        gone = np.ones(len(positions), bool)  # every other place of the firm is freed
        gone[table[moving]] = False
        rows.free(positions[gone])
        self._refresh_at(keys, np.where(found, found_at, places))  # before the rows are sorted again: the places are known here
        rows.resort(buyers, distinct=True)
        self.summation.touch(picks)
        if not self.merged:
            self.summation.order_changed()
        self.merged = True
        self.calls_at_merge = self.calls
        return len(customers)

    def _gain_places(self, keys: np.ndarray) -> None:
        """Make sure the pairs ``keys`` have places (new links) and refresh their values."""
        rows = self.rows
        _, found = rows.find(keys)
        for key in np.unique(keys[~found]):
            rows.add_place(int(key // KEY), int(key % KEY), self.draw_call >= 0)
        self._refresh(keys)

    def _refresh(self, keys: np.ndarray) -> None:
        """Recompute ``M`` at the pairs ``keys`` from their table share and links."""
        self._refresh_at(keys, self.rows.find(keys)[0])

    def _refresh_at(self, keys: np.ndarray, positions: np.ndarray) -> None:
        """:meth:`_refresh` with the places of the pairs given (distinct pairs)."""
        rows = self.rows
        rows.value[positions] = rows.share[positions] * rows.coef[positions]
        if not self._link_parts and not self.summation.keys:
            return
        for key, position in zip(keys.tolist(), positions.tolist(), strict=True):
            links = self._link_parts.get(key)
            if links is None:
                self.summation.discard(key)
                continue
            parts = ([float(rows.value[position])] if rows.share[position] > 0 else []) + links
            if len(parts) >= 3:
                self.summation.add(key)
            else:
                self.summation.discard(key)
                rows.value[position] = parts[0] + parts[1] if len(parts) == 2 else parts[0]

    def resize(self, capacity: int) -> None:
        """Allow more firm slots (keeps edges)."""
        self.rows.resize(capacity)
        self.draw_call = np.concatenate([self.draw_call, np.full(capacity - self.capacity, -1, np.int64)])
        self._indexed = np.concatenate([self._indexed, np.zeros(capacity - self.capacity, bool)])
        self.capacity = capacity
        self._changed()

    def _index_active(self, sector: np.ndarray, alive: np.ndarray, new: np.ndarray) -> None:
        """Keep the active firms per sector (built from ``alive`` at first use, then told of entries and exits)."""
        if self._by_sector is None:
            active = np.flatnonzero(alive[: self.capacity])
            self._by_sector = {int(s): active[sector[active] == s] for s in np.unique(sector[active])}
            self._indexed[active] = True
        if len(new) == 0:
            return
        new = new[alive[new] & ~self._indexed[new]]
        for s in set(sector[new].tolist()):
            joining = new[sector[new] == s]
            self._by_sector[s] = np.sort(np.concatenate([self._by_sector.get(s, _NO_SLOTS), joining]))
            self._indexed[joining] = True

    def _changed(self) -> None:
        self._version += 1

    def _cached(self, name: str, build: Callable[[], object]) -> object:
        hit = self._cache.get(name)
        if hit is None or hit[0] != self._version:
            hit = (self._version, build())
            self._cache[name] = hit
        return hit[1]

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
        changes no sum), without gathering the used places first; tests/test_speed_paths_gov.py
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


class _SummationOrder:
    """The order in which scipy would add three or more parts of one matrix entry.

    The former implementation built ``M`` from an edge list (table edges in the
    order drawn, sorted by buyer once an exit had rewired customers, then the
    links in the order made). scipy adds duplicate entries after sorting each
    row by column with ``std::sort``, which does not keep the order of equal
    columns, and skips the sort when every row is already sorted. Two parts add
    the same in either order; for three or more this class rebuilds the
    supplier's former row and lets scipy add it the same way. It runs only for
    the few entries with three or more parts, and only when their row changed.
    """

    def __init__(self, network: SupplyNetwork) -> None:
        self.network = network
        self.keys: set[int] = set()
        self.touched: set[int] = set()
        self.unsorted_witness: int | None = None  # a supplier whose former row was unsorted
        self.all_rows_sorted: bool | None = None
        self.order_moved = False

    def touch(self, suppliers: np.ndarray) -> None:
        """Rows of ``M`` (suppliers) that changed."""
        if self.keys or self.unsorted_witness is not None:
            self.touched.update(np.asarray(suppliers).tolist())

    def add(self, key: int) -> None:
        """An entry with three or more parts."""
        self.keys.add(key)
        self.touched.add(key % KEY)

    def discard(self, key: int) -> None:
        """An entry that no longer has three or more parts."""
        self.keys.discard(key)

    def forget(self, firm: int) -> None:
        """Drop entries of an exited firm."""
        self.keys = {key for key in self.keys if key // KEY != firm and key % KEY != firm}

    def order_changed(self) -> None:
        """The former edge list was sorted (first rewiring)."""
        self.order_moved = True

    def former_row(self, supplier: int) -> tuple[np.ndarray, np.ndarray]:
        """Columns (buyers) and values of the supplier's row in the order the former build fed them to scipy."""
        network, rows = self.network, self.network.rows
        positions = rows.column(supplier)
        positions = positions[rows.share[positions] > 0]
        buyers = rows.key[positions] // KEY
        values = rows.share[positions] * rows.coef[positions]
        if not network.merged:
            order = np.argsort(network.draw_call[buyers], kind="stable")
            buyers, values = buyers[order], values[order]
        links = network.link_supplier == supplier
        return np.concatenate([buyers, network.link_buyer[links]]), np.concatenate([values, network.link_coefficient[links]])

    def _rows_sorted(self) -> bool:
        """Whether every row of the former build was already sorted (then scipy adds in list order)."""
        if self.unsorted_witness is not None and self.unsorted_witness not in self.touched and not self.order_moved:
            return False
        network = self.network
        suppliers = [key % KEY for key in sorted(self.keys)] + np.unique(network.link_supplier).tolist()
        if not network.merged:
            for buyer in network.late_buyers:
                suppliers.extend(network.suppliers_of(buyer).tolist())
        for supplier in dict.fromkeys(suppliers):
            columns, _ = self.former_row(supplier)
            if (np.diff(columns) < 0).any():
                self.unsorted_witness = supplier
                return False
        self.unsorted_witness = None
        return True

    def settle(self) -> None:
        """Give entries with three or more parts the value scipy's build would give them."""
        if not self.keys:
            self.touched.clear()
            self.order_moved = False
            self.unsorted_witness = self.all_rows_sorted = None
            return
        if not self.touched and not self.order_moved:
            return
        rows_sorted = self._rows_sorted()
        redo = {key % KEY for key in self.keys}
        if rows_sorted == self.all_rows_sorted and not self.order_moved:
            redo &= self.touched
        self.all_rows_sorted = rows_sorted
        rows = self.network.rows
        for supplier in redo:
            columns, values = self.former_row(supplier)
            row = sp.csr_matrix((values, columns, np.array([0, len(columns)])), shape=(1, self.network.capacity))
            if not rows_sorted:
                row.has_sorted_indices = False
                row.sort_indices()
            row.sum_duplicates()
            for key in self.keys:
                if key % KEY == supplier:
                    buyer = key // KEY
                    position, _ = rows.find(np.array([key]))
                    rows.value[position] = row.data[np.searchsorted(row.indices, buyer)]
        self.touched.clear()
        self.order_moved = False


def _parts_by_pair(supplier: np.ndarray, buyer: np.ndarray, coefficient: np.ndarray) -> dict[int, list[float]]:
    """Link coefficients per (buyer, supplier) key, in link order."""
    parts: dict[int, list[float]] = {}
    for key, value in zip((buyer * KEY + supplier).tolist(), coefficient.tolist(), strict=True):
        parts.setdefault(key, []).append(value)
    return parts


def _size_biased(rng: np.random.Generator, candidates: np.ndarray, size: np.ndarray, count: int) -> np.ndarray:
    """``count`` draws from ``candidates`` with probability proportional to size (at least 1)."""
    cumulative = np.cumsum(np.maximum(size[candidates].astype(float), 1.0))
    return candidates[np.minimum(np.searchsorted(cumulative, rng.random(count) * cumulative[-1], side="right"), len(candidates) - 1)]
