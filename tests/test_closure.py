"""The closure's effect is plausible against published figures (common random numbers: same seeds).

The paired runs (closure to 2023-12 and its twin, seeds 1-3) and the ratio of
jobs lost per mine job are the session fixtures ``closure_pairs`` and
``closure_job_ratios`` (tests/conftest.py), shared with tests/test_closure_labour.py.
"""

from __future__ import annotations

import tomllib
from importlib import resources

import numpy as np

NATIONAL_MULTIPLIER = tomllib.loads(resources.files("bottrop_sim.data").joinpath("calibration.toml").read_text())["job_multiplier_hard_coal"]["value"]
#: Share of the national supply-chain and income effects that falls inside one city of
#: ~117,000 (stated assumption, docs/calibration.md): 10 % to 30 %.
LOCAL_SHARE = (0.10, 0.30)


def test_local_job_multiplier_is_in_line_with_published_multipliers(closure_job_ratios):
    """Jobs lost beyond the mine's own, per mine job, in 2022 (a year after the shafts were filled): inside the
    local share of the national further-jobs multipliers, 0.13-0.87. Outcome of the channels (supply chain,
    residents' and in-commuters' spending, the city's budget, agglomeration; docs/calibration.md), none fitted to it."""
    beyond = np.mean(closure_job_ratios) - 1.0
    low, high = LOCAL_SHARE[0] * NATIONAL_MULTIPLIER[0], LOCAL_SHARE[1] * NATIONAL_MULTIPLIER[1]
    assert low <= beyond <= high, (closure_job_ratios, low, high)


def test_unemployment_rises_less_than_the_mine_cuts_jobs(closure_pairs, closure_scenario):
    resident_share = closure_scenario.mine.resident_share
    for closure, counterfactual in closure_pairs:
        extra_unemployed = closure["unemployed"] - counterfactual["unemployed"]
        mine_cut = counterfactual["mine_employment"] - closure["mine_employment"]
        assert extra_unemployed.max() > 0  # the closure does raise unemployment
        # early retirement, transfers and commuting: far fewer than the cuts, even fewer than the resident miners
        assert extra_unemployed.max() < resident_share * mine_cut.max()
        assert (closure["retired"].iloc[-1] > 0) and (counterfactual["retired"].iloc[-1] == 0)


def test_before_the_phase_down_both_runs_agree(closure_pairs):
    """Common random numbers: identical in the first month, before the mine sheds anyone."""
    for closure, counterfactual in closure_pairs:
        assert closure.loc["2015-01", "mine_employment"] == 3267
        assert closure.loc["2015-01"].equals(counterfactual.loc["2015-01"])
        assert not closure.loc["2015-03"].equals(counterfactual.loc["2015-03"])


def test_mining_suppliers_are_hit_hardest(closure_pairs):
    """Averaged over seeds, the sector that sold most to the mine loses the largest share of its output."""
    losses = []
    for closure, counterfactual in closure_pairs:
        loss = 1 - closure.loc["2022-12"] / counterfactual.loc["2022-12"]
        losses.append({c: loss[c] for c in closure.columns if c.startswith("output_") and c not in ("output_eur", "output_mining")})
    mean = {c: sum(loss[c] for loss in losses) / len(losses) for c in losses[0]}
    assert max(mean, key=mean.get) == "output_mining_supply"
