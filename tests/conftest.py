"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from bottrop_sim import load_scenario

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
