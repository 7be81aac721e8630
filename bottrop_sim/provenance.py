"""Provenance: what produced a result (parameters, seed, versions, revision, time), built in one place.

The environment part (package versions, git revision, platform) is computed once
per process, when a result first asks for it: two ``git`` calls cost about 27 ms,
so runs inside sweeps and comparisons never pay them; the command that writes a
result builds its provenance once.
"""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = ("bottrop_sim", "mesa", "numpy", "pandas", "scipy", "networkx", "pydantic")


def package_versions() -> dict[str, str]:
    """Installed versions of the packages a result depends on (and Python's)."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name.replace("_", "-"))
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_revision() -> str:
    """Git commit of the source tree the package runs from ('unknown' outside a checkout)."""
    here = Path(__file__).resolve().parent
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    revision = done.stdout.strip()
    if done.returncode != 0 or not revision:
        return "unknown"
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here, capture_output=True, text=True, timeout=5, check=False)
    return revision + ("-dirty" if dirty.stdout.strip() else "")


@lru_cache(maxsize=1)
def environment() -> dict[str, Any]:
    """Package versions, git revision and platform of this process (computed once)."""
    return {"versions": package_versions(), "git_revision": git_revision(), "platform": platform.platform()}


def now_utc() -> str:
    """The current time in UTC, ISO 8601 to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def provenance(created_utc: str | None = None, **parts: Any) -> dict[str, Any]:
    """A provenance record: the result's own parts (scenario, seeds, ...) plus the environment and the time.

    Args:
        created_utc: when the result was made (default: now).
        parts: what identifies the result, e.g. ``scenario=..., seed=...`` (JSON-ready values).
    """
    return {**parts, **environment(), "created_utc": created_utc or now_utc()}


def run_provenance(scenario: Any, seed: int, created_utc: str | None = None) -> dict[str, Any]:
    """Provenance record of one run.

    Args:
        scenario: the validated scenario (pydantic model).
        seed: the seed the run used.
        created_utc: when the run was made (default: now).
    """
    return provenance(created_utc, scenario=scenario.model_dump(mode="json"), seed=int(seed))
