"""Experiment files: what a sweep varies, how it samples, and what it keeps.

An experiment file (TOML, in ``experiments/``) names a base scenario, the
parameters to vary (by their scenario field path; each continuous, integer or
categorical, and marked as an uncertainty or a lever, as in the EMA
Workbench), a design (``grid``, ``lhs``, ``sobol``, ``morris``), the number of
replications, and the outcomes to keep. It is validated like a scenario file:
a bad value is refused naming the file, the field, the value and what is
allowed, and every parameter path is checked against the scenario schema with
its extreme values before anything runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bottrop_sim.errors import FieldError, ScenarioError
from bottrop_sim.monitoring import REGISTRY
from bottrop_sim.scenario.composition import apply_overrides, read_toml, read_with_parents
from bottrop_sim.scenario.loading import scenario_from_dict
from bottrop_sim.shocks import YearMonth

DESIGNS = ("grid", "lhs", "sobol", "morris")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Parameter(_Strict):
    """One varied scenario field."""

    path: str = Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\[\d+\])*(\.[A-Za-z_][A-Za-z0-9_]*(\[\d+\])*)*$", description="scenario field path, e.g. governance.mode"
    )
    kind: Literal["continuous", "integer", "categorical"] = Field(description="how the field varies")
    bounds: tuple[float, float] | None = Field(None, description="[low, high] for continuous and integer parameters")
    values: list[Any] | None = Field(None, min_length=1, description="the values of a categorical parameter")
    levels: int = Field(3, ge=2, le=100, description="grid points of a continuous or integer parameter in a grid design")
    role: Literal["uncertainty", "lever"] = Field(description="an external uncertainty or a lever that decision makers set")

    @model_validator(mode="after")
    def _kind_fields(self) -> Parameter:
        if self.kind == "categorical":
            if self.values is None:
                raise FieldError("values", None, "a list of values for a categorical parameter")
            if self.bounds is not None:
                raise FieldError("bounds", list(self.bounds), "no bounds for a categorical parameter (use values)")
        else:
            if self.bounds is None:
                raise FieldError("bounds", None, f"[low, high] for a {self.kind} parameter")
            if not self.bounds[0] < self.bounds[1]:
                raise FieldError("bounds", list(self.bounds), "[low, high] with low < high")
            if self.values is not None:
                raise FieldError("values", self.values, f"no values for a {self.kind} parameter (use bounds)")
        return self


class Outcome(_Strict):
    """One kept outcome: a registry indicator, or a time-series column summarised over a window."""

    name: str = Field(description="an indicator of the monitoring registry, or a time-series column")
    statistic: Literal["final", "mean"] = Field(
        "final", description="final: the indicator's scorecard value (or a column's last month); mean: time mean of a column over the window"
    )
    window: tuple[YearMonth, YearMonth] | None = Field(None, description="[first, last] month of the time mean (default: the whole horizon)")

    @property
    def key(self) -> str:
        """Column name of the outcome in the results."""
        return self.name if self.statistic == "final" else f"{self.name}_mean"


class Experiment(_Strict):
    """A validated experiment definition."""

    name: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = Field("", max_length=2000)
    base: str = Field(description="base scenario file, relative to the experiment file")
    design: Literal["grid", "lhs", "sobol", "morris"] = Field(description="how design points are drawn")
    samples: int = Field(
        16, ge=1, le=100_000, description="lhs: points; sobol: base samples N (N x (D + 2) points, first and total order); morris: trajectories; grid: unused"
    )
    replications: int = Field(1, ge=1, le=10_000, description="seeds per design point (shared by all points: common random numbers)")
    seed: int = Field(1, ge=0, le=2**63 - 1, description="base seed of the design sample and of the replications")
    parameters: list[Parameter] = Field(min_length=1)
    outcomes: list[Outcome] = Field(min_length=1)
    keep_series: list[str] = Field(default_factory=list, description="time-series columns to keep in full, month by month")
    batch_size: int = Field(20, ge=1, le=10_000, description="finished runs written together in one atomic batch")
    base_file: str = Field("", exclude=True)

    @field_validator("parameters")
    @classmethod
    def _unique_paths(cls, parameters: list[Parameter]) -> list[Parameter]:
        paths = [p.path for p in parameters]
        for i, path in enumerate(paths):
            if path in paths[:i]:
                raise FieldError(f"[{i}].path", path, "each path once")
        return parameters

    @model_validator(mode="after")
    def _design_fits(self) -> Experiment:
        if self.design in ("sobol", "morris") and len(self.parameters) < 1:
            raise FieldError("parameters", [], "at least one parameter for a sensitivity design")
        return self

    @property
    def outcome_keys(self) -> list[str]:
        """Column names of the outcomes in the results, each once, in file order."""
        return list(dict.fromkeys(o.key for o in self.outcomes))

    @property
    def needs_twin(self) -> bool:
        """Whether any outcome is a resilience measure (it needs the counterfactual twin)."""
        return any(o.name in REGISTRY and REGISTRY[o.name].group == "resilience" for o in self.outcomes)


def load_experiment(path: str | Path) -> tuple[Experiment, dict[str, Any]]:
    """Read and validate an experiment file.

    Returns:
        The experiment and its base scenario's data (merged over what it extends).

    Raises:
        ScenarioError: naming the file, the field, the value and what is allowed.
    """
    file = Path(path)
    data = read_toml(file)
    try:
        experiment = Experiment.model_validate({**data, "base_file": ""}, strict=False)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        loc = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in error["loc"]).replace(".[", "[")
        problem = (error.get("ctx") or {}).get("error")
        if isinstance(problem, FieldError):
            raise ScenarioError(file, f"{loc}.{problem.field}" if problem.field else loc, problem.value, problem.allowed) from None
        value = error.get("input") if error["type"] != "extra_forbidden" else error["loc"][-1]
        raise ScenarioError(file, loc or "<root>", value, _allowed(error, error["loc"])) from None
    base = (file.parent / experiment.base).resolve()
    if not base.is_file():
        raise ScenarioError(file, "base", experiment.base, f"an existing scenario file relative to {file.parent.resolve()}")
    base_data = read_with_parents(base)
    scenario_from_dict(base_data, base)  # the base scenario itself must be valid
    _check_outcomes(file, experiment)
    _check_parameters(file, experiment, base_data, base)
    return experiment.model_copy(update={"base_file": str(base)}), base_data


def _allowed(error: dict[str, Any], loc: tuple[Any, ...]) -> str:
    if error["type"] == "extra_forbidden":
        model = {"parameters": Parameter, "outcomes": Outcome}.get(str(loc[0]), Experiment) if len(loc) > 1 else Experiment
        keys = sorted(k for k in model.model_fields if k != "base_file")
        hint = " (in TOML, top-level keys go before the first [[parameters]] or [[outcomes]] table)" if model is not Experiment else ""
        return "one of the known keys: " + ", ".join(keys) + hint
    if error["type"] == "literal_error":
        return "one of " + str((error.get("ctx") or {}).get("expected"))
    return error["msg"][0].lower() + error["msg"][1:]


def _check_outcomes(file: Path, experiment: Experiment) -> None:
    from bottrop_sim.model import BottropModel

    columns = set(BottropModel().datacollector.model_reporters)
    for i, outcome in enumerate(experiment.outcomes):
        if outcome.statistic == "final" and outcome.name not in REGISTRY and outcome.name not in columns:
            raise ScenarioError(file, f"outcomes[{i}].name", outcome.name, "an indicator of the registry (" + ", ".join(REGISTRY) + ") or a time-series column")
        if outcome.statistic == "mean" and outcome.name not in columns:
            raise ScenarioError(
                file, f"outcomes[{i}].name", outcome.name, "a time-series column for statistic = 'mean' (e.g. employment_workplace, unemployment_rate)"
            )
    for i, column in enumerate(experiment.keep_series):
        if column not in columns:
            raise ScenarioError(file, f"keep_series[{i}]", column, "a time-series column (see docs/ODD.md, Observation)")


def _check_parameters(file: Path, experiment: Experiment, base_data: dict[str, Any], base: Path) -> None:
    """Every parameter path must take its extreme values (and every categorical value) in the base scenario."""
    for i, parameter in enumerate(experiment.parameters):
        if parameter.kind == "categorical":
            probes = list(parameter.values or [])
        else:
            low, high = parameter.bounds or (0.0, 0.0)
            probes = [int(low), int(high)] if parameter.kind == "integer" else [float(low), float(high)]
        for value in probes:
            try:
                scenario_from_dict(apply_overrides(base_data, [f"{parameter.path}={_toml(value)}"]), base, strict=False)
            except ScenarioError as error:
                raise ScenarioError(file, f"parameters[{i}]", f"{parameter.path} = {value!r}", f"a value the scenario accepts: {error.allowed}") from None


def _toml(value: Any) -> str:
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):  # a JSON string without ASCII escaping is a valid TOML basic string (control characters too)
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        return repr(float(value))
    return repr(value)


def parameter_overrides(parameters: list[Parameter], values: dict[str, Any]) -> list[str]:
    """``path=value`` overrides for one design point."""
    return [f"{p.path}={_toml(values[p.path])}" for p in parameters]
