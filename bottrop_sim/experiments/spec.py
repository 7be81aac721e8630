"""Experiment files: what a sweep varies, how it samples, and what it keeps.

An experiment file (TOML, in ``experiments/``) names a base scenario, values
``fixed`` in every run (e.g. a shorter horizon), the parameters to vary (by
their scenario field path; each continuous, integer or categorical, and marked
as an uncertainty or a lever, as in the EMA Workbench; a continuous
uncertainty may follow a normal, triangular or log-normal distribution instead
of being uniform between its bounds), a design (``grid``, ``lhs``, ``sobol``,
``morris``), the number of replications, and the outcomes to keep. It is
validated like a scenario file: a bad value is refused naming the file, the
field, the value and what is allowed. Before anything runs, every parameter
path is checked against the scenario schema with its extreme values, and at
every combination of the extreme values of the parameters that move the
calendar (``start``, ``end``, ``shocks``) every shock must start within the
horizon and every outcome window must lie inside it.
"""

from __future__ import annotations

import itertools
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, StrictFloat, ValidationError, field_validator, model_validator

from bottrop_sim.calendar import month_number
from bottrop_sim.errors import FieldError, ScenarioError
from bottrop_sim.monitoring import REGISTRY
from bottrop_sim.scenario.composition import read_toml, read_with_parents
from bottrop_sim.scenario.fields import PathError, describe, parse_path, plain, with_values
from bottrop_sim.scenario.loading import scenario_from_dict
from bottrop_sim.shocks import YearMonth
from bottrop_sim.values import Role, Section, check_unique_paths

DESIGNS = ("grid", "lhs", "sobol", "morris")
DISTRIBUTIONS = ("uniform", "normal", "triangular", "lognormal")
CALENDAR_PATHS = ("start", "end", "shocks")  # parameters under these paths move the calendar
MAX_CALENDAR_PROBES = 256


class Parameter(Section):
    """One varied scenario field."""

    path: str = Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\[\d+\])*(\.[A-Za-z_][A-Za-z0-9_]*(\[\d+\])*)*$", description="scenario field path, e.g. governance.mode"
    )
    kind: Literal["continuous", "integer", "categorical"] = Field(description="how the field varies")
    bounds: tuple[StrictFloat, StrictFloat] | None = Field(
        None, description="[low, high] for continuous and integer parameters (for a normal or log-normal one: optional truncation)"
    )
    values: list[Any] | None = Field(None, min_length=1, description="the values of a categorical parameter")
    levels: int = Field(3, ge=2, le=100, strict=True, description="grid points of a continuous or integer parameter in a grid design")
    role: Role | None = Field(
        None, description="lever or uncertainty: declared once, with the scenario field in the schema; filled in from there when the file is loaded"
    )
    distribution: Literal["uniform", "normal", "triangular", "lognormal"] = Field(
        "uniform", description="how a continuous uncertainty is distributed (uniform between its bounds unless stated)"
    )
    mean: StrictFloat | None = Field(None, allow_inf_nan=False, description="normal: the mean, in the field's unit")
    sd: StrictFloat | None = Field(None, gt=0, allow_inf_nan=False, description="normal: the standard deviation, in the field's unit")
    mode: StrictFloat | None = Field(None, allow_inf_nan=False, description="triangular: the most likely value, within the bounds")
    median: StrictFloat | None = Field(None, gt=0, allow_inf_nan=False, description="lognormal: the median (exp of the log's mean), > 0")
    sigma: StrictFloat | None = Field(None, gt=0, le=10, allow_inf_nan=False, description="lognormal: the standard deviation of the log")

    @model_validator(mode="after")
    def _distribution_fields(self) -> Parameter:
        needs = {"uniform": (), "normal": ("mean", "sd"), "triangular": ("mode",), "lognormal": ("median", "sigma")}[self.distribution]
        for name in ("mean", "sd", "mode", "median", "sigma"):
            given = getattr(self, name) is not None
            if given and name not in needs:
                raise FieldError(name, getattr(self, name), f"no {name} for a {self.distribution} distribution (it takes: {', '.join(needs) or 'bounds only'})")
            if not given and name in needs:
                raise FieldError(name, None, f"a number: a {self.distribution} distribution needs {' and '.join(needs)}")
        if self.distribution != "uniform":
            if self.kind != "continuous":
                raise FieldError("distribution", self.distribution, f"'uniform' for a {self.kind} parameter (distributions are for continuous ones)")
            if self.role == "lever":
                raise FieldError("distribution", self.distribution, "'uniform' for a lever (a lever is set, not drawn; distributions are for uncertainties)")
        if self.distribution == "triangular" and self.bounds is None:
            raise FieldError("bounds", None, "[low, high] around the mode for a triangular distribution")
        if self.distribution == "lognormal" and self.bounds is not None and self.bounds[0] < 0:
            raise FieldError("bounds", list(self.bounds), "low >= 0 for a log-normal distribution")
        centre = {"normal": self.mean, "triangular": self.mode, "lognormal": self.median}.get(self.distribution)
        if centre is not None and self.bounds is not None and not self.bounds[0] <= centre <= self.bounds[1]:
            name = {"normal": "mean", "triangular": "mode", "lognormal": "median"}[self.distribution]
            raise FieldError(name, centre, f"a value within the bounds {list(self.bounds)}")
        return self

    @model_validator(mode="after")
    def _kind_fields(self) -> Parameter:
        if self.kind == "categorical":
            if self.values is None:
                raise FieldError("values", None, "a list of values for a categorical parameter")
            if self.bounds is not None:
                raise FieldError("bounds", list(self.bounds), "no bounds for a categorical parameter (use values)")
        else:
            if self.bounds is None and self.distribution in ("uniform", "triangular"):
                raise FieldError("bounds", None, f"[low, high] for a {self.kind} parameter")
            if self.bounds is None:
                return self
            if not self.bounds[0] < self.bounds[1]:
                raise FieldError("bounds", list(self.bounds), "[low, high] with low < high")
            if self.values is not None:
                raise FieldError("values", self.values, f"no values for a {self.kind} parameter (use bounds)")
        return self


