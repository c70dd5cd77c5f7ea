"""Factor-analysis (PCA) weights: eigen-structure against scikit-learn, varimax against
statsmodels, the Handbook's weighting rule by hand. The TAI example is in test_weighting_tai.py.
"""
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import zhengji_lab as zl


@pytest.fixture(scope="module")
def two_blocks():
    rng = np.random.default_rng(11)
    f = rng.normal(size=(80, 3))
    cols = {f"a{i}": f[:, 0] + 0.4 * rng.normal(size=80) for i in range(3)}
    cols |= {f"b{i}": 2 * f[:, 1] + 0.5 * rng.normal(size=80) for i in range(3)}
    cols |= {"c0": f[:, 2] + 0.2 * rng.normal(size=80), "c1": rng.normal(size=80)}
    return pd.DataFrame(cols)


def test_eigen_structure_matches_sklearn_pca(two_blocks):
    """Unrotated eigen-structure: eigenvalues and components of the correlation matrix equal
    sklearn's PCA of the standardised data (same ddof), up to the sign of each component."""
    from sklearn.decomposition import PCA

    X = two_blocks
    Z = (X - X.mean()) / X.std(ddof=1)
    sk = PCA().fit(Z.to_numpy())
    res = zl.weighting.pca(X, n_factors=X.shape[1], rotate=False)
    assert_allclose(res.eigenvalues.to_numpy(), sk.explained_variance_, rtol=1e-10)
    assert_allclose(res.explained_variance.to_numpy(), sk.explained_variance_ratio_, rtol=1e-10)
    V = res.unrotated_loadings.to_numpy() / np.sqrt(res.eigenvalues.to_numpy())
    assert_allclose(np.abs(V.T), np.abs(sk.components_), atol=1e-8)


def test_varimax_matches_statsmodels(two_blocks):
    """Raw varimax against statsmodels' factor_rotation (an independent implementation);
    with Kaiser normalisation, the same on row-normalised loadings scaled back."""
    from statsmodels.multivariate.factor_rotation import rotate_factors

    L = zl.weighting.pca(two_blocks, n_factors=3, rotate=False).unrotated_loadings.to_numpy()

    def same_up_to_sign_and_order(P, Q):
        P, Q = P[:, np.argsort(-(P ** 2).sum(0))], Q[:, np.argsort(-(Q ** 2).sum(0))]
        assert_allclose(np.abs(P), np.abs(Q), atol=1e-6)

    sm_raw, _ = rotate_factors(L, "varimax", tol=1e-9)
    same_up_to_sign_and_order(zl.weighting.varimax(L, normalize=False), sm_raw)
    h = np.sqrt((L ** 2).sum(1))[:, None]
    sm_kaiser, _ = rotate_factors(L / h, "varimax", tol=1e-9)
    same_up_to_sign_and_order(zl.weighting.varimax(L), sm_kaiser * h)
    # an orthogonal rotation keeps every indicator's communality
    assert_allclose((zl.weighting.varimax(L) ** 2).sum(1), (L ** 2).sum(1), rtol=1e-10)


def test_handbook_weighting_rule_by_hand(two_blocks):
    """Handbook section 6.1 (after Table 17): squared rotated loadings scaled to unity sum per factor,
    each indicator on its largest loading, factor weight = its share of explained variance."""
    res = zl.weighting.pca(two_blocks)
    L = res.loadings.to_numpy()
    sq = L ** 2
    var = sq.sum(0)
    k = sq.argmax(1)
    w = (sq / var)[np.arange(len(k)), k] * (var / var.sum())[k]
    assert_allclose(res.weights.to_numpy(), w / w.sum(), rtol=1e-12)
    assert res.assignment["a0"] == res.assignment["a1"] == res.assignment["a2"]
    assert res.assignment["b0"] == res.assignment["b1"] == res.assignment["b2"]
    assert res.assignment["a0"] != res.assignment["b0"]
    assert_allclose(res.scaled_loadings.sum().to_numpy(), 1.0)
    assert_allclose(res.factor_weights.sum(), 1.0)
    assert list(res.to_frame().columns[-3:]) == ["factor", "scaled_sq_loading", "weight"]


def test_retention_rules():
    """'handbook': eigenvalue > 1 or > 10% each, > 60% together; 'kaiser': eigenvalue > 1."""
    ev = np.array([3.35, 1.75, 0.98, 0.89, 0.47, 0.30, 0.17, 0.09])  # TAI, Table 16
    from zhengji_lab.weighting.pca import _retain

    assert _retain(ev, "handbook") == 4
    assert _retain(ev, "kaiser") == 2
    assert _retain(ev, 3) == 3
    # 20 indicators: 10% is an eigenvalue of 2, so the eigenvalue rule keeps 4 (53.5%); the
    # 60% rule then adds two more (58.5%, 61.3%)
    ev20 = np.array([5.0, 3.0, 1.5, 1.2, 1.0] + [8.3 / 15] * 15)
    assert _retain(ev20, "handbook") == 6
    with pytest.raises(ValueError, match="between 1 and 8"):
        _retain(ev, 9)
    with pytest.raises(ValueError, match=r"'n_factors' parameter of pca\(\) must be one of"):
        _retain(ev, "scree")


def test_pca_weights_are_not_negative_even_with_opposed_indicators():
    """COINr 1.1.14 takes PCA weights from raw loadings, which can be negative; ours are
    squared loadings, so an indicator running against the others still gets a weight ≥ 0."""
    rng = np.random.default_rng(5)
    f = rng.normal(size=60)
    X = pd.DataFrame({"x": f + 0.3 * rng.normal(size=60), "y": f + 0.3 * rng.normal(size=60),
                      "z": -f + 0.3 * rng.normal(size=60)})
    w = zl.weighting.pca(X, n_factors=1).weights
    assert (w > 0).all()
    assert_allclose(zl.weighting.pca(X.assign(z=-X["z"]), n_factors=1).weights, w, rtol=1e-10)


def test_pca_bad_input(two_blocks):
    with pytest.raises(ValueError, match="constant indicators 'flat'"):
        zl.weighting.pca(two_blocks.assign(flat=1.0))
    with pytest.raises(ValueError, match="at least 3 units"):
        zl.weighting.pca(two_blocks.head(2))
    with pytest.raises(ValueError, match="missing values in columns 'a0'"):
        zl.weighting.pca(two_blocks.assign(a0=np.nan))
