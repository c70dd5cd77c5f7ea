"""Factor-analysis (PCA) weights: eigen-structure against scikit-learn, varimax against
statsmodels, the Handbook's weighting rule by hand. The TAI example is in test_weighting_tai.py.
"""
import itertools

import numpy as np
import pandas as pd
import pytest
from conftest import TAI
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


# --- maximum-likelihood extraction (issue 7) -------------------------------------------------

TAI_SOURCE = TAI / "source"
#: Known loadings of a simulated two-factor model, two cross-loading indicators.
TRUE_LOADINGS = np.array([[0.8, 0.0], [0.7, 0.0], [0.6, 0.3], [0.0, 0.8], [0.0, 0.7], [0.3, 0.6]])


def _two_factor_data(n, seed):
    rng = np.random.default_rng(seed)
    L = TRUE_LOADINGS
    E = rng.normal(size=(n, len(L))) * np.sqrt(1 - (L ** 2).sum(1))
    return pd.DataFrame(rng.normal(size=(n, 2)) @ L.T + E, columns=[f"v{i}" for i in range(6)])


@pytest.fixture(scope="module")
def tai_raw():
    raw = pd.read_csv(TAI_SOURCE / "tai23_raw.csv").set_index("iso3")
    meta = pd.read_csv(TAI_SOURCE / "tai_indicator_meta.csv").set_index("indicator")
    return raw[list(meta.index)].astype(float)


def _same_up_to_sign_and_order(P, Q, atol):
    """Columns of P equal those of Q up to sign, in the best-matching order (factors that
    explain about the same variance have no stable order)."""
    def aligned(order):
        R = Q[:, list(order)]
        return R * np.where((R * P).sum(0) < 0, -1.0, 1.0)

    best = min(itertools.permutations(range(Q.shape[1])),
               key=lambda o: np.abs(P - aligned(o)).max())
    assert_allclose(P, aligned(best), atol=atol)


def test_ml_recovers_known_two_factor_loadings():
    """Lawley & Maxwell (1971): ML fits R ≈ ΛΛ' + Ψ. On 4000 draws of a two-factor model with
    known Λ, the communalities are recovered to 0.05 and the varimax loadings equal varimax(Λ)
    up to column sign and order (sampling s.e. ≈ 0.015). Principal components, which fold each
    indicator's unique variance into the loadings, overstate the communalities by up to 0.2."""
    X = _two_factor_data(4000, seed=2024)
    ml = zl.weighting.pca(X, n_factors=2, extraction="ml")
    h2 = (TRUE_LOADINGS ** 2).sum(1)
    assert ml.extraction == "ml" and ml.n_factors == 2
    assert list(ml.unrotated_loadings.columns) == ["ML1", "ML2"]
    assert np.abs(ml.communality.to_numpy() - h2).max() < 0.05
    _same_up_to_sign_and_order(ml.loadings.to_numpy(), zl.weighting.varimax(TRUE_LOADINGS),
                               atol=0.05)
    assert_allclose(ml.communality, (ml.loadings ** 2).sum(axis=1), rtol=1e-10)  # rotation keeps h²
    pc = zl.weighting.pca(X, n_factors=2)
    assert np.abs(pc.communality.to_numpy() - h2).max() > 0.15
    assert ml.assignment[["v0", "v1", "v2"]].nunique() == 1
    assert ml.assignment[["v3", "v4", "v5"]].nunique() == 1
    assert ml.assignment["v0"] != ml.assignment["v3"]


@pytest.mark.parametrize("case", ["simulated", "tai"])
def test_ml_matches_sklearn_factor_analysis(case, tai_raw):
    """An independent ML factor analysis: scikit-learn's ``FactorAnalysis`` (EM, Barber 2012
    §21.2.2) on the data standardised with ddof=0, whose covariance is the correlation matrix.
    Communalities (1 − noise variance), the implied correlations ΛΛ' + Ψ and the varimax
    loadings agree with statsmodels' BFGS fit to 1e-4. TAI (Handbook Table A.2): two factors,
    the most that ML fits properly (test_ml_errors_name_the_fix)."""
    from sklearn.decomposition import FactorAnalysis

    X = _two_factor_data(300, seed=7) if case == "simulated" else tai_raw
    Z = ((X - X.mean()) / X.std(ddof=0)).to_numpy()
    sk = FactorAnalysis(n_components=2, tol=1e-12, max_iter=100_000).fit(Z)
    Lsk = sk.components_.T
    res = zl.weighting.pca(X, n_factors=2, extraction="ml")
    assert_allclose(res.communality.to_numpy(), 1 - sk.noise_variance_, atol=1e-4)
    L = res.unrotated_loadings.to_numpy()
    implied = L @ L.T + np.diag(1 - res.communality.to_numpy())
    assert_allclose(implied, Lsk @ Lsk.T + np.diag(sk.noise_variance_), atol=1e-4)
    _same_up_to_sign_and_order(res.loadings.to_numpy(), zl.weighting.varimax(Lsk), atol=1e-3)


