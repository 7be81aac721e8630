"""Trust diagnostics and scenario discovery, on functions and data whose answers are known by hand."""

from __future__ import annotations

import math
import sys

import numpy as np
import pandas as pd
import pytest
from SALib.analyze import morris as salib_morris
from SALib.analyze import sobol as salib_sobol
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from scipy import stats

from bottrop_sim.experiments import discovery, trust
from bottrop_sim.experiments.spec import Experiment

ISHIGAMI_S1 = [0.3139, 0.4424, 0.0]  # Saltelli et al. 2008, Global Sensitivity Analysis: The Primer, p. 179 (a = 7, b = 0.1)
ISHIGAMI_ST = [0.5576, 0.4424, 0.2437]
PROBLEM = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[0.0, 1.0]] * 3}


def ishigami(unit: np.ndarray) -> np.ndarray:
    x = -math.pi + 2 * math.pi * unit
    return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_bootstrap_recovers_the_ishigami_indices_and_matches_salib():
    unit = sobol_sample.sample(PROBLEM, 1024, calc_second_order=False, seed=3)
    y = ishigami(unit)
    table = trust.sobol_bootstrap(y, 3, seed=1)
    salib = salib_sobol.analyze(PROBLEM, y, calc_second_order=False, seed=1)
    np.testing.assert_allclose(table["S1"], salib["S1"], rtol=1e-10)
    np.testing.assert_allclose(table["ST"], salib["ST"], rtol=1e-10)
    np.testing.assert_allclose(table["S1"], ISHIGAMI_S1, atol=0.05)
    np.testing.assert_allclose(table["ST"], ISHIGAMI_ST, atol=0.05)
    for column, truth in (("S1", ISHIGAMI_S1), ("ST", ISHIGAMI_ST)):
        assert (table[f"{column}_low"].to_numpy() <= np.array(truth) + 0.02).all() and (np.array(truth) - 0.02 <= table[f"{column}_high"].to_numpy()).all()
    small = trust.sobol_bootstrap(y[: 32 * 5], 3, seed=1)
    assert ((small["ST_high"] - small["ST_low"]) > (table["ST_high"] - table["ST_low"])).all()  # fewer samples, wider intervals


def test_sobol_convergence_uses_the_first_base_samples():
    unit = sobol_sample.sample(PROBLEM, 256, calc_second_order=False, seed=3)
    y = ishigami(unit)
    table = trust.sobol_convergence(y, 3, seed=1)
    assert sorted(table["base_samples"].unique()) == [32, 64, 128, 256]
    at_64 = table[table["base_samples"] == 64]
    np.testing.assert_allclose(at_64["ST"], trust.sobol_estimates(y[: 64 * 5], 3)[1])
    error = table.assign(truth=np.tile(ISHIGAMI_ST, 4)).eval("abs(ST - truth)").groupby(table["base_samples"]).mean()
    assert error[256] < error[32]


def test_morris_mu_star_of_a_linear_function_is_its_slopes_and_matches_salib():
    unit = morris_sample.sample(PROBLEM, 20, num_levels=4, seed=2)
    y = 2 * unit[:, 0] - 3 * unit[:, 1] + 0 * unit[:, 2]
    table = trust.morris_bootstrap(unit, y, 3, seed=1)
    np.testing.assert_allclose(table["mu_star"], [2, 3, 0], atol=1e-9)
    np.testing.assert_allclose(table["mu_star_low"], [2, 3, 0], atol=1e-9)  # no spread: a degenerate interval
    nonlinear = np.sin(3 * unit[:, 0]) + unit[:, 1] ** 2
    salib = salib_morris.analyze(PROBLEM, unit, nonlinear, num_levels=4, seed=1)
    table = trust.morris_bootstrap(unit, nonlinear, 3, seed=1)
    np.testing.assert_allclose(table["mu_star"], salib["mu_star"], rtol=1e-10)
    assert ((table["mu_star_low"] <= table["mu_star"]) & (table["mu_star"] <= table["mu_star_high"])).all()


@pytest.mark.parametrize(("sd", "mean", "precision"), [(10.0, 1000.0, 0.01), (1.0, 2.0, 0.05), (0.3, 5.0, 0.001)])
def test_replications_for_a_precision_is_the_smallest_that_fits(sd, mean, precision):
    needed = trust.replications_for(sd, mean, precision)
    fits = lambda n: stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n) <= precision * abs(mean)  # noqa: E731
    assert fits(needed) and not fits(needed - 1)


def synthetic(points: int, replications: int, noise_sd: float, seed_sd: float, rng: np.random.Generator) -> pd.DataFrame:
    effect = rng.normal(0, 1, points)
    seed_effect = rng.normal(0, seed_sd, replications)
    rows = [
        {"point": p, "replication": r, "y": effect[p] + seed_effect[r] + rng.normal(0, noise_sd)} for p in range(points) for r in range(replications)
    ]  # fmt: skip
    return pd.DataFrame(rows)


def test_a_common_seed_effect_is_not_noise_but_an_interaction_is():
    rng = np.random.default_rng(4)
    quiet = trust.replication_noise(synthetic(200, 5, noise_sd=0.1, seed_sd=10.0, rng=rng), "y", 0.01)
    assert quiet["noise_share"] < 0.01 and quiet["within_sd"] > 5  # a seed shifts every point alike (common random numbers)
    assert trust.noise_warnings(pd.DataFrame([quiet])) == []
    noisy = trust.replication_noise(synthetic(200, 5, noise_sd=3.0, seed_sd=0.0, rng=rng), "y", 0.01)
    expected = (9 / 5) / (1 + 9 / 5)
    assert noisy["noise_share"] == pytest.approx(expected, abs=0.12)
    assert 50 <= noisy["replications_for_noise_share"] <= 130  # 9 x 0.9 / (0.1 x 1) = 81 with the true variances
    (warning,) = trust.noise_warnings(pd.DataFrame([noisy]))
    assert warning.startswith("y: replication noise is") and "replications would bring it under 10 %" in warning


