"""Issue 14 without a browser: the ensemble's statistics (Holm, paired intervals, verdicts), the "Why?" split, the workshop's settings, the settings code and uploads."""

from __future__ import annotations

import math
from concurrent.futures import Future

import numpy as np
import pytest

pytest.importorskip("solara")

from bottrop_sim import load_scenario
from bottrop_sim.app.ensemble import Ensemble, band_of, holm, paired_differences, paired_p
from bottrop_sim.app.export import scenario_toml
from bottrop_sim.app.levers import LEVER_BY_PATH, check_entry
from bottrop_sim.app.scoring import KEY_INDICATORS, RESILIENCE, ensemble_rows
from bottrop_sim.app.share import Settings, UploadProblem, decode, encode, read_upload
from bottrop_sim.app.state import Workshop
from bottrop_sim.app.texts import parse_number
from bottrop_sim.app.why import mechanisms_of, split, variants, without
from bottrop_sim.app.workers import member_task
from bottrop_sim.compare import run_pair
from bottrop_sim.simulate import RunStoppedError, replication_seeds

from .conftest import SCENARIOS
from .ensemble_pools import Deferred, here, short_scenarios

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def short():
    """The closure scenario cut to 2015-2019 (the closure inside), and the same with the alliance."""
    return short_scenarios()


def test_holm_matches_the_step_down_rule_by_hand():
    adjusted = holm({"a": 0.01, "b": 0.04, "c": 0.03, "d": math.nan})
    # sorted: a 0.01 x 3 = 0.03; c 0.03 x 2 = 0.06; b 0.04 x 1 = 0.04 -> kept monotone: 0.06
    assert adjusted["a"] == pytest.approx(0.03)
    assert adjusted["c"] == pytest.approx(0.06)
    assert adjusted["b"] == pytest.approx(0.06)
    assert math.isnan(adjusted["d"])


def test_paired_p_of_the_t_test():
    from scipy import stats

    data = np.array([0.5, 1.2, -0.3, 0.8, 1.1, 0.4, 0.9, 0.2])
    assert paired_p(data) == pytest.approx(stats.ttest_1samp(data, 0.0).pvalue)
    assert paired_p(np.zeros(8)) == 1.0
    assert paired_p(np.full(8, 2.0)) == 0.0
    assert math.isnan(paired_p(np.array([1.0])))


def test_verdicts_are_corrected_and_governance_indicators_never_rated():
    rng = np.random.default_rng(3)
    n = 8
    a = [{"employment": 100 + 5 + rng.normal(0, 0.5), "unemployment_rate": 0.07 + rng.normal(0, 0.01), "alliance_trust": 0.6} for _ in range(n)]
    b = [{"employment": 100 + rng.normal(0, 0.5), "unemployment_rate": 0.07 + rng.normal(0, 0.01), "alliance_trust": 0.0} for _ in range(n)]
    result = paired_differences(a, b, ["employment", "unemployment_rate", "alliance_trust"])
    assert result["employment"].verdict == "clear" and result["employment"].better == "A"
    assert result["employment"].low > 0
    assert result["unemployment_rate"].verdict == "unclear" and result["unemployment_rate"].better is None
    assert result["alliance_trust"].verdict == "descriptive" and result["alliance_trust"].better is None
    undefined = paired_differences([{"recovery": math.nan}] * 3, [{"recovery": math.nan}] * 3, ["recovery", "alliance_trust"])
    assert undefined["recovery"].verdict == "undefined" and undefined["alliance_trust"].verdict == "descriptive"
    assert paired_differences(a[:1], b[:1], ["employment"])["employment"].verdict == "waiting"
    # Holm over the two tested indicators: the smaller p value is doubled, the larger kept (at least the smaller's)
    assert result["employment"].p_holm == pytest.approx(min(1.0, 2 * result["employment"].p))
    assert result["unemployment_rate"].p_holm == pytest.approx(max(result["unemployment_rate"].p, result["employment"].p_holm))


def test_ensemble_uses_common_seeds_and_equals_run_pair(short):
    base, alliance = short
    ensemble = Ensemble({"A": base, "B": alliance}, 11, 3, submit=here)
    assert ensemble.seeds == replication_seeds(11, 3)
    assert ensemble.complete and ensemble.progress() == (6, 6)
    scores, _, _ = run_pair(alliance, ensemble.seeds[1])
    assert ensemble.members("B")[1].scores["employment"] == scores["employment"]
    band = ensemble.band("B", "employment_workplace")
    assert band.n == 3
    stacked = np.vstack([m.run["employment_workplace"].to_numpy(float) for m in ensemble.members("B").values()])
    assert np.allclose(band.median, np.median(stacked, axis=0))
    assert np.all(band.low <= band.median) and np.all(band.median <= band.high)
    diff = ensemble.differences(["employment"])["employment"]
    by_hand = [ensemble.members("A")[r].scores["employment"] - ensemble.members("B")[r].scores["employment"] for r in range(3)]
    assert diff.mean == pytest.approx(np.mean(by_hand)) and diff.n == 3


