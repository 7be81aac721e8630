"""Small random economies for invariant tests (hypothesis strategies and helpers)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from bottrop_sim.scenario import scenario_from_dict


@st.composite
def sector_tables(draw: st.DrawFn, min_sectors: int = 2, max_sectors: int = 5) -> pd.DataFrame:
    """A random, productive sector table with tens of firms in all."""
    n = draw(st.integers(min_sectors, max_sectors))
    names = [f"s{i}" for i in range(n)]
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    coefficients = rng.uniform(0, 1, (n, n)) * (rng.uniform(0, 1, (n, n)) < 0.7)
    column_sum = rng.uniform(0.05, 0.6, n)
    coefficients = coefficients / np.maximum(coefficients.sum(axis=0), 1e-12) * column_sum
    frame = pd.DataFrame({"sector": names})
    for i, name in enumerate(names):
        frame[f"a_{name}"] = coefficients[i, :]
    frame["final_demand_eur_month"] = rng.uniform(2e5, 2e6, n)
    frame["labour_per_output"] = rng.uniform(5e-5, 2e-4, n)
    frame["emission_per_output"] = rng.uniform(0, 1e-3, n)
    frame["import_per_output"] = np.minimum(rng.uniform(0.05, 0.4, n), 0.95 - column_sum)
    frame["wage_eur_month"] = rng.uniform(2000, 4000, n)
    frame["mean_establishment_size"] = rng.uniform(3, 30, n)
    return frame


def write_table(frame: pd.DataFrame) -> str:
    """Write a table to a fresh temporary CSV file and return its path."""
    folder = Path(tempfile.mkdtemp(prefix="bottrop-table-"))
    path = folder / "table.csv"
    frame.to_csv(path, index=False)
    return str(path)


def small_scenario(
    frame: pd.DataFrame,
    *,
    behaviour: str = "adaptive",
    months: int = 24,
    mine_staff: int = 0,
    closure: bool = False,
    seed: int = 1,
    governance: dict | None = None,
):
    """A scenario on the given table; with ``mine_staff`` a mine outside the table buys from its first sector."""
    data: dict = {
        "name": "small",
        "start": "2015-01",
        "end": f"{2015 + (months - 1) // 12}-{(months - 1) % 12 + 1:02d}",
        "seed": seed,
        "behaviour": behaviour,
        "economy": {"sector_table": write_table(frame)},
        "mine": {"enabled": mine_staff > 0, "sector": "mine", "staff": mine_staff, "local_purchases_eur_month": {frame["sector"][0]: 2e5}},
        "labour": {"out_commuters": 500},
        "governance": governance or {"mode": "none"},
    }
    if closure:
        data["shocks"] = [
            {
                "type": "mine_closure",
                "closure_date": "2015-10-15",
                "staff_path": [{"month": "2015-02", "staff": mine_staff}, {"month": "2015-12", "staff": 0}],
            }
        ]
    return scenario_from_dict(data)
