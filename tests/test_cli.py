"""The ``bottrop-sim`` command: outputs, provenance, exit codes and messages.

Most cases call :func:`bottrop_sim.cli.main` in-process (the commands are in
:mod:`bottrop_sim.commands`); a few run the real command in a subprocess to
check what a user sees (exit code, no traceback).
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bottrop_sim import cli, commands
from bottrop_sim.provenance import PACKAGES
from bottrop_sim.scenario import Scenario

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
SIMULATE_MODULE = importlib.import_module("bottrop_sim.runs")  # where the CLI's run path looks up simulate

SHORT_SCENARIO = """\
name = "short_closure"
start = "2015-01"
end = "2015-06"
seed = 4242

[mine]
staff = 3000

[[shocks]]
type = "mine_closure"
closure_date = "2015-04-30"
staff_path = [
  { month = "2015-02", staff = 3000 },
  { month = "2015-06", staff = 1000 },
]
"""


@pytest.fixture
def short_scenario_file(tmp_path: Path) -> Path:
    """A six-month closure scenario (2015-01 to 2015-06) written to tmp_path."""
    path = tmp_path / "short.toml"
    path.write_text(SHORT_SCENARIO, encoding="utf-8")
    return path


@pytest.fixture
def bad_scenario_file(tmp_path: Path) -> Path:
    """A scenario with one bad value: mine.resident_share = 1.5."""
    path = tmp_path / "bad.toml"
    path.write_text(SHORT_SCENARIO.replace("staff = 3000\n", "staff = 3000\nresident_share = 1.5\n", 1), encoding="utf-8")
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- run --------------------------------------------------------------------------------


def test_run_writes_time_series_and_provenance(capsys, short_scenario_file, tmp_path):
    out = tmp_path / "out"
    code, stdout, stderr = run_cli(capsys, "run", str(short_scenario_file), "--out", str(out))
    assert (code, stderr) == (0, "")
    assert sorted(p.name for p in out.iterdir()) == [
        "accounts.csv",
        "balances.csv",
        "indicators.json",
        "provenance.json",
        "timeseries.csv",
    ]  # no staging leftovers
    accounts = pd.read_csv(out / "accounts.csv", dtype={"date": str})
    balances = pd.read_csv(out / "balances.csv", dtype={"date": str})
    assert set(accounts["date"]) == {"2015-01", "2015-02", "2015-03", "2015-04", "2015-05", "2015-06"} and (accounts["eur"] > 0).all()
    assert balances["date"].iloc[0] == "2014-12" and abs(balances.groupby("date")["eur"].sum()).max() < 1e-3
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out-")]

    frame = pd.read_csv(out / "timeseries.csv", dtype={"date": str})
    assert frame["date"].tolist() == ["2015-01", "2015-02", "2015-03", "2015-04", "2015-05", "2015-06"]
    assert all(re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", d) for d in frame["date"])
    # the staff path: full staff until 2015-02, then linear to 1000 in 2015-06
    np.testing.assert_array_equal(frame["mine_employment"], [3000, 3000, 2500, 2000, 1500, 1000])

    provenance = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert {"scenario", "seed", "versions", "git_revision", "created_utc"} <= provenance.keys()
    assert provenance["seed"] == 4242
    assert Scenario.model_validate(provenance["scenario"]).name == "short_closure"
    assert provenance["scenario"]["shocks"][0]["closure_date"] == "2015-04-30"
    assert set(PACKAGES) <= provenance["versions"].keys()
    assert provenance["versions"]["pydantic"][0].isdigit()
    assert isinstance(provenance["git_revision"], str) and provenance["git_revision"]
    created = dt.datetime.fromisoformat(provenance["created_utc"])
    assert created.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - created) < dt.timedelta(minutes=10)

    # the printed summary is the annual table of the written series
    assert commands.summary_table(frame).to_string() in stdout
    assert f"to {out} (seed 4242)" in stdout and "timeseries.csv" in stdout


def test_summary_table_takes_annual_means_and_sums():
    months = pd.Series([f"{y}-{m:02d}" for y in (2019, 2020, 2021) for m in range(1, 13)])
    year = months.str[:4].astype(int)
    frame = pd.DataFrame(
        {
            "date": months,
            "employment_workplace": 1000 * year,
            "mine_employment": np.where(year < 2021, 300.0, 0.0),
            "unemployment_rate": 0.05,
            "firms": 10,
            "value_added_eur": 1e6,
            "co2_t": 100.0,
        }
    )
    table = commands.summary_table(frame)
    assert table.index.tolist() == [2019, 2020, 2021]  # first, every fifth, last
    assert table.loc[2020, "workplace_jobs"] == 2_020_000
    assert table["mine_staff"].tolist() == [300, 300, 0]
    assert table.loc[2019, "unemployment_pct"] == pytest.approx(5.0)
    assert table.loc[2019, "value_added_eur_m"] == pytest.approx(12.0)
    assert table.loc[2019, "co2_kt"] == pytest.approx(1.2)


def test_summary_table_keeps_first_last_and_every_fifth_year():
    months = [f"{y}-01" for y in range(2013, 2027)]
    frame = pd.DataFrame(
        {"date": months, **{c: 1.0 for c in ("employment_workplace", "mine_employment", "unemployment_rate", "firms", "value_added_eur", "co2_t")}}
    )
    assert commands.summary_table(frame).index.tolist() == [2013, 2015, 2020, 2025, 2026]


def test_seed_option_overrides_the_scenario_seed(capsys, short_scenario_file, tmp_path):
    runs = {}
    for name, extra in (("default", []), ("seven", ["--seed", "7"]), ("seven_again", ["--seed", "7"])):
        out = tmp_path / name
        code, stdout, _ = run_cli(capsys, "run", str(short_scenario_file), "--out", str(out), *extra)
        assert code == 0
        provenance = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
        runs[name] = (provenance["seed"], (out / "timeseries.csv").read_text(encoding="utf-8"))
        assert f"(seed {provenance['seed']})" in stdout
    assert runs["default"][0] == 4242
    assert runs["seven"][0] == 7
    assert runs["seven"][1] == runs["seven_again"][1]  # same seed, same series


def test_run_without_out_writes_under_results(capsys, short_scenario_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, _ = run_cli(capsys, "run", str(short_scenario_file), "--quiet")
    assert code == 0
    assert (tmp_path / "results" / "short_closure" / "timeseries.csv").is_file()


def test_quiet_run_prints_nothing(capsys, short_scenario_file, tmp_path):
    code, stdout, stderr = run_cli(capsys, "run", str(short_scenario_file), "--out", str(tmp_path / "o"), "--quiet")
    assert (code, stdout, stderr) == (0, "", "")
    assert (tmp_path / "o" / "timeseries.csv").is_file()


def test_invalid_scenario_exits_2_with_one_line(capsys, bad_scenario_file, tmp_path):
    out = tmp_path / "out"
    code, stdout, stderr = run_cli(capsys, "run", str(bad_scenario_file), "--out", str(out))
    assert code == 2
    assert stdout == ""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert str(bad_scenario_file) in lines[0]
    assert "field 'mine.resident_share'" in lines[0]
    assert "got 1.5" in lines[0] and "allowed: " in lines[0]
    assert not out.exists()


def test_missing_scenario_exits_2(capsys, tmp_path):
    code, _, stderr = run_cli(capsys, "run", str(tmp_path / "none.toml"))
    assert code == 2
    assert str(tmp_path / "none.toml") in stderr
    assert "Traceback" not in stderr


def test_each_problem_gets_its_own_error_line(capsys, tmp_path):
    path = tmp_path / "two.toml"
    path.write_text('seed = -1\nbehaviour = "fast"\n', encoding="utf-8")
    code, _, stderr = run_cli(capsys, "validate", str(path))
    assert code == 2
    lines = stderr.strip().splitlines()
    assert [line.split("field ")[1].split(":")[0] for line in lines] == ["'seed'", "'behaviour'"]
    assert all(line.startswith(f"error: {path}: ") for line in lines)


@pytest.mark.parametrize("seed", ["-1", str(2**63)])
def test_seed_out_of_range_exits_2(capsys, short_scenario_file, tmp_path, seed):
    code, _, stderr = run_cli(capsys, "run", str(short_scenario_file), "--seed", seed, "--out", str(tmp_path / "o"))
    assert code == 2
    assert f"field '--seed': got {seed}" in stderr
    assert not (tmp_path / "o").exists()


def test_out_pointing_at_a_file_exits_2(capsys, short_scenario_file, tmp_path):
    target = tmp_path / "taken"
    target.write_text("not a folder", encoding="utf-8")
    code, _, stderr = run_cli(capsys, "run", str(short_scenario_file), "--out", str(target))
    assert code == 2
    assert "field '--out'" in stderr
    assert target.read_text(encoding="utf-8") == "not a folder"


@pytest.mark.parametrize("argv", [[], ["run"], ["run", "x.toml", "--seed", "abc"], ["fly"], ["validate"]])
def test_bad_command_line_exits_2(capsys, argv):
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    assert caught.value.code == 2
    assert "usage: bottrop-sim" in capsys.readouterr().err


def test_internal_error_exits_1_without_traceback(capsys, monkeypatch, short_scenario_file, tmp_path):
    def broken(*args, **kwargs):
        raise RuntimeError("accounting identity broken")

    monkeypatch.setattr(SIMULATE_MODULE, "simulate", broken)
    code, stdout, stderr = run_cli(capsys, "run", str(short_scenario_file), "--out", str(tmp_path / "o"))
    assert code == 1
    assert "internal error: RuntimeError: accounting identity broken" in stderr
    assert "--debug" in stderr
    assert "Traceback" not in stderr + stdout
    assert not (tmp_path / "o").exists()


def test_debug_shows_the_internal_error(monkeypatch, short_scenario_file, tmp_path):
    monkeypatch.setattr(SIMULATE_MODULE, "simulate", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        cli.main(["--debug", "run", str(short_scenario_file), "--out", str(tmp_path / "o")])


# --- validate and schema ----------------------------------------------------------------------


def test_validate_accepts_the_shipped_scenarios(capsys):
    code, stdout, stderr = run_cli(capsys, "validate", *map(str, SHIPPED_SCENARIOS))
    assert (code, stderr) == (0, "")
    assert stdout.splitlines() == [f"ok: {path}" for path in SHIPPED_SCENARIOS]


def test_validate_refuses_a_bad_scenario_and_checks_the_rest(capsys, bad_scenario_file, short_scenario_file):
    code, stdout, stderr = run_cli(capsys, "validate", str(bad_scenario_file), str(short_scenario_file))
    assert code == 2
    assert stdout.strip() == f"ok: {short_scenario_file}"
    assert "field 'mine.resident_share'" in stderr
    assert len(stderr.strip().splitlines()) == 1


def test_schema_prints_the_json_schema(capsys):
    code, stdout, _ = run_cli(capsys, "schema")
    assert code == 0
    schema = json.loads(stdout)
    assert set(schema["properties"]) == {*Scenario.model_fields, "extends"}  # extends: inheritance, resolved when loading
    assert schema["additionalProperties"] is False
    assert schema["properties"]["seed"]["minimum"] == 0
    mine = schema["$defs"]["MineSpec"]["properties"]
    assert mine["resident_share"]["maximum"] == 1.0
    assert "description" in mine["staff"]


# --- the real command in a subprocess -----------------------------------------------------------

CRASHING_RUN = textwrap.dedent(
    """
    import importlib
    import sys

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    importlib.import_module("bottrop_sim.simulate").simulate = broken
    from bottrop_sim.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def command(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bottrop_sim.cli", *args], capture_output=True, text=True, timeout=300, check=False)


def test_subprocess_run_succeeds(short_scenario_file, tmp_path):
    done = command("run", str(short_scenario_file), "--out", str(tmp_path / "o"))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "workplace_jobs" in done.stdout
    assert len(pd.read_csv(tmp_path / "o" / "timeseries.csv")) == 6


def test_subprocess_invalid_input_exits_2_without_traceback(bad_scenario_file, tmp_path):
    done = command("run", str(bad_scenario_file), "--out", str(tmp_path / "o"))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1
    assert str(bad_scenario_file) in done.stderr and "mine.resident_share" in done.stderr


def test_subprocess_internal_error_exits_1_without_traceback(short_scenario_file, tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", CRASHING_RUN, "run", str(short_scenario_file), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "internal error: RuntimeError: boom" in done.stderr


def test_console_script_validates(bad_scenario_file):
    script = shutil.which("bottrop-sim", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("console script not installed next to this Python")
    good = subprocess.run([script, "validate", *map(str, SHIPPED_SCENARIOS)], capture_output=True, text=True, timeout=300, check=False)
    assert good.returncode == 0, good.stderr
    bad = subprocess.run([script, "validate", str(bad_scenario_file)], capture_output=True, text=True, timeout=300, check=False)
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