def test_the_ensemble_scorecard_shows_the_means_and_the_paired_difference_inside_its_interval(short):
    base, alliance = short
    ensemble = Ensemble({"A": base, "B": alliance}, 11, 3, submit=here)
    lines = {row.name: row for row in ensemble_rows(ensemble, "en", RESILIENCE + KEY_INDICATORS)}
    employment = lines["employment"]
    means = {panel: np.mean([m.scores["employment"] for m in ensemble.members(panel).values()]) for panel in ("A", "B")}
    shown = {panel: parse_number(text, "en") for panel, text in employment.values.items()}
    assert shown["A"] == pytest.approx(means["A"], abs=0.5) and shown["B"] == pytest.approx(means["B"], abs=0.5)  # whole persons
    by_seed = [ensemble.members("A")[r].scores["employment"] - ensemble.members("B")[r].scores["employment"] for r in range(3)]
    difference = parse_number(employment.difference, "en")
    assert employment.difference[0] in "+-" and difference == pytest.approx(np.mean(by_seed), rel=0.01, abs=0.5)
    low, high = (parse_number(text, "en") for text in employment.interval.split(" … "))
    assert low <= difference <= high and employment.n == 3
    resistance = lines["resistance"].values
    assert all(text.endswith(" %") for text in resistance.values())
    assert len({len(text.removesuffix(" %").partition(".")[2]) for text in resistance.values()}) == 1  # one number of decimals per line
    assert lines["alliance_trust"].values["A"] == "–"  # no alliance in A: nothing to average


def test_a_pool_that_cannot_start_workers_counts_failed_runs_instead_of_raising(short, caplog):
    base, alliance = short
    calls: list[tuple] = []

    def refused(task) -> Future:
        calls.append(task)
        raise ConnectionRefusedError(111, "Connection refused")  # what a dead forkserver gives

    arrivals: list[int] = []
    ensemble = Ensemble({"A": base, "B": alliance}, 11, 3, on_arrival=lambda: arrivals.append(1), submit=refused)
    assert ensemble.progress() == (6, 6) and ensemble.failed() == 6  # all counted, none lost, none shown
    assert len(calls) == 2 and arrivals  # one retry with a fresh pool, then the page is told
    assert "not started" in caplog.text and "Traceback" not in caplog.text


def test_a_pool_that_fails_once_is_replaced_and_every_run_arrives(short):
    base, alliance = short
    failures = [RuntimeError("cannot schedule new futures after shutdown")]

    def flaky(task) -> Future:
        if failures:
            raise failures.pop()
        return here(task)

    ensemble = Ensemble({"A": base, "B": alliance}, 11, 2, submit=flaky)
    assert ensemble.complete and ensemble.failed() == 0 and ensemble.progress() == (4, 4)


def test_band_of_nothing_is_none():
    assert band_of([], "employment_workplace") is None


def test_why_split_adds_up_and_each_share_is_the_effect_of_switching_off(short):
    base, alliance = short
    ensemble = Ensemble({"A": base, "B": alliance}, 5, 2, submit=here)
    wanted = variants({"A": base, "B": alliance})
    assert set(wanted) == {m.key for m in mechanisms_of(alliance)}
    assert set(wanted["staff_pooling"]) == {"B"} and set(wanted["customer_search"]) == {"A", "B"}
    ensemble.add_variants(wanted)
    keys = list(wanted)
    total, shares, rest = split(ensemble, keys, "employment")
    assert total.n == 2
    assert total.mean == pytest.approx(sum(s.spread.mean for s in shares) + rest.mean)
    # staff pooling acts only in B: its share of A - B is minus its effect in B, computed here by independent runs
    pooling = next(s for s in shares if s.key == "staff_pooling")
    off = without(alliance, next(m for m in mechanisms_of(alliance) if m.key == "staff_pooling"))
    assert off.governance.alliance.staff_pooling is False
    effects = [run_pair(alliance, seed)[0]["employment"] - run_pair(off, seed)[0]["employment"] for seed in ensemble.seeds]
    assert pooling.spread.mean == pytest.approx(-np.mean(effects))


def test_city_programme_off_keeps_the_other_programmes_money():
    city = load_scenario(SCENARIOS / "closure_2018_city_led.toml")
    mechanism = next(m for m in mechanisms_of(city) if m.key == "retraining")
    off = without(city, mechanism).governance.city
    before = city.governance.city
    programme = before.budget_eur_year * (1 - before.overhead_share)
    after = off.budget_eur_year * (1 - off.overhead_share)
    assert off.retraining_share == 0.0
    assert after * off.diversification_grant_share == pytest.approx(programme * before.diversification_grant_share)
    assert after * off.startup_grant_share == pytest.approx(programme * before.startup_grant_share)


