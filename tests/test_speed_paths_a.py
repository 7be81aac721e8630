"""Fast checks of the shortcuts in the keyed streams, the firms' demand and staffing, and finance: each gives what the plain formula gives.

The shortcuts (a few keyed uniforms mixed in Python integers, the purpose part of a
key kept, the normal draws' clip written as a maximum, the variance correction of
the firms' demand looked up by age, the staffing rule's casts done once, the cash
buffers set on whole slices) must give the same integers and the same bits as the
plain formulas, written out here by hand as they stood before the shortcuts.
"""

from __future__ import annotations

import types

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import ndtri

from bottrop_sim.economy import finance
from bottrop_sim.economy.accounting import FirmArrays
from bottrop_sim.governance.adaptation import Adaptation
from bottrop_sim.model.population import FirmPopulation, PartialAdjustment
from bottrop_sim.streams import Streams, _mix_int, purpose_code, weighted_sample

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
M1, M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def plain_mix(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> np.uint64(30))
    x = x * M1
    x = x ^ (x >> np.uint64(27))
    x = x * M2
    return x ^ (x >> np.uint64(31))


def plain_key(seed: int, purpose: str, month: int) -> int:
    seed_key = _mix_int(seed * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019)
    return _mix_int(_mix_int(seed_key ^ purpose_code(purpose)) + (month & ((1 << 64) - 1)) * 0x9E3779B97F4A7C15)


def plain_uniform(seed: int, purpose: str, month: int, entities: list[int], draws: int) -> np.ndarray:
    """The keyed uniforms in numpy uint64 arithmetic: ``mix(mix(ids * GOLDEN + key) + j * M2) >> 11`` times 2^-53."""
    ids = np.asarray(entities).astype(np.uint64)
    first = plain_mix(ids * GOLDEN + np.uint64(plain_key(seed, purpose, month)))
    columns = [plain_mix(first + np.uint64((j * int(M2)) % 2**64)) for j in range(draws)]
    values = (np.stack(columns, axis=1) >> np.uint64(11)).astype(np.float64) * 2.0**-53
    return values[:, 0] if draws == 1 else values


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**63 - 1),
    month=st.integers(-5, 30_000),
    entities=st.lists(st.integers(0, 2**62), min_size=1, max_size=6),
    draws=st.integers(1, 3),
    as_list=st.booleans(),
)
def test_keyed_uniforms_of_few_entities_equal_the_uint64_formula(seed, month, entities, draws, as_list):
    streams = Streams(seed)
    given_entities = entities if as_list else np.array(entities, np.int64)
    values = streams.uniform("purpose", month, given_entities, draws)
    expected = plain_uniform(seed, "purpose", month, entities, draws)
    assert values.dtype == expected.dtype and values.shape == expected.shape
    assert values.tobytes() == expected.tobytes()
    assert streams.key("purpose", month) == plain_key(seed, "purpose", month)
    assert streams.key("purpose", month + 1) == plain_key(seed, "purpose", month + 1)  # the kept purpose part serves every month


def test_normal_draws_equal_the_clipped_inverse_cdf_also_at_the_extremes():
    streams = Streams(3)
    for count in (1, 3, 2_000):
        u = streams.uniform("firm_demand", 17, count)
        assert streams.normal("firm_demand", 17, count).tobytes() == ndtri(np.clip(u, 2.0**-54, 1.0 - 2.0**-53)).tobytes()
    # the keyed uniforms are multiples of 2^-53 in [0, 1 - 2^-53]: the clip moves only 0
    extremes = np.array([0.0, 2.0**-53, 0.5, 1.0 - 2.0**-53])
    assert np.array_equal(np.maximum(extremes, 2.0**-54), np.clip(extremes, 2.0**-54, 1.0 - 2.0**-53))
    assert np.isfinite(ndtri(np.maximum(extremes, 2.0**-54))).all()


@settings(max_examples=100, deadline=None)
@given(
    rho=st.floats(0.0, 0.999),
    sd=st.floats(0.0, 1.0),
    ages=st.lists(st.integers(1, 600), min_size=1, max_size=40),
    first_oldest=st.integers(0, 50),
)
def test_half_variance_by_age_equals_the_formula_per_firm(rho, sd, ages, first_oldest):
    population = FirmPopulation.__new__(FirmPopulation)
    population.demand_persistence, population.demand_sd = rho, sd
    population._half_variance = np.zeros(0)
    population._half_variances(first_oldest)  # a smaller table first: it grows
    age = np.array(ages, np.int64)[::-1]  # not in order, as the firms' ages are
    looked_up = population._half_variances(int(age.max()))[age]
    assert looked_up.tobytes() == (0.5 * (sd * sd * (1.0 - rho ** (2.0 * age)))).tobytes()


