"""Sobol estimators (zhengji_lab.montecarlo.sobol) against SALib and known answers."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from SALib.analyze import sobol as salib_sobol
from SALib.sample import sobol as salib_sample

from zhengji_lab.montecarlo import sobol_indices
from zhengji_lab.montecarlo import test_functions as tf


def _ishigami_problem():
    return {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [list(tf.ISHIGAMI_BOUNDS)] * 3}


def test_agrees_with_salib_1_6_on_the_same_design():
    """Same design, outputs and seed as SALib.analyze.sobol.analyze (SALib 1.6; Herman & Usher
    2017): S1 (Saltelli et al. 2010, Table 2 b), ST (Jansen 1999) and their bootstrap intervals."""
    problem = _ishigami_problem()
    X = salib_sample.sample(problem, 256, calc_second_order=False, seed=3)
    Y = tf.ishigami(X)
    ref = salib_sobol.analyze(problem, Y, calc_second_order=False, num_resamples=50, seed=11)
    est = sobol_indices(Y, 3, num_resamples=50, seed=11)
    for key in ("S1", "ST", "S1_conf", "ST_conf"):
        np.testing.assert_allclose(getattr(est, key), ref[key], rtol=0, atol=1e-10, err_msg=key)


def test_many_outputs_and_groups_agree_with_salib_column_by_column():
    """Vectorised over outputs: every column equals SALib's analysis of that column alone, with
    grouped inputs (SALib's ``groups``), as the scheme designs use them."""
    problem = {"num_vars": 4, "names": ["a", "b", "c", "d"], "bounds": [[0, 1]] * 4,
               "groups": ["g1", "g1", "g2", "g3"]}
    X = salib_sample.sample(problem, 128, calc_second_order=False, seed=5)
    Y = np.column_stack([X @ [1, 2, 3, 4], np.sin(6 * X[:, 0]) * X[:, 2], np.floor(4 * X[:, 3])])
    est = sobol_indices(Y, 3, num_resamples=30, seed=2)
    for m in range(Y.shape[1]):
        ref = salib_sobol.analyze(problem, Y[:, m], calc_second_order=False, num_resamples=30,
                                  seed=2)
        for key in ("S1", "ST", "S1_conf", "ST_conf"):
            np.testing.assert_allclose(getattr(est, key)[:, m], ref[key], rtol=0, atol=1e-10)


def test_linear_model_known_answer():
    """Y = Σ a_i X_i with iid U(0, 1) inputs: S_i = ST_i = a_i² / Σ a_j² (Saltelli et al. 2008,
    The Primer, section 1.2.5), within Monte Carlo error."""
    a = np.array([1.0, 2.0, 3.0, 0.5])
    problem = {"num_vars": 4, "names": list("abcd"), "bounds": [[0, 1]] * 4}
    X = salib_sample.sample(problem, 4096, calc_second_order=False, seed=7)
    est = sobol_indices(tf.linear(X, a), 4, seed=7)
    truth = tf.linear_indices(a)
    np.testing.assert_allclose(est.S1, truth, atol=0.02)
    np.testing.assert_allclose(est.ST, truth, atol=0.02)
    assert (np.abs(est.S1 - truth) < 3 * est.S1_conf + 1e-3).all()


def test_ishigami_within_0_02_at_4096():
    """Ishigami & Homma (1990), a=7, b=0.1: S1 = (0.314, 0.442, 0), ST = (0.558, 0.442, 0.244)
    (Sobol' & Levitan 1999; SALib's test_functions.Ishigami docstring)."""
    X = salib_sample.sample(_ishigami_problem(), 4096, calc_second_order=False, seed=42)
    est = sobol_indices(tf.ishigami(X), 3, seed=42)
    S1, ST = tf.ishigami_indices(7.0, 0.1)
    np.testing.assert_allclose(S1, [0.314, 0.442, 0.0], atol=1e-3)
    np.testing.assert_allclose(ST, [0.558, 0.442, 0.244], atol=1e-3)
    np.testing.assert_allclose(est.S1, S1, atol=0.02)
    np.testing.assert_allclose(est.ST, ST, atol=0.02)


@settings(max_examples=25, deadline=None)
@given(scale=st.floats(0.01, 100), shift=st.floats(-1e3, 1e3), seed=st.integers(0, 2**31))
def test_indices_do_not_change_under_positive_affine_maps(scale, shift, seed):
    rng = np.random.default_rng(seed)
    Y = rng.random((16 * 5, 2))
    a, b = sobol_indices(Y, 3, seed=1), sobol_indices(shift + scale * Y, 3, seed=1)
    np.testing.assert_allclose(a.S1, b.S1, atol=1e-9)
    np.testing.assert_allclose(a.ST, b.ST, atol=1e-9)


def test_constant_output_gets_zero_with_a_warning():
    Y = np.column_stack([np.ones(40), np.arange(40.0)])
    with pytest.warns(UserWarning, match="1 of 2 outputs are constant"):
        est = sobol_indices(Y, 2, seed=0)
    assert (est.S1[:, 0] == 0).all() and (est.ST_conf[:, 0] == 0).all()


def test_bad_input():
    with pytest.raises(ValueError, match="must have N·\\(D\\+2\\) rows for D=3"):
        sobol_indices(np.zeros(7), 3)
    with pytest.raises(ValueError, match="'conf_level' parameter of sobol_indices"):
        sobol_indices(np.arange(10.0), 3, conf_level=1.5)
    with pytest.raises(ValueError, match="'n_inputs' parameter"):
        sobol_indices(np.arange(10.0), 0)
