"""Composing scenarios: ``extends = "other.toml"`` inheritance and ``--set path=value`` overrides.

A scenario file may name another file in ``extends`` (relative to its own
folder); it then inherits everything and overrides only what it states. Tables
(sections) merge key by key, to any depth; anything else, lists included (such
as ``shocks``), replaces the inherited value whole. Chains of ``extends`` are
followed; a missing or circular one is refused. A relative ``sector_table`` is
resolved against the folder of the file that states it.

Overrides from the command line (``--set governance.mode=alliance``) apply after
inheritance. The value is read as a TOML value (``0.5``, ``true``,
``"2019-01"``, ``[1, 2]``); a bare word that is not TOML is taken as text, so
``--set governance.mode=alliance`` works without quotes. A path may index a list:
``shocks[0].start=2019-06``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from bottrop_sim.errors import ScenarioError
from bottrop_sim.scenario.fields import PathError, parse_path, set_value

COMMAND_LINE = "<command line>"


def read_toml(file: Path) -> dict[str, Any]:
    """Parse one TOML file, refusing what is not a readable TOML text file."""
    if not file.is_file():
        raise ScenarioError(file, "<file>", str(file), "an existing TOML file")
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(file, "<syntax>", str(exc), "valid TOML (https://toml.io)") from None
    except UnicodeDecodeError:
        raise ScenarioError(file, "<file>", "binary content", "a UTF-8 text file") from None
    except OSError as exc:
        raise ScenarioError(file, "<file>", exc.strerror or str(exc), "a readable TOML file") from None


def read_with_parents(file: Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The file's data merged over everything it extends (``extends`` removed).

    Raises:
        ScenarioError: a missing, circular or malformed ``extends``, or a file that cannot be read.
    """
    file = Path(file)
    data = read_toml(file)
    if _chain:  # an inherited relative table path is relative to the parent file's folder
        _absolute_table(data, file)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError(file, "extends", parent, "the path of another scenario file, relative to this one, as text")
    parent_file = (file.parent / parent).resolve()
    chain = (*_chain, file.resolve())
    if parent_file in chain:
        cycle = " -> ".join(p.name for p in (*chain, parent_file))
        raise ScenarioError(file, "extends", parent, f"a file that does not extend this one again (circular: {cycle})")
    if not parent_file.is_file():
        raise ScenarioError(file, "extends", parent, f"an existing scenario file (no file at {parent_file})")
    return merge(read_with_parents(parent_file, chain), data)


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` over ``base``: tables merge recursively, other values replace."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply ``path=value`` overrides (texts, as from ``--set``) to a scenario's data (returns a new dict).

    Raises:
        ScenarioError: a malformed override (source ``<command line>``).
    """
    pairs = [parse_override(text) for text in overrides]
    result = merge({}, data)
    for text, (path, value) in zip(overrides, pairs, strict=True):
        try:
            set_value(result, path, value)
        except PathError as error:
            raise ScenarioError(COMMAND_LINE, "--set", text, str(error)) from None
    return result


def parse_override(text: str) -> tuple[tuple[str | int, ...], Any]:
    """Split ``a.b[0].c=value`` into its path and value (the value read as TOML, a bare word as text)."""
    if "=" not in text:
        raise ScenarioError(COMMAND_LINE, "--set", text, "path=value, e.g. governance.mode=alliance")
    raw_path, raw_value = text.split("=", 1)
    try:
        path = parse_path(raw_path)
    except PathError as error:
        raise ScenarioError(COMMAND_LINE, "--set", text, str(error)) from None
    return path, _toml_value(raw_value.strip())


def _toml_value(text: str) -> Any:
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text  # a bare word: text


def _absolute_table(data: dict[str, Any], file: Path) -> None:
    economy = data.get("economy")
    if isinstance(economy, dict) and isinstance(economy.get("sector_table"), str):
        table = Path(economy["sector_table"])
        if not table.is_absolute():
            economy["sector_table"] = str((file.parent / table).resolve())