def plain_plan(rule: PartialAdjustment, firms, movable, target, open_replacements, separation_rate, draws):
    """The staffing rule as written before its casts were done once (the reference)."""
    n = len(movable)
    headcount = firms.headcount[:n]
    separations = np.where(movable, np.floor(separation_rate * headcount + draws[:, 0]), 0.0).astype(np.int64)
    separations = np.maximum(np.minimum(separations, headcount - 1), 0)
    gap = target - headcount - open_replacements
    hoarding = np.where(firms.cutting_costs[:n], 0.0, rule.hoarding_tolerance)
    surplus = headcount - target - hoarding * headcount
    replacing = movable & (surplus < 1.0)
    growth = np.floor(rule.hiring_rate * np.maximum(gap, 0.0) * (gap > 0.5) + draws[:, 1])
    wanted = np.where(replacing, growth + open_replacements + separations, 0).astype(np.int64)
    layoffs = np.where(movable & (surplus >= 1.0), np.floor(surplus * rule.firing_rate + draws[:, 1]), 0.0).astype(np.int64)
    layoffs = np.maximum(np.minimum(layoffs, headcount - separations - 1), 0)
    replacements = np.where(replacing, open_replacements + separations, 0)
    not_needed = np.where(replacing & (headcount > target), np.floor(np.maximum(headcount - target, 0.0) + draws[:, 1]), 0).astype(np.int64)
    dropped = np.minimum(not_needed, replacements)
    return separations, layoffs, wanted - dropped, replacements - dropped, movable & (surplus >= 1.0)


@settings(max_examples=300, deadline=None)
@given(
    data=st.data(),
    n=st.integers(1, 30),
    rates=st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 0.5), st.floats(0, 0.2)),
)
def test_staffing_plan_equals_the_plain_rule(data, n, rates):
    hiring, firing, tolerance, separation_rate = rates
    headcount = np.array(data.draw(st.lists(st.integers(0, 60), min_size=n + 2, max_size=n + 2)), np.int64)
    # targets near the headcount (the rule's edges: surplus of exactly 1, equal staff), anywhere, and not finite
    offsets = st.sampled_from([0.0, 1.0, -1.0, 0.5, -0.5, 5e-324, -1e-13, 1e-13])
    near = data.draw(st.lists(offsets, min_size=n, max_size=n))
    anywhere = data.draw(st.lists(st.floats(-10, 80) | st.sampled_from([np.inf, -np.inf, np.nan, -0.0]), min_size=n, max_size=n))
    pick = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    target = np.where(pick, headcount[:n] + np.array(near), np.array(anywhere))
    movable = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    cutting = np.array(data.draw(st.lists(st.booleans(), min_size=n + 2, max_size=n + 2)))
    open_replacements = np.where(movable, np.array(data.draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))), 0)
    draws = np.array(data.draw(st.lists(st.floats(0, 1, exclude_max=True), min_size=2 * n, max_size=2 * n))).reshape(n, 2)
    firms = types.SimpleNamespace(headcount=headcount, cutting_costs=cutting)
    rule = PartialAdjustment(hiring, firing, tolerance)
    with np.errstate(all="ignore"):  # non-finite targets: both give the same (meaningless) integers
        plan = rule.plan(firms, movable, target, open_replacements, separation_rate, draws)
        expected = plain_plan(rule, firms, movable, target, open_replacements, separation_rate, draws)
    for got, want in zip((plan.separations, plan.layoffs, plan.wanted, plan.replacements, plan.over_staffed), expected, strict=True):
        assert got.dtype == want.dtype and got.shape == want.shape and got.tobytes() == want.tobytes()


def test_cash_buffers_of_active_firms_equal_those_set_slot_by_slot_and_the_others_keep_theirs():
    rng = np.random.default_rng(5)
    spec = types.SimpleNamespace(liquidity_months=2.5, credit_line_months=1.5)
    firms = FirmArrays(40)
    firms.add(33)
    firms.headcount[:33] = rng.integers(0, 200, 33)
    firms.wage[:33] = rng.uniform(2_000, 6_000, 33)
    firms.fixed_costs[:33] = rng.normal(5_000, 20_000, 33)  # some negative (an operating subsidy)
    firms.equity_ratio[:33] = rng.uniform(0, 1, 33)
    firms.cash_target[:33] = rng.normal(size=33)  # stale values of firms that left
    firms.credit_limit[:33] = rng.normal(size=33)
    active = rng.random(33) < 0.7
    plain = FirmArrays(40)
    plain.add(33)
    for name in ("headcount", "wage", "fixed_costs", "equity_ratio", "cash_target", "credit_limit"):
        getattr(plain, name)[:] = getattr(firms, name)
    finance.set_buffers(plain, np.flatnonzero(active), spec)
    finance._set_active_buffers(firms, 33, active, spec)
    assert firms.cash_target.tobytes() == plain.cash_target.tobytes()
    assert firms.credit_limit.tobytes() == plain.credit_limit.tobytes()


def plain_poisson(u: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """The array inversion of Streams.poisson for means up to 50 (the reference of the few-entity path)."""
    term = np.exp(-mean)
    cumulative = term.copy()
    k = np.zeros(len(mean), np.int64)
    for step in range(1, 200):
        below = cumulative < u
        if not below.any():
            break
        k += below
        term = term * mean / step
        cumulative = cumulative + term
    return k


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    month=st.integers(0, 400),
    mean=st.lists(st.floats(0.0, 50.0) | st.sampled_from([0.0, 1e-300, 50.0, 0.5]), min_size=1, max_size=8),
)
def test_poisson_counts_of_few_entities_equal_the_array_inversion(seed, month, mean):
    streams = Streams(seed)
    entities = np.arange(len(mean)) * 3
    counts = streams.poisson("entry", month, entities, np.array(mean))
    expected = plain_poisson(streams.uniform("entry", month, entities), np.array(mean))
    assert counts.dtype == expected.dtype and counts.tobytes() == expected.tobytes()


