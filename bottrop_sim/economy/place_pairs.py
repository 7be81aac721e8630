"""Sums of the month's intermediate purchases per pair of holders, on the network store's own places.

The ledger books intermediate purchases per (buyer holder, supplier holder): for
every stored place of ``M`` (the store's CSC storage: each buyer's places together,
buyers ascending, free places included) the EUR ``value * fill[supplier] *
planned[buyer]`` is added to its pair, in storage order, as
``np.bincount(pair, weights=eur)`` does. :class:`PlacePairs` gives the same bits
with one scipy ``csc_matvec``: the pairs as the rows of a CSC matrix with the
store's column pointers, ``value * fill[supplier]`` as its values and ``planned``
as the vector. The kernel adds ``Ax[k] * x[buyer]`` to ``y[pair[k]]`` for the
places k of each buyer in turn, from zero: the same products, added to each
pair in the same order.

The pair of each place is kept and, when the network changes, recomputed only
for the rows the store's change log names (:meth:`BuyerRows.changed_rows`):
an exit changes a few dozen rows of ~2,300, so the month's pairs cost a few
hundred places instead of a gather over all ~53,000.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from bottrop_sim.economy.kernels import CSC_MATVEC

if TYPE_CHECKING:
    from bottrop_sim.economy.adjacency import BuyerRows


class PlacePairs:
    """The (buyer group, supplier group) pair of every stored place of the network store, kept up to date.

    Args:
        rows: the store's rows (their arrays are read at every :meth:`update` and :meth:`sums`).
    """

    def __init__(self, rows: BuyerRows) -> None:
        self.rows = rows
        self.pairs = np.zeros(0, np.int32)  # flat pair index per place (int32, as the column pointers)
        self.groups = 0
        self._group = np.zeros(0, np.int64)
        self._token: tuple[int, int] | None = None  # (layout, log length) when the pairs were last brought up to date
        self._limit = 0  # every place of the last update refers to slots below this (as buyer and as supplier)

    def update(self, group: np.ndarray, groups: int) -> PlacePairs:
        """Bring the pairs up to date for ``group`` (label per slot, capacity-sized) and the store's current places.

        Recomputes the places of the rows changed since the last update; all places when the
        layout changed, or when a slot that places already referred to got another label (a
        new firm's slot gets its label before any place refers to it: only its own rows change).
        """
        rows = self.rows
        changed = None
        if self._token is not None and groups == self.groups and len(group) >= len(self._group) and len(self.pairs) <= rows.end:
            changed = rows.changed_rows(*self._token)
            relabelled = np.flatnonzero(self._group != group[: len(self._group)])
            if len(relabelled) and relabelled[0] < self._limit:
                changed = None
        if changed is None:
            owner = np.repeat(np.arange(rows.capacity, dtype=np.int64), np.diff(rows.indptr))
            suppliers = rows.col[: rows.end]
            self.pairs = (group[owner] * groups + group[suppliers]).astype(np.int32)
            self._limit = max(int(suppliers.max()) + 1, int(owner[-1]) + 1) if rows.end else 0
        elif len(changed):
            if len(self.pairs) < rows.end:  # rows appended after the others: their places are new (and logged)
                grown = np.empty(rows.end, np.int32)
                grown[: len(self.pairs)] = self.pairs
                self.pairs = grown
            buyers = np.unique(changed)
            starts = rows.indptr[buyers].astype(np.int64)
            sizes = rows.indptr[buyers + 1].astype(np.int64) - starts
            total = int(sizes.sum())
            if total:
                before = np.cumsum(sizes) - sizes
                positions = np.repeat(starts - before, sizes) + np.arange(total)
                suppliers = rows.col[positions]
                self.pairs[positions] = group[np.repeat(buyers, sizes)] * groups + group[suppliers]
                self._limit = max(self._limit, int(suppliers.max()) + 1, int(buyers[-1]) + 1)
        self.groups, self._group = groups, np.array(group, copy=True)
        self._token = (rows.layout, len(rows.changed))
        return self

    def sums(self, fill: np.ndarray, planned: np.ndarray) -> np.ndarray:
        """Per pair (flat ``buyer_group * groups + supplier_group``), the sum of ``value * fill[supplier] * planned[buyer]`` over the places.

        Call right after :meth:`update`, before the store changes again.

        Args:
            fill: per slot, share of orders served (float64, capacity-sized).
            planned: per slot, planned output, EUR (float64, capacity-sized).
        """
        rows = self.rows
        values, suppliers = rows.value[: rows.end], rows.col[: rows.end]
        # nobody rationed (static mode): value * 1.0 is value (the kernel does not write its matrix); adaptive runs ration
        # in every month of every shipped scenario; take's indices are in range: "wrap" gives the values of "raise", in fewer instructions
        weighted = values * np.take(fill, suppliers, mode="wrap") if (fill != 1.0).any() else values
        size = self.groups * self.groups
        planned = np.ascontiguousarray(planned, np.float64)
        columns = len(rows.indptr) - 1
        if CSC_MATVEC is None or len(planned) != columns:  # the same additions in the same order through scipy
            return sp.csc_matrix((weighted, self.pairs, rows.indptr), shape=(size, columns)) @ planned[:columns]
        out = np.zeros(size)
        CSC_MATVEC(size, columns, rows.indptr, self.pairs, weighted, planned, out)
        return out
