"""Shortcuts of the speed work on the alliance and hybrid governance give the plain computation's bits.

Each shortcut is checked against the computation it replaced, written out here
as it was (arrays over every firm slot, one draw call per attempt, the model's
full holder array, ...), to the bit, on random inputs.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bottrop_sim import BottropModel, load_scenario
from bottrop_sim.economy.adjacency import KEY
from bottrop_sim.governance import brokerage
from bottrop_sim.governance.adaptation import link_local_supply
from bottrop_sim.governance.holders import holder_of, holders_of
from bottrop_sim.governance.pooling import pool_staff
from bottrop_sim.streams import Streams, weighted_sample
from tests.conftest import SCENARIOS
from tests.test_network_store import TwinEconomies, operation


# -- staff pooling -------------------------------------------------------------------
def plain_pool_staff(member, hires, fires, sector, relatedness, min_relatedness):
    """Staff pooling as it was computed before: every pair of sectors on arrays over all firm slots."""
    out_of = np.zeros_like(fires)
    into = np.zeros_like(hires)
    distance = np.zeros(len(hires))
    member_fires = np.where(member, fires, 0)
    member_hires = np.where(member, hires, 0)
    if member_fires.sum() == 0 or member_hires.sum() == 0:
        return hires, fires, out_of, into, distance
    sectors = relatedness.shape[0]
    fires_left = np.bincount(sector, weights=member_fires, minlength=sectors).astype(np.int64)
    hires_left = np.bincount(sector, weights=member_hires, minlength=sectors).astype(np.int64)
    pairs = [(a, b) for a in np.flatnonzero(fires_left) for b in np.flatnonzero(hires_left) if relatedness[a, b] >= min_relatedness]
    pairs.sort(key=lambda pair: (-relatedness[pair], pair[0] != pair[1], pair))
    firm_fires_left, firm_hires_left = member_fires.copy(), member_hires.copy()
    for a, b in pairs:
        moved = int(min(fires_left[a], hires_left[b]))
        if moved == 0:
            continue
        fires_left[a] -= moved
        hires_left[b] -= moved
        senders = np.where(sector == a, firm_fires_left, 0)
        receivers = np.where(sector == b, firm_hires_left, 0)
        sent, received = plain_split(moved, senders), plain_split(moved, receivers)
        firm_fires_left -= sent
        firm_hires_left -= received
        out_of += sent
        into += received
        distance += received * (1.0 - relatedness[a, b])
    return hires - into, fires - out_of, out_of, into, distance


def plain_split(total, weights):
    raw = total * weights / weights.sum()
    base = np.floor(raw).astype(weights.dtype)
    rest = total - int(base.sum())
    if rest:
        order = np.argsort(-(raw - base), kind="stable")
        base[order[:rest]] += 1
    return base


@st.composite
def pooling_inputs(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    firms = draw(st.integers(1, 60))
    sectors = draw(st.integers(1, 6))
    member = rng.random(firms) < draw(st.sampled_from([0.2, 0.6, 1.0]))
    big = draw(st.sampled_from([3, 10, 200]))
    hires = np.where(rng.random(firms) < 0.5, rng.integers(0, big, firms), 0).astype(np.int64)
    fires = np.where(rng.random(firms) < 0.5, rng.integers(0, big, firms), 0).astype(np.int64)
    sector = rng.integers(0, sectors, firms).astype(np.int64)
    # relatedness with ties (a few levels) and exact zeros and ones, as the data table has them
    relatedness = rng.choice([0.0, 0.25, 0.3, 0.5, 1.0 / 3.0, 0.7, 1.0], (sectors, sectors))
    np.fill_diagonal(relatedness, 1.0)
    min_relatedness = draw(st.sampled_from([0.0, 0.3, 0.5, 1.0]))
    return member, hires, fires, sector, relatedness, min_relatedness


@settings(max_examples=300, deadline=None)
@given(pooling_inputs())
def test_pool_staff_on_lists_of_the_firms_that_take_part_gives_the_array_formulas_bits(inputs):
    """Hires, layoffs, moves and training distance: the same integers and the same doubles as over all slots."""
    fast = pool_staff(*inputs)
    plain = plain_pool_staff(*inputs)
    for got, want in zip(fast, plain, strict=True):
        assert got.dtype == want.dtype
        assert got.tobytes() == want.tobytes()


def test_pool_staff_moves_people_when_members_lay_off_and_hire_in_related_sectors():
    """A case the hypothesis examples must not miss: three layoffs split over two hiring members by their hires."""
    member = np.array([True, True, True, False])
    hires = np.array([0, 2, 1, 5], np.int64)
    fires = np.array([3, 0, 0, 0], np.int64)
    sector = np.array([0, 0, 1, 1], np.int64)
    relatedness = np.array([[1.0, 0.6], [0.6, 1.0]])
    fast = pool_staff(member, hires, fires, sector, relatedness, 0.5)
    assert fast[2].tolist() == [3, 0, 0, 0] and fast[3].tolist() == [0, 2, 1, 0]
    assert [a.tobytes() for a in fast] == [a.tobytes() for a in plain_pool_staff(member, hires, fires, sector, relatedness, 0.5)]


# -- model states to compare old and new paths on -------------------------------------
@pytest.fixture(scope="module")
def alliance_states():
    """Deep copies of an alliance run (Bottrop's closure, the alliance from 2017-03) at months with meetings, links and projects."""
    scenario = load_scenario(SCENARIOS / "closure_2018_alliance.toml").model_copy(update={"end": "2021-12"})
    model = BottropModel(scenario, seed=3)
    states = []
    while model.running:
        model.step()
        if model.month % 7 == 0 and model.governance.alliance.founded:
            states.append(copy.deepcopy(model))
    assert len(states) >= 5 and any(s.governance.alliance.brokered for s in states) and any(s.governance.alliance.projects for s in states)
    return states


def state_bytes(model: BottropModel) -> dict[str, bytes]:
    """Every firm array, the ledger's month and positions and the alliance's links, as bytes."""
    out = {name: value.tobytes() for name, value in vars(model.firms).items() if isinstance(value, np.ndarray)}
    out["accounts.month"] = model.accounts.month.tobytes()
    out["accounts.position"] = model.accounts.position.tobytes()
    alliance = model.governance.alliance
    out["alliance"] = repr((alliance.brokered, alliance.brokered_links, alliance.failed_links, alliance.free_riders_since_meeting)).encode()
    out["demand_flows"] = repr(sorted(model.demand_flows.items())).encode()
    return out


def assert_same_state(fast: BottropModel, plain: BottropModel) -> None:
    got, want = state_bytes(fast), state_bytes(plain)
    assert got.keys() == want.keys()
    assert [name for name in got if got[name] != want[name]] == []


# -- holders of slots ------------------------------------------------------------------
def test_holders_of_some_slots_are_those_of_the_full_holder_array(alliance_states):
    """Firms of every sector and the mine (once it has closed too): the same int64 holders as ``holder_of_slots()``."""
    for model in alliance_states[:: max(1, len(alliance_states) // 3)]:
        full = model.holder_of_slots()
        assert model.firms.is_mine.any()
        rng = np.random.default_rng(model.month)
        for slots in (np.arange(len(full)), np.flatnonzero(model.firms.is_mine), rng.choice(len(full), 7), np.zeros(0, np.int64)):
            got = holders_of(model, slots)
            assert got.dtype == full.dtype and got.tobytes() == full[slots].tobytes()
        assert [holder_of(model, slot) for slot in range(len(full))] == full.tolist()


def test_holders_of_slots_beyond_the_sectors_and_of_mines_follow_the_model(alliance_states):
    """Sector codes past the table's (the mine's row) go to the last sector holder, mines to the mine, as in the model."""
    model = copy.deepcopy(alliance_states[0])
    firms, rng = model.firms, np.random.default_rng(1)
    slots = rng.choice(len(firms.sector), 40, replace=False)
    firms.sector[slots[:20]] = rng.integers(model.accounts.n_sectors, model.accounts.n_sectors + 3, 20)
    firms.is_mine[slots[10:30]] = True
    full = model.holder_of_slots()
    assert len(set(full[slots].tolist())) > 2
    assert holders_of(model, slots).tobytes() == full[slots].tobytes()
    assert [holder_of(model, slot) for slot in slots] == full[slots].tolist()


# -- brokerage -----------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**63),
    month=st.integers(0, 600),
    entities=st.lists(st.integers(0, 5000), min_size=1, max_size=40, unique=True),
    draws=st.integers(2, 12),
    data=st.data(),
)
def test_a_subset_of_rows_drawn_together_holds_each_attempts_draws_of_the_subset(seed, month, entities, draws, data):
    """``uniform(members, k)[mask, j]`` is ``uniform(members[mask], k)[:, j]`` to the bit (small subsets take the Python path)."""
    streams = Streams(seed)
    members = np.sort(np.array(entities, np.int64))
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=len(members), max_size=len(members))))
    together = streams.uniform("brokerage_buyer", month, members, draws=draws)
    for attempt in range(draws):
        alone = streams.uniform("brokerage_buyer", month, members[mask], draws=draws)[:, attempt]
        assert together[mask, attempt].tobytes() == alone.tobytes()


