"""Short-time work (Kurzarbeit): firms cut hours instead of staff in a temporary fall of orders; the state pays an allowance.

Rules (SGB III §§ 95-109; parameters in the scenario's ``[short_time_work]`` section,
docs/ODD.md "Short-time work"):

* **When.** A firm may go on short-time work in a month in which a temporary shock acts
  on its sector (a recession, an energy price shock, a supply disruption: SGB III § 96,
  "vorübergehend", from economic causes or an unavoidable event); the closure of the mine
  is structural and qualifies nobody. It goes on it if it is eligible and applies (a keyed
  draw below ``take_up_share``).
* **Instead of layoffs.** Only a firm whose staffing plan has a surplus beyond its hoarding
  tolerance (it would lay staff off and recruits nobody,
  :class:`~bottrop_sim.model.population.PartialAdjustment`) goes on, or stays on, short-time
  work; a smaller fall it absorbs by hoarding labour, as before.
* **Eligibility.** The firm's lost work is its staff beyond what this month's orders need,
  ``lost = headcount - orders / productivity`` (full-time persons): short-time work is
  notified and settled month by month on the hours actually lost (SGB III §§ 99, 323),
  so it follows orders at once, not the firm's smoothed expectation. It spreads
  the lost work over ``persons = ceil(lost / hours_lost_per_person)`` workers (at most all
  of them), each losing ``lost / persons`` of their hours and pay. It is eligible when
  ``persons >= min_affected_share x headcount`` and each affected worker loses more than
  ``min_pay_loss_share`` of their pay.
* **While on it.** The firm lays nobody off and hires nobody (staff who leave are not
  replaced); its affected workers stay employed (counted as jobs, not unemployed); it pays
  the hours worked, so its wage bill is ``(headcount - lost) x wage`` and its capacity
  ``(headcount - lost) x productivity x (1 + spare capacity)``. The state pays the
  allowance, ``rate x lost gross pay x (1 - tax_and_contributions_rate)``, to the workers
  (residents: households; in-commuters: rest of the world); the rate is the share-weighted
  mean of the rates without and with children, raised from a month of receipt on where
  the scenario says so (for workers losing at least ``raised_rates_min_loss``). The firm
  pays social contributions on the lost pay, ``contribution_rate_on_lost_pay`` x lost gross
  pay, to the state, which refunds ``contribution_refund_share`` of them.
* **End.** A spell ends when the firm is no longer eligible (its orders recovered) or has
  lasted ``max_months``; the firm's staff then follow the usual rules (layoffs of a
  surplus). A new spell may begin after ``restart_after_months`` months without it
  (SGB III § 104(3)).

Decisions are taken at staffing (the end of a month) for the next month; the allowance is
paid in the month the hours are lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from bottrop_sim.economy.accounting import FirmArrays
    from bottrop_sim.economy.accounts import Accounts
    from bottrop_sim.scenario.short_time import ShortTimeWorkSpec
    from bottrop_sim.streams import Streams

_ARRAYS = (("persons", np.int64), ("hours_lost", float), ("spell_month", np.int64), ("months_off", np.int64))
_PAID = (("paid_persons", np.int64), ("paid_hours_lost", float), ("paid_month", np.int64), ("allowance", float))


@dataclass
class ShortTimePayments:
    """This month's short-time work totals (EUR; persons)."""

    persons: int = 0
    hours_lost: float = 0.0  # full-time persons' worth of hours lost
    firms: int = 0
    allowance: float = 0.0  # state -> workers
    allowance_to_residents: float = 0.0
    contributions: float = 0.0  # firms -> state, on the lost pay
    refunds: float = 0.0  # state -> firms


