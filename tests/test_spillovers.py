"""The closure's channels beyond the supply chain (ODD §7.26): the city's budget, in-commuters' spending, agglomeration.

Checked from the model's outputs (the accounts and the time series of a closure run and its twin, seed 1).
"""

from __future__ import annotations

import numpy as np
import pytest

from bottrop_sim import simulate


def monthly(accounts, kind, year, payer=None):
    rows = accounts[(accounts["kind"] == kind) & accounts["date"].str.startswith(year)]
    if payer is not None:
        rows = rows[rows["payer"] == payer]
    return float(rows["eur"].sum()) / 12


@pytest.fixture(scope="module")
def runs(closure_scenario):
    short = closure_scenario.model_copy(update={"end": "2023-12"})
    return simulate(short, seed=1), simulate(short.without_shocks(), seed=1)


def test_the_city_spends_its_own_revenue_and_the_key_grants_soften_a_fall(runs):
    closure, twin = runs
    revenue = monthly(twin.accounts, "trade_tax", "2016") + monthly(twin.accounts, "income_tax_share", "2016")
    assert monthly(twin.accounts, "city_purchases", "2016") == pytest.approx(revenue, rel=0.02)  # without a shock: its revenue
    lost_revenue = (monthly(twin.accounts, "trade_tax", "2022") + monthly(twin.accounts, "income_tax_share", "2022")) - (
        monthly(closure.accounts, "trade_tax", "2022") + monthly(closure.accounts, "income_tax_share", "2022")
    )
    cut = monthly(twin.accounts, "city_purchases", "2022") - monthly(closure.accounts, "city_purchases", "2022")
    assert lost_revenue > 1e5  # the suppliers' trade tax and residents' income tax fall with the closure
    assert 0 < cut < 0.25 * lost_revenue  # the city buys less, but the Land makes good most of the fall (GFG: 90 %)
    city = closure.balances[closure.balances["holder"] == "city"]["eur"]
    assert np.allclose(city, 0.0, atol=1e-6)  # the rest is settled with the state


def test_in_commuters_who_lose_their_job_stop_spending_in_the_city(runs, closure_scenario):
    closure, twin = runs
    spend = closure_scenario.households.in_commuter_local_spending_eur_month
    fewer = twin.timeseries.set_index("date").loc["2022-01":"2022-12", "in_commuters"].mean() - (
        closure.timeseries.set_index("date").loc["2022-01":"2022-12", "in_commuters"].mean()
    )
    assert fewer > 1500  # the mine's staff who lived elsewhere
    lost = monthly(twin.accounts, "visitor_purchases", "2022") - monthly(closure.accounts, "visitor_purchases", "2022")
    assert lost == pytest.approx(spend * fewer, rel=0.1)  # visitors' purchases follow the in-commuters (fill rates aside)


def test_agglomeration_costs_the_mines_related_suppliers_export_sales(closure_scenario):
    short = closure_scenario.model_copy(update={"end": "2022-12"})
    off = short.model_copy(update={"economy": short.economy.model_copy(update={"agglomeration_elasticity": 0.0})})
    gaps = []
    for scenario in (short, off):
        closure, twin = simulate(scenario, seed=1).accounts, simulate(scenario.without_shocks(), seed=1).accounts
        rows = [a[(a["kind"] == "exports") & (a["payee"] == "firms:mining_supply") & a["date"].str.startswith("2022")]["eur"].sum() for a in (twin, closure)]
        gaps.append(rows[0] - rows[1])
    assert gaps[0] > gaps[1]  # with the spillover, the mining suppliers lose more of their export sales
