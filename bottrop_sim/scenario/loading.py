"""Loading scenario files: TOML -> validated :class:`Scenario`, with clear errors."""

from __future__ import annotations

import math
import tomllib
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from bottrop_sim.economy.sector_table import load_sector_table
from bottrop_sim.errors import ScenarioError, ScenarioErrors
from bottrop_sim.scenario.schema import Scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML file.

    A relative ``economy.sector_table`` is resolved against the scenario file's
    folder; the table itself is validated too.

    Args:
        path: the scenario file.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: naming the file, the field, the value and what is allowed.
    """
    file = Path(path)
    if not file.is_file():
        raise ScenarioError(file, "<file>", str(file), "an existing scenario file (TOML)")
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(file, "<syntax>", str(exc), "valid TOML (https://toml.io)") from None
    except UnicodeDecodeError:
        raise ScenarioError(file, "<file>", "binary content", "a UTF-8 text file") from None
    return scenario_from_dict(data, source=file)


def scenario_from_dict(data: dict[str, Any], source: str | Path = "<dict>") -> Scenario:
    """Validate a scenario given as a plain dict (e.g. parsed TOML).

    Args:
        data: the scenario's fields.
        source: file the data came from; relative table paths are resolved against its folder.
    """
    data = dict(data)
    source_path = Path(source)
    economy = data.get("economy")
    if isinstance(economy, dict) and isinstance(economy.get("sector_table"), str):
        table = Path(economy["sector_table"])
        if not table.is_absolute() and source_path.suffix:
            data["economy"] = {**economy, "sector_table": str((source_path.parent / table).resolve())}
    _reject_nan(data, source, "")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise _translate(exc, source) from None
    _check_against_table(scenario, source)
    return scenario


def _reject_nan(value: Any, source: str | Path, where: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ScenarioError(source, where or "<root>", value, "a finite number")
    if isinstance(value, dict):
        for key, item in value.items():
            _reject_nan(item, source, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _reject_nan(item, source, f"{where}[{i}]")


def _check_against_table(scenario: Scenario, source: str | Path) -> None:
    table = load_sector_table(scenario.economy.sector_table)
    purchases = scenario.mine.local_purchases_eur_month or {}
    for sector in purchases:
        if sector not in table.sectors:
            raise ScenarioError(source, f"mine.local_purchases_eur_month.{sector}", sector, f"a sector of the table: {', '.join(table.sectors)}")


def _field_path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item in ("mine_closure",):  # discriminator tags are not user-visible fields
            continue
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "<root>"


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    model: Any = Scenario
    for item in loc:
        if isinstance(item, int) or not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        info = model.model_fields.get(str(item))
        if info is None:
            return None
        model = _first_model(info.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _first_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _first_model(arg)
        if found is not None:
            return found
    return None


def _allowed(error: dict[str, Any]) -> str:
    kind, ctx, loc = error["type"], error.get("ctx") or {}, error["loc"]
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1])
        keys = sorted(parent.model_fields) if parent else []
        return "one of the known keys: " + ", ".join(keys) if keys else "no unknown keys"
    bounds = {"greater_than_equal": ">= {ge}", "greater_than": "> {gt}", "less_than_equal": "<= {le}", "less_than": "< {lt}"}
    if kind in bounds:
        field = _field_info(loc)
        limits = [text.format(**ctx) for name, text in bounds.items() if name == kind]
        if field is not None:
            limits = _describe_limits(field) or limits
        return " and ".join(limits)
    if kind == "literal_error":
        return f"one of {ctx.get('expected')}"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        return "a month as YYYY-MM" if "19[5-9]" in pattern else f"text matching {pattern}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"])).removeprefix("Value error, ")
    if kind == "missing":
        return "a value (this field is required)"
    return error["msg"][0].lower() + error["msg"][1:]


def _field_info(loc: tuple[Any, ...]) -> Any:
    parent = _model_at(loc[:-1])
    if parent is None or isinstance(loc[-1], int):
        return None
    return parent.model_fields.get(str(loc[-1]))


def _describe_limits(field: Any) -> list[str]:
    limits = []
    for meta in field.metadata:
        for attr, symbol in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            value = getattr(meta, attr, None)
            if value is not None:
                limits.append(f"{symbol} {value}")
    if limits and field.description:
        return [" and ".join(limits) + f" ({field.description})"]
    return limits


def _translate(exc: ValidationError, source: str | Path) -> ScenarioError:
    errors = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        value = error.get("input")
        if error["type"] == "extra_forbidden":
            field, value = _field_path(loc), loc[-1]
        else:
            field = _field_path(loc)
        errors.append(ScenarioError(source, field, value, _allowed(error)))
    return errors[0] if len(errors) == 1 else ScenarioErrors(errors)
