"""Fast checks of the shortcuts in the labour market, the ledger's batched bookings and the monthly record.

Each shortcut must give the same integers, the same bits and the same generator
state as the plain formula, written out here as it stood before the shortcut:

* hires leave out the binomial draws with no persons or no chance (numpy returns
  0 for them without drawing) and the row update of a sector that hired nobody
  from Bottrop's unemployed;
* the residents drawn from a sector's staff leave its row of ``employed_local``
  as Python integers;
* moves draw with the streams' multivariate hypergeometric on Python lists;
* the outside market's month (three skills) runs on Python numbers;
* the ledger's batched bookings write both sides of the amounts into one block
  (no ``np.stack``);
* the monthly record sums the labour market's stocks once.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bottrop_sim.economy.accounts import KIND_INDEX, Accounts
from bottrop_sim.economy.labour import CommutingZone, LabourMarket

SKILL_SHARES = np.array([[0.5, 0.3, 0.2], [0.0, 0.6, 0.4], [0.2, 0.2, 0.6], [1.0, 0.0, 0.0]])


def market(employed: list[list[int]], unemployed: list[int]) -> LabourMarket:
    zone = CommutingZone(100_000, 0.08, 0.06, 3_000, 0.5)
    labour = LabourMarket(SKILL_SHARES, np.array([50, 40, 30, 20]), np.full(4, 0.5), 300, 0.1, 0.065, 0.22, 0.5, zone, 0.5, 100)
    labour.employed_local[:] = employed
    labour.unemployed[:] = unemployed
    return labour


def plain_hire(labour: LabourMarket, rng: np.random.Generator, hires: np.ndarray) -> None:
    """Hires as numpy's broadcasting binomial draws them, one array operation per step."""
    chance = labour.resident_chance()
    for sector in np.flatnonzero(hires):
        by_skill = rng.multinomial(int(hires[sector]), labour.skill_shares[sector])
        local = np.minimum(rng.binomial(by_skill, chance), labour.unemployed)
        labour.unemployed -= local
        labour.employed_local[sector] += local
        labour.flows["hires"] += int(hires[sector])
        labour.flows["hires_from_unemployment"] += int(local.sum())


def plain_separate(labour: LabourMarket, rng: np.random.Generator, staff: np.ndarray, leaving: np.ndarray) -> None:
    """Separations with numpy's own multivariate hypergeometric draw and array updates."""
    for sector in np.flatnonzero(leaving):
        held = labour.employed_local[sector]
        residents, count = int(held.sum()), min(int(leaving[sector]), int(staff[sector]))
        found = int(rng.hypergeometric(residents, max(int(staff[sector]) - residents, 0), count)) if count and residents else 0
        by_skill = rng.multivariate_hypergeometric(held, found) if found else np.zeros(3, np.int64)
        held -= by_skill
        labour.unemployed += by_skill
        labour.flows["separations"] += int(leaving[sector])
        labour.flows["to_unemployment"] += found
        labour.flows["in_commuters_separated"] += int(leaving[sector]) - found


def same_state(fast: LabourMarket, plain: LabourMarket, fast_rng: np.random.Generator, plain_rng: np.random.Generator) -> None:
    assert fast.employed_local.tolist() == plain.employed_local.tolist()
    assert fast.unemployed.tolist() == plain.unemployed.tolist()
    assert fast.flows == plain.flows
    assert fast_rng.bit_generator.state == plain_rng.bit_generator.state  # the same draws were taken


people = st.integers(0, 12)
rows = st.lists(st.lists(people, min_size=3, max_size=3), min_size=4, max_size=4)


@settings(max_examples=300, deadline=None)
@given(
    seed=st.integers(0, 2**32), employed=rows, unemployed=st.lists(st.integers(0, 6), min_size=3, max_size=3), hires=st.lists(people, min_size=4, max_size=4)
)
def test_hires_equal_the_broadcast_binomial_draws(seed, employed, unemployed, hires):
    fast, plain = market(employed, unemployed), market(employed, unemployed)
    fast.zone_search_share = plain.zone_search_share = 0.0 if seed % 3 == 0 else fast.zone_search_share  # chance 1 or 0 by skill
    fast_rng, plain_rng = np.random.default_rng(seed), np.random.default_rng(seed)
    fast.hire(fast_rng, np.array(hires))
    plain_hire(plain, plain_rng, np.array(hires))
    same_state(fast, plain, fast_rng, plain_rng)


def test_hires_leave_out_only_draws_that_take_nothing():
    # skill shares with a zero (sector 1 hires no low-skilled) and no unemployed medium-skilled (chance 0)
    for seed in range(200):
        fast, plain = market([[3, 3, 3]] * 4, [5, 0, 4]), market([[3, 3, 3]] * 4, [5, 0, 4])
        fast_rng, plain_rng = np.random.default_rng(seed), np.random.default_rng(seed)
        fast.hire(fast_rng, np.array([4, 7, 0, 2]))
        plain_hire(plain, plain_rng, np.array([4, 7, 0, 2]))
        same_state(fast, plain, fast_rng, plain_rng)
        assert fast_rng.random() == plain_rng.random()


