"""Calibration kept apart from validation: fit stated parameters to published figures of one period, check another.

A calibration file (TOML, e.g. ``experiments/calibrate_history.toml``) names a base
scenario, the parameters to fit (scenario field paths with prior bounds), the
published figures (targets: a time-series column, a month ``YYYY-MM`` or a year
``YYYY`` whose months are averaged, the published value and its tolerance, the
source), and the fit period. Targets inside the fit period are fitted; every
other target is held out and only checked (validation).

Method: approximate Bayesian computation by rejection (Pritchard et al. 1999;
Beaumont, Zhang & Balding 2002). ``samples`` parameter sets are drawn from the
uniform prior over the bounds (a scrambled Sobol' sequence, seeded), each run
with ``replications`` common seeds; the distance of a set is the root mean square
of (simulated - published) / tolerance over the fit targets, the simulated value
being the mean over the seeds. The ``accept_share`` closest sets are the
posterior sample: its median is the calibrated value of each parameter and its
5-95 % range the parameter's uncertainty. The fit and validation errors are then
reported side by side for the posterior sample (mean and 5-95 % range over
the accepted sets), so a good fit on 2015-2019 does not pass for a good
prediction of 2020-2023.
"""

from __future__ import annotations

import json
import math
import os
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, field_validator, model_validator

from bottrop_sim.errors import FieldError, ScenarioError
from bottrop_sim.files import toml_text, write_files
from bottrop_sim.provenance import provenance
from bottrop_sim.scenario.composition import read_toml, read_with_parents
from bottrop_sim.scenario.fields import PathError, describe, with_values
from bottrop_sim.scenario.loading import scenario_from_dict
from bottrop_sim.simulate import replication_seeds
from bottrop_sim.values import Section, YearMonth, check_unique_paths

PERIOD_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2]))?$"


class FittedParameter(Section):
    """One parameter to fit: a numeric scenario field and its prior bounds."""

    path: str = Field(description="scenario field path, e.g. labour.unemployment_rate_start")
    bounds: tuple[float, float] = Field(description="[low, high] of the uniform prior")

    @model_validator(mode="after")
    def _ordered(self) -> FittedParameter:
        if not (math.isfinite(self.bounds[0]) and math.isfinite(self.bounds[1]) and self.bounds[0] < self.bounds[1]):
            raise FieldError("bounds", list(self.bounds), "[low, high] with finite low < high")
        return self


class Target(Section):
    """One published figure."""

    column: str = Field(description="a time-series column, e.g. unemployment_rate")
    period: str = Field(pattern=PERIOD_PATTERN, description="a month YYYY-MM, or a year YYYY (the mean of its months)")
    value: float = Field(allow_inf_nan=False, description="the published value, in the column's unit")
    tolerance: float = Field(gt=0.0, allow_inf_nan=False, description="what counts as one unit of misfit (the figure's precision), in the column's unit")
    source: str = Field(min_length=1, description="where the figure was published")


class CalibrationSpec(Section):
    """A validated calibration file."""

    name: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = Field("", max_length=2000)
    base: str = Field(description="base scenario file, relative to the calibration file")
    method: Literal["abc_rejection"] = Field("abc_rejection", description="approximate Bayesian computation by rejection")
    samples: int = Field(64, ge=4, le=100_000, description="parameter sets drawn from the prior")
    replications: int = Field(2, ge=1, le=100, description="common seeds each parameter set runs with")
    accept_share: float = Field(0.2, gt=0.0, le=1.0, allow_inf_nan=False, description="share of the closest sets kept as the posterior sample")
    seed: int = Field(1, ge=0, le=2**63 - 1, description="seed of the prior sample and of the replications")
    fit_period: tuple[YearMonth, YearMonth] = Field(description="[first, last] month whose targets are fitted; all others are held out")
    parameters: list[FittedParameter] = Field(min_length=1)
    targets: list[Target] = Field(min_length=2)

    @field_validator("parameters")
    @classmethod
    def _unique(cls, parameters: list[FittedParameter]) -> list[FittedParameter]:
        return check_unique_paths(parameters)

    @model_validator(mode="after")
    def _periods(self) -> CalibrationSpec:
        first, last = self.fit_period
        if first > last:
            raise FieldError("fit_period", list(self.fit_period), "[first, last] with first <= last")
        roles = [target_role(t, self.fit_period) for t in self.targets]
        if "fit" not in roles:
            raise FieldError("targets", len(self.targets), f"at least one target inside the fit period {first}..{last}")
        return self