def test_one_replication_is_warned_about():
    single = trust.replication_noise(synthetic(20, 1, 1.0, 0.0, np.random.default_rng(1)), "y", 0.01)
    assert np.isnan(single["noise_share"]) and single["replications"] == 1
    assert "one replication" in trust.noise_warnings(pd.DataFrame([single]))[0]


def test_indices_outside_zero_one_are_warned_about():
    table = pd.DataFrame({"outcome": ["employment"] * 2, "parameter": ["a", "b"], "S1": [0.2, -0.3], "ST": [2.7, 0.5]})
    messages = trust.range_warnings(table)
    assert len(messages) == 2 and "ST of a is 2.7" in messages[0] and "S1 of b is -0.3" in messages[1]


# --- discovery ----------------------------------------------------------------------------------------------------------


def experiment(*parameters: dict) -> Experiment:
    return Experiment.model_validate(
        {"name": "synthetic", "base": "x.toml", "design": "grid", "parameters": list(parameters), "outcomes": [{"name": "employment"}, {"name": "co2"}]}
    )


MODE = {"path": "governance.mode", "kind": "categorical", "values": ["none", "alliance", "city_led"], "role": "lever"}
HIRING = {"path": "firms.hiring_rate", "kind": "continuous", "bounds": [0.1, 0.4], "role": "uncertainty"}
DEMAND = {"path": "economy.export_growth", "kind": "categorical", "values": ["low", "high"], "role": "uncertainty"}


def test_prim_finds_the_uncertainty_box_of_the_worst_runs_and_labels_roles():
    pytest.importorskip("ema_workbench")
    rng = np.random.default_rng(8)
    n = 800
    frame = pd.DataFrame(
        {
            "run_id": range(n),
            "point": range(n),
            "replication": 0,
            "governance.mode": rng.choice(MODE["values"], n),
            "firms.hiring_rate": rng.uniform(0.1, 0.4, n),
        }
    )
    frame["employment"] = 1000 - 400 * (frame["firms.hiring_rate"] < 0.13) + rng.normal(0, 20, n)  # a tenth of the runs are bad: those below 0.13
    frame["co2"] = 1.0
    box = discovery.prim_boxes(frame, experiment(MODE, HIRING), "employment", quantile=0.1)
    assert box["cases"] == 80 and box["runs"] == n and box["rule"].startswith("employment <= ")
    limits = box["limits"].set_index("parameter")
    assert limits.loc["firms.hiring_rate", "role"] == "uncertainty" and 0.12 < limits.loc["firms.hiring_rate", "high"] < 0.14
    assert "governance.mode" not in limits.index  # the lever plays no part and is not restricted
    assert box["coverage"] >= 0.9 and box["density"] >= 0.8
    assert list(box["limits"]["role"]) == sorted(box["limits"]["role"], key=lambda role: role != "uncertainty")  # uncertainties first


def test_discovery_without_the_workbench_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ema_workbench", None)
    monkeypatch.delitem(sys.modules, "ema_workbench.analysis", raising=False)
    monkeypatch.delitem(sys.modules, "ema_workbench.analysis.prim", raising=False)
    frame = pd.DataFrame({"governance.mode": ["none"], "firms.hiring_rate": [0.2], "employment": [1.0]})
    with pytest.raises(discovery.DiscoveryUnavailableError, match=r"pip install 'bottrop-sim\[discovery\]'"):
        discovery.prim_boxes(frame, experiment(MODE, HIRING), "employment")


def test_regret_of_each_lever_setting_by_hand():
    values = {  # employment by (state, policy); higher is better
        ("low", "none"): 100, ("low", "alliance"): 130, ("low", "city_led"): 120,
        ("high", "none"): 200, ("high", "alliance"): 190, ("high", "city_led"): 210,
    }  # fmt: skip
    rows = [
        {"run_id": f"{s}-{p}", "replication": 0, "economy.export_growth": s, "governance.mode": p, "employment": v, "co2": -v} for (s, p), v in values.items()
    ]
    table = discovery.robustness(pd.DataFrame(rows), experiment(MODE, DEMAND)).set_index(["outcome", "policy"])
    # regret = best in the state minus own: none (30, 10), alliance (0, 20), city_led (10, 0)
    for policy, (worst, mean) in {"governance.mode=none": (30, 20), "governance.mode=alliance": (20, 10), "governance.mode=city_led": (10, 5)}.items():
        assert table.loc[("employment", policy), "max_regret"] == worst and table.loc[("employment", policy), "mean_regret"] == mean
    assert table.loc[("employment", "governance.mode=city_led"), "rank"] == 1 and table.loc[("employment", "governance.mode=none"), "rank"] == 3
    assert (table.loc["employment", "states"] == 2).all()
    # co2: lower is better and co2 = -employment, so the regret (own minus the least) is the same as employment's
    assert not table.loc[("co2", "governance.mode=none"), "higher_is_better"]
    assert table.loc[("co2", "governance.mode=none"), "max_regret"] == 30 and table.loc[("co2", "governance.mode=none"), "mean_regret"] == 20
    assert table.loc[("co2", "governance.mode=alliance"), "worst_decile"] == pytest.approx(
        -190 + 0.9 * 60
    )  # 90th percentile of (-190, -130), linear interpolation
