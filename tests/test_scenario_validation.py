"""Scenario and sector-table validation: bad input is refused with a message naming
the file, the dotted field path, the value given and what is allowed.

The field-by-field tests walk the schema (``Scenario.model_fields``, recursively,
into the mine_closure shock and its staff_path points), so a new field is tested
as soon as it is added.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
import string
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from bottrop_sim.calendar import YEAR_MONTH_PATTERN
from bottrop_sim.economy.sector_table import REQUIRED_COLUMNS, default_table_path, load_sector_table
from bottrop_sim.errors import ScenarioError, ScenarioErrors
from bottrop_sim.scenario import Scenario, load_scenario, scenario_from_dict
from bottrop_sim.scenario.governance import CitySpec
from bottrop_sim.shocks import SHOCK_TYPES, MineClosure

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
DEFAULT_SECTORS = load_sector_table().sectors
SHARES = ("early_retirement_share", "transfer_share", "job_seeker_share")
CITY_SHARES = ("diversification_grant_share", "retraining_share", "startup_grant_share")

FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
MODEST = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


# --- writing TOML (the standard library only reads it) ---------------------------------


def toml_value(value: Any) -> str:
    """``value`` as a TOML value (inline tables for dicts)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)  # repr gives nan, inf, -inf, 1e+16: all valid TOML
    if isinstance(value, str):
        escaped = "".join("\\\\" if ch == "\\" else '\\"' if ch == '"' else f"\\u{ord(ch):04x}" if ord(ch) < 0x20 or ord(ch) == 0x7F else ch for ch in value)
        return f'"{escaped}"'
    if isinstance(value, dt.date):  # also datetimes: TOML local date(-time)s
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(key)} = {toml_value(item)}" for key, item in value.items()) + "}"
    raise TypeError(value)


def toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_value(key)


def toml_document(data: dict[str, Any]) -> str:
    """A TOML document: plain keys first, then one [section] per table, as people write them."""
    lines = [f"{toml_key(k)} = {toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for key, table in data.items():
        if isinstance(table, dict):
            lines += ["", f"[{toml_key(key)}]", *(f"{toml_key(k)} = {toml_value(v)}" for k, v in table.items())]
    return "\n".join(lines) + "\n"


def write(path: Path, data: dict[str, Any] | str) -> Path:
    path.write_text(data if isinstance(data, str) else toml_document(data), encoding="utf-8")
    return path


# --- the schema's leaves ---------------------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    """One field of the schema, found by walking ``Scenario.model_fields``."""

    loc: tuple[str | int, ...]
    annotation: Any  # without Optional / Annotated
    limits: dict[str, Any]  # ge, gt, le, lt, min_length, max_length, pattern
    shock: str = "mine_closure"  # the shock type, for fields of a shock

    @property
    def path(self) -> str:
        return field_path(self.loc)

    @property
    def id(self) -> str:
        return f"{self.path}<{self.shock}>" if self.loc[0] == "shocks" and len(self.loc) > 1 else self.path


def field_path(loc: tuple[str | int, ...]) -> str:
    return "".join(f"[{item}]" if isinstance(item, int) else ("." if i else "") + item for i, item in enumerate(loc))


def unwrap(annotation: Any, metadata: list[Any]) -> tuple[Any, dict[str, Any]]:
    items = list(metadata)
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation, *extra = typing.get_args(annotation)
            for item in extra:
                items.extend(getattr(item, "metadata", None) or [item])
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) > 1:
                break  # a union of models (the shock types): the walk visits each member
            annotation = members[0]
        else:
            break
    limits = {}
    for item in items:
        for name in ("ge", "gt", "le", "lt", "min_length", "max_length", "pattern"):
            if getattr(item, name, None) is not None:
                limits[name] = getattr(item, name)
    return annotation, limits


def is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def shock_type(model: type[BaseModel]) -> str:
    return typing.get_args(model.model_fields["type"].annotation)[0]


