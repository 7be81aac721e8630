"""Scenario fields by their path: get, set and describe one field (type, range, role), in one place.

A path names a field the way scenario files and ``--set`` do: ``governance.mode``,
``shocks[0].start``, ``governance.alliance.labs.city_logistics.success_rate``.
Values travel as (path, value) pairs: :func:`with_values` puts them into a
scenario's data, which :func:`bottrop_sim.scenario.scenario_from_dict` then
validates like a file, so the app, ``--set`` and sweeps all accept exactly
what a scenario file accepts. :func:`describe` reads the schema itself (limits,
choices, description, and the field's role: a lever that decision makers set
or an uncertainty, see :class:`bottrop_sim.values.Section`).
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel

from bottrop_sim.calendar import YEAR_MONTH_PATTERN
from bottrop_sim.scenario.schema import Scenario
from bottrop_sim.values import Role, Section

PathPart = str | int
_PATH_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)")


class PathError(ValueError):
    """A path that is not a dotted path of field names, or that leads nowhere in the data."""


def parse_path(text: str) -> tuple[PathPart, ...]:
    """``"shocks[0].start"`` -> ``("shocks", 0, "start")``.

    Raises:
        PathError: not a dotted path of field names (list items as ``name[0]``).
    """
    parts: list[PathPart] = []
    for part in text.strip().split("."):
        match = _PATH_PART.fullmatch(part)
        if match is None:
            raise PathError("a dotted path of field names (list items as name[0]), e.g. shocks[0].start")
        parts.append(match.group(1))
        parts.extend(int(i) for i in re.findall(r"\[(\d+)\]", match.group(2)))
    return tuple(parts)


def path_text(parts: Iterable[PathPart]) -> str:
    """``("shocks", 0, "start")`` -> ``"shocks[0].start"``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else ("." if text else "") + part
    return text


def _parts(path: str | tuple[PathPart, ...]) -> tuple[PathPart, ...]:
    return parse_path(path) if isinstance(path, str) else tuple(path)


def get_value(data: Any, path: str | tuple[PathPart, ...]) -> Any:
    """The value at ``path`` in a scenario's data (nested dicts and lists).

    Raises:
        PathError: the path leads nowhere.
    """
    value = data
    for part in _parts(path):
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            raise PathError(f"a path that exists (no {path_text(_parts(path))!r})") from None
    return value


def set_value(data: dict[str, Any], path: str | tuple[PathPart, ...], value: Any) -> None:
    """Set the value at ``path`` in place; missing tables on the way are created, list items must exist.

    Raises:
        PathError: an index beyond a list's end, or a path through something that is not a table or list.
    """
    parts = _parts(path)
    target: Any = data
    for position, key in enumerate(parts[:-1]):
        following = parts[position + 1]
        if isinstance(key, int):
            if not isinstance(target, list) or key >= len(target):
                raise PathError(f"an index below {len(target) if isinstance(target, list) else 0} (the list has that many items)")
            target = target[key]
        else:
            if not isinstance(target, dict):
                raise PathError("a path through tables")
            if key not in target or not isinstance(target[key], dict | list):
                target[key] = [] if isinstance(following, int) else {}
            target = target[key]
    last = parts[-1]
    if isinstance(last, int):
        if not isinstance(target, list) or last >= len(target):
            raise PathError("an existing list item")
        target[last] = value
    elif isinstance(target, dict):
        target[last] = value
    else:
        raise PathError("a path through tables")