@settings(max_examples=300, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    employed=rows,
    extra=st.lists(st.integers(0, 10), min_size=4, max_size=4),
    leaving=st.lists(st.integers(0, 25), min_size=4, max_size=4),
)
def test_separations_equal_numpys_draws_and_array_updates(seed, employed, extra, leaving):
    fast, plain = market(employed, [1, 2, 3]), market(employed, [1, 2, 3])
    staff = np.array([sum(row) + more for row, more in zip(employed, extra, strict=True)])
    fast_rng, plain_rng = np.random.default_rng(seed), np.random.default_rng(seed)
    fast.separate(fast_rng, staff, np.array(leaving))
    plain_separate(plain, plain_rng, staff, np.array(leaving))
    same_state(fast, plain, fast_rng, plain_rng)
    assert fast.employed_local.dtype == np.int64


def plain_move(labour: LabourMarket, rng: np.random.Generator, staff: np.ndarray, leaving: np.ndarray, arriving: np.ndarray) -> None:
    """Moves with numpy's own multivariate hypergeometric draws and array updates."""
    pool = np.zeros(3, np.int64)
    for sector in np.flatnonzero(leaving):
        held = labour.employed_local[sector]
        residents, count = int(held.sum()), min(int(leaving[sector]), int(staff[sector]))
        found = int(rng.hypergeometric(residents, max(int(staff[sector]) - residents, 0), count)) if count and residents else 0
        by_skill = rng.multivariate_hypergeometric(held, found) if found else np.zeros(3, np.int64)
        held -= by_skill
        pool += by_skill
    if pool.sum():
        per_sector = rng.multivariate_hypergeometric(arriving.astype(np.int64), int(pool.sum()))
        for sector in np.flatnonzero(per_sector):
            by_skill = rng.multivariate_hypergeometric(pool, int(per_sector[sector]))
            pool -= by_skill
            labour.employed_local[sector] += by_skill
    labour.flows["moves"] += int(leaving.sum())


@settings(max_examples=300, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    employed=rows,
    extra=st.lists(st.integers(0, 10), min_size=4, max_size=4),
    leaving=st.lists(st.integers(0, 12), min_size=4, max_size=4),
    weights=st.lists(st.integers(0, 5), min_size=4, max_size=4),
)
def test_moves_equal_numpys_draws_and_array_updates(seed, employed, extra, leaving, weights):
    total = sum(leaving)
    arriving = np.array(weights) * total  # at least the total (numpy's draw needs no more than the colours hold)
    if total and not arriving.sum():
        arriving[1] = total
    fast, plain = market(employed, [1, 2, 3]), market(employed, [1, 2, 3])
    staff = np.array([float(sum(row) + more) for row, more in zip(employed, extra, strict=True)])  # the model's staff are floats
    fast_rng, plain_rng = np.random.default_rng(seed), np.random.default_rng(seed)
    fast.move(fast_rng, staff, np.array(leaving), arriving)
    plain_move(plain, plain_rng, staff, np.array(leaving), arriving)
    same_state(fast, plain, fast_rng, plain_rng)
    assert fast.employed_local.sum() == plain.employed_local.sum() == sum(map(sum, employed))  # moves keep every resident employed


def plain_outside_flows(labour: LabourMarket, rng: np.random.Generator, migration_rate: float) -> None:
    """The outside market's month in array operations."""
    zone = labour.zone
    finding = min(1.0, labour.outside_search_intensity * zone.job_finding_rate())
    lost = rng.binomial(labour.out_commuters, labour.separation_rate)
    found = rng.binomial(labour.unemployed, finding)
    pool = labour.baseline_unemployed * (zone.unemployment_rate() / zone.baseline_rate)
    moved = np.floor(migration_rate * np.maximum(labour.unemployed - found - pool, 0.0) + 0.5).astype(np.int64)
    labour.unemployed += lost - found - moved
    labour.out_commuters += found - lost
    labour.moved_away += moved
    labour.flows["unemployed_to_outside_jobs"] += int(found.sum())
    labour.flows["outside_jobs_to_unemployment"] += int(lost.sum())
    labour.flows["moved_away"] += int(moved.sum())
    zone.step(float(labour.flows["in_commuters_separated"] - (labour.flows["hires"] - labour.flows["hires_from_unemployment"])))


