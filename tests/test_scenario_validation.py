"""Scenario and sector-table validation: bad input is refused with a message naming
the file, the dotted field path, the value given and what is allowed.

Every field of the schema (walked in tests/scenario_fields.py, so a new field is
tested as soon as it is added): wrong types, values out of range, unknown keys
refused; valid values accepted; and the rules that span fields.
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bottrop_sim.errors import ScenarioError, ScenarioErrors
from bottrop_sim.scenario import load_scenario, scenario_from_dict
from bottrop_sim.shocks import SHOCK_TYPES
from tests.scenario_fields import (
    FAST,
    LEAVES,
    MODEST,
    MONTHS,
    NON_FINITE,
    NUMBER_LEAVES,
    SECTIONS,
    SHARES,
    VALUE_LEAVES,
    WORDS,
    assert_names,
    bad_entries,
    field_path,
    is_table_of_numbers,
    loaded_value,
    model_at,
    number_text,
    out_of_range,
    refusal,
    scenario_with,
    valid_case,
    valid_values,
    write,
    wrong_type,
)


def test_schema_walk_reaches_every_section_and_the_shock_fields():
    paths = {leaf.path for leaf in LEAVES}
    for expected in (
        "seed",
        "economy.suppliers_per_input",
        "mine.local_purchases_eur_month",
        "labour.out_migration_rate",
        "firms.exit_after_months",
        "shocks[0].closure_date",
        "shocks[0].early_retirement_share",
        "shocks[0].staff_path",
        "shocks[0].staff_path[0].month",
        "shocks[0].staff_path[0].staff",
    ):
        assert expected in paths
    assert len({leaf.id for leaf in LEAVES}) == len(LEAVES) > 45
    assert {leaf.shock for leaf in LEAVES} == set(SHOCK_TYPES)


@pytest.mark.parametrize("leaf", VALUE_LEAVES, ids=lambda leaf: leaf.id)
@FAST
@given(data=st.data())
def test_wrong_type_is_refused(tmp_path, leaf, data):
    value = data.draw(wrong_type(leaf), label="value")
    file = write(tmp_path / "scenario.toml", scenario_with(leaf.loc, value, leaf.shock))
    allowed = assert_names(refusal(file), file, leaf.path, value)
    if leaf.annotation is int:
        assert "integer" in allowed
    if leaf.annotation is bool:
        assert "true or false" in allowed


@pytest.mark.parametrize("leaf", [leaf for leaf in VALUE_LEAVES if out_of_range(leaf) is not None], ids=lambda leaf: leaf.id)
@FAST
@given(data=st.data())
def test_out_of_range_is_refused(tmp_path, leaf, data):
    value = data.draw(out_of_range(leaf), label="value")
    file = write(tmp_path / "scenario.toml", scenario_with(leaf.loc, value, leaf.shock))
    allowed = assert_names(refusal(file), file, leaf.path, value)
    for name, symbol in (("ge", ">="), ("gt", ">"), ("le", "<=")):
        if name in leaf.limits and leaf.annotation in (int, float):
            assert f"{symbol} {number_text(leaf.limits[name])}" in allowed


@pytest.mark.parametrize("leaf", NUMBER_LEAVES, ids=lambda leaf: leaf.id)
@MODEST
@given(value=NON_FINITE)
def test_nan_and_infinity_are_refused(tmp_path, leaf, value):
    file = write(tmp_path / "scenario.toml", scenario_with(leaf.loc, value, leaf.shock))
    assert "finite" in assert_names(refusal(file), file, leaf.path, value) or leaf.annotation is int


@pytest.mark.parametrize("leaf", [leaf for leaf in VALUE_LEAVES if is_table_of_numbers(leaf)], ids=lambda leaf: leaf.id)
@FAST
@given(data=st.data())
def test_bad_entry_in_a_table_of_numbers_is_refused(tmp_path, leaf, data):
    name, value = data.draw(bad_entries(leaf), label="entry")
    file = write(tmp_path / "scenario.toml", scenario_with(leaf.loc, {name: value}, leaf.shock))
    assert_names(refusal(file), file, f"{leaf.path}.{name}", value)


@pytest.mark.parametrize("section", SECTIONS, ids=lambda loc: field_path(loc) or "<top level>")
@FAST
@given(key=st.from_regex(r"[a-z][a-z0-9_]{0,14}", fullmatch=True), value=st.one_of(st.integers(), WORDS, st.booleans()))
def test_unknown_key_is_refused_with_the_known_keys(tmp_path, section, key, value):
    known = model_at(section).model_fields
    assume(key not in known)
    file = write(tmp_path / "scenario.toml", scenario_with((*section, key), value))
    allowed = assert_names(refusal(file), file, field_path((*section, key)), key)
    assert "one of the known keys" in allowed
    assert all(name in allowed for name in known)


def test_misspelt_key_gets_a_suggestion(tmp_path):
    file = write(tmp_path / "s.toml", {"mine": {"resident_shares": 0.3}})
    assert "did you mean 'resident_share'?" in assert_names(refusal(file), file, "mine.resident_shares", "resident_shares")


@pytest.mark.parametrize("leaf", [valid_case(leaf) for leaf in VALUE_LEAVES if valid_values(leaf) is not None], ids=lambda leaf: leaf.id)
@FAST
@given(data=st.data())
def test_valid_value_is_accepted(tmp_path, leaf, data):
    value = data.draw(valid_values(leaf), label="value")
    if leaf.annotation is dt.date and data.draw(st.booleans(), label="quoted"):
        value = value.isoformat()  # "2018-12-21" in quotes is a date too
    file = write(tmp_path / "scenario.toml", scenario_with(leaf.loc, value, leaf.shock))
    loaded = loaded_value(load_scenario(file), leaf.loc)
    if isinstance(loaded, list):
        loaded = [point.model_dump() for point in loaded]
    expected = dt.date.fromisoformat(value) if leaf.annotation is dt.date and isinstance(value, str) else value
    assert loaded == expected
    assert type(loaded) is type(expected) or leaf.annotation is float


def test_numbers_from_code_may_be_converted_when_asked():
    """Samplers pass numpy numbers; strict=False accepts them, strict (the file default) does not."""
    data = {"seed": np.int64(5), "mine": {"staff": np.int64(100)}}
    assert scenario_from_dict(data, strict=False).mine.staff == 100
    with pytest.raises(ScenarioError, match=r"mine\.staff"):
        scenario_from_dict(data)


# --- rules that span fields -------------------------------------------------------------


@FAST
@given(months=st.lists(MONTHS, min_size=2, max_size=2, unique=True).map(sorted))
def test_end_before_start_is_refused(tmp_path, months):
    end, start = months
    file = write(tmp_path / "s.toml", {"start": start, "end": end})
    assert start in assert_names(refusal(file), file, "end", end)


@FAST
@given(month=MONTHS)
def test_a_one_month_scenario_is_allowed(tmp_path, month):
    file = write(tmp_path / "s.toml", {"start": month, "end": month})
    assert load_scenario(file).months == 1


@FAST
@given(points=st.lists(st.tuples(MONTHS, st.integers(0, 5000)), min_size=2, max_size=6).filter(lambda ps: any(b[0] <= a[0] for a, b in itertools.pairwise(ps))))
def test_staff_path_months_must_increase(tmp_path, points):
    path = [{"month": month, "staff": staff} for month, staff in points]
    file = write(tmp_path / "s.toml", {"shocks": [{"type": "mine_closure", "staff_path": path}]})
    first_bad = next(i for i in range(1, len(points)) if points[i][0] <= points[i - 1][0])
    allowed = assert_names(refusal(file), file, f"shocks[0].staff_path[{first_bad}].month", points[first_bad][0])
    assert points[first_bad - 1][0] in allowed


@FAST
@given(shares=st.tuples(*[st.floats(0.0, 1.0)] * 3).filter(lambda s: abs(sum(s) - 1.0) > 1e-5))
def test_leaving_shares_must_sum_to_one(tmp_path, shares):
    given_shares = dict(zip(SHARES, shares, strict=True))
    file = write(tmp_path / "s.toml", {"shocks": [{"type": "mine_closure", **given_shares}]})
    allowed = assert_names(refusal(file), file, "shocks[0]." + "+".join(SHARES), given_shares)
    assert "summing to 1" in allowed


@FAST
@given(shares=st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)).filter(lambda s: 1.0 - s[0] - s[1] >= 0.0))  # the third share as computed below
def test_leaving_shares_summing_to_one_are_accepted(tmp_path, shares):
    given_shares = {SHARES[0]: shares[0], SHARES[1]: shares[1], SHARES[2]: 1.0 - shares[0] - shares[1]}
    file = write(tmp_path / "s.toml", {"shocks": [{"type": "mine_closure", **given_shares}]})
    shock = load_scenario(file).shocks[0]
    assert {name: getattr(shock, name) for name in SHARES} == given_shares


def test_closure_needs_the_mine(tmp_path):
    file = write(tmp_path / "s.toml", {"mine": {"enabled": False}, "shocks": [{"type": "mine_closure"}]})
    assert "mine_closure" in assert_names(refusal(file), file, "mine.enabled", False)


def test_at_most_one_closure(tmp_path):
    file = write(tmp_path / "s.toml", {"shocks": [{"type": "mine_closure"}, {"type": "mine_closure"}]})
    assert_names(refusal(file), file, "shocks", ["mine_closure", "mine_closure"])


def test_several_problems_are_reported_together(tmp_path):
    file = write(tmp_path / "s.toml", {"seed": -1, "mine": {"staff": -5}, "labour": {"out_migration_rate": 2.0}})
    error = refusal(file)
    assert isinstance(error, ScenarioErrors)
    assert [e.field for e in error.errors] == ["seed", "mine.staff", "labour.out_migration_rate"]
    lines = str(error).splitlines()
    assert len(lines) == 3
    for line, (field, value) in zip(lines, [("seed", -1), ("mine.staff", -5), ("labour.out_migration_rate", 2.0)], strict=True):
        assert line.startswith(f"{file}: field '{field}': got {value!r}; allowed: ")