def with_values(data: Mapping[str, Any], values: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """A deep copy of a scenario's data with (path, value) pairs set (validate it with ``scenario_from_dict``)."""
    result = copy.deepcopy(dict(data))
    pairs = values.items() if isinstance(values, Mapping) else values
    for path, value in pairs:
        set_value(result, path, plain(value))
    return result


def plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds (other values unchanged)."""
    return value.item() if isinstance(value, np.generic) else value


@dataclass(frozen=True)
class FieldDescription:
    """What the schema says about one field.

    Attributes:
        path: the field's path.
        annotation: its bare type (``int``, ``float``, ``bool``, ``str``, a ``Literal``, a model, ...).
        low: lowest allowed value of a number (inclusive bound; -inf without one; ``gt`` bounds are given as is).
        high: highest allowed value of a number (+inf without one).
        choices: the allowed values of a choice (a ``Literal``), else empty.
        default: the schema's default (None where the field has none or a factory).
        description: the schema's description (with units and sources).
        role: ``lever`` (decision makers set it) or ``uncertainty`` (an external condition or an assumption).
        allowed: everything allowed, in words (as in error messages).
    """

    path: str
    annotation: Any
    low: float
    high: float
    choices: tuple[Any, ...]
    default: Any
    description: str
    role: Role
    allowed: str

    @property
    def is_month(self) -> bool:
        """Whether the field is a month as YYYY-MM."""
        return self.annotation is str and "YYYY-MM" in self.allowed


def describe(path: str | tuple[PathPart, ...], data: Mapping[str, Any] | None = None) -> FieldDescription:
    """Describe the scenario field at ``path``.

    Args:
        path: the field's path.
        data: the scenario's data, needed only to tell which kind of shock ``shocks[i]`` is.

    Raises:
        PathError: the schema has no such field.
    """
    parts = _parts(path)
    location: list[PathPart] = []
    section: type[BaseModel] = Scenario
    info = None
    for position, part in enumerate(parts):
        location.append(part)
        if isinstance(part, int) and parts[position - 1] == "shocks":
            kind = (get_value(data, parts[: position + 1]) or {}).get("type", "mine_closure") if data is not None else None
            if kind is None:
                raise PathError("the scenario's data to tell which kind of shock shocks[i] is")
            location.append(kind)
        resolved = resolve(tuple(location))
        if resolved is None:
            raise PathError(f"a field of the scenario schema (no {path_text(parts)!r})")
        if is_model(resolved[0]):
            section = resolved[0]
    annotation, metadata, description = resolve(tuple(location)) or (None, [], None)
    owner = resolve(tuple(location[:-1]))
    if owner is not None and is_model(owner[0]) and isinstance(parts[-1], str):
        info = owner[0].model_fields.get(parts[-1])
        section = owner[0]
    low, high = -math.inf, math.inf
    for item in metadata:
        for attr in ("ge", "gt"):
            if getattr(item, attr, None) is not None:
                low = max(low, float(getattr(item, attr)))
        for attr in ("le", "lt"):
            if getattr(item, attr, None) is not None:
                high = min(high, float(getattr(item, attr)))
    extra = info.json_schema_extra if info is not None and isinstance(info.json_schema_extra, dict) else {}
    role = extra.get("role") or (section.ROLE if isinstance(section, type) and issubclass(section, Section) else "uncertainty")
    choices = typing.get_args(annotation) if typing.get_origin(annotation) is typing.Literal else ()
    default = None
    if info is not None and info.default is not None and not callable(info.default_factory):
        default = info.default
    return FieldDescription(
        path=path_text(parts),
        annotation=annotation,
        low=low,
        high=high,
        choices=choices,
        default=default,
        description=description or "",
        role=role,
        allowed=expectation(tuple(location)) or "",
    )


def role_of(path: str, data: Mapping[str, Any] | None = None) -> Role:
    """The role declared for the field at ``path`` (see :class:`bottrop_sim.values.Section`)."""
    return describe(path, data).role


# --- walking the schema (also used by the loading errors) ---------------------------


def is_model(annotation: Any) -> bool:
    """Whether a type is a pydantic model (a table of the scenario)."""
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """Strip ``Optional`` and ``Annotated``; return the bare type and the constraint metadata."""
    metadata: list[Any] = []
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation, *extra = typing.get_args(annotation)
            for item in extra:
                metadata.extend(getattr(item, "metadata", None) or [item])
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation, metadata
            annotation = members[0]
        else:
            return annotation, metadata


def _shock_tags(annotation: Any) -> set[str]:
    """The ``type`` tags of shock models (pydantic puts them into error locations of tagged unions)."""
    return set(_shock_models(annotation))


def _shock_models(annotation: Any) -> dict[str, type[BaseModel]]:
    """Shock models by their ``type`` tag."""
    models = {}
    for member in typing.get_args(annotation) or (annotation,):
        if is_model(member) and "type" in member.model_fields:
            models[typing.get_args(member.model_fields["type"].annotation)[0]] = member
    return models


SHOCK_UNION = unwrap(typing.get_args(Scenario.model_fields["shocks"].annotation)[0])[0]
SHOCK_TAGS = _shock_tags(SHOCK_UNION)
SHOCK_MODELS = _shock_models(SHOCK_UNION)


def resolve(loc: tuple[Any, ...]) -> tuple[Any, list[Any], str | None] | None:
    """Type, constraint metadata and description of the field at ``loc`` (None if unknown)."""
    annotation: Any = Scenario
    metadata: list[Any] = []
    description: str | None = None
    for item in loc:
        annotation, extra = unwrap(annotation)
        origin = typing.get_origin(annotation)
        if origin in (typing.Union, types.UnionType) and item in SHOCK_MODELS:
            annotation = SHOCK_MODELS[item]  # the tag of a tagged union selects the member
            continue
        if is_model(annotation) and isinstance(item, str):
            if item in SHOCK_TAGS and item not in annotation.model_fields:
                continue
            info = annotation.model_fields.get(item)
            if info is None:
                return None
            annotation, metadata, description = info.annotation, list(info.metadata), info.description
        elif origin is list and isinstance(item, int):
            annotation, metadata = typing.get_args(annotation)[0], []
        elif origin is dict and isinstance(item, str):
            annotation, metadata = typing.get_args(annotation)[1], []
        else:
            return None
    annotation, extra = unwrap(annotation)
    return annotation, metadata + extra, description


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def kind_text(annotation: Any, metadata: list[Any]) -> str:
    """What kind of value a type takes, in words."""
    pattern = next((m.pattern for m in metadata if getattr(m, "pattern", None)), None)
    if annotation is bool:
        return "true or false"
    if annotation is int:
        return "an integer"
    if annotation is float:
        return "a finite number"
    if annotation is str:
        if pattern == YEAR_MONTH_PATTERN:
            return 'a month as "YYYY-MM" from 1950-01 to 2100-12'
        return f"text matching {pattern}" if pattern else "text"
    if annotation is dt.date:
        return "a date as YYYY-MM-DD"
    if typing.get_origin(annotation) is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(annotation))
    if is_model(annotation):
        return "a table with the keys " + ", ".join(annotation.model_fields)
    if typing.get_origin(annotation) is list:
        item = kind_text(*unwrap(typing.get_args(annotation)[0]))
        return "a list of " + (item.replace("a table", "tables", 1) if item.startswith("a table") else item)
    if typing.get_origin(annotation) is dict:
        return "a table of name = " + kind_text(*unwrap(typing.get_args(annotation)[1])).removeprefix("a ").removeprefix("an ")
    return str(annotation)


def limits_text(annotation: Any, metadata: list[Any]) -> str:
    """Range and length limits, in words."""
    limits = []
    for meta in metadata:
        for attr, symbol in (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<=")):
            value = getattr(meta, attr, None)
            if value is not None:
                limits.append(f"{symbol} {_number(value)}")
    low = next((m.min_length for m in metadata if getattr(m, "min_length", None) is not None), None)
    high = next((m.max_length for m in metadata if getattr(m, "max_length", None) is not None), None)
    unit = "characters" if annotation is str else "items"
    if low is not None and high is not None:
        limits.append(f"of {low} to {high} {unit}")
    elif low is not None:
        limits.append(f"of at least {low} {unit}".replace(" 1 items", " 1 item"))
    elif high is not None:
        limits.append(f"of at most {high} {unit}")
    return " and ".join(limits)


def expectation(loc: tuple[Any, ...]) -> str | None:
    """Everything the schema allows at ``loc``: type, limits and the field's description."""
    resolved = resolve(loc)
    if resolved is None:
        return None
    annotation, metadata, description = resolved
    text = " ".join(part for part in (kind_text(annotation, metadata), limits_text(annotation, metadata)) if part)
    return f"{text} ({description})" if description else text