def plain_broker_links(model, alliance, max_substitution):
    """Brokerage as it was: two draws of the candidates for every attempt, the holder from the full array."""
    firms, n, spec = model.firms, model.firms.size, alliance.spec
    members = np.flatnonzero(firms.member[:n] & firms.alive[:n])
    if len(members) < 2 or spec.brokered_links_per_meeting == 0:
        return 0
    spare = np.maximum(firms.capacity_limit(model.scenario.economy.spare_capacity_share)[:n] - firms.orders[:n], 0.0)
    made = 0
    streams, month, attempts = model.streams, model.month, spec.brokered_links_per_meeting
    for attempt in range(attempts):
        room = max_substitution * firms.import_base[members] - firms.substituted[members]
        buyers = members[(room > 1e-6) & (firms.planned[members] > 0)]
        if len(buyers) == 0:
            break
        picked = weighted_sample(streams.uniform("brokerage_buyer", month, buyers, draws=attempts)[:, attempt], firms.planned[buyers])
        if len(picked) == 0:
            break
        buyer = int(buyers[picked[0]])
        supplies = model.sector_coefficients[:, firms.sector[buyer]] > 0
        suppliers = members[supplies[firms.sector[members]] & (members != buyer) & (spare[members] > 0) & ~firms.is_mine[members]]
        if len(suppliers) == 0:
            continue
        supplier = int(suppliers[weighted_sample(streams.uniform("brokerage_supplier", month, suppliers, draws=attempts)[:, attempt], spare[suppliers])[0]])
        if streams.uniform("brokerage_match", month, [buyer * KEY + supplier])[0] >= 0.5 * (firms.trust[buyer] + firms.trust[supplier]):
            continue
        room_left = max_substitution * firms.import_base[buyer] - firms.substituted[buyer]
        coefficient = min(spec.brokered_link_share * firms.import_base[buyer], room_left)
        link_local_supply(model, supplier, buyer, coefficient)
        switching = spec.brokered_switching_months * coefficient * float(firms.planned[buyer])
        if switching > 0:
            firms.liquidity[buyer] -= switching
            accounts = model.accounts
            accounts.pay("switching_costs", int(model.holder_of_slots()[buyer]), accounts.rest_of_world, switching)
        alliance.brokered.append((supplier, buyer, coefficient))
        made += 1
    return made


