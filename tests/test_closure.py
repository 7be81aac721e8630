"""The closure's effect is plausible against published figures (common random numbers: same seeds)."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from bottrop_sim import simulate

SEEDS = (1, 2, 3)
NATIONAL_MULTIPLIER = tomllib.loads(resources.files("bottrop_sim.data").joinpath("calibration.toml").read_text())["job_multiplier_hard_coal"]["value"]
#: Share of the national supply-chain and income effects that falls inside one city of
#: ~117,000 (stated assumption, docs/calibration.md): 10 % to 30 %.
LOCAL_SHARE = (0.10, 0.30)


@pytest.fixture(scope="module")
def pairs(closure_scenario, no_closure_scenario):
    return [
        (simulate(closure_scenario, seed=seed).timeseries.set_index("date"), simulate(no_closure_scenario, seed=seed).timeseries.set_index("date"))
        for seed in SEEDS
    ]


@pytest.mark.xfail(
    strict=True,
    reason=(
        "issue 10: with the whole region's accounts and the open labour market, the closure costs 0.04-0.11 other jobs "
        "per mine job in 2022 (seeds 1-3; 0.11 with customer search off, which wins orders without a source, issue 11): "
        "below the band 0.13-0.87. The mine's local purchases are 20 % of its output and its resident staff's income is "
        "largely replaced (early retirement, benefits); the channels that the published multipliers carry beyond the "
        "input-output rounds (same-industry spillovers, out-migration, the city's budget) are not in the model yet"
    ),
)
def test_local_job_multiplier_is_in_line_with_published_multipliers(pairs):
    """Jobs lost beyond the mine's own, per mine job, a year after the shafts were filled."""
    ratios = []
    for closure, counterfactual in pairs:
        mine_jobs_lost = counterfactual.loc["2022-12", "mine_employment"] - closure.loc["2022-12", "mine_employment"]
        other_jobs_lost = counterfactual.loc["2022-12", "firm_employment"] - closure.loc["2022-12", "firm_employment"]
        assert mine_jobs_lost == 3267
        ratios.append(other_jobs_lost / mine_jobs_lost)
    mean = sum(ratios) / len(ratios)
    low, high = LOCAL_SHARE[0] * NATIONAL_MULTIPLIER[0], LOCAL_SHARE[1] * NATIONAL_MULTIPLIER[1]
    assert low <= mean <= high, (ratios, low, high)


def test_unemployment_rises_less_than_the_mine_cuts_jobs(pairs, closure_scenario):
    resident_share = closure_scenario.mine.resident_share
    for closure, counterfactual in pairs:
        extra_unemployed = closure["unemployed"] - counterfactual["unemployed"]
        mine_cut = counterfactual["mine_employment"] - closure["mine_employment"]
        assert extra_unemployed.max() > 0  # the closure does raise unemployment
        # early retirement, transfers and commuting: far fewer than the cuts, even fewer than the resident miners
        assert extra_unemployed.max() < resident_share * mine_cut.max()
        assert (closure["retired"].iloc[-1] > 0) and (counterfactual["retired"].iloc[-1] == 0)


def test_before_the_phase_down_both_runs_agree(pairs):
    """Common random numbers: identical in the first month, before the mine sheds anyone."""
    for closure, counterfactual in pairs:
        assert closure.loc["2015-01", "mine_employment"] == 3267
        assert closure.loc["2015-01"].equals(counterfactual.loc["2015-01"])
        assert not closure.loc["2015-03"].equals(counterfactual.loc["2015-03"])


def test_mining_suppliers_are_hit_hardest(pairs):
    """Averaged over seeds, the sector that sold most to the mine loses the largest share of its output."""
    losses = []
    for closure, counterfactual in pairs:
        loss = 1 - closure.loc["2022-12"] / counterfactual.loc["2022-12"]
        losses.append({c: loss[c] for c in closure.columns if c.startswith("output_") and c not in ("output_eur", "output_mining")})
    mean = {c: sum(loss[c] for loss in losses) / len(losses) for c in losses[0]}
    assert max(mean, key=mean.get) == "output_mining_supply"
