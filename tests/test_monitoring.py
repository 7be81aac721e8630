"""Tests of the monitoring instrument: diversity measures, resilience against a twin, the registry, scorecards."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bottrop_sim import simulate
from bottrop_sim.monitoring import (
    GROUPS,
    MEASURES,
    REGISTRY,
    Indicator,
    herfindahl,
    indicator_series,
    jobs_saved_cost,
    recovery,
    renewal,
    reorientation,
    resilience_measures,
    resistance,
    scorecard,
    sectors_of,
    shannon_entropy,
    shock_rows,
    trough,
    variety,
)

# ---------------------------------------------------------------- strategies

employment_vectors = st.lists(st.floats(0.0, 1e5, allow_nan=False), min_size=1, max_size=15).filter(lambda v: sum(v) > 1e-6)


@st.composite
def employment_with_groups(draw):
    values = draw(employment_vectors)
    groups = draw(st.lists(st.sampled_from("abcd"), min_size=len(values), max_size=len(values)))
    return np.array(values), groups


positive_series = st.lists(st.floats(1.0, 1e5, allow_nan=False), min_size=3, max_size=120)


# ---------------------------------------------------------------- diversity


@given(employment_vectors)
def test_shannon_and_hhi_bounds(values):
    n = len(values)
    entropy, hhi = shannon_entropy(values), herfindahl(values)
    assert -1e-12 <= entropy <= math.log(n) + 1e-9
    assert 1.0 / n - 1e-12 <= hhi <= 1.0 + 1e-12
    # Shannon entropy is at least the collision (Renyi-2) entropy -ln(HHI)
    assert entropy >= -math.log(hhi) - 1e-9


@given(st.integers(1, 40), st.floats(0.1, 1e5))
def test_equal_shares_give_ln_n_and_one_over_n(n, size):
    values = np.full(n, size)
    assert shannon_entropy(values) == pytest.approx(math.log(n), abs=1e-12)
    assert herfindahl(values) == pytest.approx(1.0 / n, rel=1e-12)


@given(st.integers(1, 20), st.integers(0, 19), st.floats(0.1, 1e5))
def test_one_sector_gives_zero_entropy_and_hhi_one(n, position, size):
    values = np.zeros(n)
    values[position % n] = size
    assert shannon_entropy(values) == 0.0
    assert herfindahl(values) == pytest.approx(1.0)


@given(employment_vectors, st.floats(0.01, 1000.0))
def test_diversity_depends_on_shares_only(values, scale):
    assert shannon_entropy(np.array(values) * scale) == pytest.approx(shannon_entropy(values), abs=1e-9)
    assert herfindahl(np.array(values) * scale) == pytest.approx(herfindahl(values), rel=1e-9)


@given(employment_with_groups())
def test_related_plus_unrelated_is_total_entropy(data):
    values, groups = data
    related, unrelated = variety(values, groups)
    assert related >= -1e-12
    assert unrelated >= -1e-12
    assert unrelated <= math.log(len(set(groups))) + 1e-9
    assert related + unrelated == pytest.approx(shannon_entropy(values), abs=1e-9)


@given(employment_vectors)
def test_variety_extremes(values):
    # every sector its own group: all variety is unrelated; one group: all is related
    related, unrelated = variety(values, [f"g{i}" for i in range(len(values))])
    assert related == pytest.approx(0.0, abs=1e-12)
    assert unrelated == pytest.approx(shannon_entropy(values), abs=1e-12)
    related, unrelated = variety(values, ["one"] * len(values))
    assert unrelated == pytest.approx(0.0, abs=1e-12)
    assert related == pytest.approx(shannon_entropy(values), abs=1e-9)


def test_variety_known_value():
    # two groups of two equal sectors: UV = ln 2, RV = ln 2, H = ln 4
    related, unrelated = variety([1, 1, 1, 1], ["a", "a", "b", "b"])
    assert unrelated == pytest.approx(math.log(2))
    assert related == pytest.approx(math.log(2))


def test_diversity_is_vectorised_over_months():
    months = np.array([[1.0, 1.0], [1.0, 0.0], [0.0, 0.0]])
    np.testing.assert_allclose(shannon_entropy(months), [math.log(2), 0.0, np.nan])
    np.testing.assert_allclose(herfindahl(months), [0.5, 1.0, np.nan])


# ---------------------------------------------------------------- resilience on synthetic series


@given(positive_series, st.data())
def test_resilience_is_exactly_zero_when_run_equals_twin(series, data):
    twin = np.array(series)
    start = data.draw(st.integers(0, len(twin) - 1))
    end = data.draw(st.integers(start, len(twin) - 1))
    assert resistance(twin.copy(), twin, start) == 0.0
    assert recovery(twin.copy(), twin, start) == 0.0
    result = renewal(twin.copy(), twin, start, end)
    assert result == 0.0 or math.isnan(result)  # NaN only if too few post-shock months
    by_sector = np.column_stack([twin, twin * 0.5, twin[::-1]])
    assert reorientation(by_sector.copy(), by_sector) == 0.0


def _drop_paths(level, growth, drop, start, depth_months, months=240):
    """A twin growing at `growth` per year, and runs that lose `drop` (share) from `start`.

    The drop deepens linearly over `depth_months`; one run then climbs back to the
    twin over the next 36 months, the other stays down.
    """
    t = np.arange(months)
    twin = level * np.exp(growth * t / 12.0)
    loss = np.clip((t - start + 1) / depth_months, 0.0, 1.0) * drop
    bottom = start + depth_months - 1
    climb = np.clip((t - bottom) / 36.0, 0.0, 1.0)
    recovering = twin * (1.0 - loss * (1.0 - climb))
    staying = twin * (1.0 - loss)
    return twin, recovering, staying, bottom


@settings(max_examples=60)
@given(
    level=st.floats(1e3, 1e6),
    growth=st.floats(0.0, 0.03),
    drop=st.floats(0.02, 0.5),
    start=st.integers(1, 60),
    depth_months=st.integers(1, 36),
)
def test_signs_of_drop_and_recover_versus_drop_and_stay(level, growth, drop, start, depth_months):
    twin, recovering, staying, bottom = _drop_paths(level, growth, drop, start, depth_months)
    shock_end = bottom  # the shock acts until the bottom; the climb back is the economy's own
    # the trough is where the loss is deepest (staying down: the first such month)
    assert trough(recovering, twin, start) == bottom
    assert trough(staying, twin, start) == bottom
    # resistance: the loss at the trough, as a share of the twin there
    assert resistance(recovering, twin, start) == pytest.approx(-drop, rel=1e-6, abs=1e-9)
    assert resistance(staying, twin, start) < 0
    # recovery: positive when climbing back, none when staying down
    assert recovery(recovering, twin, start) > 0.5 * drop
    assert recovery(staying, twin, start) == pytest.approx(0.0, abs=drop * 1e-6)
    assert recovery(recovering, twin, start) > recovery(staying, twin, start)
    # renewal: the climb back is faster growth than the twin's; staying down at the same growth is neutral
    assert renewal(recovering, twin, start, shock_end) > 0
    assert renewal(staying, twin, start, shock_end) == pytest.approx(0.0, abs=1e-9)


def test_recovery_period_can_be_capped():
    twin, recovering, _, _ = _drop_paths(1000.0, 0.0, 0.2, 12, 6)
    full = recovery(recovering, twin, 12)
    early = recovery(recovering, twin, 12, recovery_months=12)  # a third of the climb back
    assert 0 < early < full
    assert full == pytest.approx(0.2)


def test_pre_shock_trend_enters_renewal():
    t = np.arange(120)
    twin = 1000.0 * np.exp(0.02 * t / 12.0)
    # the run grew like the twin before the shock in month 60, and does not grow afterwards
    run = np.where(t < 60, twin, twin[59])
    assert renewal(run, twin, 60, 60) == pytest.approx(-0.02, rel=1e-6)


def test_reorientation_bounds_and_known_value():
    twin = np.tile([50.0, 50.0, 0.0], (24, 1))
    assert reorientation(np.tile([0.0, 0.0, 7.0], (24, 1)), twin) == pytest.approx(1.0)
    assert reorientation(np.tile([25.0, 75.0, 0.0], (24, 1)), twin) == pytest.approx(0.25)


@given(st.lists(st.lists(st.floats(0.0, 1e4), min_size=3, max_size=3), min_size=1, max_size=30), st.data())
def test_reorientation_is_a_share(rows, data):
    run = np.array(rows)
    twin = np.array(data.draw(st.lists(st.lists(st.floats(0.0, 1e4), min_size=3, max_size=3), min_size=len(rows), max_size=len(rows))))
    assume(run[-12:].sum() > 0 and twin[-12:].sum() > 0)
    assert 0.0 <= reorientation(run, twin) <= 1.0 + 1e-12


def test_resilience_rejects_mismatched_series():
    with pytest.raises(ValueError, match="shape"):
        resistance([1.0, 2.0], [1.0, 2.0, 3.0], 0)
    with pytest.raises(ValueError, match="shock_start"):
        resistance([1.0, 2.0], [1.0, 2.0], 5)


# ---------------------------------------------------------------- registry and cost per job


def test_registry_is_complete():
    expected = {
        "employment", "unemployment_rate", "value_added", "firms", "start_ups", "exits", "shannon_entropy", "hhi",
        "related_variety", "unrelated_variety", "local_sourcing_share", "network_robustness", "co2", "green_jobs_share",
        "alliance_participation", "alliance_trust", "public_money_spent", "public_money_per_job_saved",
        *MEASURES,
    }  # fmt: skip
    assert set(REGISTRY) == expected
    for name, indicator in REGISTRY.items():
        assert isinstance(indicator, Indicator)
        assert indicator.name == name
        for text in (indicator.label_en, indicator.label_de, indicator.unit, indicator.definition_en, indicator.definition_de):
            assert isinstance(text, str)
            assert text.strip()
        assert indicator.group in GROUPS
        assert indicator.higher_is_better in (True, False, None)
    assert {i.group for i in REGISTRY.values()} == set(GROUPS)
    assert {n for n, i in REGISTRY.items() if i.group == "resilience"} == set(MEASURES)


def test_every_indicator_is_documented():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "monitoring.md").read_text(encoding="utf-8")
    for name, indicator in REGISTRY.items():
        assert f"| `{name}` | {indicator.label_en} | {indicator.label_de} | {indicator.unit} | {indicator.group} |" in doc


def test_indicator_is_frozen_and_checks_its_group():
    with pytest.raises(AttributeError):
        REGISTRY["employment"].unit = "jobs"  # type: ignore[misc]
    with pytest.raises(ValueError, match="group"):
        Indicator("x", "X", "X", "count", "political", "d", "d", None)  # type: ignore[arg-type]


@given(
    st.floats(0, 1e5), st.floats(-1e4, 1e4), st.floats(0, 1e8), st.floats(0, 1e8)
)  # fmt: skip
def test_jobs_saved_cost_is_never_infinite(reference_jobs, jobs_difference, run_money, reference_money):
    run = {"employment": reference_jobs + jobs_difference, "public_money_spent": run_money}
    reference = {"employment": reference_jobs, "public_money_spent": reference_money}
    cost = jobs_saved_cost(run, reference)
    if run["employment"] - reference_jobs < 1.0:
        assert math.isnan(cost)
    else:
        assert math.isfinite(cost)
        assert cost == pytest.approx((run_money - reference_money) / (run["employment"] - reference_jobs))


def test_jobs_saved_cost_known_values():
    reference = {"employment": 1000.0, "public_money_spent": 0.0}
    assert jobs_saved_cost({"employment": 1100.0, "public_money_spent": 5e6}, reference) == pytest.approx(50_000.0)
    assert math.isnan(jobs_saved_cost({"employment": 1000.0, "public_money_spent": 5e6}, reference))  # none saved
    assert math.isnan(jobs_saved_cost({"employment": 900.0, "public_money_spent": 5e6}, reference))  # jobs lost
    assert math.isnan(jobs_saved_cost({"employment": math.nan, "public_money_spent": 5e6}, reference))


# ---------------------------------------------------------------- real runs


@pytest.fixture(scope="module")
def closure_runs(closure_scenario):
    run = simulate(closure_scenario, seed=1).timeseries
    twin = simulate(closure_scenario.without_shocks(), seed=1).timeseries
    return closure_scenario, run, twin


def _with_mode(scenario, mode):
    return scenario.model_copy(update={"governance": scenario.governance.model_copy(update={"mode": mode})})


def test_scorecard_returns_exactly_the_registry_keys(closure_runs):
    scenario, run, twin = closure_runs
    for values in (scorecard(run, twin, scenario), scorecard(run, None, scenario)):
        assert list(values) == list(REGISTRY)
        assert all(isinstance(v, float) for v in values.values())


def test_scorecard_values_follow_their_definitions(closure_runs):
    scenario, run, twin = closure_runs
    values = scorecard(run, twin, scenario)
    last = run.iloc[-12:]
    assert values["employment"] == pytest.approx(last["employment_workplace"].mean())
    assert values["unemployment_rate"] == pytest.approx(last["unemployment_rate"].mean())
    assert values["value_added"] == pytest.approx(last["value_added_eur"].sum())
    assert values["co2"] == pytest.approx(last["co2_t"].sum())
    assert values["start_ups"] == run["firm_entries"].sum()
    assert values["exits"] == run["firm_exits"].sum()
    assert values["public_money_spent"] == 0.0  # governance "none" spends nothing
    assert values["alliance_participation"] == 0.0
    assert math.isnan(values["alliance_trust"])  # no alliance in this setting
    assert math.isnan(values["public_money_per_job_saved"])  # no reference given
    assert values["related_variety"] + values["unrelated_variety"] == pytest.approx(values["shannon_entropy"])
    assert 0 < values["green_jobs_share"] < 1
    without_twin = scorecard(run, None, scenario)
    assert all(math.isnan(without_twin[m]) for m in MEASURES)


def test_indicator_series_of_a_run(closure_runs):
    scenario, run, _ = closure_runs
    sectors, groups = sectors_of(scenario)
    series = indicator_series(run, sectors, groups)
    assert len(series) == len(run)
    assert list(series["date"]) == list(run["date"])
    np.testing.assert_allclose(series["related_variety"] + series["unrelated_variety"], series["shannon_entropy"], atol=1e-12)
    assert ((series["hhi"] >= 1 / len(sectors)) & (series["hhi"] <= 1)).all()
    np.testing.assert_allclose(series["green_jobs_share"], run["green_jobs"] / run["employment_workplace"])
    # first month by hand: shares of the sector columns
    first = run[[f"employment_{s}" for s in sectors]].iloc[0].to_numpy(float)
    p = first[first > 0] / first.sum()
    assert series["shannon_entropy"].iloc[0] == pytest.approx(-(p * np.log(p)).sum())
    assert series["hhi"].iloc[0] == pytest.approx((p**2).sum())
    assert series["alliance_participation"].eq(0).all()  # governance "none"


def test_closure_run_loses_jobs_against_its_twin(closure_runs):
    scenario, run, twin = closure_runs
    values = scorecard(run, twin, scenario)
    # mine included: at least the mine's own jobs (3,267 of about 33,000) are lost at the trough
    assert values["resistance_workplace"] <= -scenario.mine.staff / twin["employment_workplace"].iloc[0]
    # outside the mine: the indirect losses only (suppliers, household spending), a smaller share but still a loss
    assert values["resistance_workplace"] < values["resistance"] < 0
    outside, twin_outside = (frame["employment_workplace"] - frame["mine_employment"] for frame in (run, twin))
    gap = (outside - outside.iloc[0]) - (twin_outside - twin_outside.iloc[0])  # the closure acts from the first month here
    assert values["resistance"] * float(twin_outside.iloc[int(np.argmin((gap / twin_outside).to_numpy()))]) == pytest.approx(float(gap.min()), rel=0.05)
    assert values["recovery"] >= 0 and values["recovery_workplace"] >= 0
    assert 0 < values["reorientation"] < 1
    assert math.isfinite(values["renewal"])


def test_twin_against_itself_is_neutral(closure_runs):
    scenario, _, twin = closure_runs
    measures = resilience_measures(twin, twin.copy(), scenario, sectors_of(scenario)[0])
    assert measures == dict.fromkeys(MEASURES, 0.0)


def test_no_shock_scenario_against_its_own_twin(no_closure_scenario, closure_scenario):
    run = simulate(no_closure_scenario, seed=3).timeseries
    twin = simulate(no_closure_scenario.without_shocks(), seed=3).timeseries
    pd.testing.assert_frame_equal(run, twin)
    # no shock: the scorecard measures from the first month and is exactly neutral ...
    assert shock_rows(no_closure_scenario) is None
    values = scorecard(run, twin, no_closure_scenario)
    assert {m: values[m] for m in MEASURES} == dict.fromkeys(MEASURES, 0.0)
    # ... and so it is measured over the closure's window
    assert no_closure_scenario.start == closure_scenario.start
    measures = resilience_measures(run, twin, closure_scenario, sectors_of(closure_scenario)[0])
    assert measures == dict.fromkeys(MEASURES, 0.0)


def test_public_money_per_job_saved_against_governance_none(closure_runs):
    scenario, run, _ = closure_runs
    reference = scorecard(run, None, scenario)
    hybrid = _with_mode(scenario, "hybrid")
    values = scorecard(simulate(hybrid, seed=1).timeseries, None, hybrid, reference=reference)
    assert values["public_money_spent"] > 0  # the city pays the coordinator
    assert 0 <= values["alliance_participation"] <= 1
    assert 0 <= values["alliance_trust"] <= 1
    jobs_saved = values["employment"] - reference["employment"]
    extra_money = values["public_money_spent"] - reference["public_money_spent"]
    if jobs_saved >= 1:
        assert values["public_money_per_job_saved"] == pytest.approx(extra_money / jobs_saved)
        assert values["public_money_per_job_saved"] > 0  # the coordinator costs money, so saved jobs cost some
    else:
        assert math.isnan(values["public_money_per_job_saved"])  # no job saved: undefined, never infinity


def test_mine_outside_the_table_counts_as_its_own_sector(closure_scenario):
    scenario = closure_scenario.model_copy(update={"mine": closure_scenario.mine.model_copy(update={"sector": "coal"})})
    sectors, groups = sectors_of(scenario)
    assert sectors[-1] == "coal"
    assert groups[-1] == "coal"
    run = simulate(scenario, seed=1).timeseries.iloc[:24]
    values = scorecard(run, None, scenario)
    assert math.isfinite(values["shannon_entropy"])
