"""The order in which scipy would add three or more parts of one supply-network matrix entry.

The supply network's store (:mod:`bottrop_sim.economy.network`) gives the same
matrices, to the last bit, as the former implementation that built them from an
edge list; where three or more parts add up to one entry, the sum depends on the
order scipy added them in, and :class:`SummationOrder` reproduces it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from bottrop_sim.economy.adjacency import KEY

if TYPE_CHECKING:
    from bottrop_sim.economy.network import SupplyNetwork


class SummationOrder:
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
