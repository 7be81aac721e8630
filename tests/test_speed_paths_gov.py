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
from bottrop_sim.economy.accounts import KIND_INDEX, Accounts
from bottrop_sim.economy.adjacency import KEY
from bottrop_sim.governance import brokerage, projects
from bottrop_sim.governance.adaptation import link_local_supply
from bottrop_sim.governance.holders import holder_of, holders_of
from bottrop_sim.governance.pooling import pool_staff
from bottrop_sim.streams import Streams, purpose_code, weighted_sample
from tests.conftest import SCENARIOS
from tests.test_network_store import STORE_HISTORY, TwinEconomies


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
@given(**STORE_HISTORY)
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


# -- brokered links' arrays, price premiums and failures ------------------------------------
def fresh_link_arrays(links):
    table = np.array(links, dtype=float)
    return table[:, 0].astype(np.int64), table[:, 1].astype(np.int64), table[:, 2]


def test_kept_link_arrays_follow_appended_and_replaced_lists():
    """Arrays kept for a list are those built afresh after links are appended, or the list is replaced by a shorter one."""

    class Links:
        brokered_arrays = None

    alliance = Links()
    alliance.brokered = [(3, 7, 0.01)]
    for step in range(6):
        got, want = brokerage._link_arrays(alliance), fresh_link_arrays(alliance.brokered)
        assert [a.tobytes() for a in got] == [a.tobytes() for a in want]
        assert all(not a.flags.writeable for a in got)
        if step % 2 == 0:
            alliance.brokered.append((step + 10, step + 20, 0.001 * step))  # brokered: appended to the same list
        else:
            alliance.brokered = [*alliance.brokered[1:], (1, 2, 0.5)]  # links dropped: a new list (here of the same length)


def plain_pay_price_premiums(model, alliance):
    """Price premiums as they were paid: the links' arrays built afresh, the list rebuilt, holders from the full array."""
    premium = alliance.spec.brokered_price_premium
    if premium <= 0 or not alliance.brokered:
        return 0.0
    firms = model.firms
    supplier, buyer, coefficient = fresh_link_arrays(alliance.brokered)
    live = firms.alive[supplier] & firms.alive[buyer]
    alliance.brokered = [link for link, keep in zip(alliance.brokered, live, strict=True) if keep]
    supplier, buyer, coefficient = supplier[live], buyer[live], coefficient[live]
    amount = premium * coefficient * firms.planned[buyer]
    if len(amount) == 0:
        return 0.0
    np.subtract.at(firms.liquidity, buyer, amount)
    np.add.at(firms.liquidity, supplier, amount)
    holders = model.holder_of_slots()
    size = len(model.accounts.holders)
    matrix = np.zeros((size, size))
    np.add.at(matrix, (holders[buyer], holders[supplier]), amount)
    model.accounts.pay_matrix("local_price_premiums", matrix)
    return float(amount.sum())


def plain_fail_links(model, alliance):
    """Link failures as they were settled (arrays built afresh, holders from the full array)."""
    spec = alliance.spec
    if spec.brokered_failure_rate <= 0 or not alliance.brokered:
        return 0
    firms = model.firms
    supplier, buyer, coefficient = fresh_link_arrays(alliance.brokered)
    draws = model.streams.uniform("brokered_link_failure", model.month, buyer * KEY + supplier)
    failing = firms.alive[supplier] & firms.alive[buyer] & (draws < spec.brokered_failure_rate)
    if not failing.any():
        return 0
    accounts, holders = model.accounts, model.holder_of_slots()
    ended = 0
    for s, b, c in zip(supplier[failing], buyer[failing], coefficient[failing], strict=True):
        if not model.network.remove_link(int(s), int(b), float(c)):
            continue
        ended += 1
        firms.import_per_output[b] += c
        firms.local_input_per_output[b] -= c
        firms.substituted[b] -= c
        switching = spec.brokered_switching_months * c * float(firms.planned[b])
        if switching > 0:
            firms.liquidity[b] -= switching
            accounts.pay("switching_costs", int(holders[b]), accounts.rest_of_world, switching)
        loss = spec.brokered_failure_order_loss
        if loss > 0:
            lost = loss * float(firms.exogenous_demand[b] + firms.household_demand[b])
            firms.exogenous_demand[b] *= 1.0 - loss
            firms.household_demand[b] *= 1.0 - loss
            model.demand_flows["lost_to_outside"] += lost
        firms.trust[[b, s]] *= 1.0 - spec.trust_loss
    alliance.brokered = [link for link, gone in zip(alliance.brokered, failing, strict=True) if not gone]
    alliance.failed_links += ended
    return ended


