"""The page's time-series picture, drawn at every update into one figure that is kept.

While a workshop plays, the time-series chart is drawn 42 times (every 6 months
of 2015-2035). A new figure each time builds its six axes again, creates their
ticks again and measures every label again on a new renderer: about half of
what a drawing costs. :class:`SeriesCanvas` keeps the figure, its axes and its
canvas and, at each update, removes only what the last update drew (lines,
bands, marks, labels, the legend) before drawing the new one with
:func:`bottrop_sim.app.charts.draw_series`, the function that also draws the
exported file and the handout in new figures. The picture is the same, pixel for
pixel, as that of a new figure (``tests/test_app_charts.py`` checks).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.ticker import AutoLocator

from .charts import SERIES, draw_series, png_bytes, series_axes
from .ensemble import Ensemble
from .runs import PanelSnapshot


class SeriesCanvas:
    """The time-series chart of one page, redrawn into the same figure (one per session; thread-safe)."""

    def __init__(self) -> None:
        self.figure, self.grid = series_axes()
        FigureCanvasAgg(self.figure)  # kept: its renderer keeps the measured sizes of the labels
        self._lock = threading.Lock()

    def png(self, snapshots: Mapping[str, PanelSnapshot], lang: str, ensemble: Ensemble | None = None, observed: Mapping | None = None) -> bytes:
        """The chart of ``snapshots`` as PNG bytes at the page's fixed size (as ``png_bytes(series_figure(...), tight=False)``)."""
        with self._lock:
            self._empty()
            draw_series(self.figure, self.grid, snapshots, lang, ensemble, observed)
            return png_bytes(self.figure, tight=False)

    def _empty(self) -> None:
        """Remove what the last drawing added, so that the axes are as :func:`series_axes` made them.

        Titles and the legend need no removal: the next drawing replaces them.
        """
        for axes in self.grid.flat[: len(SERIES)]:
            for artist in [*axes.lines, *axes.collections, *axes.patches, *axes.texts]:
                artist.remove()
            axes.relim()  # no data left: the next drawing's data set the limits, as in a new figure
            axes.yaxis.set_major_locator(AutoLocator())  # an empty chart had its y ticks removed
