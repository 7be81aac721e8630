"""Shortcuts of the speed work on the alliance members' mechanisms give the plain computation's bits.

Staff pooling, the holders of firm slots, the supply network's partner counts,
the labs' sectors and the projects' contributions, membership's net benefit and
the governance indicators. Each shortcut is checked against the computation it
replaced, written out here as it was (arrays over every firm slot, one draw call
per project, the model's full holder array, ...), to the bit, on random inputs
and on saved months of an alliance run (tests/alliance_states.py).
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bottrop_sim.economy.adjacency import KEY
from bottrop_sim.governance import projects
from bottrop_sim.governance.holders import holder_of, holders_of
from bottrop_sim.governance.pooling import pool_staff
from tests.alliance_states import alliance_run_states, assert_same_state
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
    """The alliance run's saved months (tests/alliance_states.py), built once for this module."""
    return alliance_run_states()


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