def test_failures_and_premiums_on_kept_link_arrays_settle_as_before(alliance_states):
    """Months of failures (a high failure rate) and premiums, some links' firms gone: the same bookings, trust and links."""
    ended = 0
    for state in alliance_states:
        fast, plain = copy.deepcopy(state), copy.deepcopy(state)
        for model in (fast, plain):
            alliance = model.governance.alliance
            alliance.spec = alliance.spec.model_copy(update={"brokered_failure_rate": 0.3})
            if alliance.brokered:  # a supplier that has exited: its links are dropped
                model.firms.alive[alliance.brokered[0][0]] = False
        for month in range(3):
            for model in (fast, plain):
                model.month += month
            got = (brokerage.fail_links(fast, fast.governance.alliance), brokerage.pay_price_premiums(fast, fast.governance.alliance))
            want = (plain_fail_links(plain, plain.governance.alliance), plain_pay_price_premiums(plain, plain.governance.alliance))
            assert got == want
            assert_same_state(fast, plain)
            ended += got[0]
    assert ended > 0


# -- lab sectors, project contributions ----------------------------------------------------
def test_lab_sectors_are_the_labs_sector_codes_and_never_mines(alliance_states):
    """Every lab of the shipped alliance, a lab of unknown sectors and one of all sectors: np.isin's answer per firm."""
    model = copy.deepcopy(alliance_states[-1])
    firms, n = model.firms, model.firms.size
    firms.sector[:n][::97] = len(model.sector_names)  # codes past the table's sectors (as the mine's)
    firms.is_mine[:n][5::101] = True  # mines in the labs' sectors: never eligible
    labs = list(model.governance.alliance.spec.labs.values())
    labs.append(labs[0].model_copy(update={"sectors": ("no_such_sector",)}))
    labs.append(labs[0].model_copy(update={"sectors": tuple(model.sector_names)}))
    for lab in labs:
        codes = [model.sector_names.index(s) for s in lab.sectors if s in model.sector_names]
        want = (np.isin(firms.sector[:n], codes) & ~firms.is_mine[:n]) if lab.sectors else ~firms.is_mine[:n]
        assert projects._in_sectors(model, lab).tobytes() == want.tobytes()


def plain_collect_contributions(model, alliance):
    """Contributions as they were collected: a draw call per project, holders from the full array."""
    firms = model.firms
    for project in alliance.projects:
        lab = alliance.spec.labs[project.lab]
        slots = project.participants[firms.alive[project.participants] & firms.member[project.participants]]
        if len(slots) == 0:
            continue
        draws = model.streams.uniform("free_riding", model.month, slots * projects.PAIR_KEY + project.key)
        free_ride = draws < alliance.spec.free_riding_propensity * (1.0 - firms.trust[slots])
        broke = firms.liquidity[slots] < lab.contribution_eur_month
        paying = slots[~free_ride & ~broke]
        firms.liquidity[paying] -= lab.contribution_eur_month
        project.paid_eur += lab.contribution_eur_month * len(paying)
        project.free_riders += int((free_ride | broke).sum())
        project.contributions_due += len(slots)
        model.accounts.pay_from_holders(
            "alliance_contributions", model.holder_of_slots()[paying], model.accounts.rest_of_world, np.full(len(paying), lab.contribution_eur_month)
        )


