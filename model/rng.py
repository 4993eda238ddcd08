"""Random streams derived from the scenario seed (docs/ODD.md section 4, Stochasticity).

One seed feeds a :class:`numpy.random.SeedSequence`; every named stream gets its own fixed
spawn key, so adding a stream never shifts the others. The county and the alliance
formation are drawn once per seed (the same county for every replicate); weather/prices,
household decisions, enterprises and governance are drawn per replicate. Two scenarios run
with the same seed and replicate therefore share county, weather and prices: common random
numbers, so that a comparison shows the policy's effect, not noise.
"""

from __future__ import annotations

import numpy as np

#: Stream name -> fixed spawn-key id. Never renumber: that would change every result.
STREAM_IDS: dict[str, int] = {
    "county": 0,
    "alliances": 1,
    "weather": 2,
    "households": 3,
    "enterprises": 4,
    "governance": 5,
    "ecommerce": 6,
    "population": 7,
    "prices": 8,
    "demography": 15,
    "tourism": 16,
    "collective_business": 17,
    "lease_back": 14,
    "household_division": 18,
}

#: Streams that belong to the county itself and do not vary by replicate.
COUNTY_LEVEL = frozenset({"county", "alliances", "population"})


def stream(seed: int, name: str, replicate: int = 0) -> np.random.Generator:
    """Return the generator for one named stream.

    Args:
        seed: The scenario (or experiment) seed.
        name: One of :data:`STREAM_IDS`.
        replicate: Replicate number; ignored for county-level streams.

    Returns:
        An independent ``numpy.random.Generator``.
    """
    if name not in STREAM_IDS:
        raise KeyError(f"unknown random stream {name!r}; known: {sorted(STREAM_IDS)}")
    rep = 0 if name in COUNTY_LEVEL else int(replicate)
    seq = np.random.SeedSequence(entropy=int(seed), spawn_key=(STREAM_IDS[name], rep))
    return np.random.default_rng(seq)


def streams(seed: int, replicate: int = 0) -> dict[str, np.random.Generator]:
    """Return all named streams for one seed and replicate."""
    return {name: stream(seed, name, replicate) for name in STREAM_IDS}