@settings(max_examples=200, deadline=None)
@given(
    weights=st.lists(st.floats(1e-6, 1e6), min_size=1, max_size=40),
    count=st.integers(1, 5),
    seed=st.integers(0, 2**32),
)
def test_weighted_sample_of_positive_weights_equals_the_masked_keys(weights, count, seed):
    uniforms = Streams(seed).uniform("local_customer", 3, len(weights))
    uniforms[0] = 0.0  # the smallest key (the 2^-60 floor)
    w = np.array(weights)
    keys = np.full(len(w), -np.inf)
    positive = w > 0
    keys[positive] = np.log(np.maximum(uniforms[positive], 2.0**-60)) / w[positive]
    expected = np.argsort(-keys, kind="stable")[: min(count, int(positive.sum()))]
    assert weighted_sample(uniforms, w, count).tolist() == expected.tolist()
    with_zero = np.append(w, 0.0)  # a candidate of weight 0: the masked path, never picked
    picked = weighted_sample(np.append(uniforms, 0.5), with_zero, count)
    assert picked.tolist() == expected.tolist()


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**32), trigger=st.floats(0.0, 0.9), bonus=st.sampled_from([0.0, -0.0, 0.3]))
def test_shortfall_months_without_information_bonus_equal_the_per_firm_trigger(seed, trigger, bonus):
    rng = np.random.default_rng(seed)
    firms = FirmArrays(30)
    firms.add(25)
    firms.alive[:25] = rng.random(25) < 0.9
    firms.is_mine[3] = True
    firms.member[:25] = rng.random(25) < 0.5
    firms.expected_orders[:25] = rng.uniform(0, 100, 25)
    firms.reference_orders[:25] = firms.expected_orders[:25] * rng.choice([1.0, 1.0 / (1.0 - trigger), 1.2, 0.8], 25)  # some at the threshold
    firms.shortfall_months[:25] = rng.integers(0, 5, 25)
    before_reference, before_months = firms.reference_orders.copy(), firms.shortfall_months.copy()
    spec = types.SimpleNamespace(aspiration_adjustment=0.1, search_trigger=trigger, customer_search=False, diversification=False)
    adaptation = Adaptation.__new__(Adaptation)
    adaptation.model, adaptation.spec, adaptation.information_bonus = types.SimpleNamespace(firms=firms), spec, bonus
    adaptation.adapt()
    # the plain formula: each firm's trigger from its membership
    n = 25
    reference = before_reference[:n] + 0.1 * (firms.expected_orders[:n] - before_reference[:n])
    per_firm = trigger / (1.0 + bonus * firms.member[:n])
    short = firms.alive[:n] & ~firms.is_mine[:n] & (firms.expected_orders[:n] < (1.0 - per_firm) * reference)
    assert firms.reference_orders[:n].tobytes() == reference.tobytes()
    assert firms.shortfall_months[:n].tolist() == np.where(short, before_months[:n] + 1, 0).tolist()


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    month=st.integers(0, 400),
    rate=st.floats(0.0, 2.0),
    vacancies=st.lists(st.floats(0.0, 30.0) | st.sampled_from([0.0, -0.0, 1e-12, 1.0, 2.5, np.nan, -1.0]), min_size=1, max_size=40),
)
def test_hires_drawn_for_firms_with_vacancies_alone_equal_those_drawn_for_every_firm(seed, month, rate, vacancies):
    n = len(vacancies)
    firms = FirmArrays(n + 3)
    firms.add(n)
    behaviour = types.SimpleNamespace(
        hiring_rate=0.5, firing_rate=0.5, hoarding_tolerance=0.1, expectation_smoothing=0.3, idiosyncratic_demand_sd=0.0, idiosyncratic_demand_persistence=0.9
    )
    streams = Streams(seed)
    population = FirmPopulation(firms, behaviour, streams, 0.5)
    population.vacancies[:n] = vacancies
    population.wanted[:n] = np.ceil(np.nan_to_num(np.abs(vacancies))).astype(np.int64)
    with np.errstate(invalid="ignore"):  # NaN vacancies: the plain formula casts NaN (to a negative integer, then 0)
        plain = np.minimum(
            np.floor(rate * population.vacancies[:n] + streams.uniform("vacancy_filling", month, n)),
            np.minimum(np.ceil(population.vacancies[:n] - 1e-9), population.wanted[:n]),
        ).astype(np.int64)
    hires = population.fill(month, rate)
    assert hires.dtype == np.int64 and hires.tolist() == np.maximum(plain, 0).tolist()
    assert population.hires[:n].tolist() == hires.tolist() and not population.hires[n:].any()
