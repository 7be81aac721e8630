"""Pairing a scenario with its twin (same seed) cuts the variance of its effect, when the runs share their noise.

Measured with experiments/benchmarks/bench_crn.py (8 seeds, closure effect on jobs in 2021):

* default economy (since issue 10: idiosyncratic firm demand sd 0.15 shared by both runs, customer
  search against an adaptive aspiration): ratio unpaired / paired about 440. Before, without demand
  noise, about 1.3: the twin had hardly any noise to share and the closure's own response is noisy
  because exit after months below zero cash is a knife edge (runs diverge at the first firm that
  exits in one and not in the other);
* with idiosyncratic firm demand (sd 0.1) that both runs share, cash buffers of 24 months (no knife
  edge) and customer search off: ratio about 690.

This test checks the second setting with a looser threshold (10) on fewer months, so that a regression in
the keyed streams (a draw that depends on what else happened) shows up as a collapse of the ratio.
"""

from __future__ import annotations

import numpy as np

from experiments.benchmarks.bench_crn import paired_and_unpaired
from tests.conftest import SCENARIOS


def test_pairing_cuts_the_variance_of_the_closure_effect_when_noise_is_shared():
    paired, unpaired = paired_and_unpaired(
        str(SCENARIOS / "closure_2018.toml"), list(range(1, 9)), end="2021-12", demand_sd=0.1, liquidity_months=24.0, search=False
    )
    assert np.var(unpaired, ddof=1) > 10 * np.var(paired, ddof=1), (paired, unpaired)
    assert -4500 < paired.mean() < -3000
