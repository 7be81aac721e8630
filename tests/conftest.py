"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from bottrop_sim import load_scenario, simulate

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="session")
def closure_scenario():
    """The shipped closure_2018 scenario."""
    return load_scenario(SCENARIOS / "closure_2018.toml")


@pytest.fixture(scope="session")
def no_closure_scenario():
    """The shipped no_closure counterfactual."""
    return load_scenario(SCENARIOS / "no_closure.toml")


#: Seeds of the closure's paired runs (common random numbers: the twin runs on the same seed).
CLOSURE_SEEDS = (1, 2, 3)


@pytest.fixture(scope="session")
def closure_pairs(closure_scenario):
    """Per seed 1-3: the closure scenario to 2023-12 and its twin (the same minus its shocks), time series indexed by date."""
    short = closure_scenario.model_copy(update={"end": "2023-12"})
    return [
        (simulate(short, seed=s).timeseries.set_index("date"), simulate(short.without_shocks(), seed=s).timeseries.set_index("date")) for s in CLOSURE_SEEDS
    ]


@pytest.fixture(scope="session")
def closure_job_ratios(closure_pairs):
    """Per seed: total jobs lost in Bottrop per mine job lost, 2022 (twin minus closure; mean over 2022 of jobs at the workplace, the mine's included)."""
    ratios = []
    for closure, twin in closure_pairs:
        mine_jobs = twin.loc["2022-12", "mine_employment"] - closure.loc["2022-12", "mine_employment"]
        assert mine_jobs == 3267  # the whole workforce of 2015: the shafts were filled by 2021
        total = twin.loc["2022-01":"2022-12", "employment_workplace"].mean() - closure.loc["2022-01":"2022-12", "employment_workplace"].mean()
        ratios.append(float(total / mine_jobs))
    return ratios
