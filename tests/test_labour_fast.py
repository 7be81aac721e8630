"""Fast checks of the labour market (economy/labour.py, economy/labour_flows.py) at the start and at its edges, one rule at a time.

The matching function and the commuting zone, the market at the start, and the
edges and accumulation found by the mutation runs, on small hand-made inputs.

Expectations are worked out by hand or are invariants read from the outputs.
With tests/test_labour_flows_fast.py, tests/test_staffing_fast.py and
tests/test_streams_fast.py they are the labour selection of the mutation run
(experiments/mutation/) and run in seconds. The markets: tests/labour_markets.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from bottrop_sim.economy.labour import MatchingFunction
from bottrop_sim.economy.labour_flows import FLOW_NAMES, MineSeparation
from tests.labour_markets import check_flows, market, stocks, tiny_market, zone


# -- the matching function and the commuting zone ------------------------------------
def test_matching_has_constant_returns_and_never_exceeds_either_side():
    matching = MatchingFunction.calibrated(searchers=400, vacancies=100, matches=40, elasticity=0.5)
    assert matching.efficiency == pytest.approx(40 / (20 * 10))
    assert matching.matches(400, 100) == pytest.approx(40)
    assert matching.matches(800, 200) == pytest.approx(80)
    assert matching.matches(1600, 100) == pytest.approx(80)  # elasticity 0.5: four times the searchers, twice the matches
    assert matching.matches(400, 25) == pytest.approx(20)
    assert matching.matches(10, 1e6) == 10 and matching.matches(1e6, 10) == 10
    for searchers, vacancies in ((0, 100), (100, 0), (0.5, 100), (100, 0.5), (-4, 100), (100, -4)):
        expected = 0.0 if min(searchers, vacancies) <= 0 else min(searchers, vacancies, matching.efficiency * (searchers * vacancies) ** 0.5)
        assert matching.matches(searchers, vacancies) == pytest.approx(expected)
    skewed = MatchingFunction(0.05, 0.8)
    assert skewed.matches(1000, 100) == pytest.approx(0.05 * 1000**0.8 * 100**0.2)
    assert skewed.matches(2000, 100) / skewed.matches(1000, 100) == pytest.approx(2**0.8)


def test_the_zone_starts_in_its_flow_steady_state_and_absorbs_inflows():
    the_zone = zone(labour_force=1_000_000, unemployment_rate=0.1, job_finding_rate=0.09, vacancies=20_000)
    assert the_zone.unemployed == pytest.approx(100_000) and the_zone.baseline_unemployed == pytest.approx(100_000)
    assert the_zone.unemployment_rate() == pytest.approx(0.1) and the_zone.baseline_rate == 0.1
    assert the_zone.job_finding_rate() == pytest.approx(0.09)
    assert the_zone.separation_rate == pytest.approx(0.01)  # 9,000 found = 0.01 x 900,000 lost
    for _ in range(24):
        the_zone.step(0.0)
    assert the_zone.unemployed == pytest.approx(100_000, rel=1e-12)
    the_zone.step(5_000.0)
    assert the_zone.unemployed == pytest.approx(105_000, rel=1e-12)  # the inflow, the zone's own flows still balanced at the start
    assert the_zone.job_finding_rate() > 0.09 * 0.95  # more searchers: more matches, a lower rate per searcher
    assert the_zone.job_finding_rate() < 0.09
    the_zone.step(0.0)
    assert 100_000 < the_zone.unemployed < 105_000
    the_zone.step(-1e9)
    assert the_zone.unemployed == 0.0 and the_zone.job_finding_rate() == 0.0
    the_zone.step(1e12)
    assert the_zone.unemployed == 1_000_000 and the_zone.unemployment_rate() == 1.0


# -- the labour market at the start ---------------------------------------------------
def test_the_start_counts_residents_by_state_and_skill():
    labour = market(staff=np.array([1001, 600]))
    np.testing.assert_array_equal(labour.employed_local.sum(axis=1), [501, 240])  # 500.5 rounds up, 240
    np.testing.assert_array_equal(labour.employed_local[0], [150, 251, 100])  # 501 by 0.3/0.5/0.2, largest remainder
    mix = np.array([0.3 * 1001 + 0.1 * 600, 0.5 * 1001 + 0.4 * 600, 0.2 * 1001 + 0.5 * 600]) / 1601
    np.testing.assert_allclose(labour.resident_mix, mix)
    np.testing.assert_array_equal(labour.out_commuters, [113, 231, 156])  # 500 by the mix: 113.1, 231.5, 155.4 -> 156 gets the 1
    assert int(labour.unemployed.sum()) == 138  # 10 % of 741 + 500 + u: 1,241 / 9 = 137.9
    assert labour.labour_force() == 741 + 500 + 138 and labour.resident_count() == labour.labour_force()
    assert labour.unemployment_rate() == pytest.approx(138 / 1379)
    assert labour.residents_total == 1379 and labour.unemployed_at_start == 138
    np.testing.assert_array_equal(labour.baseline_unemployed, labour.unemployed)
    assert labour.baseline_unemployed is not labour.unemployed
    assert labour.separation_rate == pytest.approx(0.065 * 0.1 / 0.9)
    assert all(labour.flows[name] == 0 for name in FLOW_NAMES) and set(labour.flows) == set(FLOW_NAMES)
    assert labour.retired.sum() == labour.moved_away.sum() == labour.in_training.sum() == 0
    for counts in (labour.employed_local, labour.out_commuters, labour.unemployed, labour.retired, labour.moved_away, labour.in_training):
        assert counts.dtype == np.int64  # persons: exact integer accounting


def test_the_start_is_a_flow_steady_state_of_the_local_and_the_outside_market():
    labour = market()
    assert labour.vacancy_filling_rate == 0.22 and labour.vacancy_filling_rate_start == 0.22
    # hires replace leavers: vacancies x filling rate = separation rate x staff
    assert labour.baseline_vacancies * 0.22 == pytest.approx(labour.separation_rate * 1600)
    assert labour.vacancies == labour.baseline_vacancies
    assert labour.vacancy_filling(labour.baseline_vacancies) == pytest.approx(0.22)  # the calibrated matching reproduces the start
    np.testing.assert_allclose(labour.resident_chance(), 0.5, atol=0.01)  # residents make half the hires at the start
    assert labour.resident_hire_share_month == 0.5
    searchers = labour.unemployed.sum() + labour.zone_searchers().sum()
    assert labour.unemployed.sum() / searchers == pytest.approx(0.5)
    np.testing.assert_allclose(labour.zone_searchers() / labour.zone_searchers().sum(), labour.resident_mix)
    # outside: the jobs residents find in the zone balance the out-commuters' job losses
    found = min(1.0, labour.outside_search_intensity * labour.zone.job_finding_rate()) * labour.unemployed.sum()
    assert found == pytest.approx(labour.separation_rate * labour.out_commuters.sum())
    assert labour.outside_search_intensity > 0


def test_the_resident_share_of_hires_sets_how_many_of_the_zone_search_here():
    chance = {share: market(resident_hire_share=share).resident_chance().mean() for share in (0.2, 0.5, 0.9, 1.0)}
    assert chance[0.2] == pytest.approx(0.2, abs=0.01) and chance[0.9] == pytest.approx(0.9, abs=0.01)
    assert chance[1.0] == 1.0 and market(resident_hire_share=1.0).zone_search_share == 0.0
    assert market(resident_hire_share=3.0).zone_search_share == 0.0  # a share above 1 is 1
    tiny = market(resident_hire_share=0.0)  # 0 is taken as 1e-6: nearly every searcher is from the zone
    assert 0 < tiny.resident_chance().max() < 1e-5


def test_a_market_without_unemployed_or_vacancies_has_no_searchers_and_no_matches():
    labour = market(unemployment_rate=0.0)
    assert labour.unemployed.sum() == 0 and labour.zone_search_share == 0.0 and labour.outside_search_intensity == 0.0
    np.testing.assert_array_equal(labour.resident_chance(), [0.0, 0.0, 0.0])
    assert labour.separation_rate == 0.0
    all_unemployed = market(unemployment_rate=1.0)
    assert all_unemployed.unemployed.sum() == 0 and all_unemployed.separation_rate == 0.0
    closed = market(vacancy_filling_rate=0.0)
    assert closed.baseline_vacancies == 0.0
    assert closed.vacancy_filling(0.0) == 0.0  # no vacancies: the rate stays what it was
    empty_zone = zone()
    empty_zone.unemployed = 0.0
    assert market(empty_zone).zone_search_share == 0.0
    no_outside = zone(vacancies=35_000)
    no_outside.vacancies = 0.0  # the zone offers no jobs: residents find none there
    assert market(no_outside).outside_search_intensity == 0.0


def test_the_filling_rate_rises_with_searchers_and_falls_with_vacancies():
    labour = market()
    start = labour.vacancy_filling(labour.baseline_vacancies)
    assert labour.vacancy_filling(2 * labour.baseline_vacancies) == pytest.approx(start / 2**0.5)
    assert labour.vacancies == 2 * labour.baseline_vacancies
    labour.unemployed *= 3
    assert labour.vacancy_filling(labour.baseline_vacancies) > start
    labour.zone.unemployed *= 3  # three times the searchers of both kinds
    assert labour.vacancy_filling(labour.baseline_vacancies) == pytest.approx(min(1.0, start * 3**0.5))


# -- edges and accumulation (from the surviving mutants of the first mutation run) ----------
def test_a_tiny_market_is_calibrated_like_a_large_one():
    labour = tiny_market()
    assert labour.unemployed.sum() == 1 and labour.zone_search_share > 0
    assert labour.baseline_vacancies < 1
    assert labour.vacancy_filling(labour.baseline_vacancies) == pytest.approx(0.22)
    assert labour.unemployed.sum() / (labour.unemployed.sum() + labour.zone_searchers().sum()) == pytest.approx(0.5)
    np.testing.assert_array_equal(labour.resident_chance() > 0, labour.unemployed > 0)
    alone = tiny_market(resident_hire_share=1.0)  # one searcher in all
    assert alone.vacancy_filling(alone.baseline_vacancies) == pytest.approx(0.22)
    np.testing.assert_array_equal(alone.resident_chance(), alone.unemployed)  # the skill of the one unemployed: chance 1
    outside = tiny_market(out_commuters=2)  # still one unemployed (12 / 9 rounds to 1)
    assert outside.outside_search_intensity > 0
    found = outside.outside_search_intensity * outside.zone.job_finding_rate() * outside.unemployed.sum()
    assert outside.unemployed.sum() == 1 and found == pytest.approx(outside.separation_rate * 2)
    labour.unemployed_at_start = 1
    labour.flows["hires_from_unemployment"] = 1
    assert labour.job_finding_rate() == 1.0
    crowded = market()
    assert crowded.vacancy_filling(0.5) == 1.0  # half a vacancy and 276 searchers: it is filled


def test_a_zone_with_less_than_one_unemployed_still_matches():
    small = zone()
    small.unemployed = 0.5
    assert small.job_finding_rate() == pytest.approx(small.matching.matches(0.5, small.vacancies) / 0.5) and small.job_finding_rate() > 0
    assert market(small).zone_search_share > 0


def test_a_market_without_staff_or_labour_force():
    labour = market(staff=np.array([0, 0]), out_commuters=0)
    np.testing.assert_allclose(labour.resident_mix, [1 / 3, 1 / 3, 1 / 3])
    assert labour.labour_force() == 0 and labour.unemployment_rate() == 0.0


def test_flow_counters_add_up_over_several_calls():
    first = market(resident_share=np.array([0.4, 1.0]))  # the sector with in-commuters first
    first.separate(np.random.default_rng(19), np.array([1000, 600]), np.array([50, 30]))
    assert first.flows["in_commuters_separated"] == 80 - first.flows["to_unemployment"] and first.flows["in_commuters_separated"] > 0
    labour = market(resident_share=np.array([1.0, 0.4]), out_commuters=5000)
    before = stocks(labour)
    labour.separate(np.random.default_rng(20), np.array([1000, 600]), np.array([30, 50]))  # two sectors in one call
    assert labour.flows["separations"] == 80 and labour.flows["in_commuters_separated"] == 80 - labour.flows["to_unemployment"]
    assert labour.flows["in_commuters_separated"] > 0
    labour.separate_mine(np.random.default_rng(21), 0, 970, 20, MineSeparation(1.0, 0.0, 0.0))
    labour.separate_mine(np.random.default_rng(22), 0, 950, 10, MineSeparation(1.0, 0.0, 0.0))
    assert labour.retired.sum() == 30 and labour.flows["to_retirement"] == 30 and labour.flows["separations"] == 110
    labour.move(np.random.default_rng(23), np.array([940, 550]), np.array([1, 0]), np.array([0, 1]))  # a single person moves
    labour.move(np.random.default_rng(24), np.array([939, 551]), np.array([20, 0]), np.array([0, 20]))
    assert labour.flows["moves"] == 21
    assert labour.employed_local[0].sum() == 1000 - 30 - 30 - 21  # all of sector 0 are residents
    labour.outside_flows(np.random.default_rng(25), migration_rate=0.5)
    labour.outside_flows(np.random.default_rng(26), migration_rate=0.5)
    check_flows(before, labour)
    assert labour.flows["moved_away"] > 0 and labour.flows["unemployed_to_outside_jobs"] > 0


def test_moves_into_several_sectors_keep_each_skill():
    labour = market(resident_share=np.array([1.0, 1.0]), skill_shares=np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]))
    before = stocks(labour)
    labour.move(np.random.default_rng(27), np.array([1000, 600]), np.array([200, 100]), np.array([150, 150]))
    check_flows(before, labour)
    np.testing.assert_array_equal(labour.employed_local.sum(axis=1), [950, 650])
    assert labour.employed_local[0, 2] > 0 and labour.employed_local[1, 0] > 0  # skills travel with the movers


def test_a_single_resident_leaving_is_drawn():
    labour = market(staff=np.array([1, 600]), resident_share=np.array([1.0, 0.4]))
    labour.separate(np.random.default_rng(28), np.array([1, 600]), np.array([1, 0]))
    assert labour.flows["to_unemployment"] == 1 and labour.employed_local[0].sum() == 0


def test_one_training_place_and_two_courses_ending_together():
    labour = market(zone(labour_force=20_000_000))
    before = stocks(labour)
    assert labour.start_training(np.random.default_rng(0), 1, ends=2) == 1
    assert labour.start_training(np.random.default_rng(0), 4, ends=2) == 4
    labour.finish_training(np.random.default_rng(0), 2, placement_rate=1.0)
    assert labour.flows["training_to_jobs"] == 5 and labour.in_training.sum() == 0
    check_flows(before, labour, by_skill=False)


def test_when_the_zone_has_fewer_hires_than_trainees_of_the_lowest_skill_they_are_cut_too():
    small = zone(labour_force=500, vacancies=8)
    labour = market(small)
    labour.unemployed[:] = [4, 6, 8]
    labour.start_training(np.random.default_rng(0), 18, ends=1)
    room = int(small.job_finding_rate() * small.unemployed)
    assert 0 < room < 4
    labour.finish_training(np.random.default_rng(0), 1, placement_rate=1.0)
    np.testing.assert_array_equal(labour.out_commuters - market(zone(labour_force=500, vacancies=8)).out_commuters, [room, 0, 0])


def test_residents_who_search_hard_find_at_most_every_outside_job_chance():
    labour = market()
    labour.outside_search_intensity = 500.0  # their finding rate would exceed 1: it is 1
    unemployed = int(labour.unemployed.sum())
    labour.outside_flows(np.random.default_rng(29), migration_rate=0.0)
    assert labour.flows["unemployed_to_outside_jobs"] == unemployed


def test_nobody_moves_away_while_unemployment_is_at_its_pool():
    for seed in range(5):
        labour = market()
        labour.outside_flows(np.random.default_rng(seed), migration_rate=1.0)
        assert labour.flows["moved_away"] == 0


def test_the_mine_shedding_nobody_moves_nobody():
    labour = market(resident_share=np.array([1.0, 0.4]))
    before = stocks(labour)
    labour.separate_mine(np.random.default_rng(4), 0, 1000, 0, MineSeparation(1.0, 0.0, 0.0))
    for name, values in stocks(labour).items():
        np.testing.assert_array_equal(values, before[name], err_msg=name)
    assert labour.flows["separations"] == 0 and labour.flows["to_retirement"] == 0


def test_a_skill_nobody_has_has_no_resident_hire_chance():
    labour = market(skill_shares=np.array([[0.5, 0.5, 0.0], [0.2, 0.8, 0.0]]))
    assert labour.unemployed[2] == 0 and labour.zone_searchers()[2] == 0.0
    chance = labour.resident_chance()
    assert chance[2] == 0.0 and (chance[:2] > 0).all()
    before = stocks(labour)
    labour.hire(np.random.default_rng(30), np.array([50, 20]))
    check_flows(before, labour)
    assert labour.flows["hires"] == 70 and labour.employed_local[:, 2].sum() == 0
