"""The region's accounts: stock-flow consistency of every shipped scenario, and what each flow must be.

Identities are checked from ``simulate(...).accounts`` and ``.balances`` alone
(tests/sfc.py); the expected amounts of single flows are computed by hand from
the sector table, the scenario and the labour counts, not with the model's formulas.
"""

from __future__ import annotations

import numpy as np
import pytest

from bottrop_sim import load_scenario, simulate
from bottrop_sim.economy.sector_table import load_sector_table
from bottrop_sim.model import BottropModel
from bottrop_sim.scenario import scenario_from_dict
from tests.conftest import SCENARIOS
from tests.sfc import check_stock_flow_consistency


def kind_total(accounts, kind, payer=None, payee=None, date=None):
    rows = accounts[accounts["kind"] == kind]
    if payer is not None:
        rows = rows[rows["payer"] == payer]
    if payee is not None:
        rows = rows[rows["payee"] == payee]
    if date is not None:
        rows = rows[rows["date"] == date]
    return float(rows["eur"].sum())


@pytest.mark.parametrize("name", sorted(p.stem for p in SCENARIOS.glob("*.toml")))
def test_every_shipped_scenario_is_stock_flow_consistent_every_month(name):
    result = simulate(load_scenario(SCENARIOS / f"{name}.toml"))
    errors = check_stock_flow_consistency(result.accounts, result.balances)
    assert errors["flows"] <= 1e-9 and errors["sum"] <= 1e-9
    months = result.scenario.months
    assert result.balances["date"].nunique() == months + 1  # the opening positions and every month end
    assert result.accounts["date"].nunique() == months


def test_every_shock_type_and_governance_setting_is_stock_flow_consistent(closure_scenario):
    shocks = [
        *closure_scenario.model_dump(mode="json")["shocks"],
        {"type": "key_employer_failure", "start": "2016-03"},
        {"type": "energy_price", "start": "2016-05", "duration_months": 4, "price_rise": 3.0},
        {"type": "demand_recession", "start": "2016-09", "export_fall": 0.4, "household_fall": 0.3},
        {"type": "supply_disruption", "start": "2017-01", "unavailable_share": 0.8},
    ]
    for mode, extra in {
        "none": {},
        "city_led": {"city": {"budget_eur_year": 2_000_000, "information_lag_months": 1}},
        "alliance": {"alliance": {"start": "2015-03", "founding_members": 40, "meeting_interval_months": 1}},
        "hybrid": {"alliance": {"start": "2015-03", "founding_members": 40}},
    }.items():
        data = {**closure_scenario.model_dump(mode="json"), "end": "2018-06", "shocks": shocks, "governance": {"mode": mode, **extra}}
        result = simulate(scenario_from_dict(data, strict=False))
        check_stock_flow_consistency(result.accounts, result.balances)
        kinds = set(result.accounts["kind"])
        assert {"coal_subsidy", "energy_costs", "price_surcharges", "rationed_inputs", "exit_payout"} <= kinds, mode
        if mode == "city_led":
            assert {"city_programmes", "fiscal_equalisation"} <= kinds
        if mode in ("alliance", "hybrid"):
            assert "alliance_contributions" in kinds


@pytest.fixture(scope="module")
def baseline():
    """The default economy without shocks, static, for two years (every flow at its baseline)."""
    scenario = load_scenario(SCENARIOS / "no_closure.toml").model_copy(update={"behaviour": "static", "end": "2016-12"})
    return simulate(scenario, keep_model=True)


def test_households_earn_the_resident_share_of_what_firms_pay(baseline):
    model = baseline.model
    table = load_sector_table()
    residents = model.labour.employed_local.sum(axis=1)[: table.n]
    by_hand = float(table.wage @ residents)  # every resident employed here earns their sector's wage, paid by their employer
    assert kind_total(baseline.accounts, "wages", payee="households", date="2016-12") == pytest.approx(by_hand, rel=1e-9)
    jobs = model.sector_staff()[: table.n]
    in_commuters = float(table.wage @ (jobs - residents))
    assert kind_total(baseline.accounts, "wages", payee="rest_of_world", date="2016-12") == pytest.approx(in_commuters, rel=1e-9)
    outside = model.scenario.labour.outside_wage_eur_month * int(model.labour.out_commuters.sum())
    assert kind_total(baseline.accounts, "outside_wages", payer="rest_of_world", date="2016-12") == pytest.approx(outside, rel=1e-12)
    gross = by_hand + outside
    taxes = model.scenario.households.tax_and_contributions_rate * gross
    assert kind_total(baseline.accounts, "income_taxes", payer="households", payee="state", date="2016-12") == pytest.approx(taxes, rel=1e-9)


