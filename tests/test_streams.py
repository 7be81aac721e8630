"""Counter-based random streams: draws are a pure function of (seed, purpose, entity, month)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from bottrop_sim import BottropModel
from bottrop_sim.streams import MonthlyGenerators, Streams, multivariate_hypergeometric, weighted_sample


@given(seed=st.integers(0, 2**63 - 1), month=st.integers(0, 30_000), entities=st.lists(st.integers(0, 10**6), min_size=1, max_size=50, unique=True))
@settings(max_examples=50, deadline=None)
def test_an_entity_draws_the_same_number_whoever_else_draws(seed, month, entities):
    streams = Streams(seed)
    alone = np.array([streams.uniform("staffing", month, [e])[0] for e in entities])
    together = streams.uniform("staffing", month, entities)
    shuffled = np.array(entities[::-1])
    np.testing.assert_array_equal(together, alone)
    np.testing.assert_array_equal(streams.uniform("staffing", month, shuffled), alone[::-1])
    assert ((together >= 0) & (together < 1)).all()


def test_purpose_month_seed_and_entity_each_change_the_numbers():
    base = Streams(7).uniform("a", 3, 10_000)
    for other in (Streams(8).uniform("a", 3, 10_000), Streams(7).uniform("b", 3, 10_000), Streams(7).uniform("a", 4, 10_000)):
        assert abs(np.corrcoef(base, other)[0, 1]) < 0.04
        assert (base != other).mean() > 0.999
    assert abs(np.corrcoef(base[:-1], base[1:])[0, 1]) < 0.04  # neighbouring entities are not correlated


def test_uniform_normal_and_poisson_have_their_distributions():
    streams = Streams(11)
    assert stats.kstest(streams.uniform("u", 0, 200_000), "uniform").pvalue > 0.001
    assert stats.kstest(streams.normal("n", 0, 200_000), "norm").pvalue > 0.001
    several = streams.uniform("u", 0, 100_000, draws=3)
    np.testing.assert_array_equal(several[:, 0], streams.uniform("u", 0, 100_000))  # draw 0 is the single draw
    assert abs(np.corrcoef(several[:, 1], several[:, 2])[0, 1]) < 0.02
    for mean in (0.3, 4.0, 80.0):
        counts = streams.poisson("p", 2, np.arange(100_000), np.full(100_000, mean))
        assert counts.mean() == pytest.approx(mean, rel=0.02)
        assert counts.var() == pytest.approx(mean, rel=0.05)


def test_keyed_generators_repeat_within_a_key_and_differ_between_keys():
    streams = Streams(5)
    fresh = np.random.Generator(np.random.Philox(key=np.array([streams.key("x", 1), 0], dtype=np.uint64)))
    assert fresh.random() != streams.generator("x", 1, 0).random()  # the entity enters the second key word ...
    streams.generator("x", 2, 9).random(7)  # ... and re-keying the pooled generator gives the numbers of a fresh one
    again = Streams(5).generator("x", 1, 0).random(4)
    np.testing.assert_array_equal(streams.generator("x", 1, 0).random(4), again)
    first = streams.generator("exit", 40, 17).random(5)
    np.testing.assert_array_equal(first, streams.generator("exit", 40, 17).random(5))
    assert not np.array_equal(first, streams.generator("exit", 40, 18).random(5))
    assert not np.array_equal(first, streams.generator("exit", 41, 17).random(5))
    month = [40]
    generators = MonthlyGenerators(streams, lambda: month[0])
    a = generators("city_course_starts").random(3)
    b = generators("city_course_starts").random(3)  # the same month: the draws follow one another
    assert not np.array_equal(a, b)
    month[0] = 41
    np.testing.assert_array_equal(generators("city_course_starts").random(3), streams.generator("city_course_starts", 41).random(3))


def test_draws_do_not_depend_on_the_process():
    """Purpose codes come from a fixed hash (not Python's salted ``hash``): pinned values."""
    values = Streams(20181221).uniform("staffing", 24180, [0, 1, 2])
    np.testing.assert_allclose(values, PINNED_UNIFORMS, rtol=0, atol=0)


PINNED_UNIFORMS = np.array([0.33944195132918886, 0.5174614794088948, 0.343072998124728])


def test_a_firm_takes_the_same_chances_in_a_scenario_and_its_twin(closure_scenario):
    """Common random numbers by identity: after the runs have diverged, a firm with the same staff in both runs
    loses the same number of staff to turnover in the same month (a shared sequential generator would shift
    every draw after the first difference)."""
    closure = BottropModel(closure_scenario.model_copy(update={"end": "2019-06"}), seed=3)
    twin = BottropModel(closure_scenario.without_shocks().model_copy(update={"end": "2019-06"}), seed=3)
    compared = differed = 0
    while closure.running:
        n = min(closure.firms.size, twin.firms.size)
        same = (closure.firms.headcount[:n] == twin.firms.headcount[:n]) & closure.firms.alive[:n] & twin.firms.alive[:n]
        closure.step()
        twin.step()
        a, b = closure.population.last_plan.separations[:n], twin.population.last_plan.separations[:n]
        np.testing.assert_array_equal(a[same], b[same])
        compared += int(same.sum())
        differed += int((a[~same] != b[~same]).sum())
    assert closure.indicators["employment_workplace"] < twin.indicators["employment_workplace"] - 1000  # the runs have diverged
    assert compared > 100_000 and differed > 0
    initial = np.arange(2263)
    np.testing.assert_array_equal(closure.firms.capability[initial], twin.firms.capability[initial])


@settings(max_examples=300, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    colors=st.lists(st.integers(0, 3000), min_size=1, max_size=4),
    share=st.floats(0.0, 1.0),
)
def test_multivariate_hypergeometric_draws_what_numpy_draws(seed, colors, share):
    """The same counts as ``Generator.multivariate_hypergeometric`` and the generator left in the same state."""
    count = int(share * sum(colors))
    ours, numpys = np.random.Generator(np.random.Philox(seed)), np.random.Generator(np.random.Philox(seed))
    assert multivariate_hypergeometric(ours, colors, count) == numpys.multivariate_hypergeometric(np.array(colors, np.int64), count).tolist()
    assert ours.random(4).tolist() == numpys.random(4).tolist()


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    persons=st.lists(st.integers(0, 100_000), min_size=3, max_size=3),
    chances=st.lists(st.floats(0.0, 1.0), min_size=3, max_size=3),
)
def test_binomials_one_by_one_equal_numpys_array_draw(seed, persons, chances):
    """The labour market draws its per-skill binomials one by one: the same numbers as one array call (after a multinomial, as in hiring)."""
    ours, numpys = np.random.Generator(np.random.Philox(seed)), np.random.Generator(np.random.Philox(seed))
    assert ours.multinomial(persons[0], [0.2, 0.5, 0.3]).tolist() == numpys.multinomial(persons[0], [0.2, 0.5, 0.3]).tolist()
    assert [int(ours.binomial(n, p)) for n, p in zip(persons, chances, strict=True)] == numpys.binomial(persons, chances).tolist()
    assert ours.random(4).tolist() == numpys.random(4).tolist()


