"""A surrogate of the screening runs: a random forest from a grouping's features to its
short-horizon measures (``jointvillage design --screen surrogate``).

A grouping is described by what the programme's rules and its reports name as what makes
an alliance work (Anqiu programme report, 2023: strong villages leading weak, hollowed-out
ones, within reach): how many alliances and allied villages, the allied villages that are
weak (collective income below ``collective.weak_threshold`` at the start) or hollowed out,
their people, their mean starting collective income and committee capacity, the lead
villages' capacity, the alliances' mean diameter and the count of each mode
(:data:`FEATURES`). One scikit-learn random forest (Breiman 2001, *Machine Learning*
45: 5-32) per measure is fitted to every real screening evaluation so far, again after
each generation, and predicts the measures of groupings not yet run.

Random forests are chosen over a Gaussian process because the features are counts on
different scales and the measures have noise from the replicates: the forest needs no
kernel or scaling, and its predictions stay within the range it was fitted on (it does not
extrapolate, which keeps a few real evaluations from promising what no run has shown). The
forests' randomness comes from the design stream of the scenario seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from model.experiments.grouping.space import GroupingSpace
from model.world.alliance_params import MODES
from model.world.county import County

#: Features of a grouping (columns of :func:`grouping_features`).
FEATURES = (
    "alliances",
    "villages",
    "weak_villages",
    "hollowed_villages",
    "population",
    "collective_income_start_mean",
    "committee_capacity_mean",
    "lead_capacity_mean",
    "diameter_km_mean",
    *(f"mode_{mode}" for mode in MODES),
)

#: Trees per forest (assumption: enough for stable rankings on a few hundred evaluations).
TREES = 200


@dataclass(frozen=True)
class AllianceFeatures:
    """Per pool alliance, the sums and means its groupings' features are made of.

    Attributes:
        table: One row per pool alliance: ``villages, weak_villages, hollowed_villages,
            population, collective_income_start, committee_capacity, lead_capacity,
            diameter_km, mode``.
    """

    table: pd.DataFrame

    @classmethod
    def of(cls, space: GroupingSpace, county: County, weak_threshold: float) -> AllianceFeatures:
        """The pool's alliances described from the county's villages."""
        v = county.villages
        xy = v[["x_km", "y_km"]].to_numpy(float)
        weak = v["collective_income_start"].to_numpy(float) < weak_threshold
        rows = []
        for alliance in space.pool:
            members = list(alliance.members)
            spread = xy[members][:, None] - xy[members][None, :]
            rows.append(
                {
                    "villages": len(members),
                    "weak_villages": int(weak[members].sum()),
                    "hollowed_villages": int(v["hollowed"].iloc[members].sum()),
                    "population": int(v["population"].iloc[members].sum()),
                    "collective_income_start": float(
                        v["collective_income_start"].iloc[members].sum()
                    ),
                    "committee_capacity": float(v["committee_capacity"].iloc[members].sum()),
                    "lead_capacity": float(v["committee_capacity"].iat[alliance.lead]),
                    "diameter_km": float(np.linalg.norm(spread, axis=2).max()),
                }
            )
        return cls(pd.DataFrame(rows))


def grouping_features(
    space: GroupingSpace, features: AllianceFeatures, population: np.ndarray
) -> pd.DataFrame:
    """The features (:data:`FEATURES`) of each candidate vector's grouping."""
    table = features.table
    rows = []
    for x in population:
        grouping = space.decode(x)
        chosen = table.iloc[list(grouping.alliances)]
        villages = max(int(chosen["villages"].sum()), 1)
        count = max(len(chosen), 1)
        row = {
            "alliances": len(chosen),
            "villages": int(chosen["villages"].sum()),
            "weak_villages": int(chosen["weak_villages"].sum()),
            "hollowed_villages": int(chosen["hollowed_villages"].sum()),
            "population": int(chosen["population"].sum()),
            "collective_income_start_mean": chosen["collective_income_start"].sum() / villages,
            "committee_capacity_mean": chosen["committee_capacity"].sum() / villages,
            "lead_capacity_mean": chosen["lead_capacity"].sum() / count,
            "diameter_km_mean": chosen["diameter_km"].sum() / count,
        }
        row.update({f"mode_{mode}": grouping.modes.count(mode) for mode in MODES})
        rows.append(row)
    return pd.DataFrame(rows, columns=list(FEATURES), dtype=float)


@dataclass
class Surrogate:
    """Random forests of the screening measures, refitted on every real evaluation so far.

    Attributes:
        measures: The measures predicted (the objectives' and constraints').
        seed: Seed of the forests (the design stream).
    """

    measures: Sequence[str]
    seed: int
    _features: list[pd.DataFrame] = field(default_factory=list, init=False, repr=False)
    _values: list[pd.DataFrame] = field(default_factory=list, init=False, repr=False)
    _forests: dict[str, object] = field(default_factory=dict, init=False, repr=False)

    @property
    def trained_on(self) -> int:
        """Real evaluations the forests were last fitted to."""
        return int(sum(len(f) for f in self._features))

    def add(self, features: pd.DataFrame, values: pd.DataFrame) -> None:
        """Add real evaluations (one row each) and refit every measure's forest."""
        from sklearn.ensemble import RandomForestRegressor

        self._features.append(features.reset_index(drop=True))
        self._values.append(values[list(self.measures)].reset_index(drop=True))
        x, y = pd.concat(self._features), pd.concat(self._values)
        self._forests = {}
        for measure in self.measures:
            known = np.isfinite(y[measure].to_numpy(float))
            if known.sum() >= 2:
                forest = RandomForestRegressor(n_estimators=TREES, random_state=self.seed)
                self._forests[measure] = forest.fit(x[known], y.loc[known, measure])

    def predict(self, features: pd.DataFrame) -> pd.DataFrame:
        """Predicted measures (NaN for a measure with fewer than two finite evaluations)."""
        out = pd.DataFrame(index=features.index)
        for measure in self.measures:
            forest = self._forests.get(measure)
            out[measure] = forest.predict(features) if forest is not None else np.nan  # type: ignore[attr-defined]
        return out
