"""The app's charts as drawn for the page: nothing outside the figure, no legend over a chart, a fixed picture size, bands kept between arrivals (issue 14, speed for the room)."""

from __future__ import annotations

import io
from concurrent.futures import Future

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("solara")

from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from bottrop_sim import load_scenario
from bottrop_sim.app import charts, live_chart, views
from bottrop_sim.app.ensemble import Ensemble, band_of
from bottrop_sim.app.runs import PanelRun, advance
from bottrop_sim.app.state import Workshop
from bottrop_sim.app.workers import member_task

from .conftest import SCENARIOS

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def panels():
    """Panels A (no coordination) and B (alliance) of the closure scenario cut to 2015-2019, and an ensemble of 2 seeds computed here."""
    base = load_scenario(SCENARIOS / "closure_2018.toml").model_copy(update={"end": "2019-12"})
    alliance = base.model_copy(update={"governance": base.governance.model_copy(update={"mode": "alliance"})})
    runs = [PanelRun(base, base.seed), PanelRun(alliance, base.seed)]

    def here(task) -> Future:
        future: Future = Future()
        future.set_result(member_task(task))
        return future

    ensemble = Ensemble({"A": base, "B": alliance}, base.seed, 2, submit=here)
    start = {"A": runs[0].snapshot, "B": runs[1].snapshot}
    advance(runs, 6)
    early = {"A": runs[0].snapshot, "B": runs[1].snapshot}
    while advance(runs, 12):
        pass
    end = {"A": runs[0].snapshot, "B": runs[1].snapshot}
    return {"start": start, "early": early, "end": end}, ensemble


def drawn(figure):
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return canvas.get_renderer()


def screen_figures(panels, lang: str):
    moments, ensemble = panels
    for moment, snapshots in moments.items():
        for with_bands in (False, True):
            bands = ensemble if with_bands else None
            yield f"series {moment} bands={with_bands}", charts.series_figure(snapshots, lang, bands)
        yield f"network {moment}", charts.network_figure(snapshots, lang)
        yield f"alliance {moment}", charts.alliance_figure(snapshots, lang)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_screen_charts_keep_every_label_inside_the_figure(panels, lang):
    """The page's picture is the figure at its fixed size (one drawing pass), so nothing may reach outside it."""
    for name, figure in screen_figures(panels, lang):
        box = figure.get_tightbbox(drawn(figure))
        width, height = figure.get_size_inches()
        assert box.x0 >= 0 and box.y0 >= 0, (name, box)
        assert box.x1 <= width and box.y1 <= height, (name, box)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_series_legend_lies_over_no_chart(panels, lang):
    """With bands the legend has five entries; centred on its cell, the German one reached over the value-added chart's year labels."""
    moments, ensemble = panels
    for moment, snapshots in moments.items():
        figure = charts.series_figure(snapshots, lang, ensemble)
        renderer = drawn(figure)
        legend = figure.axes[-1].get_legend()
        assert legend is not None
        box = legend.get_window_extent(renderer)
        for axes in figure.axes[:-1]:
            assert not box.overlaps(axes.get_tightbbox(renderer)), (moment, axes.get_title())
        assert legend.get_texts()[0].get_fontsize() >= charts.SMALLEST_LEGEND_FONT
        labels = [text.get_text() for text in legend.get_texts()]
        if moment == "start":  # no bands before the first month: the panels and the twin
            assert len(labels) == 3
        else:  # the panels, the twin, the band and the live run
            assert len(labels) == 5 and any("20181221" in label for label in labels)


def test_the_page_picture_keeps_its_size_from_update_to_update_and_the_export_is_cut_and_stamped(panels):
    moments, ensemble = panels
    sizes = set()
    for snapshots in moments.values():
        picture = Image.open(io.BytesIO(charts.png_bytes(charts.series_figure(snapshots, "de", ensemble), tight=False)))
        sizes.add(picture.size)
    width, height = charts.WIDTH_INCHES * charts.DPI, charts.SERIES_HEIGHT_INCHES * charts.DPI
    assert sizes == {(round(width), round(height))}
    stamp = {"title": "Zeitreihen", "line": "Zeitreihen, Szenario closure_2018, Startwert 1", "description": "test", "date": "2026-12-01 23:00"}
    exported = Image.open(io.BytesIO(charts.png_bytes(charts.series_figure(moments["end"], "de", ensemble), 150, stamp)))
    assert exported.text["Title"] == "Zeitreihen"
    assert exported.size[1] > height * 1.5 * 0.9  # at 150 dpi, the caption line above included, the white edge cut


