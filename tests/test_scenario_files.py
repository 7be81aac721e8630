"""Scenario and sector-table validation: bad input is refused with a message naming
the file, the dotted field path, the value given and what is allowed.

The file itself (syntax, missing, a folder, binary), the shipped scenarios,
custom sector tables and the shock types.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bottrop_sim.economy.sector_table import REQUIRED_COLUMNS, default_table_path, load_sector_table
from bottrop_sim.errors import ScenarioErrors
from bottrop_sim.scenario import load_scenario
from bottrop_sim.shocks import SHOCK_TYPES
from tests.scenario_fields import (
    BAD_CELLS,
    DEFAULT_SECTORS,
    FAST,
    NON_FINITE,
    SHIPPED_SCENARIOS,
    TABLE_COLUMNS,
    TABLE_ROWS,
    assert_names,
    refusal,
    scenario_on_table,
    table_text,
    write,
)

# --- the file itself ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ['name = "x', "name = ", "[mine\nstaff = 1", "seed = 1\nseed = 2", "start = 2015-13-01", "[mine]\nstaff = 1\n[mine]\nstaff = 2", "= 5"],
)
def test_toml_syntax_error_is_refused_with_its_line(tmp_path, text):
    file = write(tmp_path / "broken.toml", text)
    error = refusal(file)
    assert error.field == "<syntax>"
    assert str(file) in str(error)
    assert re.search(r"\(at (line \d+, column \d+|end of document)\)", str(error.value))
    assert "valid TOML" in error.allowed


def test_missing_scenario_file_is_refused(tmp_path):
    file = tmp_path / "nowhere.toml"
    assert "an existing TOML file" in assert_names(refusal(file), file, "<file>", str(file))


def test_folder_instead_of_a_file_is_refused(tmp_path):
    assert_names(refusal(tmp_path), tmp_path, "<file>", str(tmp_path))


def test_binary_file_is_refused(tmp_path):
    file = tmp_path / "s.toml"
    file.write_bytes(b"\xff\xfe\x00name")
    assert "UTF-8" in refusal(file).allowed


@pytest.mark.parametrize("file", SHIPPED_SCENARIOS, ids=lambda p: p.name)
def test_shipped_scenarios_are_valid(file):
    scenario = load_scenario(file)
    assert scenario.name == file.stem
    assert scenario.months >= 12
    first = file.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# Question:")  # each file opens saying which question it answers


def test_custom_table_relative_to_the_scenario_is_loaded(tmp_path, monkeypatch):
    monkeypatch.chdir("/")  # the path must not depend on the working folder
    scenario = load_scenario(scenario_on_table(tmp_path, table_text(), local_purchases_eur_month={"beta": 5e5}))
    assert Path(scenario.economy.sector_table) == (tmp_path / "tables" / "custom.csv").resolve()
    table = load_sector_table(scenario.economy.sector_table)
    assert table.sectors == ("alpha", "beta")
    # rows buy, a_<supplier> columns supply: A[supplier, buyer]
    np.testing.assert_allclose(table.input_coefficients, [[0.1, 0.05], [0.2, 0.1]])
    np.testing.assert_allclose(table.final_demand, [1e6, 2e6])
    assert table.import_per_output.tolist() == [0.3, 0.3]  # optional column: its default


def test_missing_table_file_is_refused_naming_the_scenario(tmp_path):
    file = write(tmp_path / "s.toml", {"economy": {"sector_table": "tables/missing.csv"}})
    allowed = assert_names(refusal(file), file, "economy.sector_table", "tables/missing.csv")
    assert str(tmp_path / "tables" / "missing.csv") in allowed


def test_table_with_unknown_supplier_is_refused(tmp_path):
    text = table_text([*TABLE_COLUMNS[:3], "a_gamma", *TABLE_COLUMNS[3:]], [[*row[:3], "0.01", *row[3:]] for row in TABLE_ROWS])
    error = refusal(scenario_on_table(tmp_path, text))
    allowed = assert_names(error, tmp_path / "tables" / "custom.csv", "columns.a_gamma", "gamma")
    assert "alpha, beta" in allowed


def test_table_with_unknown_column_is_refused(tmp_path):
    text = table_text([*TABLE_COLUMNS, "colour"], [[*row, "red"] for row in TABLE_ROWS])
    allowed = assert_names(refusal(scenario_on_table(tmp_path, text)), tmp_path / "tables" / "custom.csv", "columns.colour", "colour")
    assert "labour_per_output" in allowed


@pytest.mark.parametrize("column", REQUIRED_COLUMNS)
def test_table_missing_a_required_column_is_refused(tmp_path, column):
    keep = [i for i, name in enumerate(TABLE_COLUMNS) if name != column]
    columns = [TABLE_COLUMNS[i] for i in keep]
    text = table_text(columns, [[row[i] for i in keep] for row in TABLE_ROWS])
    error = refusal(scenario_on_table(tmp_path, text))
    if column == "sector":  # without it no a_<sector> column is known either; the missing column comes first
        assert error.field == "columns"
    allowed = assert_names(error, tmp_path / "tables" / "custom.csv", "columns", columns)
    assert f"missing: {column}" in allowed


@FAST
@given(
    column=st.sampled_from(sorted(BAD_CELLS)),
    row=st.sampled_from([0, 1]),
    data=st.data(),
)
def test_table_with_a_bad_number_is_refused(tmp_path, column, row, data):
    value = data.draw(st.one_of(BAD_CELLS[column], NON_FINITE, st.sampled_from(["", "abc", "1,5", "0.1.2"])), label="cell")
    rows = [list(r) for r in TABLE_ROWS]
    rows[row][TABLE_COLUMNS.index(column)] = f'"{value}"' if isinstance(value, str) and "," in value else str(value)
    error = refusal(scenario_on_table(tmp_path, table_text(rows=rows)))
    assert_names(error, tmp_path / "tables" / "custom.csv", f"{TABLE_ROWS[row][0]}.{column}", value)


def test_table_with_negative_coefficient_is_refused(tmp_path):
    rows = [list(r) for r in TABLE_ROWS]
    rows[1][2] = "-0.1"
    allowed = assert_names(refusal(scenario_on_table(tmp_path, table_text(rows=rows))), tmp_path / "tables" / "custom.csv", "beta.a_beta", -0.1)
    assert "between 0 and 1" in allowed


def test_table_whose_inputs_leave_no_value_added_is_refused(tmp_path):
    rows = [list(r) for r in TABLE_ROWS]
    rows[0][1:3] = ["0.4", "0.35"]  # 0.75 local + 0.3 default imports >= 1
    allowed = assert_names(refusal(scenario_on_table(tmp_path, table_text(rows=rows))), tmp_path / "tables" / "custom.csv", "alpha.a_*", 1.05)
    assert "value added" in allowed


def test_table_with_duplicate_sector_is_refused(tmp_path):
    rows = [*TABLE_ROWS, TABLE_ROWS[0]]
    error = refusal(scenario_on_table(tmp_path, table_text(rows=rows)))
    assert_names(error, tmp_path / "tables" / "custom.csv", "sector", ["alpha"])


@pytest.mark.parametrize("name", ["Alpha", "1st", "", "a b", "über"])
def test_table_with_malformed_sector_id_is_refused(tmp_path, name):
    rows = [[name, *TABLE_ROWS[0][1:]], TABLE_ROWS[1]]
    columns = ["sector", f"a_{name}" if name and "," not in name else "a_alpha", *TABLE_COLUMNS[2:]]
    error = refusal(scenario_on_table(tmp_path, table_text(columns, rows)))
    problems = error.errors if isinstance(error, ScenarioErrors) else [error]
    assert any(p.field == "row 1.sector" and p.value == name for p in problems)


def test_table_row_with_a_missing_cell_is_refused(tmp_path):
    rows = [TABLE_ROWS[0][:-1], TABLE_ROWS[1]]
    error = refusal(scenario_on_table(tmp_path, table_text(rows=rows)))
    assert_names(error, tmp_path / "tables" / "custom.csv", "row 1", TABLE_ROWS[0][:-1])


def test_table_without_rows_is_refused(tmp_path):
    error = refusal(scenario_on_table(tmp_path, table_text(rows=[])))
    assert_names(error, tmp_path / "tables" / "custom.csv", "rows", 0)


def test_mine_purchases_from_an_unknown_sector_are_refused(tmp_path):
    file = write(tmp_path / "s.toml", {"mine": {"local_purchases_eur_month": {"trade": 1e5, "bakeries": 2e4}}})
    allowed = assert_names(refusal(file), file, "mine.local_purchases_eur_month.bakeries", "bakeries")
    assert all(sector in allowed for sector in DEFAULT_SECTORS)


def test_mine_purchases_are_checked_against_the_custom_table(tmp_path):
    error = refusal(scenario_on_table(tmp_path, table_text(), local_purchases_eur_month={"trade": 1e5}))
    assert_names(error, tmp_path / "s.toml", "mine.local_purchases_eur_month.trade", "trade")
    assert "alpha, beta" in error.allowed


def test_default_table_is_valid():
    table = load_sector_table(default_table_path())
    assert table.sectors == DEFAULT_SECTORS
    assert (table.value_added_share() > 0).all()


@pytest.mark.parametrize("shock", [{"type": "meteor"}, {"start": "2015-03"}, {"type": 3}], ids=["unknown", "missing", "not-text"])
def test_unknown_shock_type_is_refused(tmp_path, shock):
    file = write(tmp_path / "s.toml", {"shocks": [shock]})
    error = refusal(file)
    assert error.field == "shocks[0].type"
    for kind in SHOCK_TYPES:
        assert kind in error.allowed


@pytest.mark.parametrize("kind", SHOCK_TYPES)
def test_every_shock_type_loads_with_its_defaults(tmp_path, kind):
    shock = {"type": kind} if kind in ("mine_closure", "energy_price", "demand_recession") else {"type": kind, "start": "2016-01"}
    file = write(tmp_path / "s.toml", {"shocks": [shock]})
    loaded = load_scenario(file).shocks[0]
    assert loaded.type == kind
    first, last = loaded.window()
    assert first <= last