def test_typed_values_are_stored_exactly_and_the_slider_gets_a_step_position():
    founding = LEVER_BY_PATH["governance.alliance.founding_members"]
    assert check_entry(founding, "62", "de") == (62, None)
    assert founding.slider_position(62) == 60 and founding.text(62, "de") == "62"
    growth = LEVER_BY_PATH["governance.adaptation.green_demand_growth_per_year"]
    value, _ = check_entry(growth, "3,3", "de")
    assert value == 0.033 and growth.text(value, "de") == "3,3" and growth.slider_position(value) == 3.5
    budget = LEVER_BY_PATH["governance.city.budget_eur_year"]
    value, _ = check_entry(budget, "1,55", "de")
    assert value == 1_550_000.0 and budget.text(value, "de") == "1,55" and budget.text(1_500_000.0, "en") == "1.5"


def test_month_entries_name_the_real_limits():
    start = LEVER_BY_PATH["governance.alliance.start"]
    assert check_entry(start, "1900-01", "de") == (None, "Erlaubt: 1950-01 bis 2100-12.")
    assert check_entry(start, "2017-13", "en")[1] == "Please enter a month as YYYY-MM, e.g. 2017-03."
    assert check_entry(start, "2099-12", "en") == ("2099-12", None)


def test_settings_code_restores_a_session_and_a_bad_code_changes_nothing(tmp_path):
    state = Workshop(SCENARIOS, ensemble_size=0)
    state.choose_scenario("closure_2018_alliance")
    state.set_lever("B", "governance.mode", "city_led")
    state.set_lever("B", "governance.city.budget_eur_year", 1_550_000.0)
    state.set_seed("4242")
    state.lang.set("en")
    code = state.settings_code()
    other = Workshop(SCENARIOS, ensemble_size=0)
    assert other.restore(code) is None
    assert other.scenario_name.value == "closure_2018_alliance" and other.seed.value == 4242 and other.lang.value == "en"
    assert other.applied["B"].value == state.applied["B"].value and other.applied["A"].value == state.applied["A"].value
    before = other.applied["B"].value
    assert other.restore(code[:-12] + "x") == "This code does not fit (incomplete, mistyped, or for a changed scenario). Nothing was changed."
    assert other.applied["B"].value == before
    assert decode(encode(Settings("x", 1, "de", {"A": {"p": 1}}, {}))).levers == {"A": {"p": 1}}


def test_uploads_are_validated_like_scenario_files(tmp_path):
    good = load_scenario(SCENARIOS / "closure_2018_city_led.toml")
    loaded = read_upload("mine.toml", scenario_toml(good, name="mine"), SCENARIOS)
    assert not isinstance(loaded, UploadProblem) and loaded.governance == good.governance
    extends = read_upload("child.toml", 'extends = "closure_2018.toml"\nname = "child"\n[governance]\nmode = "alliance"\n', SCENARIOS)
    assert not isinstance(extends, UploadProblem) and extends.governance.mode == "alliance"
    bad = read_upload("bad.toml", 'name = "bad"\n[governance.city]\nbudget_eur_year = -5.0\n', SCENARIOS)
    assert isinstance(bad, UploadProblem) and bad.key == "upload_invalid" and bad.error.field == "governance.city.budget_eur_year"
    assert read_upload("x.toml", "name = [", SCENARIOS).key == "upload_not_toml"
    state = Workshop(SCENARIOS, ensemble_size=0)
    before = state.applied["A"].value
    assert state.upload("A", "bad.toml", 'name = "bad"\n[governance.city]\nbudget_eur_year = -5.0\n') is not None
    assert state.applied["A"].value == before  # nothing lost
    assert state.upload("A", "mine.toml", scenario_toml(good, name="mine")) is None
    assert state.applied["A"].value.governance == good.governance


def test_closing_a_page_stops_its_ensemble():
    """A closed page (tab, navigation, cull) stops its session's ensemble: nothing more is handed to the pool, the runs in it stop."""
    import os

    later = Deferred()
    handed = later.handed

    state = Workshop(SCENARIOS, ensemble_size=4, submit=later)
    ensemble = state.ensemble.value
    assert ensemble is not None and not ensemble.cancelled and handed
    state.close()
    assert ensemble.cancelled and os.path.exists(handed[0][0][-1])  # the workers see the stop flag
    count = len(handed)
    handed[0][1].set_exception(RunStoppedError("stopped"))  # a worker gives a run up: the next one is not handed over
    assert len(handed) == count


