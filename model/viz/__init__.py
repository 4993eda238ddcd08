"""Figures, maps and the app, all in one style.

- :mod:`~model.viz.style`: rcParams, fonts (the CJK font finder), figure helpers, honest axes.
- :mod:`~model.viz.palettes`: the colour-blind-safe palettes and what each colour stands for.
- :mod:`~model.viz.labels`: every label in English and Chinese.
- :mod:`~model.viz.figures`: collective income, weak villages, gains by alliance mode.
- :mod:`~model.viz.income_figures`: income by source (as the registry declares the sources)
  and paths against the reference scenario.
- :mod:`~model.viz.experiment_figures`: comparisons and sensitivity indices.
- :mod:`~model.viz.sweep_figures`: sweeps drawn over the swept value.
- :mod:`~model.viz.maps`: the one map drawer (county command, notebooks, app).
- :mod:`~model.viz.outlines`: the one alliance outline (maps and GIS layers), town tints.
- :mod:`~model.viz.gis`: GeoPackage and GeoParquet layers of villages and alliances.
- :mod:`~model.viz.app`: the app (``app``: the page; ``app_run``: the chosen and reference runs).
"""
