"""The house: every module imports on its own, the model core stays light, the import contracts hold."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import bottrop_sim

PACKAGE = Path(bottrop_sim.__file__).parent
HEAVY = ("solara", "ipyvuetify", "dask", "distributed", "matplotlib", "duckdb", "SALib", "ema_workbench")
CORE = ("bottrop_sim.model", "bottrop_sim.simulate", "bottrop_sim.runs", "bottrop_sim.monitoring", "bottrop_sim.scenario", "bottrop_sim.governance.coordinator")


def all_modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)


def test_every_module_imports_on_its_own():
    """Each module is imported first, with no other bottrop_sim module loaded before it (no import-order dependence)."""
    modules = all_modules()
    assert "bottrop_sim.governance.alliance" in modules and "bottrop_sim.model.region" in modules
    code = f"""
import importlib, json, sys
failed = {{}}
for name in {modules!r}:
    for loaded in [m for m in sys.modules if m == "bottrop_sim" or m.startswith("bottrop_sim.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as error:
        failed[name] = f"{{type(error).__name__}}: {{error}}"
print(json.dumps(failed))
"""
    done = python(code)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {}


def test_the_alliance_module_imports_first_in_a_fresh_interpreter():
    """The import circle agents/alliance -> governance -> coordinator -> alliance is gone."""
    done = python("import bottrop_sim.governance.alliance, bottrop_sim.governance.city_office; print('ok')")
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


@pytest.mark.parametrize("module", CORE)
def test_the_model_core_loads_no_heavy_library(module):
    done = python(f"import sys, json, {module}; print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r}))))")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_a_run_loads_no_heavy_library():
    code = "import sys, json; from bottrop_sim import Scenario, simulate; simulate(Scenario(end='2015-03'), seed=1)"
    done = python(code + f"; print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r}))))")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_import_contracts_hold():
    lint = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    done = subprocess.run([lint], capture_output=True, text=True, timeout=300, check=False, cwd=PACKAGE.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout
