"""Figures, maps and the app, all in one style.

- :mod:`~model.viz.style`: rcParams, colours, fonts (the CJK font finder), figure helpers.
- :mod:`~model.viz.labels`: every label in English and Chinese.
- :mod:`~model.viz.figures`: collective income, weak villages, gains by alliance mode.
- :mod:`~model.viz.income_figures`: income by source, as the registry declares the sources.
- :mod:`~model.viz.experiment_figures`: comparisons and sensitivity indices.
- :mod:`~model.viz.maps`: the one map drawer (county command, notebooks, app).
- :mod:`~model.viz.app`: the SolaraViz app.
"""
