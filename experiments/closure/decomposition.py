"""Decomposition of the closure's 2022 job gap (closure minus twin, same seed) by sector and by channel.

For each seed the closure scenario and its twin run to 2023-12; the gap is the
mean of ``employment_workplace`` over 2022 (twin minus closure) and the ratio is
the gap over the mine jobs lost (3,267). By sector: the gap in each sector's
employment. By channel: the ratio with everything on, and with one channel
switched off at a time (its contribution is the fall of the ratio when it is
off; channels interact, so contributions need not add up):

* ``supply_chain``: the mine buys nothing locally (``mine.local_purchases_eur_month = {}``);
* ``resident_income``: residents' local spending does not follow their income
  (``firms.household_spending_elasticity = 0``);
* ``commuter_spending``: in-commuters spend nothing locally;
* ``city_budget``: the Land makes good the city's whole revenue loss at once;
* ``agglomeration``: no agglomeration spillover;
* ``customer_search``: firms do not search for customers or diversify (it wins jobs back);
* ``out_migration``: no unemployed resident moves away.

Usage: python experiments/closure/decomposition.py [--seeds 1 2 3] [--workers 2]
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from bottrop_sim import load_scenario, simulate

ROOT = Path(__file__).resolve().parents[2]
CHANNELS = ("all", "supply_chain", "resident_income", "commuter_spending", "city_budget", "agglomeration", "customer_search", "out_migration")


def variant(channel_off: str):
    """The closure scenario to 2023-12 with one channel switched off ('all': none off)."""
    scenario = load_scenario(ROOT / "scenarios" / "closure_2018.toml").model_copy(update={"end": "2023-12"})
    update: dict = {}
    if channel_off == "supply_chain":
        update["mine"] = scenario.mine.model_copy(update={"local_purchases_eur_month": {}})
    elif channel_off == "resident_income":
        update["firms"] = scenario.firms.model_copy(update={"household_spending_elasticity": 0.0})
    elif channel_off == "commuter_spending":
        update["households"] = scenario.households.model_copy(update={"in_commuter_local_spending_eur_month": 0.0})
    elif channel_off == "city_budget":
        update["city_budget"] = scenario.city_budget.model_copy(update={"equalisation_rate": 1.0, "equalisation_lag_months": 0})
    elif channel_off == "agglomeration":
        update["economy"] = scenario.economy.model_copy(update={"agglomeration_elasticity": 0.0})
    elif channel_off == "customer_search":
        adaptation = scenario.governance.adaptation.model_copy(update={"customer_search": False, "diversification": False})
        update["governance"] = scenario.governance.model_copy(update={"adaptation": adaptation})
    elif channel_off == "out_migration":
        update["labour"] = scenario.labour.model_copy(update={"out_migration_rate": 0.0})
    return scenario.model_copy(update=update)


def gap(args: tuple[str, int]) -> dict:
    """The 2022 gap by sector, the ratio and the extra unemployment (2019-20) of one channel setting and seed."""
    channel_off, seed = args
    scenario = variant(channel_off)
    closure = simulate(scenario, seed=seed).timeseries.set_index("date")
    twin = simulate(scenario.without_shocks(), seed=seed).timeseries.set_index("date")
    year = slice("2022-01", "2022-12")
    columns = ["employment_workplace"] + [c for c in closure.columns if c.startswith("employment_") and c != "employment_workplace"]
    by_sector = twin.loc[year, columns].mean() - closure.loc[year, columns].mean()
    mine = twin.loc["2022-12", "mine_employment"] - closure.loc["2022-12", "mine_employment"]
    extra = closure["unemployment_rate"] - twin["unemployment_rate"]
    return {
        "channel_off": channel_off,
        "seed": seed,
        "ratio": by_sector["employment_workplace"] / mine,
        "unemployment_2019_20_pp": 100 * extra.loc["2019-01":"2020-12"].mean(),
        **{c.removeprefix("employment_"): v for c, v in by_sector.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--channels", nargs="+", default=list(CHANNELS))
    args = parser.parse_args()
    tasks = [(c, s) for c in args.channels for s in args.seeds]
    if args.workers > 1:
        with ProcessPoolExecutor(args.workers) as pool:
            rows = list(pool.map(gap, tasks))
    else:
        rows = [gap(t) for t in tasks]
    frame = pd.DataFrame(rows)
    pd.set_option("display.width", 250)
    print("Ratio (total jobs lost per mine job, 2022) and extra unemployment 2019-20 (pp), per seed:")
    print(frame.pivot(index="channel_off", columns="seed", values="ratio").round(3))
    print(frame.pivot(index="channel_off", columns="seed", values="unemployment_2019_20_pp").round(3))
    means = frame.groupby("channel_off").mean(numeric_only=True).drop(columns="seed")
    if "all" in means.index:
        contribution = means.loc["all", "ratio"] - means["ratio"]
        print("\nContribution of each channel to the ratio (all on minus the channel off; mean over seeds):")
        print(contribution.drop("all").round(3).to_string())
    print("\nJob gap 2022 by sector (twin minus closure, mean over seeds):")
    print(means.drop(columns=["ratio", "unemployment_2019_20_pp"]).round(0).T.to_string())
    np.set_printoptions(precision=3)


if __name__ == "__main__":
    main()
