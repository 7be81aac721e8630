"""Charts on the page: a drawn figure shown as an image, with a PNG download that carries its title, scenario, seed and date.

The same matplotlib figure is shown and exported (:mod:`bottrop_sim.app.charts`);
the export adds a line above the chart (title, scenario, seed, date) and writes
them into the PNG's text fields as well.
"""

# ruff: noqa: N802 - Solara components are named in CapWords

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable
from functools import cache
from importlib import resources

import solara

from bottrop_sim import __version__

from .charts import png_bytes
from .state import Workshop
from .texts import scenario_title, t

EXPORT_DPI = 150
HISTORY_SCENARIOS = ("history_2015_2023",)
"""Scenarios over whose unemployment line the published rates are drawn."""


def file_stamp() -> str:
    """Date and time for file names (local time of the workshop laptop)."""
    return dt.datetime.now().strftime("%Y%m%d-%H%M")


@cache
def published_unemployment() -> dict:
    """The published unemployment rates of Bottrop (``unemployment_history`` in ``bottrop_sim/data/calibration.toml``, with its source)."""
    data = tomllib.loads(resources.files("bottrop_sim.data").joinpath("calibration.toml").read_text(encoding="utf-8"))
    return data["unemployment_history"]


def observed_for(state: Workshop) -> dict | None:
    """The published figures to draw, in the history scenario only."""
    return published_unemployment() if state.scenario_name.value in HISTORY_SCENARIOS else None


def export_stamp(state: Workshop, title_key: str, lang: str) -> dict[str, str]:
    """Title, scenario, seed and date of an exported chart, as the PNG's caption line and text fields."""
    name = state.scenario_name.value or ""
    title = t(lang, title_key)
    date = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    line = t(lang, "exported_from", title=title, scenario=scenario_title(name, lang), seed=str(state.seed.value), date=date)
    description = f"bottrop_sim {__version__}; scenario {name}; seed {state.seed.value}; " + "; ".join(
        f"{panel}: {scenario.governance.mode}" for panel in ("A", "B") if (scenario := state.applied[panel].value) is not None
    )
    return {"title": title, "line": line, "description": description, "date": date}


@solara.component
def Chart(figure_png: bytes, download: Callable[[], bytes], filename: str, lang: str, name: str, css: str = ""):
    """A chart image with a PNG download button under it (``css``: extra classes, e.g. how many seeds the bands hold)."""
    with solara.Column(gap="4px", classes=[f"bs-chart bs-chart-{name} {css}".strip()]):
        solara.Image(figure_png, width="100%")
        with solara.Row(justify="end", classes=["bs-no-print"]):
            solara.FileDownload(download, filename=filename, label=t(lang, "png"), icon_name="mdi-download", mime_type="image/png")


@solara.component
def DrawnChart(state: Workshop, draw: Callable, name: str, stem: str, title_key: str, keys: list, css: str = "", picture: Callable[[str], bytes] | None = None):
    """A chart drawn by ``draw(lang)``, redrawn when ``keys`` change, with a PNG download stamped with title, scenario, seed and date.

    ``picture(lang)``, if given, draws the page's image (the same picture, e.g. into a kept figure,
    :mod:`bottrop_sim.app.live_chart`); the download always draws a new figure with ``draw``.
    """
    lang = state.lang.value
    page = picture or (lambda lang: png_bytes(draw(lang), tight=False))  # one drawing pass: redrawn with every update
    image = solara.use_memo(lambda: page(lang), [*keys, lang])
    Chart(image, lambda: png_bytes(draw(lang), EXPORT_DPI, export_stamp(state, title_key, lang)), f"bottrop_{stem}_{file_stamp()}.png", lang, name, css)