def test_changed_settings_start_their_ensemble_before_the_start_and_the_start_takes_it(monkeypatch):
    """Settings that stand still at the runs' start get their ensemble at once; "Start" then shows it and asks the pool for nothing more."""
    from bottrop_sim.app import workshop_ensembles as module  # reads PREPARE_AFTER_SECONDS

    later = Deferred()  # the runs stay in their workers
    handed = later.handed

    state = Workshop(SCENARIOS, ensemble_size=2, submit=later)
    opening = state.ensemble.value
    state.set_seed("4242")
    monkeypatch.setattr(module, "PREPARE_AFTER_SECONDS", 0.0)
    before = len(handed)
    state._prepare_if_settled()  # the service thread sees the change ...
    assert state._prepared is None and len(handed) == before
    state._prepare_if_settled()  # ... and, once it stood still, starts its ensemble
    prepared = state._prepared
    assert prepared is not None and prepared.base_seed == 4242 and opening.cancelled  # the opening ensemble's runs stop
    new_tasks = handed[before:]  # as many as the pool takes at a time (two per core)
    assert new_tasks and {task[4] for task, _ in new_tasks} <= set(prepared.seeds) and set(prepared.seeds).isdisjoint(opening.seeds)
    count = len(handed)
    state._prepare_if_settled()
    assert state._prepared is prepared and len(handed) == count  # the same settings: nothing started twice
    state.step()  # "+6 Monate" applies the settings
    assert state.ensemble.value is prepared and len(handed) == count and state._prepared is None
    state.set_seed("4243")
    state._prepare_if_settled()
    state._prepare_if_settled()
    assert state._prepared is None  # the runs are under way: the new seed waits for a reset, which starts its ensemble
    assert not prepared.cancelled


def test_a_lever_changed_in_one_panel_leaves_the_other_panels_runs_going(monkeypatch):
    """The workshop replaces its ensemble after a lever change in B: A's runs in the workers go on for the new one, B's stop."""
    import os

    from bottrop_sim.app import workshop_ensembles as module  # reads PREPARE_AFTER_SECONDS

    monkeypatch.setenv("BOTTROP_SIM_APP_WORKERS", "2")
    monkeypatch.setattr(module, "PREPARE_AFTER_SECONDS", 0.0)
    later = Deferred()
    state = Workshop(SCENARIOS, ensemble_size=2, submit=later)
    opening = state.ensemble.value
    handed = list(later.handed)
    assert {task[0] for task, _ in handed} == {"A", "B"}
    state.set_lever("B", "governance.mode", "city_led")
    state._prepare_if_settled()
    state._prepare_if_settled()
    prepared = state._prepared
    assert prepared is not None and opening.cancelled
    for task, _ in handed:  # the flags the workers look for: only the changed panel's runs stop
        assert os.path.exists(task[-1]) == (task[0] == "B"), task[:3]
    assert all(task[0] == "B" and task[3].governance.mode == "city_led" for task, _ in later.handed[len(handed) :])
    for task, future in later.handed:
        if task[0] == "B" and task[3].governance.mode != "city_led":
            future.set_exception(RunStoppedError("stopped"))
        else:
            future.set_result(member_task(task))
    while not prepared.complete:  # the queued replications follow as places free up
        for task, future in later.handed:
            if not future.done():
                future.set_result(member_task(task))
    assert sorted(prepared.members("A")) == [0, 1] and prepared.failed() == 0
    assert sum(task[0] == "A" for task, _ in later.handed) == 2  # panel A ran once per seed


def test_a_prepared_ensemble_of_settings_changed_again_is_not_shown():
    """Settings changed once more before the start: the prepared ensemble stops, the start shows the latest settings."""
    later = Deferred()

    state = Workshop(SCENARIOS, ensemble_size=2, submit=later)
    state.set_seed("4242")
    state.prepare_ensemble()
    prepared = state._prepared
    state.set_seed("4244")
    state.step()
    assert prepared.cancelled and state.ensemble.value is not prepared and state.ensemble.value.base_seed == 4244
    state.close()
    assert state.ensemble.value.cancelled


def test_resetting_a_session_leaves_no_model_behind():
    import gc
    import weakref

    import mesa

    from bottrop_sim.model import BottropModel

    def models_alive() -> int:
        gc.collect()
        return sum(isinstance(o, BottropModel) for o in gc.get_objects())

    state = Workshop(SCENARIOS, ensemble_size=0)
    state.reset()
    alive, counters = models_alive(), len(mesa.Agent._ids)
    first = weakref.ref(state.runs["A"].value.model)
    for _ in range(3):
        state.reset()  # each reset builds both panels' runs and twins anew
    assert state.runs["A"].value.months_done == 0
    assert models_alive() == alive and len(mesa.Agent._ids) == counters  # the replaced models are gone, not kept by Mesa
    assert first() is None