@pytest.mark.parametrize("attempts", [2, 5, 40])
def test_broker_links_with_the_members_draws_drawn_once_brokers_the_same_links(alliance_states, attempts):
    """The same links, switching costs and bookings at every saved month, with few and many attempts per meeting."""
    links = 0
    for state in alliance_states:
        fast, plain = copy.deepcopy(state), copy.deepcopy(state)
        for model in (fast, plain):
            alliance = model.governance.alliance
            alliance.spec = alliance.spec.model_copy(update={"brokered_links_per_meeting": attempts})
        made = brokerage.broker_links(fast, fast.governance.alliance, fast.governance.alliance.max_substitution)
        assert made == plain_broker_links(plain, plain.governance.alliance, plain.governance.alliance.max_substitution)
        assert_same_state(fast, plain)
        links += made
    assert links > 0


def test_broker_links_with_one_attempt_per_meeting_brokers(alliance_states):
    """One attempt a meeting (allowed by the schema) brokers links as the first attempt of many does."""
    made = []
    for state in alliance_states:
        one, many = copy.deepcopy(state), copy.deepcopy(state)
        for model, attempts in ((one, 1), (many, 3)):
            alliance = model.governance.alliance
            alliance.spec = alliance.spec.model_copy(update={"brokered_links_per_meeting": attempts})
        before = len(state.governance.alliance.brokered)
        made.append(brokerage.broker_links(one, one.governance.alliance, one.governance.alliance.max_substitution))
        brokerage.broker_links(many, many.governance.alliance, many.governance.alliance.max_substitution)
        assert one.governance.alliance.brokered[before:] == many.governance.alliance.brokered[before : before + made[-1]]
    assert sum(made) > 0