def test_household_demand_firms_see_is_what_households_and_visitors_pay(baseline):
    table = load_sector_table()
    by_hand = float(table.final_demand @ table.household_share)  # the table's household final demand
    paid = kind_total(baseline.accounts, "household_purchases", date="2016-12") + kind_total(baseline.accounts, "visitor_purchases", date="2016-12")
    assert paid == pytest.approx(by_hand, rel=1e-9)
    exports = kind_total(baseline.accounts, "exports", payer="rest_of_world", date="2016-12")
    public = kind_total(baseline.accounts, "public_demand", payer="state", date="2016-12") + kind_total(
        baseline.accounts, "city_purchases", payer="city", date="2016-12"
    )
    assert exports + public + paid == pytest.approx(float(table.final_demand.sum()), rel=1e-9)  # all final demand, each part paid once
    export_share = float(table.final_demand @ table.export_share)
    assert exports == pytest.approx(export_share, rel=1e-9)


def test_households_budget_splits_income_into_local_outside_spending_and_saving(baseline):
    model = baseline.model
    spec = model.scenario.households
    accounts = baseline.accounts
    month = accounts[accounts["date"] == "2016-12"]
    income = month[month["payee"] == "households"]["eur"].sum() - month[(month["payer"] == "households") & (month["kind"] == "income_taxes")]["eur"].sum()
    spent = month[(month["payer"] == "households") & month["kind"].isin(["household_purchases", "outside_spending", "price_surcharges"])]["eur"].sum()
    assert spent == pytest.approx((1 - spec.saving_rate) * income, rel=1e-9)  # a stationary budget spends (1 - s) of disposable income
    saving = baseline.balances.pivot(index="date", columns="holder", values="eur")["households"].diff().loc["2016-12"]
    assert saving == pytest.approx(spec.saving_rate * income, rel=1e-9)
    assert kind_total(accounts, "outside_spending", date="2016-12") > 0


def test_no_shock_firms_pay_their_owners_the_baseline_profit_after_tax(baseline):
    model = baseline.model
    spec = model.scenario.firms
    accounts = baseline.accounts
    table = load_sector_table()
    output = table.leontief_output()
    firms_output = float(output.sum() - output[table.index("mining")])
    paid = kind_total(accounts, "dividends", date="2016-12")
    taxes = kind_total(accounts, "profit_taxes", date="2016-12") + kind_total(accounts, "trade_tax", date="2016-12")
    assert paid + taxes <= spec.return_on_sales * firms_output * (1 + 1e-9)  # never more than the return on sales
    assert paid + taxes >= 0.9 * spec.return_on_sales * firms_output  # small firms' rounding leaves less to a few
    assert taxes == pytest.approx((spec.profit_tax_rate + spec.trade_tax_rate) * (paid + taxes), rel=1e-9)
    assert kind_total(accounts, "trade_tax", payee="city", date="2016-12") == pytest.approx(spec.trade_tax_rate * (paid + taxes), rel=1e-9)
    residents = kind_total(accounts, "dividends", payee="households", date="2016-12")
    assert residents == pytest.approx(spec.owner_resident_share * paid, rel=1e-9)
    positions = baseline.balances.pivot(index="date", columns="holder", values="eur")
    firm_columns = [c for c in positions.columns if c.startswith("firms:")]
    np.testing.assert_allclose(positions[firm_columns].iloc[-1], positions[firm_columns].iloc[0], rtol=1e-9, atol=1e-3)  # cash stays at target


def test_energy_surcharges_are_paid_by_the_buyers_of_each_seller():
    scenario = load_scenario(SCENARIOS / "energy_shock_2022_none.toml")
    # without firms' demand noise no firm exits in 2022-05: an exiting firm's output is zeroed after its sales are
    # booked, so the sum by hand from the end-of-month outputs would miss its surcharges
    quiet = scenario.firms.model_copy(update={"idiosyncratic_demand_sd": 0.0})
    scenario = scenario.model_copy(update={"end": "2022-06", "firms": quiet})
    model = BottropModel(scenario)
    while model.date != "2022-05":
        model.step()
    table = model.table
    shock = scenario.shocks[0]
    strength = shock.intensity(model.month)
    model.step()
    firms, n = model.firms, model.firms.size
    rate_by_sector = (
        table.energy_cost_share * shock.price_rise * strength * np.array([shock.pass_through_by_sector.get(s, shock.pass_through) for s in table.sectors])
    )
    sales = np.bincount(firms.sector[:n], weights=firms.output[:n], minlength=table.n)
    by_hand = float(sales @ rate_by_sector)  # every euro sold carries the seller's surcharge
    accounts = model.accounts.accounts_frame()
    surcharges = accounts[(accounts["kind"] == "price_surcharges") & (accounts["date"] == "2022-05")]
    assert surcharges["eur"].sum() == pytest.approx(by_hand, rel=1e-9)
    payers = set(surcharges["payer"])
    assert {"households", "state", "rest_of_world"} <= payers and any(p.startswith("firms:") for p in payers)
    assert set(surcharges["payee"]) <= {f"firms:{s}" for s in table.sectors}
    energy = float(np.bincount(firms.sector[:n], weights=firms.output[:n], minlength=table.n) @ (table.energy_cost_share * shock.price_rise * strength))
    assert kind_total(accounts, "energy_costs", payee="rest_of_world", date="2022-05") == pytest.approx(energy, rel=1e-9)


