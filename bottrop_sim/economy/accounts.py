"""The region's accounts: every euro paid, by whom, to whom, for what; every institution's money position.

A transactions-flow matrix in the sense of Godley & Lavoie (2007, ch. 2): each
month every monetary transaction is booked once, from its payer to its payee,
with its kind. Institutions (holders):

* ``firms:<sector>``: the establishments of a sector of the table (the mine excluded);
* ``mine``: the mine;
* ``households``: resident workers' households (employed, out-commuting, unemployed, in training, early-retired);
* ``city``: the city of Bottrop (trade tax, its economic development programmes);
* ``state``: Land and federal government with the social insurances (income tax and
  contributions, profit taxes, unemployment benefit, Anpassungsgeld, the coal subsidy,
  public final demand, the city's fiscal equalisation);
* ``bank``: the banks that give firms their credit lines (interest, loan losses);
* ``rest_of_world``: everybody outside the region (exports, imports, commuters' wages
  in and out, owners outside, households' spending outside).

A holder's position is its net money position (deposits minus debt). Firms'
and the mine's positions are the sums of their cash in the firm arrays
(negative while a credit line is drawn); the other holders' positions are kept
here and move only with their bookings; households' position is their savings, kept by
:class:`~bottrop_sim.economy.households.Households`. The opening positions sum to zero (the
rest of the world's is minus the region's), so the sum of all positions is zero
in every month; the change of each position is what it received minus what it
paid. Credit lines are not flows: drawing one turns a firm's position negative
(a debt to the bank); only interest and write-offs are booked.

Storage is one dense array (kinds x holders x holders) per month; the tidy
DataFrames are built only when asked for (:meth:`Accounts.accounts_frame`,
:meth:`Accounts.balances_frame`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from bottrop_sim.economy.kernels import CSR_MATVEC

#: Kinds of transaction, in the order of the monthly arrays. See docs/ODD.md §7.2 for payer and payee of each.
KINDS = (
    "exports",  # rest_of_world -> firms, mine: final sales to export demand (coal included)
    "public_demand",  # state -> firms: final sales to public consumption and investment
    "household_purchases",  # households -> firms: residents' local spending
    "visitor_purchases",  # rest_of_world -> firms: local household-type spending of non-residents
    "intermediate_purchases",  # firms, mine -> firms: local inputs
    "price_surcharges",  # buyers -> firms: the energy cost passed on through prices
    "imports",  # firms, mine -> rest_of_world: imported inputs
    "rationed_inputs",  # firms, mine -> rest_of_world: local inputs a rationed supplier could not deliver, bought outside at a premium
    "energy_costs",  # firms -> rest_of_world: an energy price shock's extra energy cost
    "wages",  # firms, mine -> households (residents), rest_of_world (in-commuters)
    "fixed_costs",  # firms, mine -> rest_of_world: capital costs, rents, leasing
    "operating_subsidies",  # state -> firms: where baseline value added does not cover the wage bill
    "interest",  # firms -> bank: interest on drawn credit lines
    "profit_taxes",  # firms -> state: corporate income tax on profits
    "trade_tax",  # firms -> city: Gewerbesteuer on profits
    "dividends",  # firms -> households (resident owners), rest_of_world (owners outside)
    "coal_subsidy",  # state -> mine: the mine's cash result settled (negative results only; a surplus goes back)
    "outside_wages",  # rest_of_world -> households: out-commuters' wages
    "unemployment_benefit",  # state -> households: unemployed and trainees
    "early_retirement_income",  # state -> households: Anpassungsgeld of early-retired miners
    "income_taxes",  # households -> state: income tax and social contributions on wages
    "outside_spending",  # households -> rest_of_world: consumption outside the region
    "startup_capital",  # households, rest_of_world -> firms: owners' capital of new firms
    "startup_grants",  # city -> firms: starting capital of city-funded start-ups
    "diversification_grants",  # city -> firms: the city's share of a diversification's cost
    "diversification_costs",  # firms -> rest_of_world: the full cost of a diversification
    "search_costs",  # firms -> rest_of_world: customer search
    "alliance_contributions",  # firms -> rest_of_world: membership fees and project contributions
    "city_programmes",  # city -> rest_of_world: the office's overhead, retraining vouchers, the hybrid coordinator
    "fiscal_equalisation",  # state -> city (or back): the city's monthly deficit covered
    "branch_capital",  # firms -> firms: starting cash a parent moves to its new branch
    "loan_write_off",  # bank -> firms: the debt of a firm that exits insolvent
    "exit_payout",  # firms -> households, rest_of_world: the cash of a firm that closes with money left
    "switching_costs",  # firms -> rest_of_world: a buyer's one-off cost of switching an import to a brokered local supplier
    "local_price_premiums",  # firms -> firms: the dearer price of a brokered local supplier over the import it replaced
    "city_purchases",  # city -> firms: the part of public final demand the city pays from its own tax revenue
    "income_tax_share",  # state -> city: the city's share of residents' income tax (Gemeindeanteil)
    "pooling_training",  # firms -> rest_of_world: training of staff a member took over from another member of a less related sector
    "alliance_office",  # state -> rest_of_world: the alliance's office paid from public project funding (BMBF) until its end
    "short_time_allowance",  # state -> households (residents), rest_of_world (in-commuters): Kurzarbeitergeld on hours lost
    "short_time_contributions",  # firms -> state: social contributions on the pay lost to short-time work
    "short_time_contribution_refunds",  # state -> firms: the Bundesagentur's refund of those contributions (2020-21)
)
KIND_INDEX = {name: i for i, name in enumerate(KINDS)}
INSTITUTIONS = ("mine", "households", "city", "state", "bank", "rest_of_world")


class Accounts:
    """The monthly transactions-flow arrays and the institutions' positions.

    Args:
        sectors: sector ids of the table (one ``firms:<sector>`` holder each).
        start_label: date label of the opening positions ('YYYY-MM', the month before the first simulated one).
    """

    def __init__(self, sectors: tuple[str, ...], start_label: str) -> None:
        self.holders: tuple[str, ...] = tuple(f"firms:{s}" for s in sectors) + INSTITUTIONS
        self.index = {name: i for i, name in enumerate(self.holders)}
        self.n_sectors = len(sectors)
        size = len(self.holders)
        self.mine, self.households, self.city, self.state, self.bank, self.rest_of_world = (self.index[name] for name in INSTITUTIONS)
        self.kept_here = np.zeros(size, bool)  # positions kept by this ledger (the others are read from the model's state)
        self.kept_here[[self.city, self.state, self.bank, self.rest_of_world]] = True
        self._kept = np.flatnonzero(self.kept_here).tolist()
        self.position = np.zeros(size)
        self.month = np.zeros((len(KINDS), size, size))
        self._months: list[np.ndarray] = []
        self._balances: list[np.ndarray] = []
        self._dates: list[str] = []
        self._opening_label = start_label
        self._opening: np.ndarray | None = None
        self._pairs: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
        self._cells: dict[tuple[tuple[str, str, int], ...], tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]] = {}
        self._bins: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}

    def __getstate__(self) -> dict:
        """Pickle without the booking caches (they are rebuilt on first use)."""
        state = self.__dict__.copy()
        state["_pairs"], state["_cells"], state["_bins"] = None, {}, {}
        return state

    # -- booking -------------------------------------------------------------
    def pay(self, kind: str, payer: int, payee: int, eur: float) -> None:
        """Book one payment (a negative amount is booked the other way round)."""
        if eur < 0:
            payer, payee, eur = payee, payer, -eur
        if eur == 0:
            return
        self.month[KIND_INDEX[kind], payer, payee] += eur
        if self.kept_here[payer]:
            self.position[payer] -= eur
        if self.kept_here[payee]:
            self.position[payee] += eur

    def pay_from_holders(self, kind: str, payers: np.ndarray, payee: int, eur: np.ndarray) -> None:
        """Book payments from many payers (holder index per entry) to one payee; negative entries go the other way.

        Without negative entries (the usual case: fees, contributions, costs) the reverse
        bookings are sums of +0.0: adding them changes no cell of ``month`` (which holds
        no -0.0) and subtracting them changes no payment, so they are left out.
        """
        size = len(self.holders)
        if len(eur) and eur.min() >= 0.0:  # not for NaN (min is NaN), nor for no entries (the plain path's +0.0 stays)
            positive = np.bincount(payers, weights=eur, minlength=size)
            self.month[KIND_INDEX[kind], :, payee] += positive
            self._move(positive, payee)
            return
        positive = np.bincount(payers, weights=np.maximum(eur, 0.0), minlength=size)
        negative = np.bincount(payers, weights=np.maximum(-eur, 0.0), minlength=size)
        k = KIND_INDEX[kind]
        self.month[k, :, payee] += positive
        self.month[k, payee, :] += negative
        self._move(positive - negative, payee)

    def pay_to_holders(self, kind: str, payer: int, payees: np.ndarray, eur: np.ndarray) -> None:
        """Book payments from one payer to many payees (holder index per entry); negative entries go the other way."""
        size = len(self.holders)
        positive = np.bincount(payees, weights=np.maximum(eur, 0.0), minlength=size)
        negative = np.bincount(payees, weights=np.maximum(-eur, 0.0), minlength=size)
        k = KIND_INDEX[kind]
        self.month[k, payer, :] += positive
        self.month[k, :, payer] += negative
        self._move(-(positive - negative), payer)

    def sums_by_holder(self, holder: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """Per holder, the sums of each column of ``columns`` (slots x k) over its slots: (holders x k)."""
        return self.row_sums_by_holder(holder, np.asarray(columns, float).T).T

    def row_sums_by_holder(self, holder: np.ndarray, rows: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
        """Per holder, the sums of each row of ``rows`` (k x slots, or k arrays of the slots) over its slots: (k x holders).

        Each sum adds its slots in ascending slot order from zero, as the one-hot
        matrix product used before did (and ``np.bincount`` over the rows): one
        scipy ``csr_matvec`` per row with a (holders x slots) matrix of ones whose
        rows hold each holder's slots in ascending order (``0.0 + 1.0 * v`` is
        ``v``, then the same additions in the same order). The matrix is kept
        while the holders have the same values (compared element by element).
        """
        size = len(self.holders)
        holder = np.asarray(holder)
        kept = self._bins.get(0)
        if kept is None or not np.array_equal(kept[0], holder):
            order = np.argsort(holder, kind="stable")
            indptr = np.concatenate([[0], np.cumsum(np.bincount(holder, minlength=size))]).astype(np.int32)
            kept = self._bins[0] = (holder.copy(), indptr, order.astype(np.int32), np.ones(len(holder)))
        _, indptr, slots, ones = kept
        out = np.zeros((len(rows), size))
        for i, row in enumerate(rows):
            row = np.ascontiguousarray(row, np.float64)
            if CSR_MATVEC is None or row.shape != holder.shape:
                out[i] = np.bincount(holder, weights=row, minlength=size)  # the same additions in the same order
            else:
                CSR_MATVEC(size, len(holder), indptr, slots, ones, row, out[i])
        return out

    def pay_sums_from(self, kind: str, paid: np.ndarray, payee: int) -> None:
        """Book amounts ``paid`` by each holder (array over holders) to one payee; negative entries go the other way."""
        k = KIND_INDEX[kind]
        self.month[k, :, payee] += np.maximum(paid, 0.0)
        self.month[k, payee, :] += np.maximum(-paid, 0.0)
        self._move(paid, payee)

    def pay_sums_to(self, kind: str, payer: int, received: np.ndarray) -> None:
        """Book amounts ``received`` by each holder (array over holders) from one payer; negative entries go the other way."""
        k = KIND_INDEX[kind]
        self.month[k, payer, :] += np.maximum(received, 0.0)
        self.month[k, :, payer] += np.maximum(-received, 0.0)
        self._move(-received, payer)

    def holder_pairs(self, holder: np.ndarray, payer_slots: np.ndarray, payee_slots: np.ndarray) -> np.ndarray:
        """Flat (payer holder, payee holder) index of each payment: ``holder[payer_slots] * holders + holder[payee_slots]``.

        Kept for the next call while the slot arrays are the same read-only arrays
        (the network store's cached entries, new whenever its edges change) and
        ``holder`` has the same values; otherwise computed afresh.
        """
        kept = self._pairs
        same_holder = kept is not None and np.array_equal(kept[2], holder)
        if same_holder and kept[0] is payer_slots and kept[1] is payee_slots:
            return kept[3]
        cached = not (payer_slots.flags.writeable or payee_slots.flags.writeable)
        if same_holder and cached and len(payer_slots) >= len(kept[0]) and len(payer_slots) == len(payee_slots):
            # the network changed a few places (an exit, an entry, a new link): recompute only the pairs of
            # the places whose supplier or buyer changed, and of places added at the end (the same integers)
            old = len(kept[0])
            pairs = np.empty(len(payer_slots), np.int64)
            pairs[:old] = kept[3]
            changed = np.flatnonzero((payer_slots[:old] != kept[0]) | (payee_slots[:old] != kept[1]))
            pairs[changed] = holder[payer_slots[changed]] * len(self.holders) + holder[payee_slots[changed]]
            pairs[old:] = holder[payer_slots[old:]] * len(self.holders) + holder[payee_slots[old:]]
        else:
            pairs = holder[payer_slots] * len(self.holders) + holder[payee_slots]
        if cached:
            self._pairs = (payer_slots, payee_slots, holder.copy(), pairs)
        return pairs

    def pay_sums(self, bookings: tuple[tuple[str, str, int], ...], sums: np.ndarray) -> None:
        """Book each row of ``sums`` (k x holders) as one :meth:`pay_sums_from` or :meth:`pay_sums_to`.

        Every cell and every position gets the same additions in the same order as
        those calls one after another would give it (so the same bits), with a
        handful of numpy calls instead of a dozen per booking.

        Args:
            bookings: per row, ``("from", kind, payee)`` (each holder pays its amount to
                ``payee``) or ``("to", kind, payer)`` (each holder receives its amount from ``payer``).
            sums: EUR per booking and holder; negative entries go the other way.
        """
        cells, signs, counterpart_rows = self._booking_cells(bookings)
        # each call adds the holders' positive amounts to one side of the counterpart and the negative ones to the other
        # (written into one block in the order of ``cells``: booking, then side, then holder)
        amounts = np.empty((len(sums), 2, sums.shape[1]))
        np.maximum(sums, 0.0, out=amounts[:, 0])
        np.maximum(-sums, 0.0, out=amounts[:, 1])
        np.add.at(self.month.reshape(-1), cells, amounts.reshape(-1))
        # positions: each kept holder pays its amount of each booking in turn, then the counterpart (if kept) gets
        # the booking's total; as one running sum per holder (np.cumsum adds strictly in order; x - a is x + (-a),
        # and -0.0 where nothing is added leaves every value, signed zeros included, as it is)
        kept = self._kept
        k = len(bookings)
        steps = np.full((2 * k + 1, len(kept)), -0.0)
        steps[0] = self.position[kept]
        steps[1::2] = -(signs[:, None] * sums[:, kept])
        totals = sums.sum(axis=1)  # row by row, as each call sums its array
        rows, columns = counterpart_rows
        steps[2 * rows + 2, columns] = signs[rows] * totals[rows]
        self.position[kept] = np.cumsum(steps, axis=0)[-1]

    def _booking_cells(self, bookings: tuple[tuple[str, str, int], ...]) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """What :meth:`pay_sums` needs of its bookings (cached per tuple of bookings).

        Returns:
            The flat cells of ``month`` it adds to, in the order of the calls; per booking
            the sign of the amounts as paid by the holders (1 for ``"from"``, -1 for
            ``"to"``); the bookings whose counterpart's position is kept here, with that
            counterpart's column among the kept holders.
        """
        hit = self._cells.get(bookings)
        if hit is None:
            size = len(self.holders)
            holders = np.arange(size)
            parts = []
            for direction, kind, counterpart in bookings:
                base = KIND_INDEX[kind] * size * size
                to_counterpart, from_counterpart = base + holders * size + counterpart, base + counterpart * size + holders
                parts += [to_counterpart, from_counterpart] if direction == "from" else [from_counterpart, to_counterpart]
            signs = [1.0 if direction == "from" else -1.0 for direction, _, _ in bookings]
            kept_column = {h: column for column, h in enumerate(self._kept)}
            rows = [row for row, (_, _, counterpart) in enumerate(bookings) if counterpart in kept_column]
            columns = [kept_column[bookings[row][2]] for row in rows]
            hit = self._cells[bookings] = (np.concatenate(parts), np.array(signs), (np.array(rows, np.intp), np.array(columns, np.intp)))
        return hit

    def pay_matrix(self, kind: str, matrix: np.ndarray) -> None:
        """Book a (payer x payee) matrix of non-negative payments."""
        self.month[KIND_INDEX[kind]] += matrix
        kept = self.kept_here
        self.position[kept] += matrix.sum(axis=0)[kept] - matrix.sum(axis=1)[kept]

    def _move(self, paid_by: np.ndarray, counterpart: int) -> None:
        """Positions after holders paid ``paid_by`` (negative: received) to ``counterpart``."""
        kept = self.kept_here
        self.position[kept] -= paid_by[kept]
        if kept[counterpart]:
            self.position[counterpart] += paid_by.sum()

    # -- months --------------------------------------------------------------
    def open(self, firm_positions: np.ndarray) -> None:
        """Fix the opening positions: firms', the mine's and households' from their own state, the rest of the world as minus the region."""
        positions = self._positions(firm_positions)
        self.position[self.rest_of_world] = -(positions.sum() - positions[self.rest_of_world])
        self._opening = self._positions(firm_positions)

    def close_month(self, date: str, firm_positions: np.ndarray) -> None:
        """Store this month's flows and the end-of-month positions; start an empty month."""
        self._months.append(self.month)
        self._balances.append(self._positions(firm_positions))
        self._dates.append(date)
        self.month = np.zeros_like(self.month)

    def _positions(self, firm_positions: np.ndarray) -> np.ndarray:
        positions = self.position.copy()
        positions[~self.kept_here] = firm_positions[~self.kept_here]
        return positions

    # -- views ---------------------------------------------------------------
    def accounts_frame(self) -> pd.DataFrame:
        """Every booked transaction: ``date``, ``payer``, ``payee``, ``kind``, ``eur`` (> 0), one row per month, pair and kind."""
        if not self._months:
            return pd.DataFrame({"date": [], "payer": [], "payee": [], "kind": [], "eur": []})
        stacked = np.stack(self._months)
        month, kind, payer, payee = np.nonzero(stacked)
        holders = np.array(self.holders)
        return pd.DataFrame(
            {
                "date": np.array(self._dates)[month],
                "payer": holders[payer],
                "payee": holders[payee],
                "kind": np.array(KINDS)[kind],
                "eur": stacked[month, kind, payer, payee],
            }
        )

    def balances_frame(self) -> pd.DataFrame:
        """Each holder's net money position at the end of each month (opening positions first), EUR."""
        opening = [self._opening] if self._opening is not None else []
        rows = np.stack(opening + self._balances) if opening or self._balances else np.zeros((0, len(self.holders)))
        dates = ([self._opening_label] if opening else []) + self._dates
        return pd.DataFrame(
            {
                "date": np.repeat(np.array(dates), len(self.holders)),
                "holder": np.tile(np.array(self.holders), len(dates)),
                "eur": rows.ravel(),
            }
        )

    def kind_total(self, kind: str) -> float:
        """This month's total of one kind so far, EUR."""
        return float(self.month[KIND_INDEX[kind]].sum())
