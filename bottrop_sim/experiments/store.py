"""The results store of a sweep: crash-safe Parquet batches and a manifest of runs.

Layout of a results folder::

    experiment.json                 the experiment, its base scenario, seeds, provenance
    design.parquet                  one row per design point
    batches/outcomes-000001.parquet one row per finished run: outcomes (wide)
    batches/series-000001.parquet   kept monthly series (if any)
    batches/manifest-000001.parquet one row per run of the batch: status, seed, point,
                                    parameter hash, error, duration

A batch is committed by renaming its manifest into place, after its data files:
a run counts as finished only once its manifest row exists. Files of a batch
whose manifest never arrived (a crash in between) are ignored by readers and
removed by the next writer. A run that appears in several batches (a failed run
retried) counts with its latest entry, so no run is lost or duplicated whatever
the moment a sweep is killed.

A committed batch whose files cannot be read (a disk that filled up, a file
truncated by a copy) is *damaged*: readers refuse it with a message naming the
file, and the next sweep moves the whole batch into ``quarantine/`` and runs
its runs again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow.parquet as pq

from bottrop_sim.errors import ScenarioError
from bottrop_sim.files import atomic_write, sync_folder

BATCH = re.compile(r"^(manifest|outcomes|series)-(\d{6})\.parquet$")
MANIFEST_COLUMNS = ("run_id", "point", "replication", "seed", "param_hash", "status", "error", "duration_s", "batch", "finished_utc")


def run_id(point: int, replication: int) -> str:
    """The identifier of one run."""
    return f"p{point:06d}-r{replication:04d}"


def param_hash(base_hash: str, values: dict[str, Any]) -> str:
    """Hash of a design point's parameter values on top of the base scenario."""
    text = json.dumps({"base": base_hash, "values": values}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class ResultStore:
    """Writes committed batches into a results folder.

    Args:
        folder: the results folder (created if missing).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.batches = self.folder / "batches"
        self.batches.mkdir(parents=True, exist_ok=True)
        self._remove_orphans()
        self.next_batch = 1 + max((int(m.group(2)) for m in map(BATCH.match, os.listdir(self.batches)) if m), default=0)

    def _remove_orphans(self) -> None:
        names = os.listdir(self.batches)
        committed = {m.group(2) for m in map(BATCH.match, names) if m and m.group(1) == "manifest"}
        for name in names:
            match = BATCH.match(name)
            if name.endswith(".tmp") or (match and match.group(2) not in committed):
                (self.batches / name).unlink(missing_ok=True)

    def quarantine_damaged(self) -> list[str]:
        """Move every damaged committed batch into ``quarantine/``; one message per batch moved.

        Its runs then count as not run, and the sweep runs them again.
        """
        messages = []
        for number, file, problem in damaged_batches(self.folder):
            tag = f"{number:06d}"
            target = self.folder / "quarantine"
            target.mkdir(exist_ok=True)
            names = sorted(n for n in os.listdir(self.batches) if (m := BATCH.match(n)) and m.group(2) == tag)
            for name in sorted(names, key=lambda n: not n.startswith("manifest")):  # the manifest first: the batch is uncommitted at once
                os.replace(self.batches / name, target / name)
            messages.append(f"batch {tag} is damaged ({file.name}: {problem}); moved it to {target} and its runs will be run again")
        return messages

    def commit(self, manifest: list[dict[str, Any]], outcomes: list[dict[str, Any]], series: list[pd.DataFrame]) -> int:
        """Write one batch atomically; returns its number."""
        number = self.next_batch
        self.next_batch += 1
        tag = f"{number:06d}"
        for row in manifest:
            row["batch"] = number
        files = []
        if outcomes:
            files.append((f"outcomes-{tag}.parquet", pd.DataFrame(outcomes)))
        if series:
            files.append((f"series-{tag}.parquet", pd.concat(series, ignore_index=True)))
        files.append((f"manifest-{tag}.parquet", pd.DataFrame(manifest, columns=list(MANIFEST_COLUMNS))))
        for name, frame in files:  # the manifest goes last: renaming it commits the batch
            atomic_write(self.batches / name, lambda path, frame=frame: frame.to_parquet(path, index=False), durable=True)
        sync_folder(self.batches)
        return number


def committed_files(folder: Path, kind: str) -> list[Path]:
    """Data files of committed batches (those whose manifest exists)."""
    batches = Path(folder) / "batches"
    if not batches.is_dir():
        return []
    names = os.listdir(batches)
    committed = {m.group(2) for m in map(BATCH.match, names) if m and m.group(1) == "manifest"}
    return sorted(batches / n for n in names if (m := BATCH.match(n)) and m.group(1) == kind and m.group(2) in committed)


def damaged_batches(folder: Path) -> list[tuple[int, Path, str]]:
    """Committed batches with a file that cannot be read: (batch number, file, problem)."""
    damaged: dict[int, tuple[int, Path, str]] = {}
    for kind in ("manifest", "outcomes", "series"):
        for file in committed_files(folder, kind):
            number = int(BATCH.match(file.name).group(2))
            if number in damaged:
                continue
            try:
                pq.read_metadata(file)
            except Exception as error:
                damaged[number] = (number, file, f"{type(error).__name__}: {error}".splitlines()[0][:200])
    return sorted(damaged.values())


def read_batch_file(file: Path) -> pd.DataFrame:
    """One batch file; a damaged one is refused with the way out.

    Raises:
        ScenarioError: the file cannot be read.
    """
    try:
        return pd.read_parquet(file)
    except Exception as error:
        raise ScenarioError(
            file, "<batch file>", f"{type(error).__name__}: {error}".splitlines()[0][:200],
            "a readable Parquet file; run the sweep command again: it moves damaged batches to quarantine/ and runs their runs again",
        ) from None  # fmt: skip


def latest_manifest(folder: Path) -> pd.DataFrame:
    """One row per run: its latest manifest entry."""
    files = committed_files(folder, "manifest")
    if not files:
        return pd.DataFrame(columns=list(MANIFEST_COLUMNS))
    frame = pd.concat([read_batch_file(f) for f in files], ignore_index=True)
    return frame.sort_values("batch").drop_duplicates("run_id", keep="last").sort_values("run_id").reset_index(drop=True)


@dataclass
class Results:
    """What a sweep has stored so far (also while it runs).

    Attributes:
        runs: one row per run: manifest entry (status, seed, error, duration...) and its parameter values.
        outcomes: one row per finished run: run_id, point, replication, seed, parameter values, outcomes.
        series: kept monthly series (run_id, date, columns), empty if none were kept.
        design: one row per design point.
        experiment: the experiment record (experiment.json).
        folder: the results folder.
    """

    runs: pd.DataFrame
    outcomes: pd.DataFrame
    series: pd.DataFrame
    design: pd.DataFrame
    experiment: dict[str, Any]
    folder: Path

    def duckdb(self) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB connection with the views ``runs``, ``outcomes``, ``series``, ``design``."""
        connection = duckdb.connect()
        for name in ("runs", "outcomes", "series", "design"):
            frame = getattr(self, name)
            if frame.shape[1] == 0:  # nothing stored yet (or no series kept): an empty view with the key column
                frame = pd.DataFrame({"run_id": pd.Series(dtype="str")})
            connection.register(name, frame)
        return connection


def open_results(folder: str | Path) -> Results:
    """Load a sweep's results for pandas and DuckDB in one call (committed batches only).

    Args:
        folder: the sweep's ``--out`` folder.
    """
    folder = Path(folder)
    record_file = folder / "experiment.json"
    if not record_file.is_file():
        raise FileNotFoundError(f"{folder} holds no sweep results (no experiment.json)")
    experiment = json.loads(record_file.read_text())
    design = pd.read_parquet(folder / "design.parquet")
    runs = latest_manifest(folder)
    runs = runs.merge(design, on="point", how="left") if len(runs) else runs
    ok = runs.loc[runs["status"] == "ok", ["run_id", "batch"]] if len(runs) else pd.DataFrame(columns=["run_id", "batch"])

    def keep_latest(kind: str) -> pd.DataFrame:
        frames = []
        for file in committed_files(folder, kind):
            batch = int(BATCH.match(file.name).group(2))
            frame = read_batch_file(file)
            frames.append(frame[frame["run_id"].isin(ok.loc[ok["batch"] == batch, "run_id"])])
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    outcomes = keep_latest("outcomes")
    if len(outcomes):
        outcomes = outcomes.merge(design, on="point", how="left").sort_values("run_id").reset_index(drop=True)
    series = keep_latest("series")
    if len(series):
        series = series.sort_values(["run_id", "date"]).reset_index(drop=True)
    return Results(runs=runs, outcomes=outcomes, series=series, design=design, experiment=experiment, folder=folder)
