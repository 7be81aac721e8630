"""Writing files: atomically (a reader never sees a half-written file), and TOML (the one writer).

* :func:`atomic_write`: one file, written beside its place and moved in (``os.replace``);
* :func:`write_files`: several files of one result, all written before any is moved in;
* :func:`toml_text`: a TOML document of plain data (scenario files of the app, experiment records).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any


def atomic_write(path: str | Path, write: Callable[[Path], object], *, durable: bool = False) -> Path:
    """Write one file atomically: ``write(temporary path)``, then move it to ``path``.

    Args:
        path: the file's final place (its folder is created).
        write: writes the content to the path it is given.
        durable: flush the file to disk before the move (``fsync``), so that after a power
            cut the file is either absent or complete (the caller syncs the folder, see :func:`sync_folder`).

    Returns:
        The path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, staging = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        write(Path(staging))
        if durable:
            with open(staging, "rb") as handle:
                os.fsync(handle.fileno())
        os.chmod(staging, 0o644)
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
    return path


def sync_folder(folder: str | Path) -> None:
    """Flush a folder's entries (renames into it) to disk."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write a UTF-8 text file atomically."""
    return atomic_write(path, lambda staging: staging.write_text(text, encoding="utf-8"))


def write_files(out: str | Path, files: Mapping[str, Callable[[Path], object]]) -> None:
    """Write the files of one result into folder ``out``: all into a staging folder first, then each moved in place.

    Nothing is moved before every file is written, so an error or an interrupt leaves ``out`` as it was.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        for name, write in files.items():
            write(staging / name)
        out.mkdir(exist_ok=True)
        for name in files:
            os.chmod(staging / name, 0o644)
            os.replace(staging / name, out / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(name: str) -> str:
    return name if _BARE_KEY.match(name) else json.dumps(name, ensure_ascii=False)


def toml_value(value: Any) -> str:
    """A TOML value in inline form (numpy scalars as the Python values they hold)."""
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not writable to TOML: {value!r}")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string
    if isinstance(value, dt.datetime):
        raise ValueError(f"date-times are not scenario values: {value!r}")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        items = [f"{_key(str(k))} = {toml_value(v)}" for k, v in value.items() if v is not None]
        return "{ " + ", ".join(items) + " }" if items else "{}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise ValueError(f"not writable to TOML: {value!r}")


def _table(lines: list[str], path: str, data: Mapping[str, Any]) -> None:
    """Write a table: plain values first, then sub-tables (``[a.b]``), then arrays of tables (``[[a]]``).

    Every non-empty table becomes its own section; a list of tables becomes
    ``[[...]]`` sections if its items hold lists or tables themselves (shocks with
    their staff path), else one inline array (the staff path).
    """
    subtables = {k: v for k, v in data.items() if isinstance(v, Mapping) and v}
    arrays = {k: v for k, v in data.items() if isinstance(v, list) and v and all(isinstance(x, Mapping) for x in v) and _nested(v)}
    for key, value in data.items():
        if value is None or key in subtables or key in arrays:
            continue
        lines.append(f"{_key(key)} = {toml_value(value)}")
    for key, value in subtables.items():
        name = f"{path}.{_key(key)}" if path else _key(key)
        lines.extend(["", f"[{name}]"])
        _table(lines, name, value)
    for key, items in arrays.items():
        name = f"{path}.{_key(key)}" if path else _key(key)
        for item in items:
            lines.extend(["", f"[[{name}]]"])
            _table(lines, name, item)


def _nested(items: list[Mapping[str, Any]]) -> bool:
    """Whether the items of a list of tables hold lists or tables themselves."""
    return any(isinstance(v, Mapping | list) for item in items for v in item.values())


def toml_text(data: Mapping[str, Any], comment: Sequence[str] = ()) -> str:
    """A TOML document of ``data`` (None values are left out), with ``comment`` lines at the top.

    Raises:
        ValueError: a value TOML cannot hold (NaN, infinity, date-times, other objects).
    """
    lines = [f"# {line}".rstrip() for line in comment]
    if lines:
        lines.append("")
    _table(lines, "", data)
    return "\n".join(lines) + "\n"