def target_role(target: Target, fit_period: tuple[str, str]) -> str:
    """``fit`` if every month of the target lies in the fit period, else ``validation``."""
    first, last = fit_period
    months = (target.period + "-01", target.period + "-12") if len(target.period) == 4 else (target.period, target.period)
    return "fit" if first <= months[0] and months[1] <= last else "validation"


def is_calibration_file(path: str | Path) -> bool:
    """Whether a TOML file is a calibration file (it has a top-level ``fit_period`` key)."""
    import tomllib

    try:
        return "fit_period" in tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False  # the scenario loader reports what is wrong with it


def load_calibration(path: str | Path) -> tuple[CalibrationSpec, dict[str, Any], Path]:
    """Read and validate a calibration file.

    Returns:
        The spec, the base scenario's data and the base file.

    Raises:
        ScenarioError: naming the file, the field, the value and what is allowed.
    """
    file = Path(path)
    data = read_toml(file)
    try:
        spec = CalibrationSpec.model_validate(data, strict=False)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        loc = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in error["loc"]).replace(".[", "[") or "<root>"
        problem = (error.get("ctx") or {}).get("error")
        if isinstance(problem, FieldError):
            raise ScenarioError(file, f"{loc}.{problem.field}".strip("."), problem.value, problem.allowed) from None
        value = error.get("input") if error["type"] != "extra_forbidden" else error["loc"][-1]
        raise ScenarioError(file, loc, value, error["msg"][0].lower() + error["msg"][1:]) from None
    base = (file.parent / spec.base).resolve()
    if not base.is_file():
        raise ScenarioError(file, "base", spec.base, f"an existing scenario file relative to {file.parent.resolve()}")
    base_data = read_with_parents(base)
    scenario = scenario_from_dict(base_data, base)
    for i, parameter in enumerate(spec.parameters):
        try:
            field = describe(parameter.path, base_data)
        except PathError as error:
            raise ScenarioError(file, f"parameters[{i}].path", parameter.path, str(error)) from None
        if field.annotation not in (int, float) or field.annotation is bool:
            raise ScenarioError(file, f"parameters[{i}].path", parameter.path, "a numeric scenario field")
        low, high = parameter.bounds
        if low < field.low or high > field.high:
            raise ScenarioError(file, f"parameters[{i}].bounds", list(parameter.bounds), f"bounds within the field's range: {field.allowed}")
    months = scenario.months
    start, end = scenario.start, scenario.end
    for i, target in enumerate(spec.targets):
        first = target.period + ("-01" if len(target.period) == 4 else "")
        last = target.period + ("-12" if len(target.period) == 4 else "")
        if first < start or last > end:
            raise ScenarioError(file, f"targets[{i}].period", target.period, f"a period inside the base scenario's horizon {start}..{end} ({months} months)")
    return spec, base_data, base


@dataclass
class CalibrationResult:
    """What a calibration found.

    Attributes:
        samples: every parameter set with its distance and whether it was accepted.
        fit: one row per target: role (fit / validation), published, simulated mean and 5-95 % range over the posterior sample, error.
        summary: posterior median and 5-95 % range per parameter, fit and validation errors, provenance.
        calibrated: the base scenario's data with the posterior medians set (validated).
    """

    samples: pd.DataFrame
    fit: pd.DataFrame
    summary: dict[str, Any]
    calibrated: dict[str, Any]