def schema_leaves(model: type[BaseModel] = Scenario, loc: tuple[str | int, ...] = (), shock: str = "mine_closure") -> list[Leaf]:
    """Every field, sections and lists of tables included, depth first (each shock type's fields too)."""
    leaves = []
    for name, info in model.model_fields.items():
        annotation, limits = unwrap(info.annotation, info.metadata)
        here = (*loc, name)
        if name == "type" and loc and loc[0] == "shocks":
            continue  # the tag: tested by test_unknown_shock_type_is_refused
        leaves.append(Leaf(here, annotation, limits, shock))
        if is_model(annotation):
            leaves += schema_leaves(annotation, here, shock)
        elif typing.get_origin(annotation) is list:
            item, _ = unwrap(typing.get_args(annotation)[0], [])
            members = [m for m in typing.get_args(item) if is_model(m)] if typing.get_origin(item) in (typing.Union, types.UnionType) else [item]
            for member in members:
                if is_model(member):
                    tag = shock_type(member) if "type" in member.model_fields else shock
                    leaves += schema_leaves(member, (*here, 0), tag)
    return leaves


LEAVES = schema_leaves()
SECTIONS = [(), *(leaf.loc for leaf in LEAVES if is_model(leaf.annotation)), ("shocks", 0), ("shocks", 0, "staff_path", 0)]


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


def model_at(loc: tuple[str | int, ...], shock: str = "mine_closure") -> type[BaseModel]:
    model: Any = Scenario
    for item in loc:
        if isinstance(item, str):
            model = unwrap(model.model_fields[item].annotation, [])[0]
        if typing.get_origin(model) is list:
            model = unwrap(typing.get_args(model)[0], [])[0]
        if typing.get_origin(model) in (typing.Union, types.UnionType):
            model = next(m for m in typing.get_args(model) if is_model(m) and shock_type(m) == shock)
    return model


def scenario_with(loc: tuple[str | int, ...], value: Any, shock_kind: str = "mine_closure") -> dict[str, Any]:
    """A short, otherwise valid scenario with ``value`` at ``loc`` (in a shock of ``shock_kind``)."""
    data: dict[str, Any] = {"name": "probe", "start": "2015-01", "end": "2015-06"}
    if loc[0] == "shocks" and len(loc) > 1:
        shock: dict[str, Any] = {"type": shock_kind}
        if shock_kind != "mine_closure":
            shock["start"] = "2015-03"
        if len(loc) > 4:
            shock["staff_path"] = [{"month": "2015-01", "staff": 100}]
        data["shocks"] = [shock]
    if loc == ("start",):
        data["end"] = "2100-12"
    if loc == ("end",):
        data["start"] = "1950-01"
    if loc[-1] in SHARES and isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1:
        for other in SHARES:
            data["shocks"][0][other] = (1.0 - value) / 2
    if loc[:2] == ("governance", "city") and len(loc) == 3:  # keep the office's programme shares summing to 1
        city = data.setdefault("governance", {}).setdefault("city", {})
        if loc[-1] in CITY_SHARES and isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1:
            for other in CITY_SHARES:
                city[other] = (1.0 - value) / 2
        if loc[-1] == "targeting" and value == "sectors":
            city["target_sectors"] = [DEFAULT_SECTORS[1]]
        if loc[-1] == "target_sectors":
            city["targeting"] = "sectors"
    if loc[0] == "short_time_work" and len(loc) > 1:  # keep the rates with children at least the rates without (a cross-field rule)
        rules = data.setdefault("short_time_work", {})
        if loc[1] == "raised_rates" and len(loc) > 3:
            rules["raised_rates"] = [{"from_month": 4, "rate": 0.0, "rate_with_children": 1.0}]
        if loc[1] in ("replacement_rate", "replacement_rate_with_children"):
            rules.update(replacement_rate=0.0, replacement_rate_with_children=1.0)
    target: Any = data
    for item in loc[:-1]:
        target = target[item] if isinstance(item, int) else target.setdefault(item, {})
    target[loc[-1]] = value
    return data


