"""Scenario discovery and robustness of the levers, in the EMA Workbench's terms.

* :func:`prim_boxes`: PRIM (Friedman & Fisher 1999, as implemented in the EMA
  Workbench, Kwakkel 2017) finds the box of uncertainty and lever values in
  which the runs of interest (by default the worst :data:`DEFAULT_QUANTILE`
  of an outcome, "worst" by the indicator's direction) concentrate. The box's
  restrictions are reported with each parameter's role, so the uncertainties
  (conditions nobody controls) and the levers (what a decision maker chose)
  stay apart. The point of the peeling trajectory that is reported is, among
  those covering at least :data:`MIN_COVERAGE` of the cases and within
  :data:`DENSITY_TOLERANCE` of the best density among them, the one with the
  largest coverage (a last peel that buys little density at a large loss of
  coverage is not taken).
* :func:`robustness`: for every lever setting (a combination of lever values,
  or of their quartile bins if they were sampled), the mean, the worst decile
  and the regret across the uncertainties (Savage 1951): in each state of the
  world (the same uncertainty values and seed), the regret of a setting is the
  distance of its outcome from the best setting's. Regret needs designs that
  cross every lever setting with the same states of the world (grids); for
  sampled designs it is left empty.

The EMA Workbench is an optional dependency (``pip install 'bottrop-sim[discovery]'``).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from bottrop_sim.experiments.spec import Experiment
from bottrop_sim.monitoring import REGISTRY

DEFAULT_QUANTILE = 0.1
MIN_COVERAGE = 0.5
DENSITY_TOLERANCE = 0.02
PRIM_THRESHOLD = 0.8  # density PRIM peels towards
MAX_POLICIES = 64


class DiscoveryUnavailableError(RuntimeError):
    """The EMA Workbench is not installed."""


def higher_is_better(key: str) -> bool:
    """Direction of an outcome key (an indicator, or ``<column>_mean``); unknown ones count higher as better."""
    indicator = REGISTRY.get(key) or REGISTRY.get(key.removesuffix("_mean"))
    return True if indicator is None or indicator.higher_is_better is None else bool(indicator.higher_is_better)


def cases_of_interest(values: pd.Series, key: str, quantile: float = DEFAULT_QUANTILE) -> tuple[np.ndarray, str]:
    """The runs in the worst ``quantile`` of an outcome, and the rule in words."""
    if higher_is_better(key):
        limit = float(values.quantile(quantile))
        return (values <= limit).to_numpy(), f"{key} <= {limit:.6g} (worst {100 * quantile:.0f} % of runs; higher is better)"
    limit = float(values.quantile(1 - quantile))
    return (values >= limit).to_numpy(), f"{key} >= {limit:.6g} (worst {100 * quantile:.0f} % of runs; lower is better)"


def _prim_module() -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the workbench warns about optional parallel back ends on import
            from ema_workbench.analysis import prim
    except ImportError as error:
        raise DiscoveryUnavailableError(f"scenario discovery needs the EMA Workbench: pip install 'bottrop-sim[discovery]' ({error})") from None
    return prim


def prim_boxes(outcomes: pd.DataFrame, experiment: Experiment, key: str, quantile: float = DEFAULT_QUANTILE) -> dict[str, Any]:
    """PRIM over the uncertainties and levers for the worst runs of one outcome.

    Args:
        outcomes: one row per finished run (``Results.outcomes``).
        experiment: the sweep's experiment.
        key: the outcome column.
        quantile: share of runs counted as cases of interest (the worst ones).

    Returns:
        rule (the cases of interest in words), cases, runs, coverage, density, mass of the
        chosen box, ``limits`` (a frame: parameter, role, kind, low, high, values; one row per
        restricted parameter, uncertainties first) and ``trajectory`` (the peeling trajectory).

    Raises:
        DiscoveryUnavailableError: without the EMA Workbench.
    """
    prim = _prim_module()
    data = outcomes.dropna(subset=[key]).reset_index(drop=True)
    ordered = [p for p in experiment.parameters if p.role == "uncertainty"] + [p for p in experiment.parameters if p.role == "lever"]
    varying = [p for p in ordered if data[p.path].astype(str).nunique() > 1]
    x = pd.DataFrame(
        {p.path: (pd.Categorical(data[p.path].astype(str)) if p.kind == "categorical" else pd.to_numeric(data[p.path]).astype(float)) for p in varying}
    )
    y, rule = cases_of_interest(data[key], key, quantile)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        box = prim.Prim(x, y, threshold=PRIM_THRESHOLD).find_box()
    trajectory = box.peeling_trajectory.copy()
    eligible = trajectory[trajectory["coverage"] >= MIN_COVERAGE]
    if len(eligible):
        near_best = eligible[eligible["density"] >= eligible["density"].max() - DENSITY_TOLERANCE]
        chosen = int(near_best.sort_values(["coverage", "density"], ascending=False).iloc[0]["id"])
    else:
        chosen = 0
    initial, limits = box.box_lims[0], box.box_lims[chosen]
    rows = []
    for parameter in varying:
        column = parameter.path
        if limits[column].equals(initial[column]) if hasattr(limits[column], "equals") else list(limits[column]) == list(initial[column]):
            continue
        if parameter.kind == "categorical":
            kept = sorted(next(iter(limits[column])))
            rows.append({"parameter": column, "role": parameter.role, "kind": parameter.kind, "low": np.nan, "high": np.nan, "values": ", ".join(kept)})
        else:
            low, high = float(limits[column].iloc[0]), float(limits[column].iloc[1])
            if (low, high) == (float(initial[column].iloc[0]), float(initial[column].iloc[1])):
                continue
            rows.append({"parameter": column, "role": parameter.role, "kind": parameter.kind, "low": low, "high": high, "values": ""})
    point = trajectory.set_index("id").loc[chosen]
    return {
        "outcome": key,
        "rule": rule,
        "cases": int(y.sum()),
        "runs": len(y),
        "box": chosen,
        "coverage": float(point["coverage"]),
        "density": float(point["density"]),
        "mass": float(point["mass"]),
        "limits": pd.DataFrame(rows, columns=["parameter", "role", "kind", "low", "high", "values"]),
        "trajectory": trajectory,
    }


def policies(outcomes: pd.DataFrame, experiment: Experiment) -> pd.Series:
    """The lever setting of each run as a label ``path=value; ...``; sampled levers by quartile bin."""
    from bottrop_sim.experiments.analysis import parameter_groups

    levers = [p for p in experiment.parameters if p.role == "lever"]
    if not levers:
        return pd.Series("none", index=outcomes.index)
    exact = outcomes[[p.path for p in levers]].astype(str)
    if len(exact.drop_duplicates()) > MAX_POLICIES:
        exact = pd.DataFrame({p.path: parameter_groups(outcomes[p.path], p).astype(str) for p in levers}, index=outcomes.index)
    return exact.apply(lambda row: "; ".join(f"{p.path}={row[p.path]}" for p in levers), axis=1)


def robustness(outcomes: pd.DataFrame, experiment: Experiment) -> pd.DataFrame:
    """Mean, worst decile and regret of every lever setting for every outcome.

    Returns:
        Columns outcome, higher_is_better, policy, runs, mean, worst_decile (the 10th
        percentile if higher is better, else the 90th), states (states of the world
        shared by every setting), mean_regret, max_regret (in the outcome's unit; empty
        without shared states), rank (1: the smallest max regret, else the best worst decile).
    """
    labels = policies(outcomes, experiment)
    uncertainties = [p.path for p in experiment.parameters if p.role == "uncertainty"]
    state = (
        outcomes[uncertainties].astype(str).agg("|".join, axis=1) + "|r" + outcomes["replication"].astype(str)
        if uncertainties
        else outcomes["replication"].astype(str)
    )
    frames = []
    for key in experiment.outcome_keys:
        better = higher_is_better(key)
        data = pd.DataFrame({"policy": labels, "state": state, "value": pd.to_numeric(outcomes[key], errors="coerce")}).dropna()
        table = data.pivot_table(index="state", columns="policy", values="value", aggfunc="mean").dropna()
        regret = (table.max(axis=1).to_numpy()[:, None] - table) if better else (table - table.min(axis=1).to_numpy()[:, None])
        shared = len(table) if table.shape[1] > 1 else 0
        grouped = data.groupby("policy")["value"]
        frame = (
            pd.DataFrame(
                {
                    "outcome": key,
                    "higher_is_better": better,
                    "runs": grouped.size(),
                    "mean": grouped.mean(),
                    "worst_decile": grouped.quantile(0.1 if better else 0.9),
                    "states": shared,
                    "mean_regret": regret.mean() if shared else np.nan,
                    "max_regret": regret.max() if shared else np.nan,
                }
            )
            .rename_axis("policy")
            .reset_index()
        )
        order = frame["max_regret"] if shared else (-frame["worst_decile"] if better else frame["worst_decile"])
        frame["rank"] = order.rank(method="min").astype(int)
        frames.append(frame.sort_values(["rank", "policy"]))
    columns = ["outcome", "higher_is_better", "policy", "runs", "mean", "worst_decile", "states", "mean_regret", "max_regret", "rank"]
    return pd.concat(frames, ignore_index=True)[columns]
