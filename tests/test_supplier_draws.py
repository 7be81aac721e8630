"""The one-pass supplier draw of all input sectors gives the sector-by-sector draws, number for number.

``draw_all_sectors`` (bottrop_sim/economy/supplier_draws.py) is the fast path of
``SupplyNetwork.draw_suppliers`` for whole-number sizes; the reference is the
per-sector draw that the store uses otherwise (and used before for every call).
Both get generators of the same seed: the drawn suppliers must be equal, and the
generators must have consumed the same numbers (the next draw is equal too),
with buyers that draw themselves (a big buyer in a small own sector) included.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bottrop_sim.economy.network import SupplyNetwork
from bottrop_sim.economy.supplier_draws import draw_all_sectors


def _sector_by_sector(rng: np.random.Generator, buyers, inputs, pools, size, own_sectors, k) -> list[np.ndarray]:
    return [SupplyNetwork._draw_sector(rng, buyers, pool, size, sector in own_sectors, k) for sector, pool in zip(inputs, pools, strict=True)]


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    sectors=st.integers(1, 6),
    firms=st.integers(1, 12),
    buyers=st.integers(1, 3),
    k=st.integers(1, 4),
    own=st.integers(-1, 5),
    big=st.integers(1, 5000),
)
def test_one_pass_draw_equals_sector_by_sector(seed: int, sectors: int, firms: int, buyers: int, k: int, own: int, big: int) -> None:
    setup = np.random.default_rng(seed)
    slots = setup.permutation(sectors * firms)
    pools = [np.sort(slots[s * firms : (s + 1) * firms]) for s in range(sectors)]
    size = setup.integers(0, 60, sectors * firms + buyers)  # zero sizes count as 1
    inputs = list(range(sectors))
    if 0 <= own < sectors:  # the buyers are firms of an input sector, one of them big: it draws itself often
        chosen = pools[own][:buyers]
        size[chosen[0]] = big
        own_sectors = {own}
    else:  # new buyers from outside the input sectors
        chosen = np.arange(sectors * firms, sectors * firms + buyers)
        own_sectors = {sectors}
    fast_rng, reference_rng = np.random.default_rng(seed + 1), np.random.default_rng(seed + 1)
    fast = draw_all_sectors(fast_rng, chosen, inputs, pools, size, own_sectors, k)
    reference = _sector_by_sector(reference_rng, chosen, inputs, pools, size, own_sectors, k)
    assert fast is not None
    assert len(fast) == len(reference)
    for got, expected in zip(fast, reference, strict=True):
        np.testing.assert_array_equal(got, expected)
    assert fast_rng.random() == reference_rng.random()  # the same numbers were used up


def test_sizes_that_are_not_whole_numbers_take_the_sector_by_sector_path() -> None:
    rng = np.random.default_rng(3)
    state = rng.bit_generator.state
    pools = [np.array([0, 1, 2])]
    assert draw_all_sectors(rng, np.array([5]), [0], pools, np.array([1.5, 2.0, 3.0, 0, 0, 0]), {1}, 2) is None
    assert rng.bit_generator.state == state  # nothing drawn