def test_rationed_inputs_are_bought_outside_at_the_premium():
    scenario = load_scenario(SCENARIOS / "no_closure.toml")
    data = {**scenario.model_dump(mode="json"), "end": "2015-03", "shocks": [{"type": "supply_disruption", "start": "2015-02", "unavailable_share": 0.9}]}
    model = BottropModel(scenario_from_dict(data, strict=False))
    model.step()
    model.step()
    firms, n = model.firms, model.firms.size
    matrix = model.network.matrix(firms.sector)[:n, :n]
    fill = np.minimum(1.0, firms.output[:n] / np.maximum(firms.orders[:n], 1e-300))
    delivered = np.asarray(matrix.multiply(fill[:, None]).sum(axis=0)).ravel() * firms.planned[:n]
    unfilled = firms.planned[:n] * firms.local_input_per_output[:n] - delivered
    premium = model.scenario.firms.rationed_input_premium
    booked = kind_total(model.accounts.accounts_frame(), "rationed_inputs", payee="rest_of_world", date="2015-02")
    assert unfilled.sum() > 0
    assert booked == pytest.approx((1 + premium) * unfilled.clip(min=0).sum(), rel=1e-6)


def test_coal_subsidy_is_the_mines_deficit_paid_by_the_state(closure_scenario):
    result = simulate(closure_scenario.model_copy(update={"end": "2020-12"}))
    accounts = result.accounts
    subsidy = accounts[accounts["kind"] == "coal_subsidy"]
    assert set(zip(subsidy["payer"], subsidy["payee"], strict=True)) <= {("state", "mine"), ("mine", "state")}
    mine = result.balances[result.balances["holder"] == "mine"]["eur"]
    np.testing.assert_allclose(mine, mine.iloc[0], rtol=1e-9)  # the settlement keeps the mine's cash at its start
    assert kind_total(accounts, "coal_subsidy", payer="state", date="2019-06") > 0  # clean-up without coal sales is paid by the state
    retired = accounts[accounts["kind"] == "early_retirement_income"]
    assert set(retired["payer"]) == {"state"} and retired["eur"].iloc[-1] > retired["eur"].iloc[0]


def test_the_city_budget_is_financed_through_the_accounts():
    data = {
        **load_scenario(SCENARIOS / "closure_2018_city_led.toml").model_dump(mode="json"),
        "end": "2019-12",
    }
    result = simulate(scenario_from_dict(data, strict=False))
    accounts = result.accounts
    city_paid = accounts[accounts["payer"] == "city"]
    assert set(city_paid["kind"]) <= {"city_programmes", "startup_grants", "diversification_grants", "fiscal_equalisation", "city_purchases"}
    spent = kind_total(accounts, "city_programmes") + kind_total(accounts, "startup_grants") + kind_total(accounts, "diversification_grants")
    assert spent == pytest.approx(float(result.timeseries["city_budget_spent_eur"].sum()), rel=1e-9)  # what the office reports is what it paid
    city = result.balances[result.balances["holder"] == "city"]["eur"]
    assert np.allclose(city, 0.0, atol=1e-6)  # trade tax in, programmes out, the state covers the rest


def test_demand_of_exiting_firms_is_taken_over_or_opened_and_entrants_take_it():
    """A demand collapse: firms exit; what they release is booked as taken over, opened, entered or lost."""
    data = load_scenario(SCENARIOS / "no_closure.toml").model_dump(mode="json")
    data.update(end="2017-12", governance={"mode": "none", "adaptation": {"customer_search": False, "diversification": False, "green_transition": False}})
    scenario = scenario_from_dict(data, strict=False)
    model = BottropModel(scenario)
    firms, n = model.firms, model.firms.size
    victims = np.flatnonzero(firms.sector[:n] == model.table.index("construction"))[::2]
    firms.exogenous_demand[victims] *= 0.2
    firms.household_demand[victims] *= 0.2
    released = entered = lost = 0.0
    exits = 0
    while model.running:
        model.step()
        flows = model.demand_flows
        assert flows["released"] == pytest.approx(flows["taken_over"] + flows["opened"], rel=1e-12, abs=1e-6)
        released += flows["released"]
        entered += flows["entered"]
        lost += flows["lost_to_outside"]
        exits += model.exits_this_month
    assert exits > 0 and released > 0
    open_now = float(model.open_market_exogenous.sum() + model.open_market_household.sum())
    opened = (1 - scenario.firms.market_takeover_share) * released
    assert opened == pytest.approx(entered + lost + open_now, rel=1e-6)  # every euro opened is entered, lost or still open
    write_offs = kind_total(model.accounts.accounts_frame(), "loan_write_off", payer="bank")
    assert write_offs > 0  # the insolvent firms' debt is the bank's loss
