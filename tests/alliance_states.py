"""Saved months of an alliance run and the comparison of two model states to the bit.

Shared by the governance speed-path tests (tests/test_speed_paths_brokerage.py, tests/test_speed_paths_members.py).
"""

from __future__ import annotations

import copy

import numpy as np

from bottrop_sim import BottropModel, load_scenario
from tests.conftest import SCENARIOS


def alliance_run_states() -> list[BottropModel]:
    """Deep copies of an alliance run (Bottrop's closure, the alliance from 2017-03) at months with meetings, links and projects."""
    scenario = load_scenario(SCENARIOS / "closure_2018_alliance.toml").model_copy(update={"end": "2021-12"})
    model = BottropModel(scenario, seed=3)
    states = []
    while model.running:
        model.step()
        if model.month % 7 == 0 and model.governance.alliance.founded:
            states.append(copy.deepcopy(model))
    assert len(states) >= 5 and any(s.governance.alliance.brokered for s in states) and any(s.governance.alliance.projects for s in states)
    return states


def state_bytes(model: BottropModel) -> dict[str, bytes]:
    """Every firm array, the ledger's month and positions and the alliance's links, as bytes."""
    out = {name: value.tobytes() for name, value in vars(model.firms).items() if isinstance(value, np.ndarray)}
    out["accounts.month"] = model.accounts.month.tobytes()
    out["accounts.position"] = model.accounts.position.tobytes()
    alliance = model.governance.alliance
    out["alliance"] = repr((alliance.brokered, alliance.brokered_links, alliance.failed_links, alliance.free_riders_since_meeting)).encode()
    out["demand_flows"] = repr(sorted(model.demand_flows.items())).encode()
    return out


def assert_same_state(fast: BottropModel, plain: BottropModel) -> None:
    got, want = state_bytes(fast), state_bytes(plain)
    assert got.keys() == want.keys()
    assert [name for name in got if got[name] != want[name]] == []
