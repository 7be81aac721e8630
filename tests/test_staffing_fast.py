"""Fast checks of the firms' staffing, vacancies, hires and demand factors (model/population.py), one rule at a time.

On small hand-made firm arrays: no firm hires more than it wants, separations
round to the expected turnover, demand factors keep their means and totals.

Expectations are worked out by hand or are invariants read from the outputs.
The labour selection of the mutation run (experiments/mutation/) is these and
tests/test_labour_fast.py, tests/test_labour_flows_fast.py, tests/test_staffing_fast.py
and tests/test_streams_fast.py; together they run in seconds.
"""

from __future__ import annotations

import numpy as np
import pytest

from bottrop_sim.economy.accounting import FirmArrays
from bottrop_sim.model.population import FirmPopulation, PartialAdjustment
from bottrop_sim.scenario.schema import BehaviourSpec
from bottrop_sim.streams import Streams


# -- the firms' staffing plan, vacancies and hires -------------------------------------
def behaviour(**changes) -> BehaviourSpec:
    values = {"hiring_rate": 0.5, "firing_rate": 0.2, "hoarding_tolerance": 0.1, "expectation_smoothing": 0.5}
    values.update(changes)
    return BehaviourSpec(**values)


def firm_arrays(headcount=(10, 20, 40, 21, 1, 100), orders=(20_000, 20_000, 20_000, 20_000, 5_000, 50_000)) -> FirmArrays:
    """Six firms at 1,000 EUR a person-month: short of staff, at target, with a surplus, a small surplus, a single person, the mine."""
    firms = FirmArrays(8)
    n = len(headcount)
    firms.add(n)
    firms.headcount[:n] = headcount
    firms.productivity[:n] = 1000.0
    firms.orders[:n] = orders
    firms.expected_orders[:n] = orders
    firms.alive[:n] = True
    firms.is_mine[n - 1] = True
    firms.sector[:n] = [0, 0, 1, 1, 1, 0]
    return firms


def test_partial_adjustment_replaces_leavers_closes_part_of_the_gap_and_lays_off_surplus():
    firms = firm_arrays()
    rule = PartialAdjustment(hiring_rate=0.5, firing_rate=0.2, hoarding_tolerance=0.1)
    movable = np.array([True, True, True, True, True, False])
    target = np.array([20.0, 20.0, 20.0, 20.0, 5.0, 100.0])
    plan = rule.plan(firms, movable, target, np.array([1, 0, 0, 0, 0, 0]), 0.15, np.zeros((6, 2)))
    np.testing.assert_array_equal(plan.separations, [1, 3, 6, 3, 0, 0])  # floor(0.15 x staff); one person stays; not the mine
    # the surplus firm replaces nobody; the firm with one spare person (21 for 20, within its tolerance) replaces one leaver fewer
    np.testing.assert_array_equal(plan.replacements, [2, 3, 0, 2, 0, 0])
    np.testing.assert_array_equal(plan.wanted, [4 + 2, 3, 0, 2, 2, 0])  # half of the gap of 9 (floor 4) plus the replacements
    np.testing.assert_array_equal(plan.layoffs, [0, 0, 3, 0, 0, 0])  # a fifth of 40 - 20 - 4 hoarded = 16
    rounded_up = rule.plan(firms, movable, target, np.array([1, 0, 0, 0, 0, 0]), 0.15, np.full((6, 2), 0.6))
    np.testing.assert_array_equal(rounded_up.separations, [2, 3, 6, 3, 0, 0])  # 1.5 + 0.6 rounds up, 3.0 + 0.6 does not
    np.testing.assert_array_equal(rounded_up.wanted, [5 + 3, 3, 0, 2, 2, 0])  # spare 1 + 0.6: one leaver not replaced
    np.testing.assert_array_equal(rounded_up.layoffs, [0, 0, 3, 0, 0, 0])  # 3.2 + 0.6
    firms.cutting_costs[3] = True  # a firm cutting costs hoards nothing: its one surplus person is laid off
    cutting = rule.plan(firms, movable, target, np.zeros(6, np.int64), 0.15, np.full((6, 2), 0.9))
    assert cutting.layoffs[3] == 1 and cutting.wanted[3] == 0 and cutting.replacements[3] == 0
    small_gap = rule.plan(firms, movable, np.array([10.4, 20.0, 40.0, 21.0, 1.0, 100.0]), np.zeros(6, np.int64), 0.0, np.full((6, 2), 0.9))
    np.testing.assert_array_equal(small_gap.wanted, [0, 0, 0, 0, 0, 0])  # a gap under half a person is no reason to hire
    gap_of_one = rule.plan(firms, movable, np.array([11.0, 20.0, 40.0, 21.0, 1.0, 100.0]), np.zeros(6, np.int64), 0.0, np.full((6, 2), 0.6))
    assert gap_of_one.wanted[0] == 1  # 0.5 + 0.6
    spare = rule.plan(firm_arrays(), movable, np.array([9.7, 20.0, 40.0, 20.0, 1.0, 100.0]), np.zeros(6, np.int64), 0.15, np.full((6, 2), 0.5))
    # within the tolerance nobody is laid off, but leavers a firm does not need are not replaced (attrition):
    # 10 staff for 9.7: floor(0.3 + 0.5) = 0 dropped; 21 staff for 20: floor(1 + 0.5) = 1 of its 3 leavers not replaced
    assert spare.layoffs[0] == 0 and spare.replacements[0] == spare.separations[0]
    assert spare.layoffs[3] == 0 and spare.replacements[3] == spare.separations[3] - 1


