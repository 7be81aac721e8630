"""Shortcuts of the speed work on the alliance's brokered links give the plain computation's bits.

Brokerage (the members' draws drawn once for all attempts), the brokered links'
kept arrays, their price premiums and their failures. Each shortcut is checked
against the computation it replaced, written out here as it was (two draws of the
candidates for every attempt, the links' arrays built afresh, the model's full
holder array), to the bit, on random inputs and on saved months of an alliance
run (tests/alliance_states.py).
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bottrop_sim.economy.adjacency import KEY
from bottrop_sim.governance import brokerage
from bottrop_sim.governance.adaptation import link_local_supply
from bottrop_sim.streams import Streams, weighted_sample
from tests.alliance_states import alliance_run_states, assert_same_state


# -- model states to compare old and new paths on -------------------------------------
@pytest.fixture(scope="module")
def alliance_states():
    """The alliance run's saved months (tests/alliance_states.py), built once for this module."""
    return alliance_run_states()


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
