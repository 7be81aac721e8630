"""Stock-flow consistency checked from a run's outputs alone (``.accounts`` and ``.balances``).

Nothing here reads the model's booking code: the check recomputes, from the two
tables, what every holder received and paid in each month and compares it with
the change of its position.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

INSTITUTIONS = {"mine", "households", "city", "state", "bank", "rest_of_world"}


def check_stock_flow_consistency(accounts: pd.DataFrame, balances: pd.DataFrame, relative: float = 1e-9) -> dict[str, float]:
    """Assert the identities every month; returns the largest relative errors found.

    * every amount is positive and every payer and payee is a known institution;
    * the change of each holder's position = what it received - what it paid;
    * the sum of all positions is the same in every month (zero: every claim is someone's debt).

    Errors are relative to the month's total of all transactions.
    """
    assert list(accounts.columns) == ["date", "payer", "payee", "kind", "eur"]
    assert list(balances.columns) == ["date", "holder", "eur"]
    bad = accounts[~(accounts["eur"] > 0) | ~np.isfinite(accounts["eur"])]
    assert bad.empty, bad.head()
    names = set(balances["holder"])
    assert names >= INSTITUTIONS and all(n in INSTITUTIONS or n.startswith("firms:") for n in names)
    assert set(accounts["payer"]) <= names and set(accounts["payee"]) <= names
    positions = balances.pivot(index="date", columns="holder", values="eur").sort_index()
    change = positions.diff().iloc[1:]
    received = accounts.groupby(["date", "payee"])["eur"].sum().unstack(fill_value=0.0)
    paid = accounts.groupby(["date", "payer"])["eur"].sum().unstack(fill_value=0.0)
    net = received.reindex(index=change.index, columns=change.columns, fill_value=0.0) - paid.reindex(
        index=change.index, columns=change.columns, fill_value=0.0
    )
    scale = accounts.groupby("date")["eur"].sum().reindex(change.index).fillna(0.0).clip(lower=1.0)
    flow_error = (change - net).abs().max(axis=1) / scale
    assert set(accounts["date"]) <= set(change.index), "transactions dated outside the simulated months"
    assert (flow_error <= relative).all(), flow_error[flow_error > relative].head()
    total = positions.sum(axis=1)
    total_error = (total - total.iloc[0]).abs().iloc[1:] / scale
    assert (total_error <= relative).all(), total_error[total_error > relative].head()
    assert abs(total.iloc[0]) <= relative * scale.max()
    return {"flows": float(flow_error.max()), "sum": float(total_error.max())}