def test_layoffs_leave_at_least_one_person_after_the_leavers():
    firms = firm_arrays(headcount=(10, 20, 40, 21, 5, 100))
    rule = PartialAdjustment(hiring_rate=0.5, firing_rate=1.0, hoarding_tolerance=0.0)
    movable = np.array([True, True, True, True, True, False])
    plan = rule.plan(firms, movable, np.array([20.0, 20.0, 1.0, 20.0, 0.0, 100.0]), np.zeros(6, np.int64), 0.5, np.zeros((6, 2)))
    assert plan.separations[2] == 20 and plan.layoffs[2] == 19  # 40 - 20 leavers - 19 laid off = 1 stays
    assert plan.separations[4] == 2 and plan.layoffs[4] == 2
    assert (plan.layoffs >= 0).all() and (plan.separations + plan.layoffs < firms.headcount[:6]).all()


def population(firms: FirmArrays | None = None, rate: float = 0.25, seed: int = 3, **changes) -> FirmPopulation:
    return FirmPopulation(firms if firms is not None else firm_arrays(), behaviour(**changes), Streams(seed), rate)


def test_the_staffing_plan_updates_expected_orders_and_skips_the_mine():
    firms = firm_arrays()
    firms.orders[:6] = [30_000, 10_000, 20_000, 20_000, 5_000, 0]
    people = population(firms)
    assert people.staffing_rule == PartialAdjustment(0.5, 0.2, 0.1)
    plan, movable = people.plan_staff(0, 0.0)
    np.testing.assert_allclose(firms.expected_orders[:6], [25_000, 15_000, 20_000, 20_000, 5_000, 25_000])  # halfway to the orders
    np.testing.assert_array_equal(movable, [True, True, True, True, True, False])
    assert people.last_plan is plan
    assert plan.wanted[0] in (7, 8) and plan.wanted[5] == 0 and plan.separations[5] == 0 and plan.layoffs[5] == 0  # target 25: half the gap of 15
    assert plan.layoffs[1] in (0, 1) and plan.wanted[1] == 0  # target 15 with 20 staff: 3 beyond hoarding, a fifth of it
    assert plan.wanted[2] == 0 and plan.layoffs[2] in (3, 4)  # target 20 with 40 staff: 16 beyond hoarding
    firms.alive[0] = False
    plan, movable = people.plan_staff(1, 0.5)
    assert not movable[0] and plan.wanted[0] == 0 and plan.separations[0] == 0
    assert plan.wanted.dtype == np.int64 and plan.layoffs.dtype == np.int64 and plan.separations.dtype == np.int64


