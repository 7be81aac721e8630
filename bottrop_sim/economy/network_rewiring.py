"""The supply network's rewiring: an exiting firm's customers and the import-replacing links.

Part of :class:`~bottrop_sim.economy.network.SupplyNetwork` (a mixin; the store
and the supplier draws of new firms are in :mod:`bottrop_sim.economy.network`).
A customer of an exiting firm replaces it by a supplier drawn size-biased among
the other active firms of its sector (:meth:`NetworkRewiring.remove_firm`);
links beyond the sector table replace part of a buyer's imports by a local
supplier (customer search, the alliance's brokerage, §7.6) and are made and
ended here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from bottrop_sim.economy.adjacency import KEY

if TYPE_CHECKING:
    from bottrop_sim.economy.adjacency import BuyerRows
    from bottrop_sim.economy.summation_order import SummationOrder

NO_SLOTS = np.zeros(0, np.int64)
"""No slots: an empty index array, shared by the store and its rewiring."""


class NetworkRewiring:
    """Exits and import-replacing links of :class:`~bottrop_sim.economy.network.SupplyNetwork` (attributes as set there)."""

    rows: BuyerRows
    input_coefficients: np.ndarray
    link_supplier: np.ndarray
    link_buyer: np.ndarray
    link_coefficient: np.ndarray
    _link_parts: dict[int, list[float]]
    draw_call: np.ndarray
    calls: int
    merged: bool
    calls_at_merge: int
    summation: SummationOrder
    _by_sector: dict[int, np.ndarray] | None
    _indexed: np.ndarray
    _sector: np.ndarray

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
        self._index_active(sector, alive, NO_SLOTS)
        firm_sector = int(sector[firm])
        if self._indexed[firm]:
            members = self._by_sector[firm_sector]
            self._by_sector[firm_sector] = members[members != firm]
            self._indexed[firm] = False
        others = self._by_sector.get(firm_sector, NO_SLOTS)
        ended: list[tuple[int, float]] = []
        moved_keys = NO_SLOTS
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
