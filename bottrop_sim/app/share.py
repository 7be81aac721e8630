"""Bringing settings back: a code (also kept in the page's address) that restores a session, and scenario files uploaded into a panel.

The settings code is compressed JSON in URL-safe base64: the scenario's name, the
seed, the language and, per panel, the levers that differ from the scenario file
(or, for a panel loaded from an uploaded file, that file's whole validated
scenario). Restoring validates everything again like a scenario file, so a code
that no longer fits (an edited scenario file, a code cut short) is refused with
a message and changes nothing.

An uploaded scenario file goes through :func:`bottrop_sim.scenario.loading.load_scenario`,
like any scenario file (``extends`` names files in the app's scenario folder).

Nothing here imports Solara.
"""

from __future__ import annotations

import base64
import binascii
import json
import tempfile
import tomllib
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bottrop_sim.errors import ScenarioError
from bottrop_sim.scenario.loading import load_scenario, scenario_from_dict
from bottrop_sim.scenario.schema import Scenario

CODE_VERSION = 1
MAX_UPLOAD_BYTES = 1_000_000
"""Largest scenario file accepted for upload (bytes); scenario files are a few kilobytes."""


class CodeError(ValueError):
    """A settings code that cannot be read (cut short, mistyped, from another version)."""


@dataclass(frozen=True)
class Settings:
    """What a settings code holds.

    Attributes:
        scenario: name of the scenario file picked in the session.
        seed: the seed both panels share.
        lang: the language.
        levers: per panel, lever path -> field value (the levers that differ from the scenario file).
        uploaded: per panel, the whole scenario (JSON form) of a panel loaded from an uploaded file.
    """

    scenario: str
    seed: int
    lang: str
    levers: Mapping[str, Mapping[str, Any]]
    uploaded: Mapping[str, Mapping[str, Any]]


def encode(settings: Settings) -> str:
    """The code of a session's settings (URL-safe, no padding)."""
    data = {"v": CODE_VERSION, "s": settings.scenario, "seed": settings.seed, "lang": settings.lang, "levers": settings.levers, "uploaded": settings.uploaded}
    packed = zlib.compress(json.dumps(data, separators=(",", ":"), sort_keys=True).encode(), 9)
    return base64.urlsafe_b64encode(packed).decode().rstrip("=")


def decode(code: str) -> Settings:
    """Read a settings code.

    Raises:
        CodeError: the code is not one this app wrote.
    """
    text = "".join(code.split())
    try:
        raw = zlib.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        data = json.loads(raw)
    except (binascii.Error, zlib.error, ValueError) as error:
        raise CodeError(f"not a settings code ({error})") from None
    if not isinstance(data, dict) or data.get("v") != CODE_VERSION:
        raise CodeError("a settings code of another version")
    try:
        return Settings(
            scenario=str(data["s"]),
            seed=int(data["seed"]),
            lang=str(data["lang"]),
            levers={str(p): dict(v) for p, v in dict(data.get("levers", {})).items()},
            uploaded={str(p): dict(v) for p, v in dict(data.get("uploaded", {})).items()},
        )
    except (KeyError, TypeError, ValueError) as error:
        raise CodeError(f"an incomplete settings code ({error})") from None


def scenario_json(scenario: Scenario) -> dict[str, Any]:
    """A scenario as plain JSON values (for a settings code)."""
    return scenario.model_dump(mode="json")


def scenario_of_json(data: Mapping[str, Any], source: str) -> Scenario:
    """A scenario from :func:`scenario_json`, validated like a scenario file."""
    return scenario_from_dict(json.loads(json.dumps(data)), source=source)


@dataclass(frozen=True)
class UploadProblem:
    """Why an uploaded file was refused: a text key of :mod:`bottrop_sim.app.texts` and its values, or a scenario error."""

    key: str
    values: Mapping[str, str]
    error: ScenarioError | None = None


def read_upload(name: str, text: str | None, folder: Path) -> Scenario | UploadProblem:
    """Validate an uploaded scenario file like any scenario file.

    Args:
        name: the file's name in the browser.
        text: its content (None if the browser could not read it).
        folder: the app's scenario folder (a relative ``extends`` is looked up there).

    Returns:
        The validated scenario, or the problem.
    """
    if text is None:
        return UploadProblem("upload_unreadable", {"name": name})
    if len(text.encode()) > MAX_UPLOAD_BYTES:
        return UploadProblem("upload_too_large", {"name": name})
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return UploadProblem("upload_not_toml", {"name": name, "reason": str(error)})
    parent = data.get("extends")
    if isinstance(parent, str) and not Path(parent).is_absolute():
        if not (folder / parent).is_file():
            return UploadProblem("upload_extends", {"name": name, "parent": parent, "folder": str(folder)})
        text = text.replace(json.dumps(parent), json.dumps(str((folder / parent).resolve())), 1).replace(
            f"'{parent}'", json.dumps(str((folder / parent).resolve())), 1
        )
    with tempfile.TemporaryDirectory(prefix="bottrop_upload_") as directory:
        path = Path(directory) / Path(name).name
        path.write_text(text, encoding="utf-8")
        try:
            return load_scenario(path)
        except ScenarioError as error:
            return UploadProblem("upload_invalid", {"name": name}, error)
