"""Shortcuts of the speed work on the alliance and hybrid governance give the plain computation's bits.

Each shortcut is checked against the computation it replaced, written out here
as it was (arrays over every firm slot, one draw call per attempt, the model's
full holder array, ...), to the bit, on random inputs.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bottrop_sim.governance.pooling import pool_staff


# -- staff pooling -------------------------------------------------------------------
def plain_pool_staff(member, hires, fires, sector, relatedness, min_relatedness):
    """Staff pooling as it was computed before: every pair of sectors on arrays over all firm slots."""
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
    pairs.sort(key=lambda pair: (-relatedness[pair], pair[0] != pair[1], pair))
    firm_fires_left, firm_hires_left = member_fires.copy(), member_hires.copy()
    for a, b in pairs:
        moved = int(min(fires_left[a], hires_left[b]))
        if moved == 0:
            continue
        fires_left[a] -= moved
        hires_left[b] -= moved
        senders = np.where(sector == a, firm_fires_left, 0)
        receivers = np.where(sector == b, firm_hires_left, 0)
        sent, received = plain_split(moved, senders), plain_split(moved, receivers)
        firm_fires_left -= sent
        firm_hires_left -= received
        out_of += sent
        into += received
        distance += received * (1.0 - relatedness[a, b])
    return hires - into, fires - out_of, out_of, into, distance


def plain_split(total, weights):
    raw = total * weights / weights.sum()
    base = np.floor(raw).astype(weights.dtype)
    rest = total - int(base.sum())
    if rest:
        order = np.argsort(-(raw - base), kind="stable")
        base[order[:rest]] += 1
    return base


@st.composite
def pooling_inputs(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    firms = draw(st.integers(1, 60))
    sectors = draw(st.integers(1, 6))
    member = rng.random(firms) < draw(st.sampled_from([0.2, 0.6, 1.0]))
    big = draw(st.sampled_from([3, 10, 200]))
    hires = np.where(rng.random(firms) < 0.5, rng.integers(0, big, firms), 0).astype(np.int64)
    fires = np.where(rng.random(firms) < 0.5, rng.integers(0, big, firms), 0).astype(np.int64)
    sector = rng.integers(0, sectors, firms).astype(np.int64)
    # relatedness with ties (a few levels) and exact zeros and ones, as the data table has them
    relatedness = rng.choice([0.0, 0.25, 0.3, 0.5, 1.0 / 3.0, 0.7, 1.0], (sectors, sectors))
    np.fill_diagonal(relatedness, 1.0)
    min_relatedness = draw(st.sampled_from([0.0, 0.3, 0.5, 1.0]))
    return member, hires, fires, sector, relatedness, min_relatedness


@settings(max_examples=300, deadline=None)
@given(pooling_inputs())
def test_pool_staff_on_lists_of_the_firms_that_take_part_gives_the_array_formulas_bits(inputs):
    """Hires, layoffs, moves and training distance: the same integers and the same doubles as over all slots."""
    fast = pool_staff(*inputs)
    plain = plain_pool_staff(*inputs)
    for got, want in zip(fast, plain, strict=True):
        assert got.dtype == want.dtype
        assert got.tobytes() == want.tobytes()


def test_pool_staff_moves_people_when_members_lay_off_and_hire_in_related_sectors():
    """A case the hypothesis examples must not miss: three layoffs split over two hiring members by their hires."""
    member = np.array([True, True, True, False])
    hires = np.array([0, 2, 1, 5], np.int64)
    fires = np.array([3, 0, 0, 0], np.int64)
    sector = np.array([0, 0, 1, 1], np.int64)
    relatedness = np.array([[1.0, 0.6], [0.6, 1.0]])
    fast = pool_staff(member, hires, fires, sector, relatedness, 0.5)
    assert fast[2].tolist() == [3, 0, 0, 0] and fast[3].tolist() == [0, 2, 1, 0]
    assert [a.tobytes() for a in fast] == [a.tobytes() for a in plain_pool_staff(member, hires, fires, sector, relatedness, 0.5)]
