"""Staff pooling: a member hires another member's surplus staff before layoffs.

After each firm has set its hires and layoffs for the month, members' planned
layoffs are matched with members' open positions: up to the smaller of the two
totals, staff move directly from the laying-off member to the hiring member
(no spell of unemployment), spread over firms in proportion to their layoffs
and hires (largest remainders). Stated assumption, after the German practice
of employee leasing between firms in a network (Arbeitnehmerueberlassung within
firm networks; the real alliance's idea of pooling skilled staff).
"""

from __future__ import annotations

import numpy as np


def pool_staff(member: np.ndarray, hires: np.ndarray, fires: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Match members' layoffs with members' hires.

    Args:
        member: membership per firm slot.
        hires: persons each firm wants to hire.
        fires: persons each firm wants to lay off.

    Returns:
        (hires left, layoffs left, persons moved out per firm, persons moved in per firm).
    """
    out_of = np.zeros_like(fires)
    into = np.zeros_like(hires)
    member_fires = np.where(member, fires, 0)
    member_hires = np.where(member, hires, 0)
    moved = int(min(member_fires.sum(), member_hires.sum()))
    if moved == 0:
        return hires, fires, out_of, into
    out_of = _split(moved, member_fires)
    into = _split(moved, member_hires)
    return hires - into, fires - out_of, out_of, into


def _split(total: int, weights: np.ndarray) -> np.ndarray:
    """Integer split of ``total`` (at most ``weights.sum()``) in proportion to ``weights``; sums exactly to ``total``."""
    raw = total * weights / weights.sum()
    base = np.floor(raw).astype(weights.dtype)
    rest = total - int(base.sum())
    if rest:
        order = np.argsort(-(raw - base), kind="stable")
        base[order[:rest]] += 1
    return base
