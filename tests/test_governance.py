"""Each mechanism's direct effect, same seed with the mechanism on and off (common random numbers).

No test here says which governance setting wins overall: that has to emerge
from the simulation and may differ by scenario.
"""

from __future__ import annotations

import tomllib

import numpy as np
import pandas as pd
import pytest

from bottrop_sim import BottropModel, simulate
from bottrop_sim.scenario import scenario_from_dict
from tests.conftest import SCENARIOS

CLOSURE = tomllib.loads((SCENARIOS / "closure_2018.toml").read_text())
FROZEN_MEMBERSHIP = {"join_rate": 0.0, "leave_rate": 0.0}


def scenario(governance: dict, end: str = "2022-12", **extra):
    data = {**CLOSURE, "end": end, "governance": governance, **extra}
    return scenario_from_dict(data, SCENARIOS / "closure_2018.toml")


def run(governance: dict, seed: int = 5, end: str = "2022-12", **extra) -> pd.DataFrame:
    return simulate(scenario(governance, end, **extra), seed=seed).timeseries.set_index("date")


def alliance(**settings) -> dict:
    return {"mode": "alliance", "alliance": {**FROZEN_MEMBERSHIP, **settings}}


def test_brokerage_raises_local_sourcing_among_members():
    on = run(alliance(brokerage=True, founding_members=200))
    off = run(alliance(brokerage=False, founding_members=200))
    assert on["alliance_brokered_links"].iloc[-1] > 0 == off["alliance_brokered_links"].iloc[-1]
    assert on.loc["2017-03", "alliance_local_sourcing_share"] == off.loc["2017-03", "alliance_local_sourcing_share"]  # same founders
    assert on["alliance_local_sourcing_share"].iloc[-1] > off["alliance_local_sourcing_share"].iloc[-1]


def test_staff_pooling_lowers_layoffs_among_members():
    common = {"founding_members": 600, "brokerage": False, "projects": False, "start": "2015-06"}
    on = run(alliance(staff_pooling=True, **common))
    off = run(alliance(staff_pooling=False, **common))
    assert on["pooled_staff"].sum() > 0 == off["pooled_staff"].sum()
    assert on["member_layoffs"].sum() < off["member_layoffs"].sum()


def test_zero_budget_makes_city_led_equal_to_none():
    city = run({"mode": "city_led", "city": {"budget_eur_year": 0}})
    none = run({"mode": "none"})
    pd.testing.assert_frame_equal(city, none)


def test_city_budget_is_spent_and_reported():
    city = run({"mode": "city_led", "city": {"budget_eur_year": 2_400_000}})
    assert city["city_budget_spent_eur"].sum() > 0
    yearly = city["city_budget_spent_eur"].groupby(city.index.str[:4]).sum()
    assert (yearly <= 2_400_000 * (1 + 1e-9)).all()  # unused money lapses at year end, so no year spends more than its budget
    assert city["trainees"].max() > 0


def test_trust_zero_means_nobody_joins():
    frame = run({"mode": "alliance", "alliance": {"initial_trust": 0.0}})
    assert (frame["alliance_members"] == 0).all()
    frame = run({"mode": "hybrid", "alliance": {"initial_trust": 0.0}})
    assert (frame["alliance_members"] == 0).all()


def test_founding_month_and_size():
    frame = run({"mode": "alliance", "alliance": {"start": "2017-03", "founding_members": 60}})
    assert (frame.loc[:"2017-02", "alliance_members"] == 0).all()
    assert frame.loc["2017-03", "alliance_members"] == 60


def test_hybrid_coordinator_lowers_costs_so_more_firms_join():
    settings = {"start": "2016-01"}
    hybrid = run({"mode": "hybrid", "alliance": settings, "hybrid": {"cost_reduction_share": 0.9}})
    plain = run({"mode": "alliance", "alliance": {**settings, "meeting_interval_months": 2}})
    assert hybrid["alliance_members"].iloc[-1] > plain["alliance_members"].iloc[-1]
    assert hybrid["city_budget_spent_eur"].sum() > 0 == plain["city_budget_spent_eur"].sum()


def test_information_sharing_makes_members_search_sooner_and_cheaper_not_luckier():
    """Shared information lowers the trigger and the cost of a search (issue 11), not its chance of success."""
    common = {"founding_members": 800, "brokerage": False, "projects": False, "staff_pooling": False, "start": "2015-02"}
    on = BottropModel(scenario(alliance(information_sharing=True, information_bonus=3.0, **common)), seed=5)
    off = BottropModel(scenario(alliance(information_sharing=False, **common)), seed=5)
    costs, searches = {}, {}
    for name, model in (("on", on), ("off", off)):
        searching_months = 0
        while model.running:
            model.step()
            n = model.firms.size
            searching_months += int((model.firms.shortfall_months[:n] > 0).sum())
        accounts = model.accounts.accounts_frame()
        costs[name] = float(accounts.loc[accounts["kind"] == "search_costs", "eur"].sum())
        searches[name] = searching_months
    assert searches["on"] > searches["off"]  # members start searching at a smaller fall of their orders
    assert costs["on"] / searches["on"] < costs["off"] / searches["off"]  # and pay less per search


