"""CRITIC and standard-deviation weights: the paper's example, independent implementations."""
import logging

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import zhengji_lab as zl

DIAKOULAKI = pd.DataFrame({
    "c1": [61, 20.7, 16.3, 9.0, 5.4, 4.0, -6.1, -34.6],
    "c2": [1.08, 0.26, 1.98, 3.29, 2.77, 4.12, 3.52, 3.31],
    "c3": [4.33, 4.34, 2.53, 1.65, 2.33, 1.21, 2.10, 0.98]})


def test_critic_diakoulaki1995():
    """Diakoulaki, Mavrotas & Papayannakis (1995), Computers & OR 22(7) 763–770: the worked
    example of 8 alternatives × 3 criteria (all maximised). Expected weights as in
    scikit-criteria's ``test_CRITIC_diakoulaki1995determining`` (tests/preprocessing/
    test_weighters.py): 0.20222554, 0.48090173, 0.31687273 (to 8 decimals); the paper prints
    them rounded."""
    w = zl.weighting.critic(DIAKOULAKI)
    assert_allclose(w.to_numpy(), [0.20222554, 0.48090173, 0.31687273], atol=1e-8)


def test_critic_diakoulaki1995_spearman():
    """Same data with Spearman correlation for the conflict term; scikit-criteria's
    ``test_critic_weight_weights_diakoulaki1995determining`` expects 0.21454645, 0.4898563,
    0.29559726."""
    w = zl.weighting.critic(DIAKOULAKI, correlation="spearman")
    assert_allclose(w.to_numpy(), [0.21454645, 0.4898563, 0.29559726], atol=1e-8)


def test_critic_population_or_sample_sd_give_the_same_weights():
    """scikit-criteria uses σ with ddof=0, pymcdm ddof=1: the factor cancels. Checked against
    pymcdm's critic_weights (an independent implementation, ddof=1)."""
    pymcdm_weights = pytest.importorskip("pymcdm.weights")
    rng = np.random.default_rng(7)
    A = rng.lognormal(size=(40, 6))
    ours = zl.weighting.critic(pd.DataFrame(A, columns=list("abcdef")))
    assert_allclose(ours.to_numpy(), pymcdm_weights.critic_weights(A), rtol=1e-10)


def test_critic_direction_flips_the_scaled_column():
    """A direction −1 indicator is scaled as (max − x)/(max − min): the same as negating it."""
    d = {"c1": 1, "c2": -1, "c3": 1}
    flipped = DIAKOULAKI.assign(c2=-DIAKOULAKI["c2"])
    assert_allclose(zl.weighting.critic(DIAKOULAKI, directions=d),
                    zl.weighting.critic(flipped), rtol=1e-12)
    assert not np.allclose(zl.weighting.critic(DIAKOULAKI, directions=d),
                           zl.weighting.critic(DIAKOULAKI))


def test_critic_constant_column_zero_and_left_out_of_conflict(caplog):
    with caplog.at_level(logging.INFO, logger="zhengji_lab.weighting"):
        w = zl.weighting.critic(DIAKOULAKI.assign(flat=1.0))
    assert w["flat"] == 0.0
    assert_allclose(w.drop("flat").to_numpy(), [0.20222554, 0.48090173, 0.31687273], atol=1e-8)
    assert "'flat' get weight 0" in caplog.text


@pytest.mark.parametrize("X, match", [
    (pd.DataFrame({"a": [1.0, 1.0, 1.0], "b": [2.0, 2.0, 2.0]}), "every indicator is constant"),
    (pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [2.0, 2.0, 2.0]}), "no conflict"),
    (DIAKOULAKI.assign(c1=np.nan), r"missing values in columns 'c1'"),
])
def test_critic_bad_input(X, match):
    with pytest.raises(ValueError, match=match):
        zl.weighting.critic(X)


def test_critic_bad_correlation_name():
    with pytest.raises(ValueError, match=r"'correlation' parameter of critic\(\) must be one of "
                                         r"\{'pearson', 'spearman'\}. Got 'kendall' instead"):
        zl.weighting.critic(DIAKOULAKI, correlation="kendall")


def test_stdev_is_sd_of_minmax_data_and_matches_pymcdm():
    """σ of min-max data over Σσ; equals pymcdm's standard_deviation_weights applied to the
    min-max data (pymcdm itself works on raw data)."""
    pymcdm_weights = pytest.importorskip("pymcdm.weights")
    A = DIAKOULAKI.to_numpy()
    Z = (A - A.min(0)) / (A.max(0) - A.min(0))
    ours = zl.weighting.stdev(DIAKOULAKI)
    assert_allclose(ours.to_numpy(), Z.std(0) / Z.std(0).sum(), rtol=1e-12)
    assert_allclose(ours.to_numpy(), pymcdm_weights.standard_deviation_weights(Z), rtol=1e-12)


def test_stdev_ignores_direction_and_scale_and_zeroes_constants():
    d = {"c1": -1, "c2": 1, "c3": -1}
    base = zl.weighting.stdev(DIAKOULAKI)
    assert_allclose(zl.weighting.stdev(DIAKOULAKI, directions=d), base, rtol=1e-12)
    assert_allclose(zl.weighting.stdev(DIAKOULAKI * [10, 0.1, 3] + 5), base, rtol=1e-12)
    w = zl.weighting.stdev(DIAKOULAKI.assign(flat=2.0))
    assert w["flat"] == 0.0
    with pytest.raises(ValueError, match="every indicator is constant"):
        zl.weighting.stdev(pd.DataFrame({"a": [3.0, 3.0]}))
