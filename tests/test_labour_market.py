"""The open labour market: matching function, commuting zone, flows that respond to lost jobs.

Inputs (scenario parameters, docs/calibration.md §"Open labour market"): Bottrop's unemployment
rate (7 %) and job-finding rate (6.5 % a month, IAB), the vacancy-filling rate (0.22 a month, BA
Gelsenkirchen/Bottrop 2023-24), the Ruhr's unemployment rate (10.7 %), labour force and vacancies,
the Gelsenkirchen job-finding rate (4.2 %), the matching elasticity (0.5) and the resident share of
jobs (0.508). Everything these tests check beyond the inputs is an outcome: the separation rates,
Bottrop's vacancy stock and hires, residents' search intensity in the zone, the resident share of
hires after a shock and the response of unemployment.
"""

from __future__ import annotations

import numpy as np
import pytest

from bottrop_sim import BottropModel, simulate
from bottrop_sim.economy.labour import CommutingZone, MatchingFunction
from bottrop_sim.scenario import scenario_from_dict

SEEDS = (1, 2, 3, 4)


def interval(values) -> tuple[float, float]:
    """Mean +- 2 standard errors."""
    values = np.asarray(values, float)
    half = 2 * values.std(ddof=1) / np.sqrt(len(values))
    return values.mean() - half, values.mean() + half


def test_matching_function_has_constant_returns_and_respects_both_sides():
    matching = MatchingFunction.calibrated(searchers=4000, vacancies=700, matches=150, elasticity=0.5)
    assert matching.matches(4000, 700) == pytest.approx(150)
    assert matching.matches(8000, 1400) == pytest.approx(300)  # constant returns to scale
    assert matching.matches(8000, 700) == pytest.approx(150 * 2**0.5)  # elasticity 0.5 on searchers
    assert matching.matches(10, 1e6) == 10  # never more matches than searchers
    assert matching.matches(1e6, 10) == 10  # nor than vacancies
    assert matching.matches(0, 700) == 0


def test_the_zone_without_outside_change_stays_in_its_flow_steady_state():
    zone = CommutingZone(labour_force=2_350_000, unemployment_rate=0.107, job_finding_rate=0.042, vacancies=35_000, elasticity=0.5)
    start = zone.unemployed
    for _ in range(120):
        zone.step(0.0)
    assert zone.unemployed == pytest.approx(start, rel=1e-12)
    zone.step(10_000.0)  # Bottrop's laid-off in-commuters join the zone's unemployed ...
    raised = zone.unemployed
    for _ in range(240):
        zone.step(0.0)
    assert start < zone.unemployed < raised  # ... and leave it again through the zone's own job finding
    assert zone.unemployed == pytest.approx(start, rel=1e-3)


@pytest.fixture(scope="module")
def initial(no_closure_scenario):
    return BottropModel(no_closure_scenario)


def test_separation_rates_implied_by_bottrop_and_by_the_ruhr_agree(initial):
    """Outcome: the start as a flow steady state implies s = f u / (1 - u). Bottrop (IAB national f, 7 %) and the
    Ruhr (Gelsenkirchen f, 10.7 %) are independent figures, yet imply separation rates within 10 % of each other."""
    labour = initial.labour
    assert labour.separation_rate == pytest.approx(0.065 * 0.07 / 0.93, rel=0.01)
    assert labour.zone.separation_rate == pytest.approx(labour.separation_rate, rel=0.10)


def test_vacancies_and_hires_at_the_start_match_published_bottrop_figures(initial):
    """Outcomes: the vacancy stock (from turnover and the filling rate of Gelsenkirchen/Bottrop 2023-24) lies in the
    range of Bottrop's registered vacancy stock 2019-22 (661 to 894, BA) widened by 20 %, and hires a year are
    about the ~2,000 new vacancies notified in Bottrop in 2019 (BA via WAZ)."""
    labour = initial.labour
    assert 0.8 * 661 <= labour.baseline_vacancies <= 1.2 * 894
    hires_per_year = 12 * labour.separation_rate * (initial.firms.headcount[: initial.firms.size].sum() - initial.mine.staff)
    assert 1600 <= hires_per_year <= 2600
    # residents search the zone about as well as its own unemployed (not forced to 1 by any input)
    assert 0.8 <= labour.outside_search_intensity <= 1.25


@pytest.fixture(scope="module")
def no_shock_runs(no_closure_scenario):
    short = no_closure_scenario.model_copy(update={"end": "2019-12"})
    return [simulate(short, seed=seed).timeseries.set_index("date") for seed in SEEDS]