class ShortTimeWork:
    """The short-time work of all firms (arrays by firm slot).

    Args:
        spec: the scenario's short-time work rules.
        streams: the run's keyed random streams (take-up draws keyed by firm and month).
        net_pay_share: net pay per EUR of gross pay (1 - households' tax and contributions rate).
        capacity: initial number of firm slots.
    """

    def __init__(self, spec: ShortTimeWorkSpec, streams: Streams, net_pay_share: float, capacity: int) -> None:
        self.spec = spec
        self.streams = streams
        self.net_pay_share = net_pay_share
        for name, dtype in (*_ARRAYS, *_PAID):
            setattr(self, name, np.zeros(capacity, dtype))
        self.month_totals = ShortTimePayments()

    def _fit(self, capacity: int) -> None:
        if len(self.persons) >= capacity:
            return
        for name, dtype in (*_ARRAYS, *_PAID):
            old = getattr(self, name)
            grown = np.zeros(capacity, dtype)
            grown[: len(old)] = old
            setattr(self, name, grown)

    def lost_work(self, firms: FirmArrays, n: int) -> np.ndarray:
        """Hours lost this month per slot (full-time persons), capacity-sized (for the wage bill and capacity).

        A firm that exited since its decision has none; one that moved staff into a branch loses at most
        the hours of the staff it still has (and has at most that many persons on short-time work).
        """
        self._fit(firms.capacity)
        if not self.persons[:n].any():  # nobody on short-time work: no hours lost
            self.hours_lost[:n] = 0.0
            return self.hours_lost
        alive, headcount = firms.alive[:n], firms.headcount[:n]
        self.persons[:n] = np.where(alive, np.minimum(self.persons[:n], headcount), 0)
        self.hours_lost[:n] = np.where(alive & (self.persons[:n] > 0), np.minimum(self.hours_lost[:n], headcount), 0.0)
        return self.hours_lost

    def _spread(self, headcount: np.ndarray, lost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        persons = np.minimum(headcount, np.ceil(lost / self.spec.hours_lost_per_person - 1e-9)).astype(np.int64)
        share = np.divide(lost, persons, out=np.zeros(len(lost)), where=persons > 0)
        return persons, share

    def plan(self, month: int, firms: FirmArrays, movable: np.ndarray, target: np.ndarray, would_lay_off: np.ndarray, shocked: np.ndarray) -> np.ndarray:
        """Which firms are on short-time work next month (mask over the first ``n`` slots).

        Args:
            month: model month number (keys the take-up draws).
            firms: the firm arrays.
            movable: firms that adjust staff (active, not the mine).
            target: staff each firm's orders of this month need (persons, fractional).
            shocked: per slot, whether a temporary shock acts on its sector this month.
            would_lay_off: firms whose staffing plan has a surplus beyond their hoarding tolerance (they would
                lay staff off and do not recruit): short-time work replaces layoffs, so only they go on (or stay on) it.
        """
        n = len(movable)
        self._fit(firms.capacity)
        if not self.spec.enabled or n == 0:
            return np.zeros(n, bool)
        if not shocked.any() and not self.persons[:n].any():  # nobody continues a spell, nobody may start one
            return np.zeros(n, bool)
        spec = self.spec
        headcount = firms.headcount[:n]
        lost = np.where(movable, np.clip(headcount - target, 0.0, headcount), 0.0)
        persons, share = self._spread(headcount, lost)
        eligible = movable & would_lay_off & (persons >= 1) & (persons >= spec.min_affected_share * headcount) & (share > spec.min_pay_loss_share)
        on_now = self.persons[:n] > 0
        spell = self.spell_month[:n]
        continuing = on_now & eligible & (spell < spec.max_months)
        starting = ~on_now & eligible & shocked & (spell == 0)
        if starting.any() and spec.take_up_share < 1.0:
            starting &= self.streams.uniform("short_time_take_up", month, n) < spec.take_up_share
        return continuing | starting

    def set_hours(self, firms: FirmArrays, on: np.ndarray, target: np.ndarray) -> None:
        """After staffing: the hours lost and persons affected next month of the firms on short-time work; spell counters."""
        n = len(on)
        if not on.any() and not self.spell_month[:n].any():  # no firm on it and no spell to count off: nothing to set
            self.persons[:] = 0
            self.hours_lost[:] = 0.0
            return
        headcount = firms.headcount[:n]
        lost = np.where(on, np.clip(headcount - target, 0.0, headcount), 0.0)
        persons, share = self._spread(headcount, lost)
        spec = self.spec
        on = on & (persons > 0) & (persons >= spec.min_affected_share * headcount) & (share > spec.min_pay_loss_share)  # still eligible after leavers
        self.persons[:n] = np.where(on, persons, 0)
        self.hours_lost[:n] = np.where(on, lost, 0.0)
        self.persons[n:] = 0
        self.hours_lost[n:] = 0.0
        off = ~on & (self.spell_month[:n] > 0)
        self.months_off[:n] = np.where(on, 0, self.months_off[:n] + off)
        restart = off & (self.months_off[:n] >= self.spec.restart_after_months)
        self.spell_month[:n] = np.where(restart, 0, self.spell_month[:n])
        self.months_off[:n] = np.where(restart, 0, self.months_off[:n])

    def rates(self, spell_month: np.ndarray, hours_share: np.ndarray) -> np.ndarray:
        """Replacement rate per slot for this month of receipt (share of the lost net pay)."""
        spec = self.spec
        children = spec.share_with_children
        rate = np.full(len(spell_month), (1.0 - children) * spec.replacement_rate + children * spec.replacement_rate_with_children)
        for raised in spec.raised_rates:
            applies = (spell_month >= raised.from_month) & (hours_share >= spec.raised_rates_min_loss)
            rate = np.where(applies, (1.0 - children) * raised.rate + children * raised.rate_with_children, rate)
        return rate

    def pay(self, accounts: Accounts, firms: FirmArrays, holder: np.ndarray, resident_wage_share: np.ndarray, cash: np.ndarray) -> ShortTimePayments:
        """Pay this month's allowance, the contributions on the lost pay and their refund; all booked.

        Args:
            accounts: the region's accounts.
            firms: the firm arrays (``liquidity`` changes by the net contributions).
            holder: accounts holder per slot.
            resident_wage_share: per slot, residents' share of its staff (the rest are in-commuters).
            cash: this month's cash result of trade per slot (lowered by the net contributions).
        """
        n = firms.size
        self._fit(firms.capacity)
        for name, _dtype in _PAID:
            getattr(self, name)[:] = 0
        active = firms.alive[:n] & (self.persons[:n] > 0)
        totals = ShortTimePayments()
        if not active.any():
            self.month_totals = totals
            return totals
        self.spell_month[:n] += active
        persons = np.where(active, self.persons[:n], 0)
        lost = np.where(active, self.hours_lost[:n], 0.0)
        share = np.divide(lost, persons, out=np.zeros(n), where=persons > 0)
        lost_pay = lost * firms.wage[:n]
        allowance = lost_pay * self.net_pay_share * self.rates(self.spell_month[:n], share)
        contributions = lost_pay * self.spec.contribution_rate_on_lost_pay
        refunds = contributions * self.spec.contribution_refund_share
        to_residents = allowance * resident_wage_share[:n]
        accounts.pay("short_time_allowance", accounts.state, accounts.households, float(to_residents.sum()))
        accounts.pay("short_time_allowance", accounts.state, accounts.rest_of_world, float((allowance - to_residents).sum()))
        bookings = (("from", "short_time_contributions", accounts.state), ("to", "short_time_contribution_refunds", accounts.state))
        accounts.pay_sums(bookings, accounts.row_sums_by_holder(holder[:n], np.stack([contributions, refunds])))
        net = contributions - refunds
        firms.liquidity[:n] -= net
        cash[:n] -= net
        self.paid_persons[:n] = persons
        self.paid_hours_lost[:n] = lost
        self.paid_month[:n] = np.where(active, self.spell_month[:n], 0)
        self.allowance[:n] = allowance
        totals = ShortTimePayments(
            persons=int(persons.sum()),
            hours_lost=float(lost.sum()),
            firms=int(active.sum()),
            allowance=float(allowance.sum()),
            allowance_to_residents=float(to_residents.sum()),
            contributions=float(contributions.sum()),
            refunds=float(refunds.sum()),
        )
        self.month_totals = totals
        return totals
