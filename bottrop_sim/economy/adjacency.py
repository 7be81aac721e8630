"""Per-buyer adjacency rows with slack: the storage under the supply network.

One row per firm slot holds the firm's local suppliers (ascending slot), each
with its table share, the sector-table coefficient of the pair and the value
``M[supplier, buyer]`` of the firm-level input matrix. Rows lie in slot order in
one array with a few free places (slack) at the end of each row, so an exit
changes only the rows of the affected buyers, and a new firm's row is appended.

The same three arrays are a CSR matrix of ``M.T`` (rows: buyers) and a CSC
matrix of ``M`` (columns: buyers); free places hold explicit zeros, which leave
every matrix-vector product unchanged (adding 0.0 changes no sum), and the
products add the entries of a row in ascending slot order, as a canonical CSR
matrix does. So :meth:`BuyerRows.operators` gives the monthly trade its
matrices without building or transposing anything.

Each place also has a sort key ``buyer * KEY + supplier`` (``buyer * KEY + FREE``
for a free place); the keys increase through the whole array, so a pair is
found by binary search.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

#: Key base: ``key = buyer * KEY + supplier``.
KEY = 1 << 31
#: Supplier part of the key of a free place.
FREE = KEY - 1
#: Free places at the end of each buyer's row (a row grows only by import-replacing links).
ROW_SLACK = 2


class BuyerRows:
    """Rows of suppliers per buyer, stored with slack (see the module docstring).

    Args:
        capacity: number of firm slots.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.indptr = np.zeros(capacity + 1, np.int32)  # row b occupies [indptr[b], indptr[b + 1])
        self.length = np.zeros(capacity, np.int64)  # used places per row (the rest is slack)
        self.laid_out = 0  # rows [0, laid_out) have their place; later rows are empty, at the end
        self.end = 0  # places in use (= indptr[capacity])
        self._allocate(4096)
        self._operators: tuple[sp.csc_matrix, sp.csr_matrix] | None = None
        self._owner: np.ndarray | None = None  # buyer of each place (changes only with the layout)
        self._kept_operators: tuple[sp.csc_matrix, sp.csr_matrix] | None = None
        # the change log for caches kept per place (economy/place_pairs.py): rows whose places changed
        # supplier (or were freed, sorted, added) since the layout last changed; a repack moves every place
        self.layout = 0
        self.changed: list[np.ndarray] = []

    def _allocate(self, size: int) -> None:
        """(Re)allocate the place arrays to ``size`` places, keeping the used part."""
        for name, dtype in (("key", np.int64), ("col", np.int32), ("share", float), ("coef", float), ("value", float)):
            grown = np.zeros(size, dtype)
            old = getattr(self, name, None)
            if old is not None:
                grown[: self.end] = old[: self.end]
            setattr(self, name, grown)
        self._operators = None
        self._owner = None  # the layout changed

    def _reserve(self, size: int) -> None:
        if size > len(self.key):
            self._allocate(max(size, int(len(self.key) * 1.5)))

    def resize(self, capacity: int) -> None:
        """Allow more firm slots (new rows are empty)."""
        grown = np.full(capacity + 1, self.end, np.int32)
        grown[: self.capacity + 1] = self.indptr
        self.indptr = grown
        self.length = np.concatenate([self.length, np.zeros(capacity - self.capacity, np.int64)])
        self.capacity = capacity
        self._operators = None
        self._owner = None  # the layout changed

    # -- reading ------------------------------------------------------------
    def used(self) -> np.ndarray:
        """Positions of all used places, in key order."""
        return np.flatnonzero((self.key[: self.end] & (KEY - 1)) != FREE)

    def row(self, buyer: int) -> slice:
        """The used places of a buyer's row."""
        start = int(self.indptr[buyer])
        return slice(start, start + int(self.length[buyer]))

    def find(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions of ``keys`` and whether each is present."""
        positions = np.searchsorted(self.key[: self.end], keys)
        found = positions < self.end
        found[found] = self.key[positions[found]] == keys[found]
        return positions, found

    def column(self, supplier: int) -> np.ndarray:
        """Positions of the used places with this supplier (ascending buyer)."""
        positions = np.flatnonzero(self.col[: self.end] == supplier)
        if supplier != 0:  # free places hold column 0: another column has used places only
            return positions
        return positions[(self.key[positions] & (KEY - 1)) == supplier]

    def changed_rows(self, layout: int, logged: int) -> np.ndarray | None:
        """Buyers whose rows changed since the log held ``logged`` entries under ``layout`` (None: the layout changed since).

        Every place of a row listed here may have another supplier (or be free, or new);
        places of rows not listed hold the same supplier at the same position. Rows may repeat.
        """
        if layout != self.layout or logged > len(self.changed):
            return None
        return np.concatenate(self.changed[logged:]) if logged < len(self.changed) else np.zeros(0, np.int64)

    def _log(self, buyers: np.ndarray | int) -> None:
        """Note rows whose places changed (see :meth:`changed_rows`); a long log starts afresh as a layout change."""
        if len(self.changed) >= _LOG_LIMIT:
            self._moved()
        else:
            self.changed.append(np.atleast_1d(np.asarray(buyers, np.int64)))

    def _moved(self) -> None:
        """Places moved (a new layout): every per-place cache starts afresh."""
        self.layout += 1
        self.changed = []

    # -- writing ------------------------------------------------------------
    def clear_row(self, buyer: int) -> np.ndarray:
        """Free a buyer's whole row; returns the suppliers it had."""
        start, stop = int(self.indptr[buyer]), int(self.indptr[buyer + 1])
        suppliers = self.col[start : start + int(self.length[buyer])].astype(np.int64)
        self._free(slice(start, stop), np.int64(buyer))
        self.length[buyer] = 0
        self._log(buyer)
        return suppliers

    def _free(self, positions: np.ndarray | slice, buyers: np.ndarray | np.int64) -> None:
        self.key[positions] = buyers * KEY + FREE
        self.col[positions] = 0
        self.share[positions] = 0.0
        self.coef[positions] = 0.0
        self.value[positions] = 0.0

    def free(self, positions: np.ndarray) -> None:
        """Free single places (call :meth:`resort` on their rows afterwards)."""
        buyers = self.key[positions] // KEY
        self._free(positions, buyers)
        self._log(buyers)

    def resort(self, buyers: np.ndarray, *, distinct: bool = False) -> None:
        """Restore ascending suppliers and trailing slack in the rows of ``buyers``.

        Args:
            buyers: the rows to sort.
            distinct: whether ``buyers`` is already ascending without repeats (saves sorting it).
        """
        if not distinct:
            buyers = np.unique(buyers)
        if len(buyers) == 0:
            return
        self._log(buyers)
        if len(buyers) == 1:  # one row: work on slices
            buyer = int(buyers[0])
            place = slice(int(self.indptr[buyer]), int(self.indptr[buyer + 1]))
            order = np.argsort(self.key[place], kind="stable")
            for name in ("key", "col", "share", "coef", "value"):
                array = getattr(self, name)
                array[place] = array[place][order]
            self.length[buyer] = np.count_nonzero((self.key[place] & (KEY - 1)) != FREE)
            return
        starts, stops = self.indptr[buyers].astype(np.int64), self.indptr[buyers + 1].astype(np.int64)
        sizes = stops - starts
        before = np.cumsum(sizes) - sizes  # where each row starts among the gathered places
        positions = np.repeat(starts - before, sizes) + np.arange(int(before[-1] + sizes[-1]))
        keys = self.key[positions]
        order = np.argsort(keys, kind="stable")
        for name in ("key", "col", "share", "coef", "value"):
            array = getattr(self, name)
            array[positions] = array[positions][order]
        used = np.zeros(len(keys) + 1, np.int64)  # used places before each gathered place
        np.cumsum((keys & (KEY - 1)) != FREE, out=used[1:])
        self.length[buyers] = used[before + sizes] - used[before]

    def append_rows(self, buyers: np.ndarray, suppliers: np.ndarray, shares: np.ndarray, coefs: np.ndarray) -> bool:
        """Lay out the rows of new buyers after all others; False if they do not all come after the last row.

        ``buyers``/``suppliers`` must be sorted by (buyer, supplier), the buyers new.
        """
        unique, counts = np.unique(buyers, return_counts=True)
        if unique[0] < self.laid_out:
            return False
        region = counts + ROW_SLACK
        total = int(region.sum())
        self._reserve(self.end + total)
        cumulative = np.concatenate([[0], np.cumsum(region)])
        rows = np.arange(self.laid_out, self.capacity + 1)
        self.indptr[rows] = self.end + cumulative[np.searchsorted(unique, rows, side="left")]
        self._free(slice(self.end, self.end + total), np.repeat(unique, region))
        rank = np.arange(len(buyers)) - np.repeat(np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
        places = self.indptr[buyers].astype(np.int64) + rank
        self.key[places] = buyers * KEY + suppliers
        self.col[places] = suppliers
        self.share[places] = shares
        self.coef[places] = coefs
        self.value[places] = shares * coefs
        self.length[unique] = counts
        self.end += total
        self.laid_out = int(unique[-1]) + 1
        self._log(unique)  # the new places lie in the new rows (earlier rows keep theirs)
        self._operators = None
        self._owner = None  # the layout changed
        return True

    def repack(self, drawn: np.ndarray, extra: dict[str, np.ndarray] | None = None) -> None:
        """Lay out all rows afresh (with ``extra`` used places added), each with ``ROW_SLACK`` free places.

        Args:
            drawn: which slots have a row (get slack even when empty).
            extra: arrays ``key``, ``share``, ``coef``, ``value`` of places to add.
        """
        used = self.used()
        arrays = {name: getattr(self, name)[used] for name in ("key", "share", "coef", "value")}
        if extra is not None:
            arrays = {name: np.concatenate([arrays[name], extra[name]]) for name in arrays}
        order = np.argsort(arrays["key"], kind="stable")
        arrays = {name: values[order] for name, values in arrays.items()}
        buyers = arrays["key"] // KEY
        counts = np.bincount(buyers, minlength=self.capacity)
        region = counts + np.where(drawn[: self.capacity] | (counts > 0), ROW_SLACK, 0)
        indptr = np.concatenate([[0], np.cumsum(region)]).astype(np.int32)
        total = int(indptr[-1])
        self.end = 0
        self._reserve(total)
        self.indptr = indptr
        self.end = total
        self._free(slice(0, total), np.repeat(np.arange(self.capacity, dtype=np.int64), region))
        rank = np.arange(len(buyers)) - np.repeat(np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
        places = indptr[buyers].astype(np.int64) + rank
        for name, values in arrays.items():
            getattr(self, name)[places] = values
        self.col[places] = (arrays["key"] % KEY).astype(np.int32)
        self.length = counts.astype(np.int64)
        nonempty = np.flatnonzero(region)
        self.laid_out = int(nonempty[-1]) + 1 if len(nonempty) else 0
        self._operators = None
        self._owner = None  # the layout changed
        self._moved()

    def add_place(self, buyer: int, supplier: int, drawn: np.ndarray) -> None:
        """Add an empty used place (buyer, supplier) to a row (share, coef and value 0)."""
        start, length = int(self.indptr[buyer]), int(self.length[buyer])
        if start + length < int(self.indptr[buyer + 1]):
            place = start + length
            self.key[place] = buyer * KEY + supplier
            self.col[place] = supplier
            self.resort(np.array([buyer]))
        else:
            empty = np.zeros(1)
            self.repack(drawn, {"key": np.array([buyer * KEY + supplier]), "share": empty, "coef": empty, "value": empty})

    # -- matrices -----------------------------------------------------------
    def operators(self) -> tuple[sp.csc_matrix, sp.csr_matrix]:
        """``M`` as CSC and ``M.T`` as CSR on the stored arrays (with explicit zeros in the free places)."""
        if self._operators is None:
            shape = (self.capacity, self.capacity)
            data, indices, indptr = self.value[: self.end], self.col[: self.end], self.indptr
            kept = self._kept_operators
            if kept is None or kept[0].shape != shape:
                kept = (sp.csc_matrix((data, indices, indptr), shape=shape, copy=False), sp.csr_matrix((data, indices, indptr), shape=shape, copy=False))
                self._kept_operators = kept
            for matrix in kept:  # work on the stored arrays, not on copies (a layout change only swaps them)
                matrix.data, matrix.indices, matrix.indptr = data, indices, indptr
            self._operators = kept
        return self._operators

    def entries(self) -> tuple[np.ndarray, np.ndarray]:
        """Supplier (row of ``M``) and buyer (column) of every place, free places included, in storage order (read-only)."""
        suppliers = self.col[: self.end].astype(np.int64)
        if self._owner is None:  # rows keep their places until the layout changes (appended rows, a repack, more slots)
            self._owner = np.repeat(np.arange(self.capacity, dtype=np.int64), np.diff(self.indptr))
            self._owner.flags.writeable = False
        suppliers.flags.writeable = False
        return suppliers, self._owner

    def canonical_transpose(self) -> sp.csr_matrix:
        """``M.T`` as a canonical CSR matrix (no free places)."""
        used = self.used()
        buyers = self.key[used] // KEY
        indptr = np.concatenate([[0], np.cumsum(np.bincount(buyers, minlength=self.capacity))]).astype(np.int32)
        return sp.csr_matrix((self.value[used], self.col[used], indptr), shape=(self.capacity, self.capacity))


#: Entries of the change log before it starts afresh (as a layout change: per-place caches are rebuilt once).
_LOG_LIMIT = 4096
