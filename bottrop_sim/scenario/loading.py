"""Loading scenario files: TOML -> validated :class:`Scenario`, with clear errors.

Every problem is reported as a :class:`~bottrop_sim.errors.ScenarioError` naming
the file, the dotted field path, the value given and what is allowed; the
allowed text is derived from the schema (type, limits, description), so it stays
in step with :mod:`bottrop_sim.scenario.schema`.
"""

from __future__ import annotations

import difflib
import math
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bottrop_sim.economy.sector_table import load_sector_table
from bottrop_sim.errors import FieldError, ScenarioError, ScenarioErrors
from bottrop_sim.scenario.composition import apply_overrides, read_with_parents
from bottrop_sim.scenario.fields import SHOCK_TAGS, expectation, is_model, resolve
from bottrop_sim.scenario.schema import Scenario


def load_scenario(path: str | Path, overrides: list[str] | None = None) -> Scenario:
    """Read and validate a scenario TOML file.

    The file may ``extends`` another one (see :mod:`bottrop_sim.scenario.composition`);
    ``overrides`` (``path=value`` texts, as from ``--set``) apply last. A relative
    ``economy.sector_table`` is resolved against the folder of the file that
    names it; the table itself is validated too.

    Args:
        path: the scenario file.
        overrides: ``path=value`` overrides, e.g. ``["governance.mode=alliance"]``.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: naming the file (or the command line), the field, the value and what is allowed.
    """
    file = Path(path)
    data = read_with_parents(file)
    if not overrides:
        return scenario_from_dict(data, source=file)
    try:
        return scenario_from_dict(apply_overrides(data, overrides), source=file)
    except ScenarioError as error:
        given = [text.split("=", 1)[0].strip() for text in overrides]
        if any(error.field == path or error.field.startswith((path + ".", path + "[")) for path in given):
            raise ScenarioError(f"--set (on {file})", error.field, error.value, error.allowed) from None
        raise


def scenario_from_dict(data: dict[str, Any], source: str | Path = "<dict>", *, strict: bool = True) -> Scenario:
    """Validate a scenario given as a plain dict (e.g. parsed TOML).

    Args:
        data: the scenario's fields.
        source: file the data came from; relative table paths are resolved against its folder.
        strict: refuse values of the wrong type instead of converting them (``"0.5"`` or
            ``true`` for a number, ``1`` for true/false, ``3.0`` for an integer). Callers
            passing numpy numbers (e.g. samplers) may set it to False.

    Raises:
        ScenarioError: naming the source, the field, the value and what is allowed.
    """
    data = dict(data)
    economy = data.get("economy")
    if isinstance(economy, dict) and isinstance(economy.get("sector_table"), str):
        data["economy"] = {**economy, "sector_table": str(_table_path(economy["sector_table"], source))}
    _reject_nan(data, source, ())
    try:
        scenario = Scenario.model_validate(data, strict=strict)
    except ValidationError as exc:
        raise _translate(exc, source) from None
    _check_against_table(scenario, source, data)
    return scenario


def _table_path(given: str, source: str | Path) -> Path:
    """The sector table a scenario names, resolved against the scenario file's folder."""
    source_path = Path(source)
    table = Path(given)
    if not table.is_absolute() and source_path.suffix:
        table = (source_path.parent / table).resolve()
    if not table.is_file():
        folder = source_path.parent.resolve() if source_path.suffix else Path.cwd()
        raise ScenarioError(source, "economy.sector_table", given, f"an existing CSV file, relative to {folder} (no file at {table})")
    return table