def test_separations_round_stochastically_to_the_expected_turnover():
    firms = firm_arrays(headcount=(10, 20, 40, 21, 1, 100))
    people = population(firms)
    separations = np.array([people.plan_staff(month, 0.15)[0].separations for month in range(400)])
    np.testing.assert_allclose(separations.mean(axis=0)[:4], [1.5, 3.0, 6.0, 3.15], atol=0.08)
    assert set(np.unique(separations[:, 0])) == {1, 2}
    assert (separations[:, 4] == 0).all() and (separations[:, 5] == 0).all()
    again = population(firm_arrays(), seed=3).plan_staff(7, 0.15)[0].separations
    np.testing.assert_array_equal(again, separations[7])  # keyed by seed and month
    assert not all(np.array_equal(population(firm_arrays(), seed=4).plan_staff(m, 0.15)[0].separations, separations[m]) for m in range(20))


def test_vacancies_are_wanted_hires_at_the_usual_filling_rate():
    people = population(rate=0.25)
    vacancies = people.post_vacancies(np.array([6, 2, 0, 1]))
    np.testing.assert_allclose(vacancies, [24.0, 8.0, 0.0, 4.0])
    np.testing.assert_allclose(people.vacancies, [24.0, 8.0, 0.0, 4.0, 0, 0, 0, 0])
    np.testing.assert_array_equal(people.wanted, [6, 2, 0, 1, 0, 0, 0, 0])
    people.post_vacancies(np.array([1]))  # a new month's vacancies replace the old ones
    np.testing.assert_allclose(people.vacancies, [4.0, 0, 0, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(people.wanted, [1, 0, 0, 0, 0, 0, 0, 0])
    assert (population(rate=0.0).post_vacancies(np.array([3, 1])) == 0).all()


def test_hires_fill_vacancies_at_the_filling_rate_and_never_exceed_wanted_hires_or_vacancies():
    people = population(rate=0.25)
    people.post_vacancies(np.array([6, 2, 0, 1, 0, 0]))
    months = np.array([people.fill(month, 0.1) for month in range(400)])
    np.testing.assert_allclose(months.mean(axis=0), [2.4, 0.8, 0, 0.4, 0, 0], atol=0.08)  # 0.1 x vacancies on average
    assert set(np.unique(months[:, 0])) == {2, 3}
    np.testing.assert_array_equal(people.fill(3, 1.0), [6, 2, 0, 1, 0, 0])  # a slack market: what they want, never more
    np.testing.assert_array_equal(people.hires, [6, 2, 0, 1, 0, 0, 0, 0])
    assert people.hires.dtype == np.int64 and people.open_replacements.dtype == np.int64
    np.testing.assert_array_equal(people.fill(3, 0.0), [0, 0, 0, 0, 0, 0])
    quick = population(rate=2.0)  # vacancies fill fast: three vacancies for six wanted hires
    quick.post_vacancies(np.array([6, 0, 0, 0, 0, 0]))
    assert quick.vacancies[0] == 3.0
    assert quick.fill(1, 2.0)[0] == 3  # no more hires than vacancies
    assert (quick.fill(1, -1.0) == 0).all()


def test_hires_and_arrivals_fill_replacement_vacancies_first_and_the_rest_stay_open():
    firms = firm_arrays()
    people = population(firms)
    plan, _ = people.plan_staff(0, 0.15)
    people.post_vacancies(plan.wanted)
    hires = people.fill(0, 0.0, moved_in=np.array([1, 0, 0, 0, 0, 0]))
    assert (hires == 0).all()
    np.testing.assert_array_equal(people.open_replacements[:6], np.maximum(plan.replacements - [1, 0, 0, 0, 0, 0], 0))
    still_open = people.open_replacements[:6].copy()
    assert still_open.sum() > 0
    plan_next, _ = people.plan_staff(1, 0.0)  # open replacements stay wanted next month (no new leavers at rate 0)
    replacing = [0, 1]  # not the firm with a surplus, nor the one with a spare person (21 for 20)
    assert still_open[replacing].sum() > 0
    np.testing.assert_array_equal(plan_next.replacements[replacing], still_open[replacing])
    assert plan_next.replacements[3] == still_open[3] - 1  # the spare person: one open replacement dropped (attrition)
    assert (plan_next.wanted[replacing] >= still_open[replacing]).all()
    people.post_vacancies(plan_next.wanted)
    people.fill(1, 1.0)
    np.testing.assert_array_equal(people.open_replacements[:6], np.maximum(plan_next.replacements - plan_next.wanted, 0))
    assert people.open_replacements[:6].sum() == 0


def test_a_growing_firm_population_keeps_each_firms_state():
    firms = firm_arrays()
    people = population(firms, idiosyncratic_demand_sd=0.2)
    people.post_vacancies(np.array([6, 2, 0, 1, 0, 0]))
    people.demand_factors(0)
    kept = people.demand_log[:6].copy()
    firms.add(10)  # capacity doubles to 16
    firms.alive[6:16] = True
    firms.productivity[6:16] = 1000.0
    people.demand_factors(1)
    assert len(people.demand_log) == len(people.vacancies) == len(people.wanted) == len(people.hires) == len(people.open_replacements) == 16
    assert people.wanted.dtype == np.int64 and people.vacancies.dtype == np.float64
    np.testing.assert_array_equal(people.wanted[:6], [6, 2, 0, 1, 0, 0])
    assert (kept != 0).any() and not np.array_equal(people.demand_log[:6], kept)  # state carried on, not reset


# -- idiosyncratic demand -----------------------------------------------------------------
def many_firms(count: int = 100_000, born: int = 0) -> FirmArrays:
    firms = FirmArrays(count + 2)
    firms.add(count + 2)
    firms.alive[: count + 1] = True  # the last slot has exited
    firms.is_mine[count] = True
    firms.sector[: count + 2] = np.arange(count + 2) % 3
    firms.born[: count + 2] = born
    firms.household_demand[: count + 2] = 1.0 + (np.arange(count + 2) % 7)
    return firms


def test_demand_factors_are_one_without_idiosyncratic_demand():
    exogenous, household = population(idiosyncratic_demand_sd=0.0).demand_factors(5)
    assert (exogenous == 1).all() and (household == 1).all() and exogenous is not household
    empty = FirmPopulation(FirmArrays(3), behaviour(idiosyncratic_demand_sd=0.3), Streams(1), 0.25)
    assert (empty.demand_factors(0)[0] == 1).all()


def test_exogenous_demand_factors_have_mean_one_at_every_age():
    firms = many_firms()
    people = FirmPopulation(firms, behaviour(idiosyncratic_demand_sd=0.3, idiosyncratic_demand_persistence=0.9), Streams(2), 0.25)
    active = slice(0, 100_000)
    previous = None
    for month in range(12):
        exogenous, household = people.demand_factors(month)
        assert exogenous[active].mean() == pytest.approx(1.0, abs=0.004), month
        z = np.log(exogenous[active]) + 0.5 * 0.09 * (1 - 0.9 ** (2 * (month + 1)))
        assert z.var() == pytest.approx(0.09 * (1 - 0.9 ** (2 * (month + 1))), rel=0.03)  # the variance at the firm's age
        if previous is not None:
            assert np.corrcoef(previous, z)[0, 1] == pytest.approx(0.9 * np.sqrt((1 - 0.81**month) / (1 - 0.81 ** (month + 1))), abs=0.01)
        previous = z
        assert exogenous[100_000] == 1.0 and exogenous[100_001] == 1.0 and household[100_000] == 1.0 and household[100_001] == 1.0
    np.testing.assert_allclose(people.demand_log[100_000:100_002], 0.0)


def test_a_young_firm_starts_its_demand_path_at_zero():
    firms = many_firms(count=50_000, born=10)
    people = FirmPopulation(firms, behaviour(idiosyncratic_demand_sd=0.3, idiosyncratic_demand_persistence=0.9), Streams(3), 0.25)
    exogenous, _ = people.demand_factors(10)  # age 1: one shock from zero
    assert exogenous[:50_000].mean() == pytest.approx(1.0, abs=0.002)
    assert np.log(exogenous[:50_000]).var() == pytest.approx(0.09 * 0.19, rel=0.03)


def test_household_factors_shift_demand_between_firms_of_a_sector_and_keep_its_total():
    firms = many_firms(count=3_000)
    people = FirmPopulation(firms, behaviour(idiosyncratic_demand_sd=0.4, idiosyncratic_demand_persistence=0.5), Streams(4), 0.25)
    for month in range(3):
        exogenous, household = people.demand_factors(month)
        n = firms.size
        active = firms.alive[:n] & ~firms.is_mine[:n]
        base = firms.household_demand[:n] * active
        for sector in range(3):
            in_sector = firms.sector[:n] == sector
            assert (base[in_sector] * household[:n][in_sector]).sum() == pytest.approx(base[in_sector].sum(), rel=1e-12)
        ratio = household[:n][active] / exogenous[:n][active]
        for sector in range(3):  # one scale per sector: the firms' ranking is kept
            values = ratio[firms.sector[:n][active] == sector]
            assert values.max() == pytest.approx(values.min(), rel=1e-12)
        assert household[3_000] == 1.0 and household[3_001] == 1.0
    firms.household_demand[: firms.size] = 0.0  # no household demand in any sector: the factors are the exogenous ones
    exogenous, household = people.demand_factors(3)
    np.testing.assert_allclose(household, exogenous)


def test_layoffs_and_separations_draw_on_their_own_uniforms():
    firms = firm_arrays(headcount=(10, 2, 40, 21, 1, 100))
    rule = PartialAdjustment(hiring_rate=0.5, firing_rate=0.2, hoarding_tolerance=0.1)
    movable = np.array([True, True, True, True, True, False])
    draws = np.column_stack([np.full(6, 0.6), np.zeros(6)])
    plan = rule.plan(firms, movable, np.array([20.0, 2.0, 20.0, 20.0, 5.0, 50.0]), np.zeros(6, np.int64), 0.15, draws)
    np.testing.assert_array_equal(plan.separations, [2, 0, 6, 3, 0, 0])  # 1.5 + 0.6 and 0.3 + 0.6 from column 0
    np.testing.assert_array_equal(plan.wanted, [2 + 5, 0, 0, 2, 2, 0])  # growth floor(5 + 0) from column 1; 21 for 20: one leaver not replaced
    assert plan.layoffs[5] == 0  # the mine lays off nobody here, whatever its surplus
    halved = rule.plan(firms, movable, np.array([20.0, 2.0, 20.0, 20.0, 5.0, 50.0]), np.zeros(6, np.int64), 0.5, np.zeros((6, 2)))
    assert halved.separations[1] == 1  # a firm of two can lose one
    edge = np.array([10.5, 2.8, 40.0, 21.0, 1.0, 100.0])  # gaps of half a person and 0.8
    edge_draws = np.column_stack([np.zeros(6), [0.8, 0.55, 0, 0, 0, 0]])
    np.testing.assert_array_equal(rule.plan(firms, movable, edge, np.zeros(6, np.int64), 0.0, edge_draws).wanted[:2], [0, 0])


def test_one_firm_gets_its_own_demand_factor():
    firms = FirmArrays(2)
    firms.add(1)
    firms.alive[0], firms.household_demand[0] = True, 5.0
    people = FirmPopulation(firms, behaviour(idiosyncratic_demand_sd=0.3), Streams(5), 0.25)
    exogenous, household = people.demand_factors(0)
    assert exogenous[0] != 1.0 and household[0] == pytest.approx(1.0)  # its sector's household demand is all its own


def test_household_factors_keep_small_sector_totals():
    firms = many_firms(count=300)
    firms.household_demand[:302] = 1e-4  # a tenth of a cent a month per firm
    people = FirmPopulation(firms, behaviour(idiosyncratic_demand_sd=0.4), Streams(6), 0.25)
    _, household = people.demand_factors(0)
    for sector in range(3):
        in_sector = (firms.sector[:302] == sector) & firms.alive[:302] & ~firms.is_mine[:302]
        assert household[:302][in_sector].sum() == pytest.approx(in_sector.sum())


def test_a_population_before_its_first_plan():
    people = population()
    assert people.last_plan is None
    people.post_vacancies(np.array([4, 0, 0, 0, 0, 0]))
    people.fill(0, 1.0)
    np.testing.assert_array_equal(people.open_replacements, 0)  # no plan yet: nothing stays open
    empty = FirmPopulation(FirmArrays(2), behaviour(), Streams(1), 0.25)
    empty.plan_staff(0, 0.1)
    assert len(empty.fill(0, 0.5)) == 0


def test_the_firms_draw_from_their_named_streams():
    """Pinned: a firm's draws are those of the 'staffing', 'vacancy_filling' and 'firm_demand' streams of the seed (says only "the numbers changed")."""
    firms = firm_arrays()
    people = population(firms, rate=0.25, seed=9, idiosyncratic_demand_sd=0.3)
    separations = sum(people.plan_staff(month, 0.15)[0].separations for month in range(12))
    people.post_vacancies(np.array([5, 5, 5, 5, 5, 0]))
    hires = sum(people.fill(month, 0.13) for month in range(12))  # 2.6 of 20 vacancies a month
    exogenous, _ = people.demand_factors(0)
    np.testing.assert_array_equal(separations, PINNED_SEPARATIONS)
    np.testing.assert_array_equal(hires, PINNED_HIRES)
    np.testing.assert_allclose(exogenous[:5], PINNED_DEMAND, rtol=1e-12)
    np.testing.assert_allclose(Streams(20181221).uniform("staffing", 24180, [0, 1], draws=2)[:, 1], PINNED_SECOND_DRAWS, rtol=0, atol=0)


PINNED_SEPARATIONS = np.array([21, 36, 72, 37, 0, 0])  # about 0.15 x 12 x staff (18, 36, 72, 37.8)
PINNED_HIRES = np.array([31, 29, 32, 32, 31, 0])  # about 12 x 2.6
PINNED_DEMAND = np.array([0.9953436806932008, 0.9538671258572055, 0.9717548648160931, 0.9788242564289495, 1.0303740988297232])
PINNED_SECOND_DRAWS = np.array([0.653129842679909, 0.33468703902681063])


# -- from the surviving mutants of the third mutation run -----------------------------------
def test_the_plan_marks_the_over_staffed_firms_and_they_recruit_nobody():
    firms = firm_arrays()
    rule = PartialAdjustment(hiring_rate=0.5, firing_rate=0.2, hoarding_tolerance=0.0)
    movable = np.array([True, True, True, True, True, False])
    # surplus beyond target: -10, 0, 20, exactly 1 person, -4; the mine 50 but it does not adjust staff
    plan = rule.plan(firms, movable, np.array([20.0, 20.0, 20.0, 20.0, 5.0, 50.0]), np.zeros(6, np.int64), 0.0, np.zeros((6, 2)))
    np.testing.assert_array_equal(plan.over_staffed, [False, False, True, True, False, False])
    np.testing.assert_array_equal(plan.wanted[plan.over_staffed], [0, 0])
    np.testing.assert_array_equal(plan.layoffs, [0, 0, 4, 0, 0, 0])  # a fifth of 20; a fifth of 1 rounds down
    tolerant = PartialAdjustment(hiring_rate=0.5, firing_rate=0.2, hoarding_tolerance=0.1)  # 21 for 20 within a tolerance of 2.1
    assert not tolerant.plan(firms, movable, np.array([20.0] * 5 + [50.0]), np.zeros(6, np.int64), 0.0, np.zeros((6, 2))).over_staffed[3]
