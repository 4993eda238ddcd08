"""The cooperative agent's own arithmetic."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from agents.cooperative import _mean


@given(
    arrays(
        np.float64,
        st.integers(1, 300),
        elements=st.floats(1e-6, 1e6, allow_nan=False, allow_infinity=False),
    )
)
def test_mean_is_numpys_mean_to_the_last_bit(values: np.ndarray) -> None:
    # The greenhouses' weather and productivity must not move a bit from ndarray.mean.
    assert _mean(values) == float(values.mean())
