"""Bit-identity check for speed work: hashes of every output of every shipped scenario, stored and compared.

For each scenario in ``scenarios/`` and each seed (default 1 and 7) one run with
the per-firm panel: a SHA-256 hash of every time-series column, of the
transactions-flow accounts, of the balances, of every panel column, and of every
final firm array (``model.firms``, the filled slots) and the final matrix ``M``
(its canonical CSR arrays). Values are hashed as raw bytes (floats to the bit),
so any change in any last bit shows.

Usage:
    python experiments/benchmarks/check_identical.py --store hashes.json   # before the change
    python experiments/benchmarks/check_identical.py --compare hashes.json # after each change

Exits with status 1 when a hash differs (the differing keys are printed).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]


def _hash_array(values: np.ndarray) -> str:
    """SHA-256 of an array's dtype, shape and bytes (object arrays through their repr)."""
    array = np.asarray(values)
    digest = hashlib.sha256(f"{array.dtype}{array.shape}".encode())
    if array.dtype == object:
        digest.update(repr(array.tolist()).encode())
    else:
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def _hash_frame(prefix: str, frame: pd.DataFrame) -> dict[str, str]:
    """One hash per column (and one for the column names and length)."""
    out = {f"{prefix}/__shape__": hashlib.sha256(repr((list(frame.columns), len(frame))).encode()).hexdigest()}
    for column in frame.columns:
        out[f"{prefix}/{column}"] = _hash_array(frame[column].to_numpy())
    return out


def run_hashes(job: tuple[str, int]) -> dict[str, str]:
    """Hashes of every output of one scenario and seed."""
    from bottrop_sim import load_scenario, simulate

    path, seed = job
    name = f"{Path(path).stem}/seed{seed}"
    result = simulate(load_scenario(path), seed=seed, keep_model=True, panel=True)
    hashes: dict[str, str] = {}
    hashes.update(_hash_frame(f"{name}/timeseries", result.timeseries))
    hashes.update(_hash_frame(f"{name}/accounts", result.accounts))
    hashes.update(_hash_frame(f"{name}/balances", result.balances))
    if result.panel is not None:
        hashes.update(_hash_frame(f"{name}/panel", result.panel))
    model = result.model
    firms = model.firms
    for attribute, value in sorted(vars(firms).items()):
        if isinstance(value, np.ndarray):
            hashes[f"{name}/firms/{attribute}"] = _hash_array(value[: firms.size])
    matrix = model.network.matrix().tocsr()
    matrix.sort_indices()
    for part in ("data", "indices", "indptr"):
        hashes[f"{name}/M/{part}"] = _hash_array(getattr(matrix, part))
    return hashes


def all_hashes(seeds: list[int], workers: int) -> dict[str, str]:
    """Hashes of every shipped scenario and seed."""
    jobs = [(str(path), seed) for path in sorted((ROOT / "scenarios").glob("*.toml")) for seed in seeds]
    hashes: dict[str, str] = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for part in pool.map(run_hashes, jobs):
            hashes.update(part)
    return hashes


def main() -> int:
    """Store or compare the hashes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--store", type=Path)
    group.add_argument("--compare", type=Path)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 7])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    hashes = all_hashes(args.seeds, args.workers)
    if args.store is not None:
        args.store.write_text(json.dumps(hashes, indent=0, sort_keys=True))
        print(f"stored {len(hashes)} hashes in {args.store}")
        return 0
    stored = json.loads(args.compare.read_text())
    differing = sorted(key for key in stored.keys() | hashes.keys() if stored.get(key) != hashes.get(key))
    for key in differing[:50]:
        print("DIFFERS", key)
    print(f"{len(hashes)} hashes, {len(differing)} differ")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
