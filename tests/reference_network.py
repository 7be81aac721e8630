"""The supply network as it was stored before the incremental store: an edge list rebuilt on every change.

Kept as the reference the incremental store (bottrop_sim.economy.network) must
match exactly: same draws, same matrices to the last bit, same edge order.
Copied from the implementation of commit 04c1e05; only the networkx view is left out.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


class ReferenceNetwork:
    """Edges as arrays (the hot path) and a networkx view on demand.

    Args:
        capacity: number of firm slots (the matrix is capacity x capacity).
        input_coefficients: A[i, j] of the (possibly extended) sector table.
    """

    def __init__(self, capacity: int, input_coefficients: np.ndarray) -> None:
        self.capacity = capacity
        self.input_coefficients = input_coefficients
        self.supplier = np.zeros(0, np.int64)
        self.buyer = np.zeros(0, np.int64)
        self.share = np.zeros(0)
        # links beyond the sector table: a local supplier replacing part of a buyer's
        # imports (found by customer search or brokered by the alliance); the
        # coefficient is EUR bought from the supplier per EUR of the buyer's output
        self.link_supplier = np.zeros(0, np.int64)
        self.link_buyer = np.zeros(0, np.int64)
        self.link_coefficient = np.zeros(0)
        self._matrix: sp.csr_matrix | None = None
        self._matrix_t: sp.csr_matrix | None = None

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
        """Draw local suppliers for ``buyers`` (all of sector ``buyer_sector``).

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
        new_s, new_b, new_w = [], [], []
        for input_sector in np.flatnonzero(self.input_coefficients[:, buyer_sector] > 0):
            candidates = np.flatnonzero(alive & (sector == input_sector))
            if len(candidates) == 0:
                continue  # nobody local: all of this input is imported
            weights = np.maximum(size[candidates].astype(float), 1.0)
            cumulative = np.cumsum(weights)
            draws = candidates[np.searchsorted(cumulative, rng.random((len(buyers), k)) * cumulative[-1], side="right").clip(max=len(candidates) - 1)]
            if len(candidates) > 1:  # a firm supplies itself only if it is the only local one
                for _ in range(20):
                    own = draws == buyers[:, None]
                    if not own.any():
                        break
                    redraw = candidates[np.searchsorted(cumulative, rng.random(int(own.sum())) * cumulative[-1], side="right").clip(max=len(candidates) - 1)]
                    draws[own] = redraw
                own = draws == buyers[:, None]
                if own.any():  # replace the rare leftovers by the largest other candidate
                    order = candidates[np.argsort(-weights, kind="stable")]
                    for row, col in zip(*np.nonzero(own), strict=True):
                        draws[row, col] = order[0] if order[0] != buyers[row] else order[1]
            pairs = np.unique(np.column_stack([np.repeat(buyers, k), draws.ravel()]), axis=0)
            b, s = pairs[:, 0], pairs[:, 1]
            w = np.maximum(size[s].astype(float), 1.0)
            total = np.zeros(self.capacity)
            np.add.at(total, b, w)
            new_b.append(b)
            new_s.append(s)
            new_w.append(w / total[b])
        if new_b:
            self.buyer = np.concatenate([self.buyer, *new_b])
            self.supplier = np.concatenate([self.supplier, *new_s])
            self.share = np.concatenate([self.share, *new_w])
            self._matrix = None

    def add_link(self, supplier: int, buyer: int, coefficient: float) -> None:
        """Add (or strengthen) an import-replacing link supplier -> buyer (EUR per EUR of the buyer's output)."""
        self.link_supplier = np.append(self.link_supplier, supplier)
        self.link_buyer = np.append(self.link_buyer, buyer)
        self.link_coefficient = np.append(self.link_coefficient, coefficient)
        self._matrix = None

    def remove_link(self, supplier: int, buyer: int, coefficient: float) -> bool:
        """End the first import-replacing link supplier -> buyer of this coefficient."""
        matches = np.flatnonzero((self.link_supplier == supplier) & (self.link_buyer == buyer) & (self.link_coefficient == coefficient))
        if len(matches) == 0:
            return False
        keep = np.ones(len(self.link_supplier), bool)
        keep[matches[0]] = False
        self.link_supplier, self.link_buyer, self.link_coefficient = self.link_supplier[keep], self.link_buyer[keep], self.link_coefficient[keep]
        self._matrix = None
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
        ended: list[tuple[int, float]] = []
        if len(self.link_supplier):
            as_link_supplier = self.link_supplier == firm
            keep = ~(as_link_supplier | (self.link_buyer == firm))
            moved_buyers = self.link_buyer[as_link_supplier & (self.link_buyer != firm)]
            moved_coefficients = self.link_coefficient[as_link_supplier & (self.link_buyer != firm)]
            self.link_supplier, self.link_buyer, self.link_coefficient = self.link_supplier[keep], self.link_buyer[keep], self.link_coefficient[keep]
            if len(moved_buyers):
                others = np.flatnonzero(alive & (sector == sector[firm]))
                others = others[others != firm]
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
                else:
                    ended.extend((int(b), float(c)) for b, c in zip(moved_buyers, moved_coefficients, strict=True))
            self._matrix = None
        return self._remove_table_links(rng, firm, sector, size, alive), ended

    def _remove_table_links(self, rng: np.random.Generator, firm: int, sector: np.ndarray, size: np.ndarray, alive: np.ndarray) -> int:
        as_buyer = self.buyer == firm
        as_supplier = self.supplier == firm
        customers = self.buyer[as_supplier & ~as_buyer]
        shares = self.share[as_supplier & ~as_buyer]
        keep = ~(as_buyer | as_supplier)
        self.buyer, self.supplier, self.share = self.buyer[keep], self.supplier[keep], self.share[keep]
        self._matrix = None
        if len(customers) == 0:
            return 0
        candidates = np.flatnonzero(alive & (sector == sector[firm]))
        candidates = candidates[candidates != firm]
        if len(candidates) == 0:
            return 0
        weights = np.maximum(size[candidates].astype(float), 1.0)
        picks = _size_biased(rng, candidates, size, len(customers))
        self_pick = picks == customers
        if self_pick.any() and len(candidates) > 1:
            order = candidates[np.argsort(-weights, kind="stable")]
            picks[self_pick] = np.where(order[0] != customers[self_pick], order[0], order[1])
        self._add_merged(customers, picks, shares)
        return len(customers)

    def _add_merged(self, buyers: np.ndarray, suppliers: np.ndarray, shares: np.ndarray) -> None:
        buyer = np.concatenate([self.buyer, buyers])
        supplier = np.concatenate([self.supplier, suppliers])
        share = np.concatenate([self.share, shares])
        key = buyer * self.capacity + supplier
        unique, inverse = np.unique(key, return_inverse=True)
        merged = np.zeros(len(unique))
        np.add.at(merged, inverse, share)
        self.buyer, self.supplier, self.share = unique // self.capacity, unique % self.capacity, merged
        self._matrix = None

    def resize(self, capacity: int) -> None:
        """Allow more firm slots (keeps edges)."""
        self.capacity = capacity
        self._matrix = None

    # -- the hot path -----------------------------------------------------
    def matrix(self, sector: np.ndarray) -> sp.csr_matrix:
        """``M[g, f]``: EUR from firm g per EUR of output of firm f (cached until edges change)."""
        if self._matrix is None:
            values = np.concatenate([self.share * self.input_coefficients[sector[self.supplier], sector[self.buyer]], self.link_coefficient])
            rows = np.concatenate([self.supplier, self.link_supplier])
            columns = np.concatenate([self.buyer, self.link_buyer])
            self._matrix = sp.csr_matrix((values, (rows, columns)), shape=(self.capacity, self.capacity))
            self._matrix_t = self._matrix.T.tocsr()
        return self._matrix

    def matrix_t(self, sector: np.ndarray) -> sp.csr_matrix:
        """Transpose of :meth:`matrix` (buyer-side sums)."""
        self.matrix(sector)
        assert self._matrix_t is not None
        return self._matrix_t

    # -- views ------------------------------------------------------------
    def suppliers_of(self, firm: int) -> np.ndarray:
        """Slots of the firm's local suppliers."""
        return np.unique(np.concatenate([self.supplier[self.buyer == firm], self.link_supplier[self.link_buyer == firm]]))

    def customers_of(self, firm: int) -> np.ndarray:
        """Slots of the firm's local customers."""
        return np.unique(np.concatenate([self.buyer[self.supplier == firm], self.link_buyer[self.link_supplier == firm]]))


def _size_biased(rng: np.random.Generator, candidates: np.ndarray, size: np.ndarray, count: int) -> np.ndarray:
    """``count`` draws from ``candidates`` with probability proportional to size (at least 1)."""
    cumulative = np.cumsum(np.maximum(size[candidates].astype(float), 1.0))
    return candidates[np.searchsorted(cumulative, rng.random(count) * cumulative[-1], side="right").clip(max=len(candidates) - 1)]