def test_successful_co2_projects_lower_participants_emissions():
    labs = {name: {"enabled": False} for name in ("city_logistics", "hybrid_retail", "digital_crafts")}
    labs["sustainable_business"] = {"effect": "co2", "effect_size": -0.3, "success_rate": 1.0, "participants": 50, "duration_months": 6}
    common = {"founding_members": 300, "brokerage": False, "staff_pooling": False, "free_riding_propensity": 0.0, "labs": labs}
    on = BottropModel(scenario(alliance(projects=True, **common)), seed=5)
    off = BottropModel(scenario(alliance(projects=False, **common)), seed=5)
    for model in (on, off):
        while model.running:
            model.step()
    n = min(on.firms.size, off.firms.size)
    assert on.governance.alliance.successes.get("sustainable_business", 0) > 0
    members = np.flatnonzero(on.firms.member[:n] & off.firms.member[:n])
    assert (on.firms.emission_per_output[members] <= off.firms.emission_per_output[members]).all()
    assert (on.firms.emission_per_output[members] < off.firms.emission_per_output[members]).any()


def test_free_riding_lowers_trust():
    common = {"founding_members": 300, "brokerage": False, "staff_pooling": False, "reputation_weight": 0.0}
    riders = run(alliance(free_riding_propensity=1.0, free_riding_penalty=0.5, **common))
    honest = run(alliance(free_riding_propensity=0.0, free_riding_penalty=0.5, **common))
    assert riders["alliance_trust_mean"].iloc[-1] < honest["alliance_trust_mean"].iloc[-1]


def test_reflexive_evaluation_reprioritises_projects():
    on = BottropModel(scenario(alliance(reflexive_evaluation=True)), seed=5)
    off = BottropModel(scenario(alliance(reflexive_evaluation=False)), seed=5)
    for model in (on, off):
        while model.running:
            model.step()
    assert set(off.governance.alliance.priorities.values()) == {1.0}
    assert len(set(on.governance.alliance.priorities.values())) > 1


def test_customer_search_wins_back_demand():
    on = BottropModel(
        scenario({"mode": "none", "adaptation": {"customer_search": True, "diversification": False, "search_success_rate": 0.15}}, end="2026-12"), seed=5
    )
    off = BottropModel(scenario({"mode": "none", "adaptation": {"customer_search": False, "diversification": False}}, end="2026-12"), seed=5)
    for model in (on, off):
        while model.running:
            model.step()
    assert on.governance.adaptation.search_successes > 0 == off.governance.adaptation.search_successes
    assert on.governance.adaptation.demand_won_eur > 0
    assert len(on.network.link_supplier) > 0 == len(off.network.link_supplier)
    # the winners' orders: higher than the same firms' orders without search
    n = min(on.firms.size, off.firms.size)
    winners = np.array(sorted(s for s in on.governance.adaptation.winners if s < n))
    winners = winners[on.firms.alive[winners] & off.firms.alive[winners]]
    assert len(winners) >= 10
    assert on.firms.orders[winners].sum() > off.firms.orders[winners].sum()


def test_diversification_opens_branches_in_related_sectors():
    adaptation = {"customer_search": False, "diversification": True, "diversification_rate": 0.5, "diversification_after_months": 6}
    model = BottropModel(scenario({"mode": "none", "adaptation": adaptation}, end="2024-12"), seed=5)
    while model.running:
        model.step()
    firms, n = model.firms, model.firms.size
    branches = np.flatnonzero(firms.parent[:n] >= 0)
    assert model.indicators["firms_diversified"] > 0 and len(branches) > 0
    for branch in branches:
        assert firms.sector[branch] != firms.sector[firms.parent[branch]]
    off = run({"mode": "none", "adaptation": {**adaptation, "diversification": False}}, end="2024-12")
    assert (off["firms_diversified"] == 0).all()


def test_green_demand_path_creates_green_jobs():
    grow = run({"mode": "none", "adaptation": {"green_demand_growth_per_year": 0.10}}, end="2025-12")
    flat = run({"mode": "none", "adaptation": {"green_demand_growth_per_year": 0.0}}, end="2025-12")
    assert grow["green_jobs"].iloc[-1] > 1.5 * flat["green_jobs"].iloc[-1]
    off = run({"mode": "none", "adaptation": {"green_transition": False, "green_demand_growth_per_year": 0.10}}, end="2025-12")
    assert off["green_jobs"].iloc[-1] < grow["green_jobs"].iloc[-1]