@settings(max_examples=300, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    unemployed=st.lists(st.integers(0, 400), min_size=3, max_size=3),
    out_commuters=st.lists(st.integers(0, 400), min_size=3, max_size=3),
    zone_unemployed=st.floats(0.0, 100_000.0),
    migration_rate=st.one_of(st.sampled_from([0.0, 0.5, 1.0, 0.01]), st.floats(0.0, 1.0)),
)
def test_outside_flows_equal_the_array_operations(seed, unemployed, out_commuters, zone_unemployed, migration_rate):
    fast, plain = market([[3, 3, 3]] * 4, unemployed), market([[3, 3, 3]] * 4, unemployed)
    for labour in (fast, plain):
        labour.out_commuters[:] = out_commuters
        labour.moved_away[:] = [seed % 7, 0, 2]
        labour.zone.unemployed = zone_unemployed
        labour.flows.update(hires=9, hires_from_unemployment=4, in_commuters_separated=3)
    fast_rng, plain_rng = np.random.default_rng(seed), np.random.default_rng(seed)
    fast.outside_flows(fast_rng, migration_rate)
    plain_outside_flows(plain, plain_rng, migration_rate)
    same_state(fast, plain, fast_rng, plain_rng)
    assert fast.out_commuters.tolist() == plain.out_commuters.tolist() and fast.moved_away.tolist() == plain.moved_away.tolist()
    assert fast.zone.unemployed.hex() == plain.zone.unemployed.hex()
    assert fast.unemployed.dtype == fast.out_commuters.dtype == fast.moved_away.dtype == np.int64


def test_outside_flows_move_away_the_rounded_share_of_the_excess():
    labour = market([[3, 3, 3]] * 4, [1000, 0, 50])
    labour.baseline_unemployed[:] = [100, 10, 10]
    labour.outside_search_intensity = 0.0  # nobody finds an outside job: the excess is unemployed - pool
    labour.separation_rate = 0.0
    labour.zone.unemployed = labour.zone.baseline_unemployed  # pool = baseline
    labour.outside_flows(np.random.default_rng(1), 0.25)
    assert labour.moved_away.tolist() == [225, 0, 10]  # 0.25 x 900 and 0.25 x 40 (rounded half up); none below the pool
    assert labour.unemployed.tolist() == [775, 0, 40]


# -- the ledger's batched bookings -----------------------------------------------------------
values = st.one_of(st.floats(-1e12, 1e12, allow_nan=False), st.sampled_from([0.0, -0.0, 1e-300, 0.1, 1 / 3]))
booking = st.tuples(st.sampled_from(["from", "to"]), st.sampled_from(["wages", "dividends", "interest"]), st.integers(0, 8))


@settings(max_examples=300, deadline=None)
@given(data=st.data(), bookings=st.lists(booking, min_size=1, max_size=6), start=st.lists(values, min_size=9, max_size=9))
def test_batched_bookings_equal_the_calls_one_by_one(data, bookings, start):
    """``pay_sums`` (the amounts' two sides written into one block) books what the calls one after another book, bit for bit."""
    batched, one_by_one = Accounts(("a", "b", "c"), "2014-12"), Accounts(("a", "b", "c"), "2014-12")
    size = len(batched.holders)
    for accounts in (batched, one_by_one):
        accounts.position[:] = start
        accounts.month[2, 1, 3] = 7.5  # an earlier booking in a cell the batch adds to
    sums = np.array([data.draw(st.lists(values, min_size=size, max_size=size)) for _ in bookings])
    batched.pay_sums(tuple(bookings), sums)
    for (direction, kind, counterpart), amounts in zip(bookings, sums, strict=True):
        if direction == "from":
            one_by_one.pay_sums_from(kind, amounts, counterpart)
        else:
            one_by_one.pay_sums_to(kind, counterpart, amounts)
    assert batched.month.tobytes() == one_by_one.month.tobytes()
    assert batched.position.tobytes() == one_by_one.position.tobytes()


def test_batched_bookings_put_each_side_in_its_cell():
    accounts = Accounts(("a", "b"), "2014-12")  # holders: firms:a 0, firms:b 1, mine 2, households 3, ..., rest_of_world 7
    sums = np.zeros((2, 8))
    sums[0, 0], sums[0, 1], sums[1, 0] = 5.0, -2.0, 3.0
    accounts.pay_sums((("from", "wages", accounts.households), ("to", "interest", accounts.bank)), sums)
    wages, interest = accounts.month[KIND_INDEX["wages"]], accounts.month[KIND_INDEX["interest"]]
    assert wages[0, accounts.households] == 5.0 and wages[accounts.households, 1] == 2.0
    assert interest[accounts.bank, 0] == 3.0
    assert np.count_nonzero(accounts.month) == 3
    assert accounts.position[accounts.bank] == -3.0


# -- the monthly record ---------------------------------------------------------------------
def test_record_labour_force_and_rate_equal_the_labour_markets_own_every_month():
    """The record's labour force, unemployment rate and out-commuters, from the stocks summed once, are the labour market's own."""
    from bottrop_sim import BottropModel, load_scenario

    model = BottropModel(load_scenario("scenarios/closure_2018.toml").model_copy(update={"end": "2019-06"}), seed=2)
    rates = set()
    while model.running:
        model.step()
        labour = model.labour
        assert model.indicators["labour_force"] == labour.labour_force()
        assert float(model.indicators["unemployment_rate"]).hex() == labour.unemployment_rate().hex()
        assert model.indicators["out_commuters"] == int(labour.out_commuters.sum())
        assert model.indicators["unemployed"] == int(labour.unemployed.sum())
        rates.add(model.indicators["unemployment_rate"])
    assert len(rates) > 5  # the rate moved: the months checked differ