def _simulated_targets(task: dict[str, Any]) -> dict[str, Any]:
    """One parameter set with one seed: the simulated value of every target (a worker task)."""
    from bottrop_sim.simulate import simulate

    scenario = scenario_from_dict(with_values(task["base_data"], task["values"]), task["base_file"], strict=False)
    series = simulate(scenario, seed=task["seed"]).timeseries
    dates = series["date"]
    values = []
    for target in task["targets"]:
        period = target["period"]
        rows = dates.str.startswith(period) if len(period) == 4 else dates == period
        values.append(float(series.loc[rows, target["column"]].mean()))
    return {"sample": task["sample"], "replication": task["replication"], "values": values}


def prior_sample(spec: CalibrationSpec) -> pd.DataFrame:
    """``samples`` parameter sets from the uniform prior (scrambled Sobol', seeded), integer fields rounded."""
    from scipy.stats import qmc

    sampler = qmc.Sobol(d=len(spec.parameters), scramble=True, seed=np.random.default_rng([spec.seed, 7]))
    unit = sampler.random(spec.samples)
    low = np.array([p.bounds[0] for p in spec.parameters])
    high = np.array([p.bounds[1] for p in spec.parameters])
    frame = pd.DataFrame(low + unit * (high - low), columns=[p.path for p in spec.parameters])
    for parameter in spec.parameters:
        if describe(parameter.path).annotation is int:
            frame[parameter.path] = frame[parameter.path].round().astype(int)
    return frame


def calibrate(
    path: str | Path,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    mapper: Callable[[Callable[[Any], Any], list[Any], int], Iterable[Any]] | None = None,
) -> CalibrationResult:
    """Fit the parameters of a calibration file by ABC rejection and check the held-out targets.

    Args:
        path: the calibration file.
        workers: local processes (default: all cores; 1 runs in this process).
        progress: called with (runs done, runs in all).
        mapper: how tasks run on ``workers`` processes (default: the sweeps' pool, :func:`bottrop_sim.experiments.pool.run_tasks`).

    Raises:
        ScenarioError: an invalid calibration file.
    """
    spec, base_data, base_file = load_calibration(path)
    sample = prior_sample(spec)
    seeds = replication_seeds(spec.seed, spec.replications)
    targets = [t.model_dump() for t in spec.targets]
    tasks = [
        {"sample": i, "replication": r, "seed": seed, "values": dict(row), "base_data": base_data, "base_file": str(base_file), "targets": targets}
        for i, row in enumerate(sample.to_dict("records"))
        for r, seed in enumerate(seeds)
    ]
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        finished: Iterable[Any] = map(_simulated_targets, tasks)
    else:
        if mapper is None:
            from bottrop_sim.experiments.pool import run_tasks

            mapper = run_tasks
        finished = mapper(_simulated_targets, tasks, workers)
    simulated = np.full((spec.samples, spec.replications, len(targets)), math.nan)
    lost = 0
    for done, result in enumerate(finished, start=1):
        if isinstance(result, dict):
            simulated[result["sample"], result["replication"]] = result["values"]
        else:  # a run whose worker died every time it was started: its parameter set has no distance and is not accepted
            lost += 1
        if progress:
            progress(done, len(tasks))
    if lost:
        warnings.warn(f"{lost} of {len(tasks)} calibration runs were lost (their worker processes died); their parameter sets are not accepted", stacklevel=2)
    return summarise(spec, base_data, base_file, sample, simulated.mean(axis=1), seeds)