def test_ml_weights_follow_the_handbook_rule(tai_raw):
    """Handbook section 6.1 (after Table 17) applied to the ML loadings: squared rotated loadings
    scaled to unity sum per factor, each indicator's largest, factors weighted by their share of
    explained variance. Weights ≥ 0, sum to 1, do not depend on the order of the units, and the
    default extraction is still principal components (Table 16/23 tests unchanged)."""
    for X in (tai_raw, _two_factor_data(300, seed=7)):
        res = zl.weighting.pca(X, n_factors=2, extraction="ml")
        sq = res.loadings.to_numpy() ** 2
        var = sq.sum(0)
        k = sq.argmax(1)
        w = (sq / var)[np.arange(len(k)), k] * (var / var.sum())[k]
        assert_allclose(res.weights.to_numpy(), w / w.sum(), rtol=1e-12)
        assert (res.weights >= 0).all() and res.weights.sum() == pytest.approx(1.0, abs=1e-12)
        shuffled = zl.weighting.pca(X.sample(frac=1.0, random_state=3), n_factors=2,
                                    extraction="ml")
        assert_allclose(shuffled.weights, res.weights, atol=1e-9)
    default = zl.weighting.pca(tai_raw)
    assert default.extraction == "principal"
    assert_allclose(default.weights, zl.weighting.pca(tai_raw, extraction="principal").weights,
                    rtol=0)
    assert_allclose(default.communality, (default.unrotated_loadings ** 2).sum(axis=1), rtol=1e-12)


def test_ml_errors_name_the_fix(tai_raw, two_blocks):
    """Each way ML can fail raises, naming the fix. TAI with the Handbook's four factors
    (Table 16): the uniqueness of an indicator goes to 0 (a Heywood case) and the fit does not
    converge; two factors do."""
    with pytest.raises(ValueError, match=r"did not converge for 4 factors: the uniqueness of "
                                         r".* Heywood case.*Fix: retain fewer factors \(n_factors=2 converges\).*"
                                         r"extraction='principal'"):
        zl.weighting.pca(tai_raw, extraction="ml")
    # not identified: 4 indicators allow 1 factor ((p - k)² ≥ p + k, Ledermann 1937)
    with pytest.raises(ValueError, match=r"at most 1 factor from 4 indicators.*n_factors=2 "
                                         r"gives 2\. Pass n_factors=1, or use"):
        zl.weighting.pca(two_blocks.iloc[:, :4], n_factors=2, extraction="ml")
    with pytest.raises(ValueError, match="at most 4 factors from 8 indicators"):
        zl.weighting.pca(two_blocks, n_factors=5, extraction="ml")
    with pytest.raises(ValueError, match="needs at least 3 indicators"):
        zl.weighting.pca(two_blocks.iloc[:, :2], n_factors=1, extraction="ml")
    # more indicators than units: singular correlation matrix
    with pytest.raises(ValueError, match=r"non-singular correlation matrix.*8 indicators on 6 "
                                         r"units have rank 5"):
        zl.weighting.pca(two_blocks.head(6), n_factors=1, extraction="ml")
    with pytest.raises(ValueError, match=r"stopped after 2 iterations with max_iter=2.*Fix: "
                                         r"raise max_iter \(now 2\)"):
        zl.weighting.pca(tai_raw, n_factors=2, extraction="ml", max_iter=2)
    with pytest.raises(ValueError, match=r"'extraction' parameter of pca\(\) must be one of"):
        zl.weighting.pca(tai_raw, extraction="paf")
    with pytest.raises(ValueError, match=r"'max_iter' parameter of pca\(\) must be an int"):
        zl.weighting.pca(tai_raw, extraction="ml", max_iter=0)


def test_ml_heywood_cases():
    """An indicator that is the factor itself has uniqueness 0 (Heywood case): ML raises, naming
    the near-duplicates; when the fit does converge on the boundary, a warning names them."""
    rng = np.random.default_rng(0)
    f = rng.normal(size=200)
    X = pd.DataFrame({"x": f, "x_copy": f + 0.01 * rng.normal(size=200),
                      "y": f + rng.normal(size=200), "z": f + rng.normal(size=200)})
    with pytest.raises(ValueError, match=r"for 1 factor: the uniqueness of 'x', 'x_copy' went "
                                         r"to 0.*drop indicators that \(nearly\) duplicate"):
        zl.weighting.pca(X, n_factors=1, extraction="ml")
    rng = np.random.default_rng(0)
    f = rng.normal(size=200)
    X = pd.DataFrame({"x": f, "x_copy": f + 0.1 * rng.normal(size=200),
                      "y": f + rng.normal(size=200), "z": f + rng.normal(size=200)})
    with pytest.warns(UserWarning, match="uniqueness near 0 for 'x_copy'"):
        res = zl.weighting.pca(X, n_factors=1, extraction="ml")
    assert (res.weights >= 0).all() and res.weights.sum() == pytest.approx(1.0)


def test_ml_from_a_scheme_and_logged():
    """``weights: {node: {method: pca, extraction: ml, n_factors: 1}}`` passes through build's
    dispatch; the log records the extraction, loadings and communalities. TAI workspace
    (Handbook Table A.2), the four dimensions at the root: ML allows one factor there."""
    ws = zl.load_workspace(TAI)
    base = zl.Scheme.from_yaml(TAI / "schemes" / "tai_handbook.yaml")
    s = base.replace("weights.index", {"method": "pca", "extraction": "ml", "n_factors": 1})
    a = zl.build(ws, s, 2000)
    (rec,) = [r for r in a.log if r.step == "weight" and r.params["node"] == "index"]
    info = {**rec.resolved.diagnostics, "method": rec.resolved.method,
            "weights": dict(rec.resolved.weights)}
    assert info["method"] == "pca" and info["extraction"] == "ml" and info["n_factors"] == 1
    assert list(info["loadings"].columns) == ["F1"]
    dims = ["creation", "diffusion_recent", "diffusion_old", "human_skills"]
    assert set(info["communality"]) == set(dims)
    w = pd.Series(info["weights"])
    assert (w >= 0).all() and w.sum() == pytest.approx(1.0)
    principal = zl.build(ws, base.replace("weights.index", {"method": "pca"}), 2000)
    (rec,) = [r for r in principal.log if r.step == "weight" and r.params["node"] == "index"]
    assert rec.resolved.diagnostics["extraction"] == "principal"
