"""Small labour markets for the fast labour tests (tests/test_labour_fast.py, tests/test_labour_flows_fast.py), and the check that flows keep every resident in one state."""

from __future__ import annotations

import numpy as np

from bottrop_sim.economy.labour import CommutingZone, LabourMarket

SHARES = np.array([[0.3, 0.5, 0.2], [0.1, 0.4, 0.5]])  # skill mix of two sectors


def zone(labour_force: float = 2_350_000, unemployment_rate: float = 0.107, job_finding_rate: float = 0.042, vacancies: float = 35_000) -> CommutingZone:
    return CommutingZone(labour_force, unemployment_rate, job_finding_rate, vacancies, elasticity=0.5)


def market(the_zone: CommutingZone | None = None, **changes) -> LabourMarket:
    """Two sectors (1,000 and 600 staff, half and 40 % residents), 500 out-commuters, 10 % unemployed."""
    args = {
        "skill_shares": SHARES,
        "staff": np.array([1000, 600]),
        "resident_share": np.array([0.5, 0.4]),
        "out_commuters": 500,
        "unemployment_rate": 0.1,
        "job_finding_rate": 0.065,
        "vacancy_filling_rate": 0.22,
        "elasticity": 0.5,
        "zone": the_zone if the_zone is not None else zone(),
        "resident_hire_share": 0.5,
        "replacing_staff": 1600,
    }
    args.update(changes)
    return LabourMarket(**args)


def stocks(labour: LabourMarket) -> dict[str, np.ndarray]:
    """Resident workers by state and skill (employed here summed over sectors)."""
    return {
        "employed_local": labour.employed_local.sum(axis=0).copy(),
        "out_commuters": labour.out_commuters.copy(),
        "unemployed": labour.unemployed.copy(),
        "retired": labour.retired.copy(),
        "moved_away": labour.moved_away.copy(),
        "in_training": labour.in_training.copy(),
    }


def check_flows(before: dict[str, np.ndarray], labour: LabourMarket, by_skill: bool = True) -> None:
    """Every resident is in one non-negative state, their number is constant, and each stock changed by its flows.

    ``by_skill``: residents of each skill are conserved too (not across training, which raises a skill level).
    """
    after, f = stocks(labour), labour.flows
    for name, values in after.items():
        assert (values >= 0).all(), name
    if by_skill:
        np.testing.assert_array_equal(sum(after.values()), sum(before.values()))  # nobody appears, vanishes or changes skill
    assert labour.resident_count() == sum(int(values.sum()) for values in before.values())
    change = {name: int(after[name].sum() - before[name].sum()) for name in after}
    assert change["unemployed"] == (
        f["to_unemployment"]
        - f["hires_from_unemployment"]
        - f["unemployed_to_outside_jobs"]
        - f["moved_away"]
        - f["to_training"]
        + f["training_to_unemployment"]
        + f["outside_jobs_to_unemployment"]
    )
    assert change["in_training"] == f["to_training"] - f["training_to_jobs"] - f["training_to_unemployment"]
    assert change["retired"] == f["to_retirement"]
    assert change["moved_away"] == f["moved_away"]
    assert change["out_commuters"] == f["mine_transfers"] + f["unemployed_to_outside_jobs"] + f["training_to_jobs"] - f["outside_jobs_to_unemployment"]
    assert change["employed_local"] == f["hires_from_unemployment"] - f["to_unemployment"] - f["to_retirement"] - f["mine_transfers"]


def tiny_market(**changes) -> LabourMarket:
    """Ten staff, all residents, one unemployed: every stock is below one person-month of flows."""
    args = {"skill_shares": np.array([[0.2, 0.5, 0.3]]), "staff": np.array([10]), "resident_share": np.array([1.0]), "out_commuters": 0, "replacing_staff": 10}
    args.update(changes)
    return market(**args)
