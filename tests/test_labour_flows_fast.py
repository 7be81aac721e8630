"""Fast checks of the labour market's flows (economy/labour_flows.py, the hires in economy/labour.py): every resident stays in exactly one state.

Separations, hires, moves, training, placements and the outside flows, on small
hand-made markets: after every flow each resident is in exactly one state and
each flow counter equals the change of its stocks.

Expectations are worked out by hand or are invariants read from the outputs.
With tests/test_labour_fast.py, tests/test_staffing_fast.py and
tests/test_streams_fast.py they are the labour selection of the mutation run
(experiments/mutation/) and run in seconds. The markets: tests/labour_markets.py.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from bottrop_sim.economy.labour import _apportion, _apportion_rows
from bottrop_sim.economy.labour_flows import MineSeparation
from tests.labour_markets import check_flows, market, stocks, zone


# -- flows: every resident stays in exactly one state ------------------------------------
def test_separations_send_residents_to_unemployment_and_in_commuters_to_the_zone():
    labour = market()
    before = stocks(labour)
    staff = np.array([1000, 600])
    labour.separate(np.random.default_rng(1), staff, np.array([100, 0]))
    check_flows(before, labour)
    f = labour.flows
    assert f["separations"] == 100 and f["to_unemployment"] + f["in_commuters_separated"] == 100
    assert 30 < f["to_unemployment"] < 70  # half the staff are residents (hypergeometric)
    np.testing.assert_array_equal(labour.employed_local[1], market().employed_local[1])  # the other sector keeps its staff
    labour.separate(np.random.default_rng(2), staff - [100, 0], np.array([0, 5000]))  # more leavers than staff: all of them leave
    assert labour.employed_local[1].sum() == 0 and f["separations"] == 5100
    assert f["to_unemployment"] - (before["employed_local"].sum() - labour.employed_local.sum()) == 0
    check_flows(before, labour)


def test_only_residents_can_be_drawn_from_a_sector_of_residents_and_none_from_one_without():
    all_residents = market(resident_share=np.array([1.0, 0.0]))
    before = stocks(all_residents)
    all_residents.separate(np.random.default_rng(3), np.array([1000, 600]), np.array([40, 60]))
    assert all_residents.flows["to_unemployment"] == 40 and all_residents.flows["in_commuters_separated"] == 60
    check_flows(before, all_residents)
    unchanged = stocks(all_residents)
    all_residents.separate(np.random.default_rng(3), np.array([1000, 600]), np.array([0, 0]))
    assert all_residents.flows["separations"] == 100
    np.testing.assert_array_equal(stocks(all_residents)["employed_local"], unchanged["employed_local"])


def test_the_mine_sheds_staff_into_retirement_transfers_or_search_by_its_rules():
    for rules, state in ((MineSeparation(2.0, 0.0, 0.0), "retired"), (MineSeparation(0.0, 1.0, 0.0), "out_commuters"), (MineSeparation(0, 0, 3), "unemployed")):
        labour = market(resident_share=np.array([1.0, 0.4]))
        before = stocks(labour)
        labour.separate_mine(np.random.default_rng(4), 0, 1000, 90, rules)
        check_flows(before, labour)
        assert labour.flows["separations"] == 90
        assert labour.employed_local[0].sum() == 910
        assert stocks(labour)[state].sum() - before[state].sum() == 90  # every one of the residents goes where the rule says
    mixed = market(resident_share=np.array([1.0, 0.4]))
    before = stocks(mixed)
    mixed.separate_mine(np.random.default_rng(5), 0, 1000, 600, MineSeparation(0.5, 0.25, 0.25))
    check_flows(before, mixed)
    f = mixed.flows
    assert f["to_retirement"] + f["mine_transfers"] + f["to_unemployment"] == 600
    assert 250 < f["to_retirement"] < 350 and 110 < f["mine_transfers"] < 190 and 110 < f["to_unemployment"] < 190
    commuting = market(resident_share=np.array([0.0, 0.4]))  # no resident in the mine: nobody retires here
    commuting.separate_mine(np.random.default_rng(5), 0, 1000, 100, MineSeparation(1.0, 0.0, 0.0))
    assert commuting.flows["to_retirement"] == 0 and commuting.flows["separations"] == 100


def test_hires_come_from_the_unemployed_by_skill_and_never_exceed_them():
    labour = market()
    before = stocks(labour)
    labour.hire(np.random.default_rng(6), np.array([200, 100]))
    check_flows(before, labour)
    f = labour.flows
    assert f["hires"] == 300 and 0 < f["hires_from_unemployment"] <= 138
    np.testing.assert_array_equal(labour.employed_local.sum(axis=1) - market().employed_local.sum(axis=1) >= 0, [True, True])
    only_residents = market(resident_hire_share=1.0)  # no zone searcher: every hire is a resident while any are unemployed
    before = stocks(only_residents)
    only_residents.hire(np.random.default_rng(7), np.array([10, 0]))
    assert only_residents.flows["hires_from_unemployment"] == 10
    assert only_residents.employed_local[0].sum() - before["employed_local"].sum() + only_residents.employed_local[1].sum() == 10
    only_residents.hire(np.random.default_rng(8), np.array([0, 10_000]))  # more hires than unemployed: the rest are in-commuters
    assert only_residents.unemployed.sum() == 0 and only_residents.flows["hires_from_unemployment"] == 138
    assert only_residents.flows["hires"] == 10_010
    check_flows(before, only_residents)


def test_the_resident_share_of_hires_rises_with_residents_unemployment():
    shares = {}
    for factor in (1, 3):
        fractions = []
        for seed in range(20):
            labour = market(resident_hire_share=0.4)
            labour.unemployed *= factor
            labour.hire(np.random.default_rng(seed), np.array([60, 40]))
            fractions.append(labour.flows["hires_from_unemployment"] / labour.flows["hires"])
        shares[factor] = np.mean(fractions)
    assert shares[1] == pytest.approx(0.4, abs=0.05)
    assert shares[3] == pytest.approx(3 * 0.4 / (3 * 0.4 + 0.6), abs=0.05)  # three times the resident searchers


def test_more_searchers_give_more_matches():
    slack, tight = market(), market()
    slack.unemployed *= 2
    slack.zone.unemployed *= 2
    vacancies = slack.baseline_vacancies
    assert slack.vacancy_filling(vacancies) * vacancies > tight.vacancy_filling(vacancies) * vacancies


def test_moves_between_employers_keep_every_resident_employed_here():
    labour = market()
    before = stocks(labour)
    labour.move(np.random.default_rng(9), np.array([1000, 600]), np.array([100, 0]), np.array([0, 100]))
    check_flows(before, labour)
    assert labour.flows["moves"] == 100
    moved = market().employed_local[0].sum() - labour.employed_local[0].sum()
    assert 30 < moved < 70 and labour.employed_local[1].sum() - market().employed_local[1].sum() == moved
    labour.move(np.random.default_rng(9), np.array([900, 700]), np.array([0, 0]), np.array([0, 0]))
    assert labour.flows["moves"] == 100
    split = market(resident_share=np.array([1.0, 1.0]))
    split.move(np.random.default_rng(10), np.array([1000, 600]), np.array([50, 50]), np.array([80, 20]))
    np.testing.assert_array_equal(split.employed_local.sum(axis=1), [1000 - 50 + 80, 600 - 50 + 20])  # all residents: they arrive where the jobs are


def test_training_takes_the_low_skilled_first_and_returns_them_one_level_higher():
    labour = market(zone(labour_force=20_000_000))
    labour.unemployed[:] = [5, 10, 20]
    before = stocks(labour)
    assert labour.start_training(np.random.default_rng(0), 12, ends=3) == 12
    np.testing.assert_array_equal(labour.in_training, [5, 7, 0])
    np.testing.assert_array_equal(labour.unemployed, [0, 3, 20])
    assert labour.flows["to_training"] == 12
    assert labour.start_training(np.random.default_rng(0), 100, ends=4) == 23  # only the unemployed can start
    assert labour.start_training(np.random.default_rng(0), 5, ends=4) == 0 and labour.start_training(np.random.default_rng(0), -3, ends=4) == 0
    check_flows(before, labour)
    labour.finish_training(np.random.default_rng(0), 2, placement_rate=0.0)  # no course has ended
    np.testing.assert_array_equal(labour.in_training, [5, 10, 20])
    labour.finish_training(np.random.default_rng(0), 3, placement_rate=0.0)  # the first course ends: nobody placed
    np.testing.assert_array_equal(labour.in_training, [0, 3, 20])
    np.testing.assert_array_equal(labour.unemployed, [0, 5, 7])  # 5 low -> medium, 7 medium -> high
    assert labour.flows["training_to_unemployment"] == 12 and labour.flows["training_to_jobs"] == 0
    check_flows(before, labour, by_skill=False)
    zone_before = labour.zone.unemployed
    labour.finish_training(np.random.default_rng(0), 9, placement_rate=1.0)  # the second ends: all placed in zone jobs
    assert labour.flows["training_to_jobs"] == 23 and labour.in_training.sum() == 0
    assert labour.zone.unemployed == pytest.approx(zone_before + 23)  # the zone's searchers lose these jobs
    check_flows(before, labour, by_skill=False)
    labour.finish_training(np.random.default_rng(0), 10, placement_rate=1.0)
    assert labour.flows["training_to_jobs"] == 23  # nothing left to finish


def test_placements_are_capped_by_the_zones_hires_cutting_the_highest_skill_first():
    small = zone(labour_force=2_000, vacancies=30)
    labour = market(small)
    labour.unemployed[:] = [4, 6, 8]
    before = stocks(labour)
    labour.start_training(np.random.default_rng(0), 18, ends=1)
    room = int(small.job_finding_rate() * small.unemployed)
    assert 4 <= room < 18
    labour.finish_training(np.random.default_rng(0), 1, placement_rate=1.0)
    placed = labour.out_commuters - before["out_commuters"]
    assert placed.sum() == room and labour.flows["training_to_jobs"] == room
    np.testing.assert_array_equal(placed, [4, min(room - 4, 6), max(room - 10, 0)])  # the high-skilled are cut first
    np.testing.assert_array_equal(labour.unemployed, [0, 4 - placed[0], 6 - placed[1] + 8 - placed[2]])  # the rest search a level higher
    check_flows(before, labour, by_skill=False)
    full = zone(labour_force=2_000, unemployment_rate=0.9, vacancies=30)
    crowded = market(full)
    crowded.start_training(np.random.default_rng(0), 20, ends=1)
    crowded.finish_training(np.random.default_rng(0), 1, placement_rate=1.0)
    assert full.unemployed <= full.labour_force


def test_outside_flows_move_residents_between_unemployment_outside_jobs_and_away():
    labour = market()
    before = stocks(labour)
    labour.reset_flows()
    labour.outside_flows(np.random.default_rng(11), migration_rate=0.0)
    check_flows(before, labour)
    f = labour.flows
    assert f["moved_away"] == 0  # the zone is at its start: nobody is above the pool
    assert f["unemployed_to_outside_jobs"] > 0 and f["outside_jobs_to_unemployment"] > 0
    many = [market() for _ in range(30)]
    for seed, labour in enumerate(many):
        labour.outside_flows(np.random.default_rng(seed), migration_rate=0.0)
    lost = np.mean([m.flows["outside_jobs_to_unemployment"] for m in many])
    found = np.mean([m.flows["unemployed_to_outside_jobs"] for m in many])
    expected = market().separation_rate * 500  # 3.6 a month each way at the start
    assert lost == pytest.approx(expected, rel=0.35) and found == pytest.approx(expected, rel=0.35)


def test_unemployed_above_the_pool_move_away():
    labour = market()
    labour.unemployed += [100, 200, 100]  # 400 above the pool the zone's unemployment implies
    before = stocks(labour)
    labour.outside_flows(np.random.default_rng(12), migration_rate=0.1)
    check_flows(before, labour)
    moved = labour.flows["moved_away"]
    assert 36 <= moved <= 41  # a tenth of the 400 less those who found outside jobs (rounded per skill)
    worse = market()
    worse.zone.unemployed *= 6  # six times the zone's unemployment: the pool is six times the start, nobody is above it
    worse.unemployed += [100, 200, 100]
    worse.outside_flows(np.random.default_rng(12), migration_rate=0.1)
    assert worse.flows["moved_away"] == 0
    once = market()
    once.unemployed += [5, 5, 5]
    once.outside_flows(np.random.default_rng(12), migration_rate=1.0)
    assert once.flows["moved_away"] == 15 - once.flows["unemployed_to_outside_jobs"]


def test_the_zone_gains_bottrops_laid_off_in_commuters_and_loses_those_hired():
    labour = market()
    twin = copy.deepcopy(labour.zone)
    labour.separate(np.random.default_rng(13), np.array([1000, 600]), np.array([200, 0]))
    labour.hire(np.random.default_rng(14), np.array([0, 50]))
    in_commuters_hired = 50 - labour.flows["hires_from_unemployment"]
    labour.outside_flows(np.random.default_rng(15), migration_rate=0.0)
    twin.step(labour.flows["in_commuters_separated"] - in_commuters_hired)
    assert labour.zone.unemployed == pytest.approx(twin.unemployed)
    assert labour.flows["in_commuters_separated"] > 50


def test_job_finding_rate_counts_local_and_outside_jobs_of_the_months_unemployed():
    labour = market()
    assert labour.job_finding_rate() == 0.0
    labour.flows["hires_from_unemployment"], labour.flows["unemployed_to_outside_jobs"] = 3, 4
    assert labour.job_finding_rate() == pytest.approx(7 / 138)
    labour.unemployed[:] = [1, 1, 0]
    labour.reset_flows()
    assert all(value == 0 for value in labour.flows.values()) and labour.unemployed_at_start == 2
    labour.unemployed_at_start = 0
    assert labour.job_finding_rate() == 0.0


def test_apportioning_keeps_the_total_and_gives_remainders_to_the_largest():
    np.testing.assert_array_equal(_apportion(10, np.array([1, 1, 1])), [4, 3, 3])
    np.testing.assert_array_equal(_apportion(7, np.array([0.1, 0.25, 0.65])), [1, 2, 4])  # 0.7, 1.75, 4.55
    np.testing.assert_array_equal(_apportion(5, np.array([2.0, 0.0, 2.0])), [3, 0, 2])  # ties: the first
    np.testing.assert_array_equal(_apportion(0, np.array([1, 2, 3])), [0, 0, 0])
    np.testing.assert_array_equal(_apportion(4, np.zeros(3)), [0, 0, 0])
    assert _apportion(4, np.zeros(3)).dtype == np.int64
    rows = _apportion_rows(np.array([3, 2]), np.array([[1, 1, 1], [0, 1, 3]]))
    np.testing.assert_array_equal(rows, [[1, 1, 1], [0, 1, 1]])  # 0, 0.5, 1.5: the tie goes to the first
    np.testing.assert_array_equal(_apportion(1, np.array([1, 2, 1])), [0, 1, 0])
    empty = _apportion_rows(np.array([], np.int64), np.zeros((0, 3)))
    assert empty.shape == (0, 3) and empty.dtype == np.int64
    with pytest.raises(ValueError):
        _apportion_rows(np.array([3, 2]), np.array([[1, 1, 1]]))  # a sector without a skill mix is an error, not dropped
