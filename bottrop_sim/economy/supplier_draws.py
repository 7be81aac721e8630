"""Size-biased supplier draws for new buyers, all input sectors at once (the draws of one call of ``draw_suppliers``).

:meth:`~bottrop_sim.economy.network.SupplyNetwork.draw_suppliers` draws, for
each input sector in turn, ``k`` suppliers per buyer with probability
proportional to size, by inverting the cumulative weights of the sector's
active firms. Done sector by sector that is a dozen small array operations per
input sector, which is most of the cost of founding one firm. When the weights
are whole numbers (headcounts, the case of every entrant) the same draws come
out of one pass over all input sectors:

* the cumulative weights of all sectors' candidates in one ``cumsum`` are exact
  integers, so a sector's cumulative weights are that sum minus the sum before
  the sector, to the bit the same as the sector's own ``cumsum``;
* a draw ``u * total`` is at or above a whole-number cumulative weight exactly
  when its floor is; adding ``sector_index * 2**32`` to both sides keeps every
  sector in its own range of one sorted array (all numbers exact below 2**53),
  so one ``searchsorted`` finds every sector's draws;
* the uniform numbers come from the generator in the same order: all sectors'
  ``(buyers, k)`` blocks one after the other, with the redraws of a buyer that
  drew itself after its own sector's block (as ``Generator.random`` fills one
  64-bit number per double, consecutive calls give the numbers of one long call).

Returns None (the caller draws sector by sector) when the weights are not whole
numbers or more than one input sector is a buyer's own.
"""

from __future__ import annotations

import numpy as np

#: Sector offset in the combined search (above any sector's total weight; exact with the weights below 2**53).
_SECTOR_SPAN = float(1 << 32)


def draw_all_sectors(
    rng: np.random.Generator,
    buyers: np.ndarray,
    inputs: list[int],
    candidates: list[np.ndarray],
    size: np.ndarray,
    own_sectors: set[int],
    k: int,
) -> list[np.ndarray] | None:
    """The drawn supplier slots, one ``(len(buyers), k)`` array per input sector, or None if this path does not apply.

    Args:
        rng: the generator of the draw (consumed exactly as the sector-by-sector draw does).
        buyers: the buyers' slots.
        inputs: input sectors with at least one candidate, in the order of the draws.
        candidates: active firms of each of those sectors (ascending slot).
        size: supplier weights per slot (headcount, persons; must be integers for this path).
        own_sectors: sectors of the buyers (a buyer draws itself only if it is the only candidate).
        k: draws per buyer and input sector.
    """
    if not np.issubdtype(size.dtype, np.integer):
        return None
    own = [j for j, sector in enumerate(inputs) if sector in own_sectors and len(candidates[j]) > 1]
    if len(own) > 1:
        return None
    lengths = np.array([len(c) for c in candidates], np.int64)
    pool = np.concatenate(candidates)
    cumulative = np.cumsum(np.maximum(size[pool].astype(float), 1.0))  # whole numbers: exact
    if cumulative[-1] >= _SECTOR_SPAN:
        return None
    ends = np.cumsum(lengths) - 1
    before = np.concatenate(([0.0], cumulative[ends[:-1]]))
    totals = cumulative[ends] - before  # each sector's cumulative[-1]
    segment = np.repeat(np.arange(len(inputs)), lengths)
    keyed = (cumulative - before[segment]) + segment * _SECTOR_SPAN  # each sector's own cumulative weights, sectors apart
    n = len(buyers)

    def pick(uniform: np.ndarray, first: int) -> np.ndarray:
        """Suppliers for blocks of uniform numbers of the sectors from ``first`` on."""
        sectors = np.arange(first, first + len(uniform))
        target = np.floor(uniform * totals[sectors, None, None]) + (sectors * _SECTOR_SPAN)[:, None, None]
        found = np.searchsorted(keyed, target.ravel(), side="right").reshape(uniform.shape)
        return pool[np.minimum(found, ends[sectors, None, None])]

    if not own:
        return list(pick(rng.random((len(inputs), n, k)), 0))
    j = own[0]
    head = pick(rng.random((j + 1, n, k)), 0)
    weights = np.maximum(size[candidates[j]].astype(float), 1.0)
    sector_cumulative = cumulative[ends[j] - lengths[j] + 1 : ends[j] + 1] - before[j]
    head[j] = no_self_draws(rng, head[j], buyers, candidates[j], weights, sector_cumulative)
    tail = pick(rng.random((len(inputs) - j - 1, n, k)), j + 1)
    return list(head) + list(tail)


def no_self_draws(
    rng: np.random.Generator, draws: np.ndarray, buyers: np.ndarray, candidates: np.ndarray, weights: np.ndarray, cumulative: np.ndarray
) -> np.ndarray:
    """Redraw a buyer's draws of itself (up to 20 rounds), then replace leftovers by the largest other candidate."""
    last = len(candidates) - 1
    for _ in range(20):
        own = draws == buyers[:, None]
        if not own.any():
            break
        draws[own] = candidates[np.minimum(np.searchsorted(cumulative, rng.random(int(own.sum())) * cumulative[-1], side="right"), last)]
    own = draws == buyers[:, None]
    if own.any():
        order = candidates[np.argsort(-weights, kind="stable")]
        for row, col in zip(*np.nonzero(own), strict=True):
            draws[row, col] = order[0] if order[0] != buyers[row] else order[1]
    return draws
