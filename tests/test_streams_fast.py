"""Fast checks of the keyed random streams (streams.py): common random numbers by identity, distributions, pinned draws.

Expectations are worked out by hand or are invariants read from the outputs.
The labour selection of the mutation run (experiments/mutation/) is these and
tests/test_labour_fast.py, tests/test_labour_flows_fast.py, tests/test_staffing_fast.py
and tests/test_streams_fast.py; together they run in seconds.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from bottrop_sim.streams import MonthlyGenerators, Streams, _mix, _mix_int, multivariate_hypergeometric, purpose_code, weighted_sample


# -- keyed streams ----------------------------------------------------------------------
def test_an_entitys_draw_does_not_depend_on_the_other_entities():
    streams = Streams(17)
    together = streams.uniform("staffing", 5, np.array([3, 900, 12]))
    alone = [streams.uniform("staffing", 5, [entity])[0] for entity in (3, 900, 12)]
    np.testing.assert_array_equal(together, alone)
    np.testing.assert_array_equal(streams.uniform("staffing", 5, 4), streams.uniform("staffing", 5, np.arange(4)))
    np.testing.assert_array_equal(streams.uniform("staffing", 5, np.int64(4)), streams.uniform("staffing", 5, [0, 1, 2, 3]))
    assert streams.uniform("staffing", 5, 4).shape == (4,) and streams.uniform("staffing", 5, 4, draws=3).shape == (4, 3)
    several = streams.uniform("staffing", 5, np.array([3, 900, 12]), draws=2)
    np.testing.assert_array_equal(several[:, 0], together)
    assert (several[:, 1] != several[:, 0]).all()
    np.testing.assert_array_equal(streams.uniform("staffing", 5, [900], draws=2)[0], several[1])
    np.testing.assert_array_equal(Streams(17).uniform("staffing", 5, [12]), together[2:])  # a pure function of the key


def test_purpose_month_and_seed_each_give_other_numbers():
    base = Streams(7).uniform("a", 3, 5_000, draws=2)
    for other in (Streams(8).uniform("a", 3, 5_000, draws=2), Streams(7).uniform("b", 3, 5_000, draws=2), Streams(7).uniform("a", 4, 5_000, draws=2)):
        assert (base != other).all()
        assert abs(np.corrcoef(base[:, 0], other[:, 0])[0, 1]) < 0.05
    assert abs(np.corrcoef(base[:-1, 0], base[1:, 0])[0, 1]) < 0.05
    assert abs(np.corrcoef(base[:, 0], base[:, 1])[0, 1]) < 0.05
    assert Streams(7).key("a", 3) != Streams(7).key("a", 4) != Streams(7).key("b", 4)
    assert Streams(7).key("a", -1) == Streams(7).key("a", (1 << 64) - 1)  # months are taken as 64-bit words
    assert Streams(7.0).seed == 7 and isinstance(Streams(7.0).seed, int)


def test_uniform_and_normal_draws_have_their_distributions():
    streams = Streams(11)
    uniform = streams.uniform("u", 0, 100_000, draws=2)
    assert ((uniform >= 0) & (uniform < 1)).all()
    assert stats.kstest(uniform[:, 0], "uniform").pvalue > 0.001 and stats.kstest(uniform[:, 1], "uniform").pvalue > 0.001
    assert uniform.min() < 1e-4 and uniform.max() > 1 - 1e-4
    normal = streams.normal("n", 0, 100_000)
    assert stats.kstest(normal, "norm").pvalue > 0.001 and np.isfinite(normal).all()
    np.testing.assert_array_equal(normal, stats.norm.ppf(np.clip(streams.uniform("n", 0, 100_000), 2.0**-54, 1)))


def test_poisson_counts_invert_the_distribution_at_the_uniform_draw():
    streams = Streams(12)
    for mean in (0.0, 0.3, 4.0, 50.0):
        counts = streams.poisson("p", 2, np.arange(20_000), np.full(20_000, mean))
        u = streams.uniform("p", 2, np.arange(20_000))
        exact = stats.poisson.ppf(u, mean) if mean > 0 else np.zeros(20_000)
        assert (np.abs(counts - exact) > 0).mean() < 0.001, mean  # the smallest k whose CDF reaches u (ties at float precision aside)
        assert counts.dtype == np.int64
    mixed = streams.poisson("p", 3, np.arange(4), np.array([2.0, 200.0, 0.0, 60.0]))
    assert mixed[2] == 0 and 150 < mixed[1] < 250 and 30 < mixed[3] < 90
    large = streams.poisson("p", 4, np.arange(50_000), np.full(50_000, 80.0))  # the normal approximation
    assert large.mean() == pytest.approx(80.0, rel=0.005) and large.var() == pytest.approx(80.0, rel=0.03)
    exact = stats.poisson.ppf(streams.uniform("p", 4, np.arange(50_000)), 80.0)
    assert np.abs(large - exact).max() <= 3 and np.abs(large - exact).mean() < 0.5
    tiny = streams.poisson("p", 5, np.arange(10), np.full(10, 1e-3))
    assert (tiny >= 0).all()


def test_keyed_generators_repeat_per_key_and_re_keying_gives_the_numbers_of_a_fresh_one():
    fresh = Streams(5).generator("x", 1, 2)  # the first generator of a purpose is new ...
    first = (fresh.random(3), fresh.integers(0, 2**32, 3, dtype=np.uint32), fresh.standard_normal(2))
    reused = Streams(5)
    reused.generator("x", 9, 0).random(11)  # ... later ones re-key the pooled one
    again = reused.generator("x", 1, 2)
    np.testing.assert_array_equal(again.random(3), first[0])
    np.testing.assert_array_equal(again.integers(0, 2**32, 3, dtype=np.uint32), first[1])
    np.testing.assert_array_equal(again.standard_normal(2), first[2])
    one = Streams(5).generator("x", 1, 2).random(4)
    for other in (Streams(5).generator("x", 1, 3), Streams(5).generator("x", 2, 2), Streams(5).generator("y", 1, 2), Streams(6).generator("x", 1, 2)):
        assert not np.array_equal(other.random(4), one)
    fixed = np.random.Generator(np.random.Philox(key=np.array([Streams(5).key("x", 1), 0], dtype=np.uint64)))
    assert not np.array_equal(fixed.random(4), one)  # the entity changes the second key word
    np.testing.assert_array_equal(Streams(5).generator("x", 1).random(4), Streams(5).generator("x", 1, 0).random(4))
    np.testing.assert_array_equal(Streams(5).generator("x", 1, -1).random(2), Streams(5).generator("x", 1, (1 << 64) - 1).random(2))


def test_monthly_generators_follow_on_within_a_month_and_restart_each_month():
    streams = Streams(5)
    month = [40]
    generators = MonthlyGenerators(streams, lambda: month[0])
    a, b = generators("alliance").random(3), generators("alliance").random(3)
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(np.concatenate([a, b]), Streams(5).generator("alliance", 40).random(6))
    assert generators("alliance") is generators("alliance")
    month[0] = 41
    np.testing.assert_array_equal(generators("alliance").random(3), Streams(5).generator("alliance", 41).random(3))
    month[0] = 40.0
    np.testing.assert_array_equal(generators("alliance").random(2), Streams(5).generator("alliance", 40).random(2))  # a new month's generator, re-keyed
    np.testing.assert_array_equal(generators("city").integers(0, 100, 5), Streams(5).generator("city", 40).integers(0, 100, 5))


def test_the_vector_and_scalar_mixing_agree_and_draws_are_pinned():
    values = [0, 1, 2**63, (1 << 64) - 1, 0x9E3779B97F4A7C15, 123456789]
    np.testing.assert_array_equal(_mix(np.array(values, dtype=np.uint64)), np.array([_mix_int(v) for v in values], dtype=np.uint64))
    assert _mix_int(-1) == _mix_int((1 << 64) - 1) and _mix_int(1 << 64) == _mix_int(0)
    assert len({_mix_int(v) for v in range(1000)}) == 1000  # a bijection
    assert purpose_code("staffing") == purpose_code("staffing") != purpose_code("staffing ")
    assert 0 <= purpose_code("staffing") < 1 << 64
    # pinned values: say only "the numbers changed" (the tests above say whether they are right)
    np.testing.assert_allclose(
        Streams(20181221).uniform("staffing", 24180, [0, 1, 2]), [0.33944195132918886, 0.5174614794088948, 0.343072998124728], rtol=0, atol=0
    )
    np.testing.assert_array_equal(Streams(3).generator("p", 4, 5).integers(0, 1000, 3), PINNED_GENERATOR)


PINNED_GENERATOR = np.array([56, 764, 748])


def test_poisson_counts_above_a_mean_of_fifty_are_the_normal_approximation():
    streams = Streams(12)
    u = streams.uniform("p", 6, np.arange(20_000))
    counts = streams.poisson("p", 6, np.arange(20_000), np.full(20_000, 50.5))
    exact = stats.poisson.ppf(u, 50.5)
    assert (counts != exact).mean() > 0.01 and np.abs(counts - exact).max() <= 3  # not the exact inversion, but close to it
    assert counts.mean() == pytest.approx(50.5, rel=0.01)


@pytest.mark.parametrize("colors", [[5, 3, 4], [1, 0, 6, 2], [3], [0, 0], [7, 2, 6], [1, 1]])
def test_multivariate_hypergeometric_draws_what_numpy_draws(colors):
    """The same counts as numpy's ``multivariate_hypergeometric`` (method "marginals") and the generator left in the same state."""
    total = sum(colors)
    for count in range(total + 1):
        for seed in range(4):
            ours, numpys = np.random.Generator(np.random.Philox(seed)), np.random.Generator(np.random.Philox(seed))
            drawn = multivariate_hypergeometric(ours, colors, count)
            assert drawn == numpys.multivariate_hypergeometric(np.array(colors, np.int64), count).tolist(), (colors, count, seed)
            assert sum(drawn) == count and all(0 <= d <= c for d, c in zip(drawn, colors, strict=True))
            assert ours.random() == numpys.random()