def test_a_no_shock_run_has_turnover_and_stays_near_its_start(no_shock_runs):
    for series in no_shock_runs:
        assert (series["hires"] > 0).all() and (series["separations"] > 0).all()
        # within 2 %: with firms' idiosyncratic demand (sd 0.15) jobs settle about 1-1.5 % above the noise-free start
        # in the first years (firms hoard staff through dips of up to 5 % of orders but hire on rises), then stay flat
        assert abs(series["employment_workplace"].mean() / 32_975 - 1) < 0.02
        assert abs(series["unemployment_rate"].mean() - 0.07) < 0.003
        # the monthly job-finding rate stays in the published band (IAB 6.3-7 %, local ~4 %) widened for noise
        assert 0.045 <= series["job_finding_rate"].mean() <= 0.08
        assert 0.35 <= series["resident_share_of_hires"].mean() <= 0.65
        assert (series["vacancy_filling_rate"] > 0.1).all() and (series["vacancy_filling_rate"] <= 1).all()
    drift = [
        series.loc["2019-01":"2019-12", "employment_workplace"].mean() - series.loc["2016-01":"2016-12", "employment_workplace"].mean()
        for series in no_shock_runs
    ]
    low, high = interval(drift)
    assert low < 0 < high or abs(np.mean(drift)) < 150


def recession(export_fall: float) -> object:
    return scenario_from_dict(
        {
            "name": "recession",
            "end": "2018-12",
            "shocks": [{"type": "demand_recession", "start": "2016-01", "duration_months": 12, "recovery_months": 12, "export_fall": export_fall}],
        }
    )


@pytest.fixture(scope="module")
def recession_effects():
    """Jobs lost and extra unemployed in 2016-H2 against the twin, for a mild and a deep recession, per seed.

    The mild one costs about 45 jobs, too few to tell its unemployment effect from turnover noise (about +-20)."""
    effects = {}
    for fall in (0.05, 0.15):
        scenario = recession(fall)
        rows = []
        for seed in SEEDS:
            shocked = simulate(scenario, seed=seed).timeseries.set_index("date").loc["2016-07":"2016-12"]
            twin = simulate(scenario.without_shocks(), seed=seed).timeseries.set_index("date").loc["2016-07":"2016-12"]
            rows.append(
                (
                    (twin["employment_workplace"] - shocked["employment_workplace"]).mean(),
                    (shocked["unemployed"] - twin["unemployed"]).mean(),
                )
            )
        effects[fall] = np.array(rows)
    return effects


def test_unemployment_responds_to_lost_jobs_through_the_labour_market(recession_effects):
    """More jobs lost -> more unemployed, over seeds with intervals (no rule pins the unemployed to their start)."""
    mild, deep = recession_effects[0.05], recession_effects[0.15]
    assert interval(deep[:, 0] - mild[:, 0])[0] > 0  # the deep recession costs more jobs ...
    assert interval(deep[:, 1])[0] > 0  # ... raises unemployment ...
    assert interval(deep[:, 1] - mild[:, 1])[0] > 0  # ... and more than the mild one
    # about half the lost jobs were held by residents; the outside market absorbs part of them within months
    ratio = deep[:, 1] / deep[:, 0]
    assert 0.1 < ratio.mean() < 0.6


@pytest.mark.parametrize("zone_force", [2_350_000, 2_000])
def test_a_placed_trainee_takes_a_zone_job_that_a_zone_searcher_would_have_had(zone_force):
    """Retraining moves jobs, it creates none: each placement leaves one more of the zone's unemployed without the job,
    and there are never more placements than the zone's hires of the month (issue 11)."""
    from bottrop_sim.economy.labour import CommutingZone, LabourMarket

    zone = CommutingZone(labour_force=zone_force, unemployment_rate=0.107, job_finding_rate=0.042, vacancies=max(zone_force * 0.015, 1), elasticity=0.5)
    market = LabourMarket(
        np.array([[0.3, 0.5, 0.2]]), np.array([5_000]), np.array([0.5]), out_commuters=2_000, unemployment_rate=0.1,
        job_finding_rate=0.065, vacancy_filling_rate=0.22, elasticity=0.5, zone=zone, resident_hire_share=0.5, replacing_staff=5_000,
    )  # fmt: skip
    rng = np.random.default_rng(7)
    started = market.start_training(rng, 200, ends=5)
    hires_of_the_zone = zone.job_finding_rate() * zone.unemployed
    zone_before, outside_before, residents = zone.unemployed, int(market.out_commuters.sum()), market.resident_count()
    market.finish_training(rng, 5, placement_rate=1.0)
    placed = int(market.out_commuters.sum()) - outside_before
    assert placed == min(started, int(hires_of_the_zone)) and placed > 0
    assert zone.unemployed == pytest.approx(zone_before + placed)  # the zone's searchers lost these hires
    assert market.resident_count() == residents  # every trainee is somewhere: placed, or searching again