# --- strategies -----------------------------------------------------------------------

WORDS = st.text(alphabet=string.ascii_letters + string.digits + " -_.:/", max_size=12)
SMALL_LISTS = st.lists(st.integers(-9, 9), max_size=3)
NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])
FINITE_FLOATS = st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)
MONTHS = st.builds(lambda year, month: f"{year:04d}-{month:02d}", st.integers(1950, 2100), st.integers(1, 12))
BAD_MONTHS = st.one_of(
    st.sampled_from(["2015-13", "2015-00", "2015-1", "15-01", "2015/01", "201501", "1949-12", "2101-01", "2015-01-01", "", " 2015-01"]),
    st.builds(lambda year, month: f"{year:04d}-{month:02d}", st.integers(0, 9999), st.integers(13, 99)),
    WORDS.filter(lambda text: not re.match(YEAR_MONTH_PATTERN, text)),
)
BAD_DATES = st.sampled_from(["2018-13-01", "2018-02-30", "21.12.2018", "2018-12", "20181221", "", "2018-12-21 12:00", "yesterday"])


def literal_choices(leaf: Leaf) -> tuple[Any, ...]:
    return typing.get_args(leaf.annotation) if typing.get_origin(leaf.annotation) is typing.Literal else ()


def wrong_type(leaf: Leaf) -> st.SearchStrategy[Any]:
    """Values of a type the field does not take."""
    kind, origin = leaf.annotation, typing.get_origin(leaf.annotation)
    if kind is bool:
        return st.one_of(st.integers(-5, 5), WORDS, FINITE_FLOATS, SMALL_LISTS)
    if kind is int:
        return st.one_of(WORDS, st.booleans(), FINITE_FLOATS, SMALL_LISTS)
    if kind is float:
        return st.one_of(WORDS, st.booleans(), SMALL_LISTS, st.dictionaries(st.sampled_from("xyz"), st.integers(), max_size=2))
    if kind is str:
        return st.one_of(st.integers(), FINITE_FLOATS, st.booleans(), SMALL_LISTS)
    if kind is dt.date:
        return st.one_of(
            st.integers(),
            FINITE_FLOATS,
            st.booleans(),
            BAD_DATES,
            st.datetimes(dt.datetime(1950, 1, 1), dt.datetime(2100, 1, 1)).map(lambda t: t.replace(fold=0)),
        )
    if origin is typing.Literal:
        return st.one_of(WORDS.filter(lambda text: text not in literal_choices(leaf)), st.integers(), st.booleans())
    if is_model(kind) or origin is dict:
        return st.one_of(st.integers(), WORDS, st.booleans(), SMALL_LISTS)
    if origin is list:
        return st.one_of(st.integers(), WORDS, st.booleans(), st.dictionaries(st.sampled_from("xyz"), st.integers(), max_size=2))
    raise AssertionError(f"no wrong-type strategy for {leaf}")


def out_of_range(leaf: Leaf) -> st.SearchStrategy[Any] | None:
    """Values of the right type beyond the field's limits (None if it has none)."""
    limits, kind = leaf.limits, leaf.annotation
    options = []
    if kind is int:
        if "ge" in limits:
            options.append(st.integers(limits["ge"] - 10**6, limits["ge"] - 1))
        if "le" in limits:
            options.append(st.integers(limits["le"] + 1, limits["le"] + 10**6))
    if kind is float:
        if "ge" in limits:
            options.append(st.floats(limits["ge"] - 1e6, limits["ge"], exclude_max=True))
        if "gt" in limits:
            options.append(st.floats(limits["gt"] - 1e6, limits["gt"]))
        if "le" in limits:
            options.append(st.floats(limits["le"], limits["le"] * 2 + 1e6, exclude_min=True))
    if kind is str:
        if "max_length" in limits:
            options.append(st.text(string.ascii_letters, min_size=limits["max_length"] + 1, max_size=limits["max_length"] + 20))
        if limits.get("min_length"):
            options.append(st.just(""))
        if limits.get("pattern") == YEAR_MONTH_PATTERN:
            options.append(BAD_MONTHS)
        elif "pattern" in limits:
            options.append(st.text(string.printable, max_size=12).filter(lambda text: not re.match(limits["pattern"], text)))
    if typing.get_origin(kind) is list and limits.get("min_length"):
        options.append(st.just([]))
    return st.one_of(options) if options else None


