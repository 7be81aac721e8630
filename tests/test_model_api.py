"""BottropModel as a plain Mesa model; the supply network; the public interface."""

from __future__ import annotations

import mesa
import networkx as nx
import numpy as np
import pytest

import bottrop_sim
from bottrop_sim import BottropModel, Scenario, simulate
from bottrop_sim.model import Firm, Mine


@pytest.fixture(scope="module")
def model(closure_scenario):
    return BottropModel(closure_scenario)


def test_is_a_mesa_model_with_agents_and_a_datacollector(closure_scenario):
    model = BottropModel(closure_scenario.model_copy(update={"end": "2015-03"}))
    assert isinstance(model, mesa.Model)
    assert isinstance(model.datacollector, mesa.DataCollector)
    n = model.firms.size
    assert len(model.agents_by_type[Firm]) == int((model.firms.alive[:n] & ~model.firms.is_mine[:n]).sum()) > 2000
    assert len(model.agents_by_type[Mine]) == 1
    for _ in range(3):
        model.step()
    assert model.steps == 3
    frame = model.datacollector.get_model_vars_dataframe()
    assert list(frame["date"]) == ["2015-01", "2015-02", "2015-03"]
    assert not model.running
    model.step()  # stepping past the end does nothing
    assert len(model.datacollector.get_model_vars_dataframe()) == 3


def test_timeseries_has_the_promised_columns_one_row_per_month(closure_scenario):
    result = simulate(closure_scenario)
    frame = result.timeseries
    assert len(frame) == 21 * 12
    assert frame["date"].iloc[0] == "2015-01" and frame["date"].iloc[-1] == "2035-12"
    required = [
        "date",
        "employment_workplace",
        "mine_employment",
        "unemployed",
        "unemployment_rate",
        "firms",
        "value_added_eur",
        "co2_t",
        "local_sourcing_share",
    ]
    required += [f"output_{s}" for s in bottrop_sim.economy.sector_table.sector_table_for(closure_scenario).sectors]
    assert set(required) <= set(frame.columns)
    assert frame["unemployment_rate"].between(0, 1).all()
    assert frame["local_sourcing_share"].between(0, 1).all()
    assert (frame["unemployment_rate"] == frame["unemployed"] / frame["labour_force"]).all()


def test_supply_network_is_a_weighted_digraph(model):
    graph = model.supply_network()
    assert isinstance(graph, nx.DiGraph)
    n = model.firms.size
    assert graph.number_of_nodes() == int(model.firms.alive[:n].sum())
    assert graph.number_of_edges() > graph.number_of_nodes()
    # edge weights are the monthly flows; they add up to the local purchases
    total = sum(w for _, _, w in graph.edges(data="weight"))
    planned = model.firms.planned[:n]
    assert total == pytest.approx(float(planned @ model.firms.local_input_per_output[:n]), rel=1e-9)
    # for every buyer and input sector the shares sum to one
    sums: dict[tuple[int, str], float] = {}
    for supplier, buyer, share in graph.edges(data="share"):
        key = (buyer, graph.nodes[supplier]["sector"])
        sums[key] = sums.get(key, 0.0) + share
    assert np.allclose(list(sums.values()), 1.0)


def test_mine_buys_from_local_mining_suppliers(model):
    mine = model.mine
    suppliers = model.firm_by_slot[mine.slot].model.network.suppliers_of(mine.slot)
    sectors = {model.sector_names[model.firms.sector[s]] for s in suppliers}
    assert "mining_supply" in sectors
    mining_suppliers = [s for s in suppliers if model.sector_names[model.firms.sector[s]] == "mining_supply"]
    assert len(mining_suppliers) >= 10
    shares = [model.firm_by_slot[int(s)].sales_to_mine_share for s in mining_suppliers]
    assert max(shares) > 0.2


def test_supplier_choice_is_size_biased(model):
    """Firms with more staff have more customers (size-biased attachment)."""
    firms, n = model.firms, model.firms.size
    customers = np.bincount(model.network.supplier, minlength=n)[:n]
    trade = model.sector_names.index("trade")
    in_sector = np.flatnonzero((firms.sector[:n] == trade) & firms.alive[:n])
    order = in_sector[np.argsort(firms.headcount[in_sector])]
    small, large = order[: len(order) // 4], order[-len(order) // 4 :]
    assert customers[large].mean() > 2 * customers[small].mean()


def test_exit_rewires_customers_to_other_suppliers_of_the_sector(closure_scenario):
    model = BottropModel(closure_scenario.model_copy(update={"end": "2015-06"}))
    firms, network = model.firms, model.network
    supplier = int(np.bincount(network.supplier).argmax())  # the firm with the most customers
    if firms.is_mine[supplier]:
        pytest.skip("mine is the hub")
    customers = set(network.customers_of(supplier).tolist())
    sector = firms.sector[supplier]
    model.firm_by_slot.pop(supplier).exit()
    assert not firms.alive[supplier]
    assert supplier not in set(network.supplier.tolist()) | set(network.buyer.tolist())
    for customer in customers - {supplier}:
        replacement = [s for s in network.suppliers_of(customer) if firms.sector[s] == sector]
        assert replacement, customer
        shares = network.share[(network.buyer == customer) & (firms.sector[network.supplier] == sector)]
        assert shares.sum() == pytest.approx(1.0)


def test_public_api_exports():
    assert {"load_scenario", "simulate", "BottropModel"} <= set(bottrop_sim.__all__)
    assert isinstance(Scenario(), Scenario)


def test_the_column_list_is_known_without_building_a_model():
    from bottrop_sim.model.observation import record_columns

    run = simulate(Scenario(end="2015-02"), seed=1).timeseries
    assert list(run.columns) == record_columns(BottropModel().sector_names)


def test_supply_network_shows_the_links_that_replaced_imports():
    """Brokered and searched links are in the graph: its weights add up to all local purchases (issue 11)."""
    from bottrop_sim import load_scenario, simulate

    from .conftest import SCENARIOS

    scenario = load_scenario(SCENARIOS / "closure_2018_alliance.toml").model_copy(update={"end": "2025-12"})
    model = simulate(scenario, seed=1, keep_model=True).model
    n = model.firms.size
    graph = model.supply_network()
    planned = model.firms.planned[:n]
    replaced = sum(w for _, _, w in graph.edges(data="import_replacing"))
    assert replaced > 0  # the alliance's links are there ...
    assert replaced == pytest.approx(float(planned @ model.firms.substituted[:n]), rel=1e-9)  # ... all of them, with their flows
    total = sum(w for _, _, w in graph.edges(data="weight"))
    assert total == pytest.approx(float(planned @ model.firms.local_input_per_output[:n]), rel=1e-9)
