"""Joint projects: the alliance's four real-world labs.

The real Wirtschaftsallianz Bottrop ran four real-world labs: sustainable city
logistics, hybrid retail, sustainable business, digital co-production in crafts
(Bottrop2018plus; wirtschaftsstrukturen.de). Here a project of a lab type is
launched at a meeting when fewer than ``max_active_projects`` run; the type is
drawn by the alliance's priorities; up to ``participants`` members of the lab's
sectors take part (chance proportional to trust). Every month each participant
pays ``contribution_eur_month`` unless it free-rides: with chance
``free_riding_propensity`` x (1 - trust), or when it lacks the cash. At the end
the project succeeds with chance

    success_rate x (0.5 + 0.5 x participants' mean trust) x share of contributions paid

and then changes the participants' demand, productivity or CO2 per EUR of
output by ``effect_size``. A demand gain is market share won from someone:
``gain_from_local_rivals`` of it from local firms of the participants' sectors that
did not take part (in proportion to their final demand, at most half of it), the
rest from rivals outside the region (exports, and residents' spending that went
outside before). Participants give ``staff_hours_month`` of staff time to a running
project, which is not production time (``reserve_staff_time``). Success raises participants' trust by ``trust_gain``
of the gap to 1 and other members' by half that (a visible success); failure
lowers participants' trust by ``trust_loss``; free riders lower all members'
trust (``free_riding_penalty``). Effect sizes are stated assumptions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from bottrop_sim.governance.holders import holders_of
from bottrop_sim.governance.membership import HOURS_PER_MONTH
from bottrop_sim.scenario.governance import LAB_TYPES
from bottrop_sim.streams import weighted_sample

#: Multiplier that keeps (firm, project) keys apart: project keys stay below it for 2**40 / 4 months.
PAIR_KEY = 1 << 40

if TYPE_CHECKING:
    from bottrop_sim.governance.alliance import Alliance
    from bottrop_sim.model import BottropModel
    from bottrop_sim.scenario.governance import LabSpec


@dataclass
class Project:
    """A running joint project."""

    lab: str
    participants: np.ndarray
    months_left: int
    required_eur: float
    paid_eur: float = 0.0
    free_riders: int = 0
    contributions_due: int = 0
    trust_at_start: float = field(default=0.0)
    started: int = 0  # model month of its launch (at most one launch a month: with the lab, the project's identity)

    @property
    def key(self) -> int:
        """The project's identity for keyed draws: its launch month and lab (two projects of a lab never share a draw)."""
        return self.started * len(LAB_TYPES) + LAB_TYPES.index(self.lab)


def launch(model: BottropModel, alliance: Alliance) -> Project | None:
    """Start one project if there is room, funds and members for it (participants drawn by firm-keyed numbers)."""
    spec, firms, n = alliance.spec, model.firms, model.firms.size
    if len(alliance.projects) >= spec.max_active_projects:
        return None
    members = firms.member[:n] & firms.alive[:n]
    labs, weights, pools = [], [], []
    for name, lab in spec.labs.items():
        if not lab.enabled:
            continue
        eligible = np.flatnonzero(members & _in_sectors(model, lab))
        if len(eligible) >= 2:
            labs.append(name)
            weights.append(alliance.priorities.get(name, 1.0))
            pools.append(eligible)
    if not labs:
        return None
    weights_array = np.asarray(weights, float)
    lab_ids = [LAB_TYPES.index(name) for name in labs]
    pick = int(weighted_sample(model.streams.uniform("project_lab", model.month, lab_ids), weights_array)[0])
    lab = spec.labs[labs[pick]]
    eligible = pools[pick]
    count = min(lab.participants, len(eligible))
    trust = np.maximum(firms.trust[eligible], 1e-9)
    chosen = eligible[weighted_sample(model.streams.uniform("project_participants", model.month, eligible), trust, count)]
    project = Project(
        lab=labs[pick],
        participants=np.sort(chosen),
        months_left=lab.duration_months,
        required_eur=lab.contribution_eur_month * count * lab.duration_months,
        trust_at_start=float(firms.trust[chosen].mean()),
        started=int(model.month),
    )
    alliance.projects.append(project)
    alliance.attempts[project.lab] = alliance.attempts.get(project.lab, 0) + 1
    return project


