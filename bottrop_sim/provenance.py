"""Provenance: what produced a result (parameters, seed, versions, revision, time)."""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
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


def provenance(scenario: Any, seed: int) -> dict[str, Any]:
    """Provenance record of one run.

    Args:
        scenario: the validated scenario (pydantic model).
        seed: the seed the run used.
    """
    return {
        "scenario": scenario.model_dump(mode="json"),
        "seed": int(seed),
        "versions": package_versions(),
        "git_revision": git_revision(),
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "platform": platform.platform(),
    }