def test_weighted_sample_picks_in_proportion_to_weight_and_keeps_a_candidates_key():
    """Efraimidis-Spirakis keys: single picks follow the weights; a firm's pick does not depend on who else is a candidate."""
    streams = Streams(11)
    weights = np.array([1.0, 2.0, 0.0, 5.0])
    picks = np.array([weighted_sample(streams.uniform("pick", month, 4), weights)[0] for month in range(20_000)])
    shares = np.bincount(picks, minlength=4) / len(picks)
    np.testing.assert_allclose(shares, weights / weights.sum(), atol=0.012)
    assert shares[2] == 0.0  # weight 0: never
    # without replacement: all positive-weight candidates, none twice, never more than there are
    sample = weighted_sample(streams.uniform("pick", 3, 4), weights, 10)
    assert sorted(sample.tolist()) == [0, 1, 3]
    # identity: candidate 7 wins among (7, 9) in the months it also wins among (3, 7, 9, 12) (its key is its own)
    kept = 0
    for month in range(500):
        small = weighted_sample(streams.uniform("pick", month, np.array([7, 9])), np.ones(2))[0]
        large = weighted_sample(streams.uniform("pick", month, np.array([3, 7, 9, 12])), np.ones(4))[0]
        if large == 1:
            kept += 1
            assert small == 0
    assert kept > 80