def test_city_programmes_each_act():
    base = {"budget_eur_year": 3_000_000, "information_lag_months": 0, "targeting": "mine_suppliers"}
    only = {
        "diversification_grant_share": {"diversification_grant_share": 1.0, "retraining_share": 0.0, "startup_grant_share": 0.0},
        "retraining_share": {"diversification_grant_share": 0.0, "retraining_share": 1.0, "startup_grant_share": 0.0},
        "startup_grant_share": {"diversification_grant_share": 0.0, "retraining_share": 0.0, "startup_grant_share": 1.0},
    }
    models = {}
    failure = {"type": "key_employer_failure", "start": "2016-01"}  # start-ups need open demand: the failed firm's market
    for name, shares in only.items():
        model = BottropModel(scenario({"mode": "city_led", "city": {**base, **shares}}, shocks=[*CLOSURE["shocks"], failure]), seed=5)
        while model.running:
            model.step()
        models[name] = model.governance.city
    assert models["diversification_grant_share"].grants_made > 0
    assert models["retraining_share"].trainees_started > 0
    assert models["startup_grant_share"].startups_funded > 0
    assert models["retraining_share"].grants_made == 0 == models["retraining_share"].startups_funded


@pytest.mark.parametrize("mode", ["none", "city_led", "alliance", "hybrid"])
def test_governance_columns_are_present(mode):
    frame = run({"mode": mode}, end="2017-06")
    for column in ("alliance_members", "alliance_projects_active", "alliance_trust_mean", "city_budget_spent_eur", "firms_diversified", "green_jobs"):
        assert column in frame.columns


def test_members_time_for_the_alliance_costs_output_where_they_have_no_spare_capacity():
    """Alliance hours are not production hours (issue 11): with no spare capacity, members serve less of their orders."""
    from bottrop_sim import load_scenario, simulate

    from .conftest import SCENARIOS

    base = load_scenario(SCENARIOS / "closure_2018_alliance.toml").model_copy(update={"end": "2018-06"})
    base = base.model_copy(update={"economy": base.economy.model_copy(update={"spare_capacity_share": 0.0})})

    def with_hours(hours: float):
        labs = {name: lab.model_copy(update={"staff_hours_month": hours}) for name, lab in base.governance.alliance.labs.items()}
        alliance = base.governance.alliance.model_copy(update={"time_cost_hours_month": hours, "labs": labs})
        scenario = base.model_copy(update={"governance": base.governance.model_copy(update={"alliance": alliance})})
        panel = simulate(scenario, seed=4, panel=True).panel
        return panel[panel["date"] == "2018-06"].set_index("firm")

    free, busy = with_hours(0.0), with_hours(160.0)  # a full person each, for membership and for each project
    both = free.index[free["member"]].intersection(busy.index[busy["member"]])  # members in both runs (the hours also change who joins)
    assert len(both) > 0
    unserved = {name: float((run.loc[both, "orders"] - run.loc[both, "output"]).sum()) for name, run in (("free", free), ("busy", busy))}
    assert unserved["busy"] > unserved["free"]  # orders these members could not serve because their staff sat in meetings and labs


def test_brokered_links_cost_the_buyer_a_switch_and_a_price_premium():
    """A brokered local supplier is not free (issue 11): the buyer pays a one-off switching cost to outside
    providers and a monthly premium to the supplier; with both set to zero nothing is booked."""
    common = {"founding_members": 300, "projects": False, "staff_pooling": False, "brokered_links_per_meeting": 20}
    paid = scenario(alliance(**common), end="2019-12")
    free = scenario(alliance(**common, brokered_switching_months=0.0, brokered_price_premium=0.0), end="2019-12")
    booked = {}
    for name, case in (("paid", paid), ("free", free)):
        result = simulate(case, seed=5)
        kinds = result.accounts.groupby("kind")["eur"].sum()
        booked[name] = (float(kinds.get("switching_costs", 0.0)), float(kinds.get("local_price_premiums", 0.0)))
        assert result.timeseries["alliance_brokered_links"].iloc[-1] > 0
        premiums = result.accounts[result.accounts["kind"] == "local_price_premiums"]
        assert premiums["payer"].str.startswith("firms:").all() and premiums["payee"].str.startswith("firms:").all()  # buyer to supplier
    assert booked["paid"][0] > 0 and booked["paid"][1] > 0
    assert booked["free"] == (0.0, 0.0)
