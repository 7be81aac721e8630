"""Accounting identities every step, as property tests over random small economies.

Money is checked from the run's accounts and balances alone (tests/sfc.py); goods,
jobs and the time series are checked against the model's arrays every month.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bottrop_sim.model import BottropModel
from tests.economies import sector_tables, small_scenario
from tests.sfc import check_stock_flow_consistency


def stocks(model: BottropModel) -> dict[str, int | float]:
    labour, firms, n = model.labour, model.firms, model.firms.size
    return {
        "unemployed": int(labour.unemployed.sum()),
        "retired": int(labour.retired.sum()),
        "out_commuters": int(labour.out_commuters.sum()),
        "moved_away": int(labour.moved_away.sum()),
        "in_training": int(labour.in_training.sum()),
        "employed_local": int(labour.employed_local.sum()),
        "jobs": int(firms.headcount[:n].sum()),
        "demand": float((firms.exogenous_demand[:n][firms.alive[:n]] + firms.household_demand[:n][firms.alive[:n]]).sum())
        + float(model.open_market_exogenous.sum() + model.open_market_household.sum()),
    }


def check_month(model: BottropModel, before: dict[str, int | float]) -> None:
    """All identities of one month (called after each step)."""
    flows, labour, firms, n = model.flows_this_month, model.labour.flows, model.firms, model.firms.size
    after = stocks(model)
    scale = max(flows.output, 1.0)
    # goods: every local sale is some local firm's purchase; purchases equal use (the rest is an input stock)
    assert abs(flows.intermediate_sales - flows.local_purchases) <= 1e-9 * scale
    assert abs(flows.output - flows.final_sales - flows.intermediate_sales) <= 1e-9 * scale
    assert abs(firms.input_stock[:n]).sum() <= 1e-8 * scale * max(1, model.month - model.start_month + 1)
    assert flows.final_sales <= flows.final_demand * (1 + 1e-12) + 1e-9
    # final demand is conserved: what exits release is taken over or opened; only creation and loss change the stock
    demand = model.demand_flows
    assert abs(demand["released"] - demand["taken_over"] - demand["opened"]) <= 1e-9 * scale
    assert abs(after["demand"] - before["demand"] - (demand["created"] - demand["lost_to_outside"])) <= 1e-8 * scale
    # jobs: stock-flow identities
    assert after["unemployed"] - before["unemployed"] == (
        labour["to_unemployment"]
        - labour["hires_from_unemployment"]
        - labour["unemployed_to_outside_jobs"]
        - labour["moved_away"]
        - labour["to_training"]
        + labour["training_to_unemployment"]
        + labour["outside_jobs_to_unemployment"]
    )
    assert after["in_training"] - before["in_training"] == labour["to_training"] - labour["training_to_jobs"] - labour["training_to_unemployment"]
    assert after["retired"] - before["retired"] == labour["to_retirement"]
    assert after["out_commuters"] - before["out_commuters"] == (
        labour["mine_transfers"] + labour["unemployed_to_outside_jobs"] + labour["training_to_jobs"] - labour["outside_jobs_to_unemployment"]
    )
    assert after["moved_away"] - before["moved_away"] == labour["moved_away"]
    assert after["employed_local"] - before["employed_local"] == (
        labour["hires_from_unemployment"] - labour["to_unemployment"] - labour["to_retirement"] - labour["mine_transfers"]
    )
    assert after["jobs"] - before["jobs"] == labour["hires"] - labour["separations"]
    # every resident worker is employed, unemployed, retired or moved away, and nobody is lost
    assert model.labour.resident_count() == model.labour.residents_total
    for stock in (
        model.labour.employed_local,
        model.labour.unemployed,
        model.labour.retired,
        model.labour.out_commuters,
        model.labour.moved_away,
        model.labour.in_training,
    ):
        assert (stock >= 0).all()
    # residents employed in a sector never exceed its jobs (the rest are in-commuters)
    assert (model.sector_staff() >= model.labour.employed_local.sum(axis=1)).all()
    # firms: active ones have staff, exited ones hold nothing
    alive = firms.alive[:n]
    assert (firms.headcount[:n][~alive] == 0).all()
    assert (firms.output[:n][~alive] == 0).all()
    if model.adaptive:
        assert (firms.headcount[:n][alive & ~firms.is_mine[:n]] >= 1).all()
    # time series agree with the arrays
    row = model.indicators
    assert row["employment_workplace"] == after["jobs"]
    assert row["in_commuters"] == after["jobs"] - after["employed_local"]
    sector_total = sum(row[f"output_{name}"] for name in model.sector_names)
    outside_table = model.sector_output[len(model.sector_names) :].sum()  # a mine kept outside a custom table
    assert abs(sector_total + outside_table - flows.output) <= 1e-9 * scale


def run_checked(model: BottropModel) -> tuple[int, int]:
    """Run to the end checking every month, then the money from the accounts; returns (exits, entries)."""
    exits = entries = 0
    while model.running:
        before = stocks(model)
        model.step()
        check_month(model, before)
        exits += model.exits_this_month
        entries += model.entries_this_month
    check_stock_flow_consistency(model.accounts.accounts_frame(), model.accounts.balances_frame())
    return exits, entries


@settings(max_examples=25, deadline=None)
@given(table=sector_tables(), seed=st.integers(0, 10_000), mine_staff=st.sampled_from([0, 40, 300]), behaviour=st.sampled_from(["adaptive", "static"]))
def test_identities_hold_every_month(table, seed, mine_staff, behaviour):
    scenario = small_scenario(table, behaviour=behaviour, months=18, mine_staff=mine_staff, closure=mine_staff > 0, seed=seed)
    run_checked(BottropModel(scenario))


@settings(max_examples=15, deadline=None)
@given(table=sector_tables(), seed=st.integers(0, 10_000), cut=st.floats(0.3, 0.9))
def test_identities_hold_through_exits_and_entries(table, seed, cut):
    """A demand collapse makes firms exit and new ones enter; nothing is created or lost."""
    scenario = small_scenario(table, months=30, mine_staff=300, closure=True, seed=seed)
    model = BottropModel(scenario)
    firms, n = model.firms, model.firms.size
    victims = np.arange(n)[~firms.is_mine[:n]][::2]
    firms.exogenous_demand[victims] *= 1 - cut
    firms.household_demand[victims] *= 1 - cut
    exits, _ = run_checked(model)
    assert exits > 0


def test_default_economy_identities_hold_through_the_closure(closure_scenario):
    model = BottropModel(closure_scenario.model_copy(update={"end": "2021-12"}))
    run_checked(model)
    assert model.indicators["mine_employment"] == 0


GOVERNANCE = {
    "none": {"mode": "none"},
    "city_led": {"mode": "city_led", "city": {"budget_eur_year": 600_000, "targeting": "largest_employers", "information_lag_months": 2}},
    "alliance": {
        "mode": "alliance",
        "alliance": {"start": "2015-02", "founding_members": 15, "meeting_interval_months": 1, "join_rate": 0.2},
        "adaptation": {"green_demand_growth_per_year": 0.2, "green_sector": "s0"},
    },
    "hybrid": {"mode": "hybrid", "alliance": {"start": "2015-03", "founding_members": 10}},
}


@settings(max_examples=20, deadline=None)
@given(table=sector_tables(), seed=st.integers(0, 10_000), mode=st.sampled_from(sorted(GOVERNANCE)), cut=st.floats(0.2, 0.8))
def test_identities_hold_under_every_governance_setting(table, seed, mode, cut):
    """Grants, contributions, search costs, branches, pooling, training: still nothing created or lost."""
    scenario = small_scenario(table, months=30, mine_staff=200, closure=True, seed=seed, governance=GOVERNANCE[mode])
    model = BottropModel(scenario)
    firms, n = model.firms, model.firms.size
    victims = np.arange(n)[~firms.is_mine[:n]][::3]
    firms.exogenous_demand[victims] *= 1 - cut
    run_checked(model)


def test_identities_hold_through_every_shock_type(closure_scenario):
    """A key employer failing before trade books its written-off cash in the same month's ledger."""
    shocks = [
        *closure_scenario.model_dump()["shocks"],
        {"type": "key_employer_failure", "start": "2016-03"},
        {"type": "energy_price", "start": "2016-05", "duration_months": 4},
        {"type": "demand_recession", "start": "2016-09"},
        {"type": "supply_disruption", "start": "2017-01"},
    ]
    from bottrop_sim.scenario import scenario_from_dict

    scenario = scenario_from_dict({**closure_scenario.model_dump(mode="json"), "end": "2017-12", "shocks": shocks}, strict=False)
    model = BottropModel(scenario)
    run_checked(model)


def test_the_direct_product_equals_scipys_to_the_last_bit():
    """``times`` (scipy's kernel without its checks) gives what ``@`` gives, bit for bit, and falls back to ``@`` otherwise."""
    import scipy.sparse as sp

    from bottrop_sim.economy.accounting import times

    rng = np.random.default_rng(4)
    dense = rng.random((60, 60)) * (rng.random((60, 60)) < 0.2)
    vector = rng.uniform(-1e6, 1e6, 60)
    for matrix in (sp.csr_matrix(dense), sp.csc_matrix(dense), sp.coo_matrix(dense)):
        assert times(matrix, vector).tobytes() == (matrix @ vector).tobytes()
    matrix = sp.csc_matrix(dense)
    assert times(matrix, vector[::-1]).tobytes() == (matrix @ vector[::-1]).tobytes()  # not contiguous: through @
    assert times(matrix, vector.astype(np.float32)).dtype == (matrix @ vector.astype(np.float32)).dtype
