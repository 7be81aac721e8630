"""A ledger and households for the fast accounting tests (tests/test_accounts_fast.py and the modules beside it)."""

from __future__ import annotations

import numpy as np

from bottrop_sim.economy.accounts import Accounts
from bottrop_sim.economy.households import Households
from bottrop_sim.scenario.schema import HouseholdSpec

SECTORS = ("a", "b")  # holders: firms:a 0, firms:b 1, mine 2, households 3, city 4, state 5, bank 6, rest_of_world 7


def ledger() -> Accounts:
    accounts = Accounts(SECTORS, "2014-12")
    accounts.open(np.zeros(len(accounts.holders)))
    return accounts


def households(**spec) -> Households:
    return Households(HouseholdSpec(**spec), outside_wage=300.0, benefit=100.0, retirement_income=200.0, elasticity=1.0)
