"""The workshop app: a bilingual Solara browser app that runs two governance settings side by side.

Start it with ``bottrop-sim app`` (see :func:`bottrop_sim.app.server.serve`); the
page is :func:`bottrop_sim.app.main.Page`. This package is the only place that
imports Solara; importing the package itself does not (so the command line can
say what is missing when the ``app`` extra is not installed).

Modules: ``texts`` (German and English words, number formats), ``levers``
(which scenario field each control sets, with units and checks), ``runs``
(the Mesa models of a panel, stepped in lockstep, and their snapshots),
``charts`` (matplotlib figures), ``scoring`` (the scorecard of A and B),
``export`` (scenario TOML, CSV), ``state`` (one session's reactive state and
actions, with ``workshop_settings`` for the settings controls and
``workshop_ensembles`` for the session's ensembles), ``components`` and
``views`` (the Solara components), ``main`` (the page), ``server`` (starting
the server).
"""
