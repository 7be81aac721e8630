"""Planning a sweep: every run's task, checked against the results folder before anything is written.

:func:`plan_sweep` validates the experiment file, draws the design, and
compares it with what the results folder already holds. It writes nothing: the
record (``experiment.json``, ``design.parquet``) is written by
:func:`write_record` only once the plan, and the backend, are known to be good.

A folder may be *extended*: an experiment that differs from the stored one only
by more replications (replication ``i`` keeps its seed whatever their number,
see :func:`bottrop_sim.simulate.replication_seeds`) or, for a Sobol' design,
by a larger base sample ``samples`` (Saltelli's sample of N base points is the
first N x (D + 2) rows of the sample of any larger N with the same seed; this
is checked against the stored design) reuses every finished run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bottrop_sim.errors import ScenarioError
from bottrop_sim.experiments.designs import design_points, seeds
from bottrop_sim.experiments.spec import Experiment, load_experiment, parameter_values
from bottrop_sim.experiments.store import param_hash, run_id
from bottrop_sim.files import atomic_write, atomic_write_text
from bottrop_sim.provenance import provenance

EXTENSIBLE = ("replications", "samples")  # samples only for sobol designs


@dataclass
class Plan:
    """A validated sweep, not yet written.

    Attributes:
        experiment: the validated experiment.
        base_data: its base scenario's data (fixed values applied).
        design: one row per design point.
        tasks: one task per run (see :func:`bottrop_sim.experiments.runner.run_task`).
        out: the results folder.
        record: the experiment record to write (``experiment.json``).
        state: ``new`` (no record yet), ``same`` (the folder holds this experiment) or
            ``extended`` (it holds a smaller version of it: more replications or Sobol' points now).
    """

    experiment: Experiment
    base_data: dict[str, Any]
    design: pd.DataFrame
    tasks: list[dict[str, Any]]
    out: Path
    record: dict[str, Any]
    state: str
    notes: list[str] = field(default_factory=list)


def fingerprint(experiment: Experiment, base_data: dict[str, Any]) -> str:
    """Hash of everything that decides the runs except what may grow (replications; a Sobol' design's samples)."""
    exclude = {"batch_size", "replications"} | ({"samples"} if experiment.design == "sobol" else set())
    text = json.dumps({"experiment": experiment.model_dump(mode="json", exclude=exclude), "base": base_data}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def plan_sweep(experiment_file: str | Path, out: str | Path) -> Plan:
    """Validate the experiment and the results folder, and list every run's task; writes nothing.

    Raises:
        ScenarioError: an invalid experiment, an ``--out`` that is a file or holds
            another experiment, or a request to shrink a stored sweep.
    """
    experiment, base_data = load_experiment(experiment_file)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ScenarioError("<command line>", "--out", str(out), "a folder (new, or holding this experiment's results), not a file")
    design = design_points(experiment)
    _, replication_seeds = seeds(experiment)
    stamp = fingerprint(experiment, base_data)
    record = {
        "name": experiment.name,
        "fingerprint": stamp,
        "experiment": experiment.model_dump(mode="json"),
        "base_scenario": base_data,
        "replication_seeds": replication_seeds,
        "points": len(design),
        "runs": len(design) * experiment.replications,
        **provenance(),
    }
    state, notes = "new", []
    record_file = out / "experiment.json"
    if record_file.is_file():
        stored = json.loads(record_file.read_text())
        state, notes = _compare_with_stored(out, stored, stamp, experiment, design)
        if state == "same":
            record = stored
        else:
            record |= {"created_utc": stored.get("created_utc"), "extended_utc": [*stored.get("extended_utc", []), record["created_utc"]]}
    return Plan(experiment, base_data, design, _tasks(experiment, base_data, design, replication_seeds), out, record, state, notes)


def _compare_with_stored(out: Path, stored: dict[str, Any], stamp: str, experiment: Experiment, design: pd.DataFrame) -> tuple[str, list[str]]:
    if stored.get("fingerprint") != stamp:
        raise ScenarioError(
            "<command line>", "--out", str(out), f"a new folder, or one holding this same experiment (it holds '{stored.get('name')}' with other settings)"
        )
    old_replications = int(stored["experiment"]["replications"])
    old_points = int(stored["points"])
    if experiment.replications < old_replications:
        raise ScenarioError(
            "<command line>", "replications", experiment.replications, f"at least {old_replications} (the folder holds that many; use a new folder for fewer)"
        )
    if len(design) < old_points:
        raise ScenarioError(
            "<command line>",
            "samples",
            experiment.samples,
            f"at least {stored['experiment']['samples']} (the folder holds that many; use a new folder for fewer)",
        )
    if len(design) > old_points:
        old = pd.read_parquet(out / "design.parquet")
        head = design.iloc[:old_points].reset_index(drop=True)
        if list(old.columns) != list(head.columns) or not all(_same_column(old[c], head[c]) for c in old.columns):
            raise ScenarioError("<command line>", "samples", experiment.samples, "a design whose first points are the stored ones (only Sobol' designs extend)")
    notes = []
    if experiment.replications > old_replications:
        notes.append(f"extending from {old_replications} to {experiment.replications} replications; the finished runs are kept")
    if len(design) > old_points:
        notes.append(f"extending from {old_points} to {len(design)} design points; the finished runs are kept")
    return ("extended" if notes else "same"), notes


def _same_column(a: pd.Series, b: pd.Series) -> bool:
    if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
        return bool(np.array_equal(a.to_numpy(float), b.to_numpy(float)))
    return list(a.astype(str)) == list(b.astype(str))


def _tasks(experiment: Experiment, base_data: dict[str, Any], design: pd.DataFrame, replication_seeds: list[int]) -> list[dict[str, Any]]:
    base_hash = hashlib.sha256(json.dumps(base_data, sort_keys=True, default=str).encode()).hexdigest()
    outcomes = [o.model_dump(mode="json") for o in experiment.outcomes]
    tasks = []
    for row in design.to_dict("records"):
        values = {p.path: _native(row[p.path]) for p in experiment.parameters}
        for replication, seed in enumerate(replication_seeds):
            tasks.append(
                {
                    "run_id": run_id(int(row["point"]), replication),
                    "point": int(row["point"]),
                    "replication": replication,
                    "seed": seed,
                    "param_hash": param_hash(base_hash, values),
                    "values": parameter_values(experiment.parameters, values),
                    "base_data": base_data,
                    "base_file": experiment.base_file,
                    "outcomes": outcomes,
                    "keep_series": list(experiment.keep_series),
                    "needs_twin": experiment.needs_twin,
                }
            )
    return tasks


def _native(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def write_record(plan: Plan) -> None:
    """Write (or extend) ``experiment.json`` and ``design.parquet`` atomically; nothing for an unchanged folder."""
    if plan.state == "same":
        return
    plan.out.mkdir(parents=True, exist_ok=True)
    design = plan.design
    table = design.astype({c: "object" for c in design.columns if c != "point" and design[c].dtype == object})
    atomic_write(plan.out / "design.parquet", lambda path: table.to_parquet(path, index=False))
    atomic_write_text(plan.out / "experiment.json", json.dumps(plan.record, indent=2, default=str))
