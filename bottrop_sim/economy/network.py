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
edge order, and :class:`~bottrop_sim.economy.summation_order.SummationOrder`
reproduces it.

:class:`SupplyNetwork` is one class in three parts: this module holds the store
and the supplier draws of new firms; :mod:`bottrop_sim.economy.network_rewiring`
an exit's rewiring and the import-replacing links;
:mod:`bottrop_sim.economy.network_views` what the month reads (the operators,
per-pair sums, partner counts) and the views (edge arrays, a networkx graph).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bottrop_sim.economy.adjacency import KEY, BuyerRows
from bottrop_sim.economy.network_rewiring import NO_SLOTS, NetworkRewiring
from bottrop_sim.economy.network_views import NetworkViews
from bottrop_sim.economy.place_pairs import PlacePairs
from bottrop_sim.economy.summation_order import SummationOrder
from bottrop_sim.economy.supplier_draws import draw_all_sectors, no_self_draws


class SupplyNetwork(NetworkRewiring, NetworkViews):
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
        self.summation = SummationOrder(self)
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
            candidates = self._by_sector.get(input_sector, NO_SLOTS)
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
            self._by_sector[s] = np.sort(np.concatenate([self._by_sector.get(s, NO_SLOTS), joining]))
            self._indexed[joining] = True

    def _changed(self) -> None:
        self._version += 1

    def _cached(self, name: str, build: Callable[[], object]) -> object:
        hit = self._cache.get(name)
        if hit is None or hit[0] != self._version:
            hit = (self._version, build())
            self._cache[name] = hit
        return hit[1]