def summarise(
    spec: CalibrationSpec, base_data: dict[str, Any], base_file: Path, sample: pd.DataFrame, simulated: np.ndarray, seeds: list[int]
) -> CalibrationResult:
    """Distances, the posterior sample, the calibrated scenario and the fit and validation errors.

    Args:
        spec: the calibration.
        base_data: the base scenario's data.
        base_file: the base scenario's file.
        sample: the prior sample (one row per parameter set).
        simulated: simulated value per parameter set and target (mean over the seeds).
        seeds: the common seeds.
    """
    observed = np.array([t.value for t in spec.targets])
    tolerance = np.array([t.tolerance for t in spec.targets])
    roles = np.array([target_role(t, spec.fit_period) for t in spec.targets])
    fit = roles == "fit"
    scaled = (simulated - observed) / tolerance
    distance = np.sqrt(np.nanmean(scaled[:, fit] ** 2, axis=1))
    distance[~np.isfinite(distance)] = np.inf
    if not np.isfinite(distance).any():
        raise RuntimeError("no parameter set gave finite values for the fit targets (every run failed or the targets' columns are missing)")
    accepted_count = max(1, math.ceil(spec.accept_share * len(sample)))
    order = np.argsort(distance, kind="stable")
    accepted = np.zeros(len(sample), bool)
    accepted[order[:accepted_count]] = True
    samples = sample.assign(distance=distance, accepted=accepted)
    posterior = sample[accepted]
    parameters = {}
    calibrated_values = {}
    for parameter in spec.parameters:
        values = posterior[parameter.path].to_numpy(float)
        median = float(np.median(values))
        if describe(parameter.path).annotation is int:
            median = round(median)
        calibrated_values[parameter.path] = median
        parameters[parameter.path] = {
            "prior": list(parameter.bounds),
            "median": median,
            "p05": float(np.quantile(values, 0.05)),
            "p95": float(np.quantile(values, 0.95)),
        }
    calibrated = with_values(base_data, calibrated_values)
    scenario_from_dict(calibrated, base_file)  # the calibrated scenario must be valid
    rows = []
    for j, target in enumerate(spec.targets):
        values = simulated[accepted, j]
        mean = float(np.nanmean(values))
        rows.append(
            {
                "column": target.column,
                "period": target.period,
                "role": roles[j],
                "published": target.value,
                "simulated": mean,
                "simulated_p05": float(np.nanquantile(values, 0.05)),
                "simulated_p95": float(np.nanquantile(values, 0.95)),
                "error": mean - target.value,
                "error_in_tolerances": (mean - target.value) / target.tolerance,
                "source": target.source,
            }
        )
    table = pd.DataFrame(rows)

    def rms(role: str) -> float:
        part = table[table["role"] == role]
        return float(np.sqrt((part["error_in_tolerances"] ** 2).mean())) if len(part) else math.nan

    summary = {
        "parameters": parameters,
        "fit_rms_in_tolerances": rms("fit"),
        "validation_rms_in_tolerances": rms("validation"),
        "fit_targets": int(fit.sum()),
        "validation_targets": int((~fit).sum()),
        "accepted": int(accepted_count),
        "best_distance": float(distance[order[0]]),
        "acceptance_distance": float(distance[order[accepted_count - 1]]),
        "provenance": provenance(
            calibration=spec.model_dump(mode="json"), base_file=str(base_file), seeds=seeds, method="ABC rejection, uniform prior, Sobol' sample"
        ),
    }
    return CalibrationResult(samples=samples, fit=table, summary=summary, calibrated=calibrated)


def write_calibration(result: CalibrationResult, out: str | Path, scenario_name: str) -> None:
    """Write ``samples.csv``, ``fit.csv``, ``summary.json`` and the calibrated scenario ``<name>.toml`` into ``out`` (atomically)."""
    data = dict(result.calibrated)
    data["name"] = scenario_name
    medians = ", ".join(f"{path} = {info['median']:.6g}" for path, info in result.summary["parameters"].items())
    comment = [
        f"Calibrated by bottrop-sim calibrate (ABC rejection): {medians}.",
        f"Fit error {result.summary['fit_rms_in_tolerances']:.2f} and validation error {result.summary['validation_rms_in_tolerances']:.2f} tolerances (RMS).",
    ]
    write_files(
        out,
        {
            "samples.csv": lambda p: result.samples.to_csv(p, index=False),
            "fit.csv": lambda p: result.fit.to_csv(p, index=False),
            "summary.json": lambda p: p.write_text(json.dumps(result.summary, indent=2, default=str), encoding="utf-8"),
            f"{_slug(scenario_name)}.toml": lambda p: p.write_text(toml_text(data, comment), encoding="utf-8"),
        },
    )


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name) or "calibrated"
