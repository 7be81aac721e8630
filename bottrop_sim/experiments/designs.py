"""Design points of an experiment, and the seeds of its replications.

* ``grid``: every combination of the categorical values and of ``levels``
  evenly spaced values of each continuous or integer parameter.
* ``lhs``: a Latin hypercube of ``samples`` points (scipy.stats.qmc, seeded).
* ``sobol``: Saltelli's extension of the Sobol' sequence for Sobol' indices
  (SALib), ``samples`` x (2 D + 2) points.
* ``morris``: ``samples`` Morris trajectories (SALib), ``samples`` x (D + 1) points.

Sampling happens on the unit cube; a continuous parameter maps linearly to its
bounds (or, for a normal, triangular or log-normal uncertainty, through the
distribution's quantile function, truncated to the bounds if given; without
bounds the 0.1 % and 99.9 % quantiles stand for the ends of the unit
interval), an integer one to the rounded value, a categorical one to the value
of the bin ``floor(u x k)``. Sensitivity indices are computed on the unit cube,
which for a distributed uncertainty is its probability scale. Seeds: one ``numpy.random.SeedSequence`` from the
experiment's seed; its first child seeds the sampler, the others are the
replications' seeds, the same for every design point (common random numbers).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from scipy import stats
from scipy.stats import qmc

from bottrop_sim.experiments.spec import Experiment, Parameter
from bottrop_sim.simulate import replication_seeds


def seeds(experiment: Experiment) -> tuple[int, list[int]]:
    """(sampler seed, one seed per replication) derived from the experiment's seed."""
    values = replication_seeds(experiment.seed, experiment.replications + 1)
    return values[0] % (2**32), values[1:]


def salib_problem(parameters: list[Parameter]) -> dict[str, Any]:
    """The SALib problem on the unit cube (one variable per parameter)."""
    return {"num_vars": len(parameters), "names": [p.path for p in parameters], "bounds": [[0.0, 1.0]] * len(parameters)}


def unit_sample(experiment: Experiment) -> np.ndarray:
    """Design points on the unit cube (rows: points, columns: parameters); grids are built directly."""
    sampler_seed, _ = seeds(experiment)
    d = len(experiment.parameters)
    if experiment.design == "lhs":
        return qmc.LatinHypercube(d=d, seed=np.random.default_rng(sampler_seed)).random(experiment.samples)
    if experiment.design == "sobol":
        return sobol_sample.sample(salib_problem(experiment.parameters), experiment.samples, calc_second_order=False, seed=sampler_seed)
    if experiment.design == "morris":
        return morris_sample.sample(salib_problem(experiment.parameters), experiment.samples, num_levels=4, seed=sampler_seed)
    raise ValueError(f"no unit sample for design {experiment.design!r}")


UNBOUNDED_TAIL = 0.001  # quantile standing for u = 0 (and 1 - it for u = 1) of a distribution without bounds


def distribution(parameter: Parameter) -> Any:
    """The scipy distribution of a non-uniform continuous parameter (untruncated)."""
    if parameter.distribution == "normal":
        return stats.norm(loc=parameter.mean, scale=parameter.sd)
    if parameter.distribution == "lognormal":
        return stats.lognorm(s=parameter.sigma, scale=parameter.median)
    if parameter.distribution == "triangular":
        low, high = parameter.bounds or (0.0, 1.0)
        return stats.triang(c=((parameter.mode or low) - low) / (high - low), loc=low, scale=high - low)
    raise ValueError(f"no scipy distribution for {parameter.distribution!r}")


def _quantile(parameter: Parameter, u: float) -> float:
    law = distribution(parameter)
    if parameter.bounds is not None:
        lower, upper = law.cdf(parameter.bounds[0]), law.cdf(parameter.bounds[1])
    else:
        lower, upper = UNBOUNDED_TAIL, 1 - UNBOUNDED_TAIL
    value = float(law.ppf(lower + u * (upper - lower)))
    if parameter.bounds is not None:  # rounding at the truncation points
        value = min(max(value, parameter.bounds[0]), parameter.bounds[1])
    return value


def to_value(parameter: Parameter, u: float) -> Any:
    """Map a unit-cube coordinate to a parameter value (native Python type)."""
    u = min(max(float(u), 0.0), 1.0)
    if parameter.distribution != "uniform":
        return _quantile(parameter, u)
    if parameter.kind == "categorical":
        values = parameter.values or []
        return values[min(int(u * len(values)), len(values) - 1)]
    low, high = parameter.bounds or (0.0, 1.0)
    if parameter.kind == "integer":
        return round(low + u * (high - low))
    return float(low + u * (high - low))


def grid_values(parameter: Parameter) -> list[Any]:
    """The values a parameter takes in a grid."""
    if parameter.kind == "categorical":
        return list(parameter.values or [])
    if parameter.distribution != "uniform":  # quantiles evenly spaced in probability
        return list(dict.fromkeys(_quantile(parameter, float(u)) for u in np.linspace(0.0, 1.0, parameter.levels)))
    low, high = parameter.bounds or (0.0, 1.0)
    points = np.linspace(low, high, parameter.levels)
    if parameter.kind == "integer":
        return list(dict.fromkeys(round(float(v)) for v in points))
    return [float(v) for v in points]


def design_points(experiment: Experiment) -> pd.DataFrame:
    """One row per design point: ``point`` (0, 1, ...) and one column per parameter path."""
    paths = [p.path for p in experiment.parameters]
    if experiment.design == "grid":
        rows = list(itertools.product(*(grid_values(p) for p in experiment.parameters)))
    else:
        sample = unit_sample(experiment)
        rows = [tuple(to_value(p, u) for p, u in zip(experiment.parameters, point, strict=True)) for point in sample]
    frame = pd.DataFrame(rows, columns=paths)
    frame.insert(0, "point", np.arange(len(frame)))
    return frame
