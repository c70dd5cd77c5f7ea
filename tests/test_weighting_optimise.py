"""Weights optimised to a target importance: closed-form answers for uncorrelated indicators."""
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import zhengji_lab as zl


def _uncorrelated(sd, n=50, seed=0):
    """Columns exactly uncorrelated in the sample (orthonormal after centring), scaled by sd."""
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, len(sd)))
    Z -= Z.mean(axis=0)
    Q, _ = np.linalg.qr(Z)
    return pd.DataFrame(Q * np.asarray(sd) + 5.0, columns=[f"x{j}" for j in range(len(sd))])


def test_equal_importance_for_uncorrelated_indicators_is_inverse_sd():
    """With sample-uncorrelated indicators r_j² = w_j² σ_j² / Σ_k w_k² σ_k² (the first-order
    sensitivity index of a linear index, Paruolo et al. 2013), so equal importance needs
    w_j ∝ 1/σ_j."""
    sd = np.array([1.0, 2.0, 4.0, 0.5])
    w = zl.weighting.optimise(_uncorrelated(sd))
    assert_allclose(w.to_numpy(), (1 / sd) / (1 / sd).sum(), rtol=1e-4)


def test_target_importance_and_plain_correlation():
    """Target t: w_j ∝ √t_j / σ_j for r², and w_j ∝ t_j / σ_j for r (COINr's measure)."""
    sd = np.array([1.0, 3.0, 2.0])
    X = _uncorrelated(sd, seed=1)
    t = np.array([0.5, 0.3, 0.2])
    w = zl.weighting.optimise(X, target=dict(zip(X.columns, t)))
    expected = np.sqrt(t) / sd
    assert_allclose(w.to_numpy(), expected / expected.sum(), rtol=1e-4)
    w_r = zl.weighting.optimise(X, target=t, importance="r")
    expected = t / sd
    assert_allclose(w_r.to_numpy(), expected / expected.sum(), rtol=1e-4)


def test_correlated_data_reach_equal_importance():
    rng = np.random.default_rng(9)
    f = rng.normal(size=300)
    X = pd.DataFrame({"a": f + rng.normal(size=300), "b": f + 2 * rng.normal(size=300),
                      "c": 3 * rng.normal(size=300), "d": 0.5 * f + rng.normal(size=300)})
    w = zl.weighting.optimise(X, weights=[0.1, 0.2, 0.3, 0.4])
    y = X.to_numpy() @ w.to_numpy()
    r2 = np.array([np.corrcoef(X[c], y)[0, 1] ** 2 for c in X.columns])
    assert_allclose(r2 / r2.sum(), 0.25, atol=1e-3)
    assert (w > 0).all()


def test_unreachable_target_warns_and_keeps_weights_non_negative():
    """An indicator running against the rest cannot be given equal importance with w ≥ 0
    unless the others are zeroed; whatever the optimum, no weight is negative."""
    rng = np.random.default_rng(3)
    f = rng.normal(size=200)
    X = pd.DataFrame({"a": f + 0.1 * rng.normal(size=200), "b": f + 0.1 * rng.normal(size=200),
                      "c": -f + 0.1 * rng.normal(size=200)})
    with pytest.warns(UserWarning, match="could not reach the target importance"):
        w = zl.weighting.optimise(X, target=[0.2, 0.2, 0.6], importance="r")
    assert (w >= 0).all() and w.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("kw, match", [
    ({"target": [1, 2]}, "needs 3 values"),
    ({"target": {"x0": 1, "x1": 1, "zz": 1}}, "missing 'x2', extra 'zz'"),
    ({"weights": [0, 0, 0]}, "positive total"),
    ({"importance": "spearman"}, r"'importance' parameter of optimise\(\) must be one of"),
])
def test_optimise_bad_input(kw, match):
    with pytest.raises(ValueError, match=match):
        zl.weighting.optimise(_uncorrelated([1, 2, 3]), **kw)


def test_objective_gradient_matches_finite_differences():
    """The analytic gradient handed to L-BFGS-B (chain rule through r, y and the
    renormalisation) agrees with finite differences, for both importance measures."""
    from scipy.optimize import check_grad

    from zhengji_lab.weighting.optimise import _objective

    rng = np.random.default_rng(0)
    A = rng.normal(size=(30, 5))
    A[:, 1] += A[:, 0]
    Xc = A - A.mean(axis=0)
    norms = np.sqrt((Xc ** 2).sum(axis=0))
    t = np.array([0.1, 0.2, 0.3, 0.2, 0.2])
    for importance in ("r2", "r"):
        def f(v, imp=importance):
            return _objective(Xc, norms, v, t, imp)[0]

        def grad(v, imp=importance):
            return _objective(Xc, norms, v, t, imp)[1]

        assert check_grad(f, grad, rng.uniform(0.1, 1, 5)) < 1e-6


def test_optimise_rejects_constant_indicator():
    with pytest.raises(ValueError, match="constant indicators 'flat'"):
        zl.weighting.optimise(_uncorrelated([1, 2]).assign(flat=1.0))