def bad_entries(leaf: Leaf) -> st.SearchStrategy[tuple[str, Any]]:
    """For a table of name = number (the mine's purchases): a known name with a bad number."""
    value_type, limits = unwrap(typing.get_args(leaf.annotation)[1], [])
    assert value_type is float
    bad = st.one_of(
        NON_FINITE,
        WORDS,
        st.booleans(),
        st.floats(limits["ge"] - 1e6, limits["ge"], exclude_max=True),
        st.floats(limits["le"], limits["le"] * 2, exclude_min=True),
    )
    return st.tuples(st.sampled_from(DEFAULT_SECTORS), bad)


# --- assertions -------------------------------------------------------------------------


def refusal(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return caught.value


def assert_names(error: ScenarioError, file: Path | str, field: str, value: Any) -> str:
    """The message names the file, the field and the value, and says what is allowed."""
    message = str(error)
    shown = repr(value)
    shown = shown if len(shown) <= 200 else shown[:197]
    assert "\n" not in message, message
    assert str(file) in message
    assert f"field '{field}'" in message, message
    assert f"got {shown}" in message, message
    allowed = message.partition("; allowed: ")[2]
    assert allowed.strip(), message
    assert (error.file, error.field) == (str(file), field)
    return allowed


def number_text(value: float | int) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


# --- every field: bad values refused, valid values accepted ------------------------------

VALUE_LEAVES = [leaf for leaf in LEAVES if leaf.loc != ("economy", "sector_table")]  # a path: tested with real files below


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


NUMBER_LEAVES = [leaf for leaf in VALUE_LEAVES if leaf.annotation in (int, float)]


@pytest.mark.parametrize("leaf", NUMBER_LEAVES, ids=lambda leaf: leaf.id)
@MODEST
@given(value=NON_FINITE)
def test_nan_and_infinity_are_refused(tmp_path, leaf, value):
    file = write(tmp_path / "scenario.toml", scenario_with(leaf.loc, value, leaf.shock))
    assert "finite" in assert_names(refusal(file), file, leaf.path, value) or leaf.annotation is int


def is_table_of_numbers(leaf: Leaf) -> bool:
    return typing.get_origin(leaf.annotation) is dict and unwrap(typing.get_args(leaf.annotation)[1], [])[0] in (int, float)


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


def valid_values(leaf: Leaf) -> st.SearchStrategy[Any] | None:
    """Values within the field's type and limits (None for fields tested separately)."""
    kind, limits = leaf.annotation, leaf.limits
    if kind is bool:
        return st.booleans()
    if kind is int:
        return st.integers(limits.get("ge", -(10**6)), limits.get("le", 10**6))
    if kind is float:
        low, high = limits.get("ge", limits.get("gt", -1e6)), limits.get("le", 1e6)
        floats = st.floats(low, high, exclude_min="gt" in limits, allow_nan=False)
        return st.one_of(floats, st.integers(math.ceil(low), math.floor(high)).filter(lambda v: v > low or "gt" not in limits))
    if kind is str:
        if leaf.loc[-1] == "sector" and leaf.loc[0] == "shocks":
            return st.sampled_from(DEFAULT_SECTORS)  # checked against the sector table
        if limits.get("pattern") == YEAR_MONTH_PATTERN:
            return MONTHS
        if "pattern" in limits:
            return st.from_regex(limits["pattern"], fullmatch=True)
        return st.text(min_size=limits.get("min_length", 0), max_size=min(limits.get("max_length", 80), 80))
    if kind is dt.date:
        return st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))
    if typing.get_origin(kind) is typing.Literal:
        return st.sampled_from(literal_choices(leaf))
    if is_table_of_numbers(leaf):
        value_type, value_limits = unwrap(typing.get_args(kind)[1], [])
        numbers = valid_values(Leaf((*leaf.loc, DEFAULT_SECTORS[0]), value_type, value_limits))
        return st.dictionaries(st.sampled_from(DEFAULT_SECTORS), numbers, max_size=4)
    if leaf.path.endswith("staff_path"):
        points = st.lists(st.tuples(st.integers(1950 * 12, 2100 * 12 + 11), st.integers(0, 50_000)), min_size=1, max_size=6, unique_by=lambda p: p[0])
        return points.map(lambda ps: [{"month": f"{m // 12:04d}-{m % 12 + 1:02d}", "staff": s} for m, s in sorted(ps)])
    return None  # sections and the list of shocks: covered by the shipped scenarios and the tests below


