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

import math

import numpy as np


def pool_staff(
    member: np.ndarray, hires: np.ndarray, fires: np.ndarray, sector: np.ndarray, relatedness: np.ndarray, min_relatedness: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Match members' layoffs with members' hires between related sectors.

    Only the members that lay off or hire take part, so the matching runs on short
    Python lists of them (in ascending slot order, as the full arrays had them): a
    firm without layoffs gets no share of a sector's leavers and one without hires
    no share of its movers (its weight is 0, see :func:`_split`), and the
    additions of ``0 x (1 - relatedness)`` to other firms' distance change no bit.
    tests/test_speed_paths_members.py checks the result against the array formula.

    Args:
        member: membership per firm slot.
        hires: persons each firm wants to hire (non-negative integers).
        fires: persons each firm wants to lay off (non-negative integers).
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
    slots = np.flatnonzero(member)
    member_sector = sector[slots]
    senders, send_left, send_of, fires_left = _by_sector(slots, fires[slots], member_sector, relatedness.shape[0])
    receivers, receive_left, receive_of, hires_left = _by_sector(slots, hires[slots], member_sector, relatedness.shape[0])
    if not senders or not receivers:  # no member lays off, or none hires
        return hires, fires, out_of, into, distance
    related = relatedness.tolist()
    pairs = [(a, b) for a in range(len(fires_left)) if fires_left[a] for b in range(len(hires_left)) if hires_left[b] and related[a][b] >= min_relatedness]
    pairs.sort(key=lambda pair: (-related[pair[0]][pair[1]], pair[0] != pair[1], pair))  # most related first, own sector first
    sent_total, received_total = [0] * len(senders), [0] * len(receivers)
    received_distance = [0.0] * len(receivers)
    for a, b in pairs:
        moved = min(fires_left[a], hires_left[b])
        if moved == 0:
            continue
        fires_left[a] -= moved
        hires_left[b] -= moved
        away = 1.0 - related[a][b]
        send_positions, receive_positions = send_of[a], receive_of[b]
        sent = _split(moved, [send_left[p] for p in send_positions])
        received = _split(moved, [receive_left[p] for p in receive_positions])
        for p, count in zip(send_positions, sent, strict=True):
            send_left[p] -= count
            sent_total[p] += count
        for p, count in zip(receive_positions, received, strict=True):
            receive_left[p] -= count
            received_total[p] += count
            if count:
                received_distance[p] += count * away
    out_of[senders] = sent_total
    into[receivers] = received_total
    distance[receivers] = received_distance
    return hires - into, fires - out_of, out_of, into, distance


def _by_sector(slots: np.ndarray, counts: np.ndarray, sector: np.ndarray, sectors: int) -> tuple[list[int], list[int], dict[int, list[int]], list[int]]:
    """The slots with a non-zero count (ascending), their counts, per sector their positions in those lists, and the sum per sector.

    The sums are those of the sector-wise ``bincount`` over all slots cast to int64: sums of integers, exact either way.
    """
    kept_slots: list[int] = []
    kept_counts: list[int] = []
    positions: dict[int, list[int]] = {}
    totals = [0] * sectors
    nonzero = np.flatnonzero(counts)
    for slot, count, s in zip(slots[nonzero].tolist(), counts[nonzero].tolist(), sector[nonzero].tolist(), strict=True):
        positions.setdefault(s, []).append(len(kept_slots))
        kept_slots.append(slot)
        kept_counts.append(count)
        totals[s] += count
    return kept_slots, kept_counts, positions, totals


def _split(total: int, weights: list[int]) -> list[int]:
    """Integer split of ``total`` (at most ``sum(weights)``) in proportion to ``weights``; sums exactly to ``total``.

    The numbers of the array formula ``total * w / w.sum()`` (int64 products and sum cast to
    double, one division), floor, and the ``rest`` largest remainders by a stable sort
    (ties in slot order), on Python numbers: the same IEEE operations, the same result.
    """
    divisor = float(sum(weights))
    raw = [float(total * w) / divisor for w in weights]
    base = [math.floor(r) for r in raw]
    rest = total - sum(base)
    if rest:
        order = sorted(range(len(raw)), key=lambda i: -(raw[i] - base[i]))
        for i in order[:rest]:
            base[i] += 1
    return base
