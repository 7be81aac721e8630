"""The scenario schema walked field by field, TOML writing, and hypothesis strategies of bad and valid values,
for the validation tests (tests/test_scenario_validation.py, tests/test_scenario_files.py).

The walk goes through ``Scenario.model_fields`` recursively, into the mine_closure
shock and its staff_path points, so a new field is tested as soon as it is added.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import string
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from bottrop_sim.calendar import YEAR_MONTH_PATTERN
from bottrop_sim.economy.sector_table import load_sector_table
from bottrop_sim.errors import ScenarioError
from bottrop_sim.scenario import Scenario, load_scenario
from bottrop_sim.scenario.governance import CitySpec
from bottrop_sim.shocks import MineClosure

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


NUMBER_LEAVES = [leaf for leaf in VALUE_LEAVES if leaf.annotation in (int, float)]


def is_table_of_numbers(leaf: Leaf) -> bool:
    return typing.get_origin(leaf.annotation) is dict and unwrap(typing.get_args(leaf.annotation)[1], [])[0] in (int, float)


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


NUMERIC_COLUMNS = TABLE_COLUMNS[1:]
BAD_CELLS = {
    "a_alpha": st.one_of(st.floats(-10, 0, exclude_max=True), st.floats(1, 10, exclude_min=True)),
    "final_demand_eur_month": st.floats(-1e9, 0, exclude_max=True),
    "labour_per_output": st.one_of(st.floats(-1, 0), st.floats(1, 10, exclude_min=True)),
    "emission_per_output": st.one_of(st.floats(-1, 0, exclude_max=True), st.floats(1, 10, exclude_min=True)),
}