def loaded_value(scenario: Scenario, loc: tuple[str | int, ...]) -> Any:
    value: Any = scenario
    for item in loc:
        value = value[item] if isinstance(item, int) else getattr(value, item)
    return value


# scenario_with() keeps the cross-field rules of these models satisfied (start <= end, shares sum to 1)
CROSS_FIELD_RULES_HANDLED = (Scenario, MineClosure, CitySpec)


def valid_case(leaf: Leaf) -> Any:
    """A test case for a leaf; skipped where the field's section has cross-field rules this file does not know."""
    parent = model_at(leaf.loc[:-1], leaf.shock)
    if parent.__pydantic_decorators__.model_validators and parent not in CROSS_FIELD_RULES_HANDLED:
        return pytest.param(leaf, marks=pytest.mark.skip(reason=f"{parent.__name__} has cross-field rules; tested with its section"))
    return leaf


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
@given(shares=st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)).filter(lambda s: sum(s) <= 1.0))
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


# --- sector tables -------------------------------------------------------------------------

TABLE_COLUMNS = ["sector", "a_alpha", "a_beta", "final_demand_eur_month", "labour_per_output", "emission_per_output"]
TABLE_ROWS = [["alpha", "0.1", "0.2", "1000000", "0.0001", "0.001"], ["beta", "0.05", "0.1", "2000000", "0.0002", "0"]]


def table_text(columns: list[str] = TABLE_COLUMNS, rows: list[list[str]] = TABLE_ROWS) -> str:
    return "\n".join(",".join(row) for row in [columns, *rows]) + "\n"


def scenario_on_table(folder: Path, text: str, **mine: Any) -> Path:
    """A scenario in ``folder`` using ``tables/custom.csv`` (a path relative to the scenario file)."""
    (folder / "tables").mkdir(exist_ok=True)
    (folder / "tables" / "custom.csv").write_text(text, encoding="utf-8")
    return write(folder / "s.toml", {"economy": {"sector_table": "tables/custom.csv"}, "mine": {"sector": "coal", **mine}})


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


NUMERIC_COLUMNS = TABLE_COLUMNS[1:]
BAD_CELLS = {
    "a_alpha": st.one_of(st.floats(-10, 0, exclude_max=True), st.floats(1, 10, exclude_min=True)),
    "final_demand_eur_month": st.floats(-1e9, 0, exclude_max=True),
    "labour_per_output": st.one_of(st.floats(-1, 0), st.floats(1, 10, exclude_min=True)),
    "emission_per_output": st.one_of(st.floats(-1, 0, exclude_max=True), st.floats(1, 10, exclude_min=True)),
}


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
