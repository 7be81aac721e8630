"""The alliance's mechanisms have a risk and a payer (issue 11): failing links, labs that win share from
rivals, pooling limited by skills. Same seed with a setting changed; outcomes read from the run's outputs.
"""

from __future__ import annotations

import numpy as np
import pytest

from bottrop_sim import simulate
from bottrop_sim.governance.pooling import pool_staff
from tests.test_governance import FROZEN_MEMBERSHIP as FROZEN
from tests.test_governance import alliance, scenario

BROKERAGE_ONLY = {"founding_members": 300, "projects": False, "staff_pooling": False, "brokered_links_per_meeting": 20}


def test_a_failing_brokered_supplier_costs_the_buyer_orders_and_the_alliance_trust():
    safe = simulate(scenario(alliance(**BROKERAGE_ONLY, brokered_failure_rate=0.0), end="2020-12"), seed=5, keep_model=True)
    risky = simulate(scenario(alliance(**BROKERAGE_ONLY, brokered_failure_rate=0.15, brokered_failure_order_loss=0.05), end="2020-12"), seed=5, keep_model=True)
    assert (safe.timeseries["alliance_failed_links"] == 0).all()
    failed = risky.timeseries["alliance_failed_links"]
    assert failed.iloc[-1] > 10 and failed.is_monotonic_increasing
    last = {name: result.timeseries.iloc[-1] for name, result in (("safe", safe), ("risky", risky))}
    assert last["risky"]["alliance_trust_mean"] < last["safe"]["alliance_trust_mean"]  # let down by partners it brokered
    assert last["risky"]["alliance_local_sourcing_share"] < last["safe"]["alliance_local_sourcing_share"]  # buyers import again
    # the links that are left are all in the network, with their flows: nothing of a failed link stays behind
    model = risky.model
    n = model.firms.size
    replaced = sum(w for _, _, w in model.supply_network().edges(data="import_replacing"))
    assert replaced == pytest.approx(float(model.firms.planned[:n] @ model.firms.substituted[:n]), rel=1e-9)
    live = {(int(s), int(b)) for s, b, _ in model.governance.alliance.brokered}
    assert live <= set(zip(model.network.link_supplier.tolist(), model.network.link_buyer.tolist(), strict=True))
    # each failure made the buyer qualify an outside supplier again: more switching costs than brokering alone booked
    switching = {
        name: float(result.accounts.loc[result.accounts["kind"] == "switching_costs", "eur"].sum()) for name, result in (("safe", safe), ("risky", risky))
    }
    made = {name: int(result.timeseries["alliance_brokered_links"].iloc[-1]) for name, result in (("safe", safe), ("risky", risky))}
    assert switching["risky"] / made["risky"] > 1.2 * switching["safe"] / made["safe"]


def test_a_demand_lab_wins_its_orders_from_rivals():
    """A successful lab's demand gain is taken from someone: with all of it from local rivals, the region's final
    demand hardly moves; with all of it from outside rivals, it rises by the participants' gain."""
    labs = {
        "city_logistics": {"enabled": False},
        "sustainable_business": {"enabled": False},
        "hybrid_retail": {"success_rate": 1.0, "effect_size": 0.3, "participants": 20},
        "digital_crafts": {"success_rate": 1.0, "effect_size": 0.3, "participants": 20},
    }
    common = {"founding_members": 300, "brokerage": False, "staff_pooling": False, "information_sharing": False}

    def final_demand(**settings) -> float:
        frame = simulate(scenario(alliance(**common, **settings), end="2020-12"), seed=5).timeseries
        return float(frame["final_demand_eur"].iloc[-12:].mean())

    without = final_demand(projects=False)
    outside = final_demand(labs={name: {**lab, "gain_from_local_rivals": 0.0} for name, lab in labs.items()})
    local = final_demand(labs={name: {**lab, "gain_from_local_rivals": 1.0} for name, lab in labs.items()})
    gain = outside - without
    assert gain > 0.002 * without  # the labs succeeded and won orders from outside the region
    assert abs(local - without) < 0.25 * gain  # taken from local rivals: the region gains (almost) nothing