def test_contributions_drawn_in_one_call_are_collected_as_before(alliance_states):
    """Several projects, a participant that exited, firms short of cash: the same payments, free riders and bookings."""
    checked = 0
    for state in alliance_states:
        if not state.governance.alliance.projects:
            continue
        fast, plain = copy.deepcopy(state), copy.deepcopy(state)
        for model in (fast, plain):
            alliance = model.governance.alliance
            participants = alliance.projects[0].participants
            model.firms.alive[participants[0]] = False
            model.firms.liquidity[participants[1:3]] = 1.0  # broke
            if len(alliance.projects) > 1 and len(participants) > 3:  # a firm in two projects, with cash for one contribution
                shared = participants[3]
                alliance.projects[1].participants = np.unique(np.append(alliance.projects[1].participants, shared))
                model.firms.liquidity[shared] = 1.5 * alliance.spec.labs[alliance.projects[0].lab].contribution_eur_month
                model.firms.trust[shared] = 1.0  # never free-rides
                model.firms.member[shared] = True
        projects.collect_contributions(fast, fast.governance.alliance)
        plain_collect_contributions(plain, plain.governance.alliance)
        assert_same_state(fast, plain)
        summary = [[(p.paid_eur, p.free_riders, p.contributions_due) for p in m.governance.alliance.projects] for m in (fast, plain)]
        assert summary[0] == summary[1]
        checked += len(summary[0])
    assert checked >= 3


# -- the ledger's payments from many holders ----------------------------------------------------
def plain_pay_from_holders(accounts, kind, payers, payee, eur):
    """The booking with both directions always summed (as before the shortcut)."""
    size = len(accounts.holders)
    positive = np.bincount(payers, weights=np.maximum(eur, 0.0), minlength=size)
    negative = np.bincount(payers, weights=np.maximum(-eur, 0.0), minlength=size)
    k = KIND_INDEX[kind]
    accounts.month[k, :, payee] += positive
    accounts.month[k, payee, :] += negative
    accounts._move(positive - negative, payee)


amounts = st.lists(st.one_of(st.floats(0.0, 1e9), st.just(0.0), st.just(-0.0), st.floats(-1e6, 0.0), st.just(float("nan"))), min_size=0, max_size=12)


@settings(max_examples=300, deadline=None)
@given(bookings=st.lists(st.tuples(amounts, st.integers(0, 2**32 - 1), st.sampled_from(["alliance_contributions", "search_costs", "imports"])), max_size=6))
def test_payments_from_holders_without_negative_entries_book_the_plain_bits(bookings):
    """Runs of bookings (non-negative, zero, -0.0, negative, NaN entries; to a kept and an outside payee): same month and positions."""
    fast, plain = Accounts(("a", "b", "c"), "2014-12"), Accounts(("a", "b", "c"), "2014-12")
    for accounts in (fast, plain):
        accounts.position[:] = np.arange(len(accounts.position)) * 1e5 - 3e5
    for eur, seed, kind in bookings:
        rng = np.random.default_rng(seed)
        eur = np.array(eur, float)
        payers = rng.integers(0, len(fast.holders), len(eur))
        payee = int(rng.choice([fast.rest_of_world, fast.households, fast.city]))
        fast.pay_from_holders(kind, payers, payee, eur)
        plain_pay_from_holders(plain, kind, payers, payee, eur)
        assert fast.month.tobytes() == plain.month.tobytes()
        assert fast.position.tobytes() == plain.position.tobytes()


# -- keyed uniform numbers ----------------------------------------------------------------------
_U64 = (1 << 64) - 1


def plain_mix(value: int) -> int:
    value &= _U64
    value ^= value >> 30
    value = (value * 0xBF58476D1CE4E5B9) & _U64
    value ^= value >> 27
    value = (value * 0x94D049BB133111EB) & _U64
    return value ^ (value >> 31)


