"""Short-time work (Kurzarbeit), checked from the model's outputs: the record, the per-firm panel and ``.accounts``.

Outcomes, not the booking code: the allowance in the accounts is compared with the
hours lost the panel shows times the firms' wages and the rate the law sets (the
scenario's rules, SGB III § 105), computed here from those outputs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bottrop_sim import simulate
from bottrop_sim.errors import ScenarioError
from bottrop_sim.scenario import Scenario, scenario_from_dict
from tests.sfc import check_stock_flow_consistency

SEEDS = (1, 2, 3)
SHOCK = {"type": "demand_recession", "start": "2020-03", "duration_months": 3, "recovery_months": 9}
RULES = {"min_affected_share": 0.10, "contribution_refund_share": 1.0}


def scenario(enabled: bool = True, shocks: list | None = None, **rules: object) -> Scenario:
    """Bottrop before the closure (no closure shock), mid-2019 to 2021, with a temporary recession (no firm-level demand noise)."""
    return scenario_from_dict(
        {
            "name": "short_time_check",
            "start": "2019-07",
            "end": "2021-06",
            "shocks": [SHOCK] if shocks is None else shocks,
            "short_time_work": {"enabled": enabled, **RULES, **rules},
            # without firms' demand noise: a firm that exits in a month was paid the allowance for it but has no
            # row in the panel, so the sum by hand from the panel would miss it; the recession alone is the test
            "firms": {"idiosyncratic_demand_sd": 0.0},
        }
    )


@pytest.fixture(scope="module")
def paired():
    """The same seeds with short-time work on and off."""
    return {enabled: [simulate(scenario(enabled), seed=seed, panel=True) for seed in SEEDS] for enabled in (True, False)}


def shock_months(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[(frame["date"] >= "2020-03") & (frame["date"] <= "2020-12")]


def test_short_time_work_keeps_unemployment_down_and_jobs(paired):
    for on, off in zip(paired[True], paired[False], strict=True):
        before = on.timeseries.set_index("date").loc["2020-02"]
        assert before["unemployment_rate"] == off.timeseries.set_index("date").loc["2020-02", "unemployment_rate"]  # same path before the shock
        rise_on = shock_months(on.timeseries)["unemployment_rate"].mean() - before["unemployment_rate"]
        rise_off = shock_months(off.timeseries)["unemployment_rate"].mean() - before["unemployment_rate"]
        assert rise_on < rise_off, (rise_on, rise_off)
        assert shock_months(on.timeseries)["employment_workplace"].mean() > shock_months(off.timeseries)["employment_workplace"].mean()
        assert shock_months(on.timeseries)["short_time_workers"].max() > 100
        assert (off.timeseries["short_time_workers"] == 0).all() and (off.timeseries["short_time_allowance_eur"] == 0).all()


def test_allowance_in_the_accounts_is_hours_lost_times_wage_times_rate(paired):
    spec = Scenario().short_time_work
    children = spec.share_with_children
    rate = (1.0 - children) * spec.replacement_rate + children * spec.replacement_rate_with_children  # no raised rates in these rules
    net = 1.0 - Scenario().households.tax_and_contributions_rate
    for run in paired[True]:
        panel = run.panel
        lost_pay = (panel["short_time_workers"] * panel["short_time_hours_share"] * panel["wage"]).groupby(panel["date"]).sum()
        expected = lost_pay * net * rate
        accounts = run.accounts
        paid = accounts[accounts["kind"] == "short_time_allowance"]
        assert set(paid["payer"]) == {"state"} and set(paid["payee"]) <= {"households", "rest_of_world"}
        booked = paid.groupby("date")["eur"].sum()
        assert booked.sum() > 0
        expected = expected[expected > 0]
        assert list(booked.index) == list(expected.index)
        np.testing.assert_allclose(booked.to_numpy(), expected.to_numpy(), rtol=1e-9)
        record = run.timeseries.set_index("date")["short_time_allowance_eur"]
        np.testing.assert_allclose(record[booked.index].to_numpy(), booked.to_numpy(), rtol=1e-9)
        persons = panel.groupby("date")["short_time_workers"].sum()
        assert (run.timeseries.set_index("date")["short_time_workers"][persons.index] == persons).all()


def test_firms_on_short_time_work_meet_the_legal_conditions(paired):
    for run in paired[True]:
        panel = run.panel.sort_values(["firm", "date"]).copy()
        panel["staff_in_month"] = panel.groupby("firm")["headcount"].shift(1)  # the panel's headcount is at the month's end
        on = panel[panel["short_time_workers"] > 0]
        assert len(on) > 0
        assert (on["short_time_workers"] >= RULES["min_affected_share"] * on["staff_in_month"] - 1e-9).all()
        assert (on["short_time_workers"] <= on["staff_in_month"]).all()
        assert (on["short_time_hours_share"] > 0.10).all() and (on["short_time_hours_share"] <= 1.0 + 1e-12).all()
        assert not on["mine"].any()
        assert on["date"].min() >= "2020-04"  # decided at the end of the first shock month, for the next


def test_contributions_on_lost_pay_are_refunded_and_the_accounts_close(paired):
    for run in paired[True]:
        accounts = run.accounts
        contributions = accounts[accounts["kind"] == "short_time_contributions"]
        refunds = accounts[accounts["kind"] == "short_time_contribution_refunds"]
        assert set(contributions["payee"]) == {"state"} and set(refunds["payer"]) == {"state"}
        paid = contributions.groupby("payer")["eur"].sum()
        back = refunds.groupby("payee")["eur"].sum()
        np.testing.assert_allclose(back[paid.index].to_numpy(), paid.to_numpy(), rtol=1e-12)  # refund share 1.0
        check_stock_flow_consistency(run.accounts, run.balances)


def test_nothing_is_paid_without_a_temporary_shock():
    closure = {"type": "mine_closure"}  # structural: the closure qualifies nobody
    for shocks in ([], [closure]):
        run = simulate(scenario(shocks=shocks).model_copy(update={"end": "2020-06"}), seed=1)
        assert (run.timeseries["short_time_workers"] == 0).all()
        assert not run.accounts["kind"].str.startswith("short_time").any()


def test_spells_end_at_the_maximum_duration():
    long_shock = {**SHOCK, "duration_months": 12, "recovery_months": 0, "recovery": "abrupt"}
    run = simulate(scenario(shocks=[long_shock], max_months=3), seed=1, panel=True)
    panel = run.panel.sort_values(["firm", "date"])
    on = panel[panel["short_time_workers"] > 0]
    assert on["short_time_month"].max() == 3  # the cap binds
    for _firm, months in on.groupby("firm")["date"]:
        numbers = pd.PeriodIndex(months, freq="M").asi8
        runs = np.split(numbers, np.flatnonzero(np.diff(numbers) != 1) + 1)
        assert max(len(r) for r in runs) <= 3
        starts = [r[0] for r in runs]
        ends = [r[-1] for r in runs]
        assert all(start - end > 3 for end, start in zip(ends[:-1], starts[1:], strict=True))  # a new spell only after 3 months off


def test_the_raised_rates_apply_from_the_fourth_month():
    rules = {"raised_rates": [{"from_month": 4, "rate": 0.70, "rate_with_children": 0.77}], "raised_rates_min_loss": 0.0}
    run = simulate(scenario(**rules), seed=1, panel=True)
    panel, net = run.panel, 1.0 - Scenario().households.tax_and_contributions_rate
    panel = panel[panel["short_time_workers"] > 0]
    lost_pay = panel["short_time_workers"] * panel["short_time_hours_share"] * panel["wage"] * net
    late = panel["short_time_month"] >= 4
    assert late.any() and (~late).any()
    booked = run.accounts.query("kind == 'short_time_allowance'").groupby("date")["eur"].sum()
    implied = booked / lost_pay.groupby(panel["date"]).sum()
    early_months = panel[~late]["date"].unique()
    only_early = [m for m in early_months if m not in set(panel[late]["date"])]
    only_late = [m for m in panel[late]["date"].unique() if m not in set(early_months)]
    assert only_early and only_late
    np.testing.assert_allclose(implied[only_early], 0.65 * 0.60 + 0.35 * 0.67, rtol=1e-9)
    np.testing.assert_allclose(implied[only_late], 0.65 * 0.70 + 0.35 * 0.77, rtol=1e-9)


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        ({"replacement_rate": 1.4}, "replacement_rate"),
        ({"replacement_rate": 0.7, "replacement_rate_with_children": 0.6}, "replacement_rate_with_children"),
        ({"max_months": 0}, "max_months"),
        (
            {"raised_rates": [{"from_month": 7, "rate": 0.8, "rate_with_children": 0.87}, {"from_month": 4, "rate": 0.7, "rate_with_children": 0.77}]},
            "raised_rates",
        ),
        ({"take_up": 0.5}, "take_up"),
    ],
)
def test_bad_rules_are_refused_naming_the_field(rules, field):
    with pytest.raises(ScenarioError, match=field):
        scenario_from_dict({"short_time_work": rules})