def test_pooling_moves_staff_only_between_related_sectors():
    relatedness = np.array([[1.0, 0.6, 0.1], [0.6, 1.0, 0.2], [0.1, 0.2, 1.0]])
    sector = np.array([0, 0, 1, 2, 2, 1])
    member = np.array([True, True, True, True, True, False])
    fires = np.array([5, 0, 0, 4, 0, 3])
    hires = np.array([0, 2, 3, 0, 6, 0])
    hires_left, fires_left, out_of, into, distance = pool_staff(member, hires, fires, sector, relatedness, 0.5)
    # sector 0 lays off 5: 2 to its own sector first, 3 to sector 1 (related 0.6); sector 2's 4 go to sector 2 only
    assert out_of.tolist() == [5, 0, 0, 4, 0, 0]
    assert into.tolist() == [0, 2, 3, 0, 4, 0]
    assert (hires_left == hires - into).all() and (fires_left == fires - out_of).all()
    assert fires_left[5] == 3  # a non-member's layoffs are not pooled
    np.testing.assert_allclose(distance, [0, 0, 3 * 0.4, 0, 0, 0])  # three persons crossed a relatedness of 0.6
    _, _, strict_out, strict_in, _ = pool_staff(member, hires, fires, sector, relatedness, 0.9)
    assert strict_out.tolist() == [2, 0, 0, 4, 0, 0] and strict_in.tolist() == [0, 2, 0, 0, 4, 0]  # only within a sector


def test_pooled_staff_from_less_related_sectors_are_trained_at_the_receivers_cost():
    common = {"founding_members": 400, "projects": False, "brokerage": False, "pooling_min_relatedness": 0.0}
    paid = simulate(scenario(alliance(**common, pooling_training_months=2.0), end="2020-12"), seed=5)
    free = simulate(scenario(alliance(**common, pooling_training_months=0.0), end="2020-12"), seed=5)
    assert paid.timeseries["pooled_staff"].sum() > 0
    training = paid.accounts[paid.accounts["kind"] == "pooling_training"]
    assert training["eur"].sum() > 0
    assert training["payer"].str.startswith("firms:").all() and (training["payee"] == "rest_of_world").all()
    assert (free.accounts["kind"] == "pooling_training").sum() == 0


def test_after_the_project_funding_the_alliance_becomes_a_yearly_network():
    """The real project funding ended in June 2022 and the network went on with a yearly event
    (Bottrop2018plus): no office paid any more, meetings once a year, no new labs; a city coordinator (hybrid)
    keeps organising."""
    funded = {"founding_members": 200, "funding_end": "2022-06"}
    result = simulate(scenario(alliance(**funded), end="2025-12"), seed=5)
    frame = result.timeseries.set_index("date")
    office = result.accounts[result.accounts["kind"] == "alliance_office"]
    assert (office["payer"] == "state").all() and (office["payee"] == "rest_of_world").all()
    assert office["date"].min() == "2017-03" and office["date"].max() == "2022-06"
    assert frame.loc["2017-03":"2022-06", "alliance_projects_active"].max() > 0
    assert frame.loc["2024-01":, "alliance_projects_active"].max() == 0  # running labs ended, none started
    new_links = frame["alliance_brokered_links"].diff().fillna(0)
    meeting_months = [date for date, made in new_links.loc["2022-07":].items() if made > 0]
    gaps = np.diff([int(d[:4]) * 12 + int(d[5:]) for d in meeting_months])
    assert len(meeting_months) >= 2 and (gaps >= 12).all()  # links are brokered at yearly meetings only
    hybrid = simulate(scenario({"mode": "hybrid", "alliance": {**FROZEN, **funded}}, end="2025-12"), seed=5).timeseries.set_index("date")
    assert hybrid.loc["2024-01":, "alliance_projects_active"].max() > 0  # the city's coordinator keeps the labs going
