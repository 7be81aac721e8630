"""The benchmark's memory figure is that of the run's own process, not of the process that started it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def bench_core():
    spec = importlib.util.spec_from_file_location("bench_core", ROOT / "experiments" / "benchmarks" / "bench_core.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's /proc")
def test_a_large_parent_does_not_count_as_the_runs_memory(tmp_path):
    """Linux keeps ru_maxrss across exec: read so, a run started from a 400 MB process would seem to take 400 MB."""
    scenario = tmp_path / "short.toml"
    scenario.write_text(f'extends = "{(ROOT / "scenarios" / "closure_2018.toml").as_posix()}"\nname = "short"\nend = "2015-06"\n')
    ballast = bytearray(b"\x01") * (400 * 2**20)  # written: resident in this process while the script runs
    figures = bench_core().memory(str(scenario), 1)
    del ballast
    peak, before, traced = (figures[key]["median"] for key in ("peak_rss_mb", "rss_before_run_mb", "run_traced_peak_mb"))
    assert 0 < before <= peak < 400  # the interpreter, its imports and a six-month run: far below the parent's 400 MB
    assert 0 < traced < peak