def test_bands_are_kept_until_a_seed_arrives_and_are_the_quantiles_of_the_arrived_runs():
    base = load_scenario(SCENARIOS / "closure_2018.toml").model_copy(update={"end": "2015-12"})
    waiting: list[tuple[Future, tuple]] = []

    def later(task) -> Future:
        future: Future = Future()
        waiting.append((future, task))
        return future

    ensemble = Ensemble({"A": base}, 5, 3, submit=later)
    assert ensemble.band("A", "employment_workplace") is None
    first_future, first_task = waiting.pop(0)
    first_future.set_result(member_task(first_task))
    one = ensemble.band("A", "employment_workplace")
    assert one is not None and one.n == 1
    assert ensemble.band("A", "employment_workplace") is one  # not computed again while no seed arrives
    while waiting:
        future, task = waiting.pop(0)
        future.set_result(member_task(task))
    three = ensemble.band("A", "employment_workplace")
    assert three is not one and three.n == 3
    runs = np.vstack([m.run["employment_workplace"].to_numpy(float) for m in ensemble.members("A").values()])
    for quantile, values in ((0.1, three.low), (0.5, three.median), (0.9, three.high)):
        reference = [np.percentile(runs[:, month], 100 * quantile) for month in range(runs.shape[1])]
        np.testing.assert_array_equal(values, reference)
    twin = ensemble.band("A", "employment_workplace", twin=True)
    assert twin is not three and twin.n == 3


def test_a_band_over_runs_with_gaps_leaves_the_gaps_out():
    dates = pd.Series(["2015-01", "2015-02", "2015-03"])
    frames = [pd.DataFrame({"date": dates, "x": values}) for values in ([1.0, np.nan, 3.0], [2.0, 5.0, np.nan], [3.0, 7.0, 5.0])]
    band = band_of(frames, "x")
    np.testing.assert_array_equal(band.median, [2.0, 6.0, 4.0])  # month 2 over {5, 7}, month 3 over {3, 5}
    np.testing.assert_allclose(band.low, [1.2, 5.2, 3.2])
    np.testing.assert_allclose(band.high, [2.8, 6.8, 4.8])
    full = band_of(frames[2:], "x")
    np.testing.assert_array_equal(full.median, [3.0, 7.0, 5.0])


def test_an_arrival_alone_redraws_the_series_only_while_the_runs_stand_still(monkeypatch):
    """While playing, seeds that arrive are drawn with the next update (one drawing instead of two)."""
    import solara

    drawings = []
    real = live_chart.draw_series
    monkeypatch.setattr(live_chart, "draw_series", lambda *args, **kwargs: drawings.append(1) or real(*args, **kwargs))
    state = Workshop(SCENARIOS, ensemble_size=0)
    _, rc = solara.render(views.SeriesView(state), handle_error=False)
    try:

        def after(change) -> int:
            before = len(drawings)
            change()
            return len(drawings) - before

        def arrival():
            state.ensemble_tick.set(state.ensemble_tick.value + 1)

        def update():
            state.version.set(state.version.value + 1)

        assert drawings, "the chart is drawn when the page opens"
        assert after(arrival) == 1  # standing still: an arrival is drawn at once
        assert after(lambda: state.playing.set(True)) == 0
        assert after(arrival) == 0  # playing: it waits for the next update
        assert after(update) == 1
        assert after(arrival) == 0
        assert after(lambda: state.playing.set(False)) == 1  # the seed that arrived after the last update
        assert after(lambda: state.playing.set(True)) == 0
        assert after(lambda: state.playing.set(False)) == 0  # nothing new: not drawn again
    finally:
        rc.close()


def test_the_series_chart_keeps_its_widgets_when_the_press_play_hint_goes_and_comes():
    """The hint before the start stands in a place of its own: the first step and a reset redraw the chart's picture, not a new widget."""
    import ipywidgets

    from .test_app_components import click, descendants, one, rendered_page, settle

    page = rendered_page()
    rc, state = next(page)
    try:
        chart = one(rc, "bs-chart-series")
        picture = next(w for w in descendants(chart) if isinstance(w, ipywidgets.Image))
        before = picture.value
        click(rc, "bs-step")
        settle(state)
        assert picture.comm is not None, "the chart's picture was replaced by a new widget when the hint went"
        assert picture.value != before  # redrawn in place
        click(rc, "bs-reset")
        settle(state)
        assert picture.comm is not None, "the chart's picture was replaced when the hint came back"
    finally:
        next(page, None)


def test_the_kept_page_figure_draws_what_a_new_figure_draws(panels):
    """The page's picture, drawn into one kept figure update after update, equals a new figure's picture pixel for pixel (both languages, with and without bands, forwards, backwards and after an empty start)."""
    moments, ensemble = panels
    canvas = live_chart.SeriesCanvas()
    order = [("early", None, "de"), ("end", ensemble, "de"), ("start", None, "de"), ("end", None, "en"), ("early", ensemble, "en"), ("end", ensemble, "de")]
    for moment, bands, lang in order:
        kept = Image.open(io.BytesIO(canvas.png(moments[moment], lang, bands)))
        new = Image.open(io.BytesIO(charts.png_bytes(charts.series_figure(moments[moment], lang, bands), tight=False)))
        assert kept.size == new.size
        difference = np.abs(np.asarray(kept, dtype=int) - np.asarray(new, dtype=int))
        assert difference.max() == 0, f"{moment} {lang} bands={bands is not None}: {int((difference.max(axis=-1) > 0).sum())} pixels differ"