class Outcome(Section):
    """One kept outcome: a registry indicator, or a time-series column summarised over a window."""

    name: str = Field(description="an indicator of the monitoring registry, or a time-series column")
    statistic: Literal["final", "mean"] = Field(
        "final", description="final: the indicator's scorecard value (or a column's last month); mean: time mean of a column over the window"
    )
    window: tuple[YearMonth, YearMonth] | None = Field(None, description="[first, last] month of the time mean (default: the whole horizon)")

    @field_validator("window")
    @classmethod
    def _window_in_order(cls, window: tuple[str, str] | None) -> tuple[str, str] | None:
        if window is not None and month_number(window[0]) > month_number(window[1]):
            raise FieldError("", list(window), "[first, last] with first not after last")
        return window

    @property
    def key(self) -> str:
        """Column name of the outcome in the results."""
        return self.name if self.statistic == "final" else f"{self.name}_mean"


class Experiment(Section):
    """A validated experiment definition."""

    name: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = Field("", max_length=2000)
    base: str = Field(description="base scenario file, relative to the experiment file")
    design: Literal["grid", "lhs", "sobol", "morris"] = Field(description="how design points are drawn")
    samples: int = Field(
        16,
        ge=1,
        le=100_000,
        strict=True,
        description="lhs: points; sobol: base samples N (N x (D + 2) points, first and total order); morris: trajectories; grid: unused",
    )
    replications: int = Field(1, ge=1, le=10_000, strict=True, description="seeds per design point (shared by all points: common random numbers)")
    seed: int = Field(1, ge=0, le=2**63 - 1, strict=True, description="base seed of the design sample and of the replications")
    fixed: dict[str, Any] = Field(
        default_factory=dict, description="scenario field path -> value set in every run, not varied (e.g. end = '2016-06' for a shorter horizon)"
    )
    parameters: list[Parameter] = Field(min_length=1)
    outcomes: list[Outcome] = Field(min_length=1)
    keep_series: list[str] = Field(default_factory=list, description="time-series columns to keep in full, month by month")
    batch_size: int = Field(20, ge=1, le=10_000, strict=True, description="finished runs written together in one atomic batch")
    base_file: str = Field("", exclude=True)

    @field_validator("fixed", mode="before")
    @classmethod
    def _flatten_fixed(cls, fixed: Any) -> Any:
        """``[fixed]`` with ``governance.mode = "x"`` is a nested table in TOML: back to dotted paths."""
        if not isinstance(fixed, dict):
            return fixed

        def flat(table: dict[str, Any], prefix: str) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for key, value in table.items():
                out |= flat(value, f"{prefix}{key}.") if isinstance(value, dict) else {f"{prefix}{key}": value}
            return out

        return flat(fixed, "")

    @field_validator("parameters")
    @classmethod
    def _unique_paths(cls, parameters: list[Parameter]) -> list[Parameter]:
        return check_unique_paths(parameters)

    @model_validator(mode="after")
    def _design_fits(self) -> Experiment:
        if self.design in ("sobol", "morris") and len(self.parameters) < 1:
            raise FieldError("parameters", [], "at least one parameter for a sensitivity design")
        if self.design in ("sobol", "morris"):
            for i, parameter in enumerate(self.parameters):
                if parameter.kind == "categorical" and len(parameter.values or []) == 1:
                    raise FieldError(
                        f"parameters[{i}].values", parameter.values,
                        f"at least two values in a {self.design} design (a one-value parameter is a dead dimension; set it in [fixed] instead)",
                    )  # fmt: skip
        for path in self.fixed:
            if path in {p.path for p in self.parameters}:
                raise FieldError(f"fixed.{path}", self.fixed[path], "a path that is not also a varied parameter")
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
        experiment = Experiment.model_validate({**data, "base_file": ""})  # lax, but the counts are strict: samples = "4" is refused
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        loc = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in error["loc"]).replace(".[", "[")
        problem = (error.get("ctx") or {}).get("error")
        if isinstance(problem, FieldError):
            raise ScenarioError(file, (f"{loc}.{problem.field}" if loc else problem.field) if problem.field else loc, problem.value, problem.allowed) from None
        value = error.get("input") if error["type"] != "extra_forbidden" else error["loc"][-1]
        raise ScenarioError(file, loc or "<root>", value, _allowed(error, error["loc"])) from None
    base = (file.parent / experiment.base).resolve()
    if not base.is_file():
        raise ScenarioError(file, "base", experiment.base, f"an existing scenario file relative to {file.parent.resolve()}")
    base_data = read_with_parents(base)
    scenario_from_dict(base_data, base)  # the base scenario itself must be valid
    base_data = _apply_fixed(file, experiment, base_data, base)
    experiment = _schema_roles(file, experiment, base_data)
    _check_outcomes(file, experiment)
    _check_parameters(file, experiment, base_data, base)
    _check_calendar(file, experiment, base_data, base)
    return experiment.model_copy(update={"base_file": str(base)}), base_data


