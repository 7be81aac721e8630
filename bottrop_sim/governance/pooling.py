"""Staff pooling: a member hires another member's surplus staff before layoffs.

After each firm has set its hires and layoffs for the month, members' planned
layoffs are matched with members' open positions, sector pair by sector pair:
staff move only between sectors whose skill relatedness is at least
``pooling_min_relatedness`` (skills travel between related industries, Neffke &
Henning 2013, Strategic Management Journal 34(3); the same relatedness table the
firms' diversification uses), most related pairs first (the same sector first).
Within a sector pair people move from the laying-off members to the hiring members
in proportion to their layoffs and hires (largest remainders), without a spell of
unemployment. The receiving member pays their training: ``pooling_training_months``
of its wage x (1 - relatedness) per person, to outside providers. Stated
assumption, after the German practice of employee leasing between firms in a
network (Arbeitnehmerueberlassung within firm networks; the real alliance's idea
of pooling skilled staff).
"""

from __future__ import annotations

import numpy as np


def pool_staff(
    member: np.ndarray, hires: np.ndarray, fires: np.ndarray, sector: np.ndarray, relatedness: np.ndarray, min_relatedness: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Match members' layoffs with members' hires between related sectors.

    Args:
        member: membership per firm slot.
        hires: persons each firm wants to hire.
        fires: persons each firm wants to lay off.
        sector: sector index per firm slot.
        relatedness: skill relatedness 0..1 between sectors (square, indexed by sector).
        min_relatedness: the least relatedness over which staff move.

    Returns:
        (hires left, layoffs left, persons moved out per firm, persons moved in per firm,
        per firm the sum over the persons it received of 1 - relatedness of their move).
    """
    out_of = np.zeros_like(fires)
    into = np.zeros_like(hires)
    distance = np.zeros(len(hires))
    member_fires = np.where(member, fires, 0)
    member_hires = np.where(member, hires, 0)
    if member_fires.sum() == 0 or member_hires.sum() == 0:
        return hires, fires, out_of, into, distance
    sectors = relatedness.shape[0]
    fires_left = np.bincount(sector, weights=member_fires, minlength=sectors).astype(np.int64)
    hires_left = np.bincount(sector, weights=member_hires, minlength=sectors).astype(np.int64)
    pairs = [(a, b) for a in np.flatnonzero(fires_left) for b in np.flatnonzero(hires_left) if relatedness[a, b] >= min_relatedness]
    pairs.sort(key=lambda pair: (-relatedness[pair], pair[0] != pair[1], pair))  # most related first, own sector first
    firm_fires_left, firm_hires_left = member_fires.copy(), member_hires.copy()
    for a, b in pairs:
        moved = int(min(fires_left[a], hires_left[b]))
        if moved == 0:
            continue
        fires_left[a] -= moved
        hires_left[b] -= moved
        senders = np.where(sector == a, firm_fires_left, 0)
        receivers = np.where(sector == b, firm_hires_left, 0)
        sent, received = _split(moved, senders), _split(moved, receivers)
        firm_fires_left -= sent
        firm_hires_left -= received
        out_of += sent
        into += received
        distance += received * (1.0 - relatedness[a, b])
    return hires - into, fires - out_of, out_of, into, distance


def _split(total: int, weights: np.ndarray) -> np.ndarray:
    """Integer split of ``total`` (at most ``weights.sum()``) in proportion to ``weights``; sums exactly to ``total``."""
    raw = total * weights / weights.sum()
    base = np.floor(raw).astype(weights.dtype)
    rest = total - int(base.sum())
    if rest:
        order = np.argsort(-(raw - base), kind="stable")
        base[order[:rest]] += 1
    return base
