"""Properties every data-driven weighting method shares: weights ≥ 0, summing to 1, finite,
and independent of the order of the units (rows)."""
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose

import zhengji_lab as zl

METHODS = {
    "entropy": lambda X: zl.weighting.entropy(X),
    "entropy_minmax": lambda X: zl.weighting.entropy(X, normalise="minmax",
                                                     directions=[1, -1] * (X.shape[1] // 2)
                                                     + [1] * (X.shape[1] % 2)),
    "critic": lambda X: zl.weighting.critic(X),
    "stdev": lambda X: zl.weighting.stdev(X),
    "pca": lambda X: zl.weighting.pca(X).weights,
    "bod": lambda X: zl.weighting.bod(X).mean_weights,
    "optimise": lambda X: zl.weighting.optimise(X),
}

tables = arrays(float, st.tuples(st.integers(5, 15), st.integers(2, 5)),
                elements=st.floats(0.1, 100.0, allow_subnormal=False))


@pytest.mark.parametrize("name", sorted(METHODS))
@settings(max_examples=25, deadline=None)
@given(A=tables, rnd=st.randoms(use_true_random=False))
def test_weights_valid_and_free_of_unit_order(name, A, rnd):
    # every column varies clearly; PCA also needs a non-singular correlation structure
    assume((np.ptp(A, axis=0) > 1e-3 * np.abs(A).max(axis=0)).all())
    if name == "pca":
        assume(np.linalg.matrix_rank(A - A.mean(axis=0)) == A.shape[1])
    if name == "critic":
        assume(np.abs(np.corrcoef(A, rowvar=False)).min() < 0.999)
    X = pd.DataFrame(A, index=[f"u{i}" for i in range(len(A))],
                     columns=[f"k{j}" for j in range(A.shape[1])])
    order = list(X.index)
    rnd.shuffle(order)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # optimise may not reach its target
        w = METHODS[name](X)
        w_shuffled = METHODS[name](X.loc[order])
    assert list(w.index) == list(X.columns)
    assert np.isfinite(w).all() and (w >= 0).all()
    assert w.sum() == pytest.approx(1.0, abs=1e-12)
    assert_allclose(w_shuffled, w, atol=1e-9)