def is_experiment_file(path: str | Path) -> bool:
    """Whether a TOML file is an experiment file (it has a top-level ``design`` key) rather than a scenario."""
    try:
        return "design" in tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False  # the scenario loader reports what is wrong with it


def _apply_fixed(file: Path, experiment: Experiment, base_data: dict[str, Any], base: Path) -> dict[str, Any]:
    data = base_data
    for path, value in experiment.fixed.items():
        try:
            data = with_values(data, {path: value})
            scenario_from_dict(data, base)
        except PathError as error:
            raise ScenarioError(file, f"fixed.{path}", value, str(error)) from None
        except ScenarioError as error:
            raise ScenarioError(file, f"fixed.{path}", value, f"a value the scenario accepts: {error.allowed}") from None
    return data


def _schema_roles(file: Path, experiment: Experiment, base_data: dict[str, Any]) -> Experiment:
    """Each parameter's role as the scenario schema declares it (a role given in the file must agree)."""
    parameters = []
    for i, parameter in enumerate(experiment.parameters):
        try:
            declared = describe(parameter.path, base_data).role
        except PathError as error:
            raise ScenarioError(file, f"parameters[{i}].path", parameter.path, str(error)) from None
        if parameter.role is not None and parameter.role != declared:
            raise ScenarioError(
                file, f"parameters[{i}].role", parameter.role,
                f"{declared!r}, as the scenario schema declares {parameter.path} (roles are declared once, with the field; leave role out)",
            )  # fmt: skip
        if declared == "lever" and parameter.distribution != "uniform":
            raise ScenarioError(file, f"parameters[{i}].distribution", parameter.distribution, "'uniform' for a lever (a lever is set, not drawn)")
        parameters.append(parameter.model_copy(update={"role": declared}))
    return experiment.model_copy(update={"parameters": parameters})