def test_weighted_sample_orders_by_weighted_keys_and_skips_weight_zero():
    # keys log(u) / w: 0.5 -> -0.69, 0.9 with weight 2 -> -0.053, 0.2 with weight 0.5 -> -3.2; weight 0 never
    uniforms, weights = np.array([0.5, 0.9, 0.7, 0.2]), np.array([1.0, 2.0, 0.0, 0.5])
    np.testing.assert_array_equal(weighted_sample(uniforms, weights), [1])  # one by default
    np.testing.assert_array_equal(weighted_sample(uniforms, weights, 2), [1, 0])
    np.testing.assert_array_equal(weighted_sample(uniforms, weights, 10), [1, 0, 3])  # at most the candidates of positive weight
    np.testing.assert_array_equal(weighted_sample(uniforms, np.array([0, 0, 1, 0]), 3), [2])
    np.testing.assert_array_equal(weighted_sample(uniforms, np.zeros(4), 2), np.array([], np.int64))
    # a draw of 0 keeps a finite key: a heavy candidate still comes first
    np.testing.assert_array_equal(weighted_sample(np.array([0.0, 0.5]), np.array([1e6, 1.0])), [0])
    ties = np.array([0.5, 0.25, 0.75, 0.5] * 10)  # equal keys keep the candidates' order
    sample = weighted_sample(ties, np.ones(40), 40)
    np.testing.assert_array_equal(sample, [*range(2, 40, 4), *sorted([*range(0, 40, 4), *range(3, 40, 4)]), *range(1, 40, 4)])