def _reject_nan(value: Any, source: str | Path, loc: tuple[Any, ...]) -> None:
    """Refuse NaN and infinity anywhere in a known field (pydantic checks only declared floats)."""
    if isinstance(value, float) and not math.isfinite(value):
        if resolve(loc) is not None:
            raise ScenarioError(source, _field_path(loc), value, expectation(loc) or "a finite number")
    elif isinstance(value, dict):
        for key, item in value.items():
            _reject_nan(item, source, (*loc, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _reject_nan(item, source, (*loc, i))


def _given(data: dict[str, Any], index: int) -> dict[str, Any]:
    """The fields a scenario file gave for its shock number ``index`` (defaults excluded)."""
    shocks = data.get("shocks") or []
    return shocks[index] if index < len(shocks) and isinstance(shocks[index], dict) else {}


def _check_against_table(scenario: Scenario, source: str | Path, data: dict[str, Any]) -> None:
    """Sector names in the scenario must exist in its sector table."""
    table = load_sector_table(scenario.economy.sector_table)
    purchases = scenario.mine.local_purchases_eur_month or {}
    known = f"a sector of the table: {', '.join(table.sectors)}"
    for sector in purchases:
        if sector not in table.sectors:
            raise ScenarioError(source, f"mine.local_purchases_eur_month.{sector}", sector, known)
    for i, shock in enumerate(scenario.shocks):
        names = [("sectors", s) for s in getattr(shock, "sectors", [])]
        names += [("sector_multipliers", s) for s in getattr(shock, "sector_multipliers", {})]
        names += [("pass_through_by_sector", s) for s in getattr(shock, "pass_through_by_sector", {})]
        if getattr(shock, "sector", None) is not None:
            names.append(("sector", shock.sector))
        for field, sector in names:
            defaulted = field in ("pass_through_by_sector", "sector_multipliers") and field not in _given(data, i)
            if sector not in table.sectors and not defaulted:  # defaults name the default table's sectors; absent ones are ignored
                suffix = "" if field == "sector" else f".{sector}" if field != "sectors" else ""
                raise ScenarioError(source, f"shocks[{i}].{field}{suffix}", sector, known)
    for sector in scenario.economy.final_demand_scale:
        if sector not in table.sectors:
            raise ScenarioError(source, f"economy.final_demand_scale.{sector}", sector, known)
    governance = scenario.governance
    for i, sector in enumerate(governance.city.target_sectors):
        if sector not in table.sectors:
            raise ScenarioError(source, f"governance.city.target_sectors[{i}]", sector, known)
    given_labs = ((data.get("governance") or {}).get("alliance") or {}).get("labs") or {}
    for name, lab in governance.alliance.labs.items():
        if "sectors" not in (given_labs.get(name) or {}):
            continue  # the default labs name the default table's sectors; with a custom table those absent are ignored
        for i, sector in enumerate(lab.sectors):
            if sector not in table.sectors:
                raise ScenarioError(source, f"governance.alliance.labs.{name}.sectors[{i}]", sector, known)
    adaptation = governance.adaptation
    if adaptation.green_transition and adaptation.green_demand_growth_per_year != 0 and adaptation.green_sector not in table.sectors:
        raise ScenarioError(source, "governance.adaptation.green_sector", adaptation.green_sector, known + " (or set green_demand_growth_per_year = 0)")


# --- translating pydantic's errors -------------------------------------------------


def _field_path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for position, item in enumerate(loc):
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item in SHOCK_TAGS and (position == 0 or resolve(loc[:position]) is None or not is_model(resolve(loc[:position])[0])):
            continue  # a union's tag, not a user-visible field
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "<root>"


def _join(path: str, sub: str) -> str:
    if not sub:
        return path
    if path == "<root>":
        return sub
    return path + sub if sub.startswith("[") else f"{path}.{sub}"


def _allowed(error: dict[str, Any]) -> str:
    kind, ctx, loc = error["type"], error.get("ctx") or {}, tuple(error["loc"])
    if kind == "extra_forbidden":
        parent = resolve(loc[:-1])
        keys = list(parent[0].model_fields) if parent and is_model(parent[0]) else []
        if not keys:
            return "no unknown keys"
        close = difflib.get_close_matches(str(loc[-1]), keys, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return "one of the known keys: " + ", ".join(sorted(keys)) + hint
    if kind == "value_error":
        return str(ctx.get("error", error["msg"])).removeprefix("Value error, ")
    if kind == "missing":
        return "a value (this field is required)"
    expected = expectation(loc)
    if expected:
        return expected
    return error["msg"][0].lower() + error["msg"][1:]


def _translate(exc: ValidationError, source: str | Path) -> ScenarioError:
    errors = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        field = _field_path(loc)
        problem = (error.get("ctx") or {}).get("error")
        if isinstance(problem, FieldError):
            errors.append(ScenarioError(source, _join(field, problem.field), problem.value, problem.allowed))
        elif error["type"] == "extra_forbidden":
            errors.append(ScenarioError(source, field, loc[-1], _allowed(error)))
        elif error["type"] in ("union_tag_invalid", "union_tag_not_found"):
            given = error.get("input", {}).get("type") if isinstance(error.get("input"), dict) else error.get("input")
            errors.append(ScenarioError(source, _join(field, "type"), given, "one of the shock types: " + ", ".join(sorted(SHOCK_TAGS))))
        else:
            errors.append(ScenarioError(source, field, error.get("input"), _allowed(error)))
    return errors[0] if len(errors) == 1 else ScenarioErrors(errors)