def _allowed(error: dict[str, Any], loc: tuple[Any, ...]) -> str:
    if error["type"] == "extra_forbidden":
        model = {"parameters": Parameter, "outcomes": Outcome}.get(str(loc[0]), Experiment) if len(loc) > 1 else Experiment
        keys = sorted(k for k in model.model_fields if k != "base_file")
        hint = " (in TOML, top-level keys go before the first [[parameters]] or [[outcomes]] table)" if model is not Experiment else ""
        return "one of the known keys: " + ", ".join(keys) + hint
    if error["type"] in ("int_type", "float_type", "int_from_float"):
        return ("an integer" if error["type"].startswith("int") else "a number") + ", written without quotes (TOML text is not a number)"
    if error["type"] == "literal_error":
        return "one of " + str((error.get("ctx") or {}).get("expected"))
    return error["msg"][0].lower() + error["msg"][1:]


def _check_outcomes(file: Path, experiment: Experiment) -> None:
    from bottrop_sim.economy.sector_table import load_sector_table
    from bottrop_sim.model.observation import record_columns

    columns = set(record_columns(load_sector_table().sectors))  # the columns of the shipped sector table
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
        for value in probe_values(parameter):
            try:
                scenario_from_dict(with_values(base_data, {parameter.path: value}), base, strict=False)
            except PathError as error:
                raise ScenarioError(file, f"parameters[{i}].path", parameter.path, str(error)) from None
            except ScenarioError as error:
                raise ScenarioError(file, f"parameters[{i}]", f"{parameter.path} = {value!r}", f"a value the scenario accepts: {error.allowed}") from None


def probe_values(parameter: Parameter) -> list[Any]:
    """The values that bound what a parameter can take: every categorical value, or its two extremes."""
    if parameter.kind == "categorical":
        return list(parameter.values or [])
    from bottrop_sim.experiments.designs import to_value

    return list(dict.fromkeys([to_value(parameter, 0.0), to_value(parameter, 1.0)]))


def _check_calendar(file: Path, experiment: Experiment, base_data: dict[str, Any], base: Path) -> None:
    """At each combination of the extremes of calendar parameters: shocks start within the horizon, windows lie inside it."""
    moving = [(i, p) for i, p in enumerate(experiment.parameters) if parse_path(p.path)[0] in CALENDAR_PATHS]
    combinations = itertools.islice(itertools.product(*(probe_values(p) for _, p in moving)), MAX_CALENDAR_PROBES)
    for values in combinations:
        pairs = [(p.path, v) for (_, p), v in zip(moving, values, strict=True)]
        scenario = scenario_from_dict(with_values(base_data, pairs), base, strict=False)
        where = ", ".join(f"{p.path} = {v!r}" for (_, p), v in zip(moving, values, strict=True))
        context = f" (with {where})" if where else ""
        first, last = month_number(scenario.start), month_number(scenario.end)
        for k, shock in enumerate(scenario.shocks):
            begins = shock.window()[0]
            if begins > last:
                field = next((f"parameters[{i}]" for i, p in moving if p.path.startswith(f"shocks[{k}]")), f"shocks[{k}] of the base scenario")
                raise ScenarioError(
                    file, field, f"{shock.type} starting {_month_text(begins)}",
                    f"a shock that starts within the horizon {scenario.start}..{scenario.end}{context} (move it, or the end in [fixed])",
                )  # fmt: skip
        for i, outcome in enumerate(experiment.outcomes):
            if outcome.window is not None and (month_number(outcome.window[0]) < first or month_number(outcome.window[1]) > last):
                raise ScenarioError(file, f"outcomes[{i}].window", list(outcome.window), f"months within the horizon {scenario.start}..{scenario.end}{context}")


def _month_text(number: int) -> str:
    from bottrop_sim.calendar import year_month

    return year_month(number)


def parameter_values(parameters: list[Parameter], values: dict[str, Any]) -> dict[str, Any]:
    """The (path, value) pairs of one design point, as plain Python values (they travel to the workers as they are)."""
    return {p.path: plain(values[p.path]) for p in parameters}