def plain_uniform(seed, purpose, month, entities, draws):
    """``(mix(mix(id * GOLDEN + key) + j * M2) >> 11) * 2**-53`` in Python integers, the key from (seed, purpose, month) afresh."""
    seed_key = plain_mix(seed * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019)
    key = plain_mix(plain_mix(seed_key ^ purpose_code(purpose)) + (month & _U64) * 0x9E3779B97F4A7C15)
    ids = range(entities) if isinstance(entities, int) else entities
    rows = [[(plain_mix(plain_mix(i * 0x9E3779B97F4A7C15 + key) + j * 0x94D049BB133111EB) >> 11) * 2.0**-53 for j in range(draws)] for i in ids]
    values = np.array(rows, float).reshape(len(rows), draws)
    return values[:, 0] if draws == 1 else values


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**40),
    calls=st.lists(
        st.tuples(
            st.sampled_from(["free_riding", "brokerage_buyer", "alliance_membership"]),
            st.integers(0, 400),
            st.one_of(st.integers(0, 30), st.lists(st.integers(0, 2**40), min_size=0, max_size=20)),
            st.integers(1, 4),
        ),
        min_size=1,
        max_size=12,
    ),
)
def test_uniform_with_kept_month_keys_gives_the_formulas_numbers(seed, calls):
    """Calls of a few purposes, months going back and forth (the kept key of a purpose replaced and found again)."""
    streams = Streams(seed)
    for purpose, month, entities, draws in calls:
        given_entities = entities if isinstance(entities, int) else np.array(entities, np.int64)
        got = streams.uniform(purpose, month, given_entities, draws=draws)
        want = plain_uniform(seed, purpose, month, entities, draws)
        assert got.dtype == np.float64 and got.shape == want.shape
        assert got.tobytes() == want.tobytes()


# -- membership's net benefit and the governance indicators ----------------------------
def plain_net_benefit(model, alliance):
    """The net benefit as it was computed: the membership cost of ``np.arange(n)`` (a copy of every slot's wage)."""
    from bottrop_sim.governance.membership import membership_cost, partner_member_share

    spec, firms, n = alliance.spec, model.firms, model.firms.size
    shortfall = np.zeros(n)
    np.divide(firms.reference_orders[:n] - firms.expected_orders[:n], firms.reference_orders[:n], out=shortfall, where=firms.reference_orders[:n] > 0)
    shortfall = np.clip(shortfall, 0.0, 1.0)
    benefit = spec.base_benefit + spec.need_weight * shortfall + spec.peer_weight * partner_member_share(model)
    value_added = firms.planned[:n] * (1.0 - firms.local_input_per_output[:n] - firms.import_per_output[:n])
    cost = np.full(n, np.inf)
    np.divide(membership_cost(model, alliance, np.arange(n)), value_added, out=cost, where=value_added > 0)
    net = firms.trust[:n] * benefit - cost
    net[~firms.alive[:n] | firms.is_mine[:n]] = -np.inf
    return net


def test_net_benefit_over_a_slice_of_every_slot_gives_the_arange_formulas_bits(alliance_states):
    from bottrop_sim.governance.membership import net_benefit

    for model in alliance_states:
        alliance = model.governance.alliance
        got, want = net_benefit(model, alliance), plain_net_benefit(model, alliance)
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes()
    assert np.isfinite(got).any()


def test_indicator_counts_are_the_alliances_member_count_and_the_plain_sums(alliance_states):
    """``alliance_members`` and ``firms_diversified`` by count_nonzero on the indicators' own masks: the plain counts."""
    for model in alliance_states:
        firms, n = model.firms, model.firms.size
        got = model.governance.indicators()
        assert got["alliance_members"] == model.governance.alliance.member_count() > 0
        assert got["firms_diversified"] == int((firms.diversified[:n] & firms.alive[:n]).sum())
    changed = copy.deepcopy(alliance_states[-1])
    changed.firms.diversified[: changed.firms.size] = True
    changed.firms.member[: changed.firms.size] = False
    got = changed.governance.indicators()
    assert got["alliance_members"] == 0 and got["firms_diversified"] == int(changed.firms.alive[: changed.firms.size].sum())
