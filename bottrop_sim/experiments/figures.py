"""Figures of a sweep's analysis (matplotlib's object API: no global state, no display needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from bottrop_sim.experiments.spec import Parameter


def convergence_figure(convergence: pd.DataFrame) -> Figure:
    """ST (with its bootstrap interval) of every parameter against the number of base samples, one panel per outcome."""
    keys = list(dict.fromkeys(convergence["outcome"]))
    figure = Figure(figsize=(6, 2.8 * len(keys)), layout="constrained")
    axes = figure.subplots(len(keys), 1, squeeze=False)[:, 0]
    sizes = sorted(convergence["base_samples"].unique())
    for ax, key in zip(axes, keys, strict=True):
        for parameter, rows in convergence[convergence["outcome"] == key].groupby("parameter", sort=False):
            ax.plot(rows["base_samples"], rows["ST"], marker="o", label=parameter)
            ax.fill_between(rows["base_samples"], rows["ST_low"], rows["ST_high"], alpha=0.15)
        ax.set_xlim(sizes[0] / 1.3, sizes[-1] * 1.3)  # also when every index is undefined (a constant outcome)
        ax.set_xscale("log", base=2)
        ax.set_xticks(sizes, [str(n) for n in sizes])
        ax.axhspan(0, 1, color="grey", alpha=0.05)
        ax.set_title(f"{key}: total Sobol' index against base samples", loc="left", fontsize="medium")
        ax.set_xlabel("base samples N")
    axes[0].legend(fontsize="small")
    return figure


def sensitivity_figure(table: pd.DataFrame, main: str, spread: str) -> Figure:
    """Horizontal bars per outcome: ``main`` and ``spread`` measure by parameter, with confidence bars where known."""
    keys = list(dict.fromkeys(table["outcome"]))
    parameters = list(dict.fromkeys(table["parameter"]))
    figure = Figure(figsize=(7, 1.2 + 0.35 * len(parameters) * len(keys)), layout="constrained")
    axes = figure.subplots(len(keys), 1, squeeze=False)[:, 0]
    positions = np.arange(len(parameters))
    for ax, key in zip(axes, keys, strict=True):
        rows = table[table["outcome"] == key].set_index("parameter").reindex(parameters)
        for offset, measure in ((-0.2, spread), (0.2, main)):
            error = rows.get(f"{measure}_conf")
            ax.barh(positions + offset, rows[measure], height=0.4, xerr=error, label=measure, capsize=2)
        ax.set_yticks(positions, parameters)
        ax.invert_yaxis()
        ax.axvline(0, color="grey", linewidth=0.5)
        ax.set_title(key, loc="left", fontsize="medium")
    axes[0].legend(loc="lower right", fontsize="small")
    return figure


def by_parameter_figure(rows: pd.DataFrame, parameter: Parameter, keys: list[str]) -> Figure:
    """One panel per outcome: mean and 95 % interval by group of the parameter."""
    columns = min(3, len(keys))
    lines = -(-len(keys) // columns)
    figure = Figure(figsize=(4.2 * columns, 3.2 * lines), layout="constrained")
    axes = figure.subplots(lines, columns, squeeze=False).ravel()
    for ax, key in zip(axes, keys, strict=False):
        data = rows[rows["outcome"] == key]
        positions = np.arange(len(data))
        error = np.vstack([data["mean"] - data["ci_low"], data["ci_high"] - data["mean"]])
        ax.errorbar(positions, data["mean"], yerr=np.nan_to_num(error), fmt="o", capsize=3)
        ax.set_xticks(positions, data["group"], rotation=30 if len(data) > 2 else 0, ha="right" if len(data) > 2 else "center", fontsize="small")
        ax.set_title(key, loc="left", fontsize="medium")
    for ax in axes[len(keys) :]:
        ax.set_visible(False)
    figure.suptitle(f"Outcomes by {parameter.path} ({parameter.role}): mean and 95 % interval over runs", fontsize="medium")
    return figure


def save(figure: Figure, path: Path) -> None:
    """Write a figure as PNG (110 dpi)."""
    figure.savefig(path, format="png", dpi=110)