# -- partner counts of the supply network ---------------------------------------------------
def plain_partner_counts(store, member):
    """Partner counts as they were computed: bincounts over the used places' suppliers and buyers (key order)."""
    rows = store.rows
    used = rows.used()
    buyers, suppliers = rows.key[used] // KEY, rows.col[used].astype(np.int64)
    partners = np.bincount(suppliers, minlength=store.capacity).astype(float) + rows.length.astype(float)
    member_partners = np.bincount(suppliers, weights=member[buyers], minlength=store.capacity) + np.bincount(
        buyers, weights=member[suppliers], minlength=store.capacity
    )
    return partners, member_partners


def check_partner_counts(store, draw):
    for member in (
        (draw.random(store.capacity) < 0.3).astype(float),  # members, as the model passes them
        draw.normal(0.0, 1e3, store.capacity),  # any weights: the same additions in the same order
        np.zeros(store.capacity),
    ):
        got, want = store.partner_counts(member), plain_partner_counts(store, member)
        assert [a.tobytes() for a in got] == [a.tobytes() for a in want]


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    sectors=st.integers(2, 4),
    firms_per_sector=st.integers(2, 12),
    operations=st.lists(operation, max_size=30),
)
def test_partner_counts_by_scipys_kernels_are_the_bincounts_over_the_used_places(seed, sectors, firms_per_sector, operations):
    """Through exits, entries, links, growth of the arrays and repacks: the same counts (and sums of any weights) to the bit."""
    twins = TwinEconomies(seed, sectors, firms_per_sector)
    draw = np.random.default_rng(seed)
    check_partner_counts(twins.store, draw)
    for name, *arguments in operations:
        getattr(twins, name)(*arguments)
        check_partner_counts(twins.store, draw)


def test_partner_counts_of_the_alliance_run_are_the_bincounts(alliance_states):
    """The model's network after years of search links, brokered links and exits: the members' counts as before."""
    for model in alliance_states:
        member = model.firms.member.astype(float)
        got, want = model.network.partner_counts(member), plain_partner_counts(model.network, member)
        assert [a.tobytes() for a in got] == [a.tobytes() for a in want]
        assert got[1].sum() > 0
