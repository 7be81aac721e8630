"""The sweep's runs in the EMA Workbench's layout (``ema_workbench.load_results`` reads the archive)."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import numpy as np
import pandas as pd

from bottrop_sim.experiments.spec import Experiment

EMA_FORMAT_VERSION = 0.1  # the metadata version ema_workbench.save_results writes (2.x)


def ema_tables(outcomes: pd.DataFrame, experiment: Experiment) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The finished runs as the EMA Workbench's ``(experiments, outcomes)``.

    ``experiments`` has one row per run (in run_id order): the uncertainties,
    then the levers (float, int64 or category columns named by parameter path),
    then ``scenario`` (the run_id: one realisation of the uncertainties with its
    seed), ``policy`` (the levers as ``path=value; ...``, or ``none``) and
    ``model`` (the experiment's name), all three categorical as in the workbench.
    ``outcomes`` maps each outcome key to a float array of one value per run.

    Args:
        outcomes: one row per finished run (``Results.outcomes``).
        experiment: the sweep's experiment.
    """
    runs = outcomes.sort_values("run_id").reset_index(drop=True)
    ordered = [p for p in experiment.parameters if p.role == "uncertainty"] + [p for p in experiment.parameters if p.role == "lever"]
    dtypes = {"continuous": "float64", "integer": "int64", "categorical": "category"}
    table = pd.DataFrame({p.path: runs[p.path].astype(object).astype(dtypes[p.kind]) for p in ordered})
    levers = [p.path for p in ordered if p.role == "lever"]
    policy = (
        runs[levers].astype(str).apply(lambda row: "; ".join(f"{path}={row[path]}" for path in levers), axis=1)
        if levers
        else pd.Series("none", index=runs.index)
    )
    table["scenario"] = pd.Categorical(runs["run_id"].astype(object))
    table["policy"] = pd.Categorical(policy.astype(object))
    table["model"] = pd.Categorical([experiment.name] * len(runs))
    arrays = {key: runs[key].to_numpy(dtype=float) for key in experiment.outcome_keys}
    return table, arrays


def write_ema_results(path: str | Path, experiments: pd.DataFrame, outcomes: dict[str, np.ndarray]) -> None:
    """Write a tar.gz in the layout of ``ema_workbench.save_results`` (2.x, metadata version 0.1).

    Members: ``experiments.csv`` (with header, no index), one ``<outcome>.cls``
    per scalar outcome (one value per line, no header) and ``metadata.json``
    (``version``, ``outcomes`` as [class name, outcome name, file name] and the
    dtype name of every experiments column).

    Args:
        path: the file to write.
        experiments: one row per run (see :func:`ema_tables`).
        outcomes: one array of one value per run for each outcome.
    """
    members = {"experiments.csv": experiments.to_csv(header=True, index=False)}
    for name, values in outcomes.items():
        members[f"{name}.cls"] = pd.DataFrame(np.asarray(values)).to_csv(header=False, index=False)
    metadata = {
        "version": EMA_FORMAT_VERSION,
        "outcomes": [["ScalarOutcome", name, f"{name}.cls"] for name in outcomes],
        "experiments": {column: dtype.name for column, dtype in experiments.dtypes.items()},
    }
    members["metadata.json"] = json.dumps(metadata)
    with tarfile.open(path, "w:gz") as archive:
        for name, text in members.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