def collect_contributions(model: BottropModel, alliance: Alliance) -> None:
    """Participants pay their monthly contribution, or free-ride (a draw keyed by the firm and the project)."""
    firms = model.firms
    due = [(project, project.participants[firms.alive[project.participants] & firms.member[project.participants]]) for project in alliance.projects]
    due = [(project, slots) for project, slots in due if len(slots)]
    if not due:
        return
    # keyed by the firm and the project: each number depends on its key alone, so one call draws every project's.
    # Trust and holders do not change here: free riding and holders are found for all at once; cash is read per project,
    # after the projects before it were paid (a firm may take part in two).
    every = np.concatenate([slots for _, slots in due])
    draws = model.streams.uniform("free_riding", model.month, np.concatenate([slots * PAIR_KEY + project.key for project, slots in due]))
    free_rides = (draws < alliance.spec.free_riding_propensity * (1.0 - firms.trust[every])).tolist()
    holders = holders_of(model, every).tolist()
    start = 0
    for project, slots in due:
        contribution = alliance.spec.labs[project.lab].contribution_eur_month
        end = start + len(slots)
        paying, payers = [], []
        for slot, cash, free_ride, holder in zip(slots.tolist(), firms.liquidity[slots].tolist(), free_rides[start:end], holders[start:end], strict=True):
            if not free_ride and not cash < contribution:  # neither free riding nor broke
                paying.append(slot)
                payers.append(holder)
        start = end
        firms.liquidity[paying] -= contribution
        project.paid_eur += contribution * len(paying)
        project.free_riders += len(slots) - len(paying)
        project.contributions_due += len(slots)
        model.accounts.pay_from_holders("alliance_contributions", np.array(payers, np.int64), model.accounts.rest_of_world, np.full(len(paying), contribution))


def finish(model: BottropModel, alliance: Alliance) -> None:
    """Count down running projects; settle those that end (success drawn per project and month)."""
    firms, spec = model.firms, alliance.spec
    running = []
    for project in alliance.projects:
        project.months_left -= 1
        if project.months_left > 0:
            running.append(project)
            continue
        lab = spec.labs[project.lab]
        alive = project.participants[firms.alive[project.participants]]
        funded = min(1.0, project.paid_eur / project.required_eur) if project.required_eur > 0 else 1.0
        trust = float(firms.trust[alive].mean()) if len(alive) else 0.0
        chance = lab.success_rate * (0.5 + 0.5 * trust) * funded
        if len(alive) and model.streams.uniform("project_success", model.month, [project.key])[0] < chance:
            _apply_effect(model, lab, alive)
            n = firms.size
            members = np.flatnonzero(firms.member[:n] & firms.alive[:n])
            firms.trust[members] += 0.5 * spec.trust_gain * (1.0 - firms.trust[members])  # a visible success
            firms.trust[alive] += spec.trust_gain * (1.0 - firms.trust[alive])
            alliance.successes[project.lab] = alliance.successes.get(project.lab, 0) + 1
        else:
            firms.trust[alive] -= spec.trust_loss * firms.trust[alive]
        alliance.free_riders_since_meeting += project.free_riders
        alliance.contributions_since_meeting += project.contributions_due
    alliance.projects = running


def reserve_staff_time(alliance: Alliance, capacity: np.ndarray, productivity: np.ndarray) -> None:
    """Take participants' project hours off their output capacity (in place)."""
    for project in alliance.projects:
        hours = alliance.spec.labs[project.lab].staff_hours_month
        if hours > 0:
            slots = project.participants
            capacity[slots] = np.maximum(capacity[slots] - hours / HOURS_PER_MONTH * productivity[slots], 0.0)


def _win_demand(model: BottropModel, lab: LabSpec, slots: np.ndarray) -> None:
    """Participants gain ``effect_size`` of their final demand: part from local rivals, the rest from outside."""
    firms, n = model.firms, model.firms.size
    gain_exogenous = lab.effect_size * firms.exogenous_demand[slots]
    gain_household = lab.effect_size * firms.household_demand[slots]
    taken = 0.0
    if lab.gain_from_local_rivals > 0 and lab.effect_size > 0:
        rivals_of = firms.alive[:n] & ~firms.is_mine[:n]
        rivals_of[slots] = False
        for sector in np.unique(firms.sector[slots]):
            in_sector = firms.sector[slots] == sector
            rivals = np.flatnonzero(rivals_of & (firms.sector[:n] == sector))
            for gain, demand in ((gain_exogenous, firms.exogenous_demand), (gain_household, firms.household_demand)):
                base = demand[rivals]
                wanted = lab.gain_from_local_rivals * float(gain[in_sector].sum())
                available = 0.5 * float(base.sum())
                take = min(wanted, available)
                if take > 0:
                    demand[rivals] -= take * base / base.sum()
                    taken += take
    model.demand_flows["created"] += float(gain_exogenous.sum() + gain_household.sum()) - taken  # won from rivals outside the region
    firms.exogenous_demand[slots] += gain_exogenous
    firms.household_demand[slots] += gain_household


def _apply_effect(model: BottropModel, lab: LabSpec, slots: np.ndarray) -> None:
    firms = model.firms
    factor = 1.0 + lab.effect_size
    if lab.effect == "demand":
        _win_demand(model, lab, slots)
    elif lab.effect == "productivity":
        firms.productivity[slots] *= factor
    else:
        firms.emission_per_output[slots] *= factor


def _in_sectors(model: BottropModel, lab: LabSpec) -> np.ndarray:
    firms, n = model.firms, model.firms.size
    if not lab.sectors:
        return ~firms.is_mine[:n]
    codes = [model.sector_names.index(s) for s in lab.sectors if s in model.sector_names]
    return np.isin(firms.sector[:n], codes) & ~firms.is_mine[:n]
