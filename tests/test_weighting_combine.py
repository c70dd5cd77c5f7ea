"""Combined weights: linear mixtures and the game-theory combination (Lai et al. 2015)."""
import logging

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import zhengji_lab as zl
from zhengji_lab.errors import NegativeCoefficientWarning

AHP = pd.Series({"a": 0.6, "b": 0.3, "c": 0.1})
ENT = pd.Series({"a": 0.2, "b": 0.3, "c": 0.5})


def test_linear_combination():
    assert_allclose(zl.weighting.combine([AHP, ENT]).to_numpy(), [0.4, 0.3, 0.3])
    assert_allclose(zl.weighting.combine([AHP, ENT], alpha=0.7).to_numpy(), [0.48, 0.3, 0.22])
    three = zl.weighting.combine({"ahp": AHP, "ent": ENT, "eq": zl.weighting.equal(AHP)},
                                 alpha=[2, 1, 1])
    assert_allclose(three.to_numpy(), (2 * AHP + ENT + 1 / 3) / 4)


def test_game_theory_two_vectors_closed_form():
    """Lai et al. (2015), Natural Hazards 77(2): the coefficients solve
    [[w1·w1, w1·w2], [w2·w1, w2·w2]] α = [w1·w1, w2·w2]; then α / Σα. Solved by Cramer's rule
    here, independently of the package's linear solve."""
    w1, w2 = AHP.to_numpy(), ENT.to_numpy()
    g11, g12, g22 = w1 @ w1, w1 @ w2, w2 @ w2
    det = g11 * g22 - g12 ** 2
    a1 = (g11 * g22 - g12 * g22) / det
    a2 = (g11 * g22 - g11 * g12) / det
    expected = (a1 * w1 + a2 * w2) / (a1 + a2)
    res = zl.weighting.combine([AHP, ENT], how="game")
    assert_allclose(res.to_numpy(), expected, rtol=1e-12)
    assert_allclose(res.to_numpy(), [0.4317, 0.3, 0.2683], atol=5e-5)


def test_game_theory_negative_coefficient_is_handled_explicitly():
    """Three vectors where one is almost the mix of the other two: a coefficient comes out
    negative; 'abs' and 'clip' warn and stay ≥ 0, 'raise' refuses."""
    w1 = pd.Series({"a": 0.7, "b": 0.2, "c": 0.1})
    w2 = pd.Series({"a": 0.1, "b": 0.2, "c": 0.7})
    w3 = pd.Series({"a": 0.42, "b": 0.18, "c": 0.40})
    G = np.array([[u @ v for v in (w1, w2, w3)] for u in (w1, w2, w3)])
    raw = np.linalg.solve(G, np.diag(G))
    assert (raw < 0).any()
    for how, coef in (("abs", np.abs(raw)), ("clip", np.clip(raw, 0, None))):
        with pytest.warns(NegativeCoefficientWarning, match=f"negative={how!r}"):
            w = zl.weighting.combine([w1, w2, w3], how="game", negative=how)
        expected = coef / coef.sum() @ np.vstack([w1, w2, w3])
        assert_allclose(w.to_numpy(), expected, rtol=1e-12)
        assert (w >= 0).all()
    with pytest.raises(ValueError, match="negative coefficients for \\['#"):
        zl.weighting.combine([w1, w2, w3], how="game", negative="raise")


def test_inputs_aligned_by_code_rescaled_and_results_accepted(caplog):
    res = zl.weighting.ahp(pd.DataFrame([[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]],
                                        index=list("abc"), columns=list("abc")))
    with caplog.at_level(logging.INFO, logger="zhengji_lab.weighting"):
        w = zl.weighting.combine([res, ENT[["c", "a", "b"]] * 10])
    assert "summed to 10; rescaled" in caplog.text
    assert_allclose(w.to_numpy(), (res.weights.to_numpy() + ENT.to_numpy()) / 2)


@pytest.mark.parametrize("args, kw, err, match", [
    ([AHP], {}, ValueError, "at least two"),
    ([AHP, ENT.rename({"c": "d"})], {}, ValueError, r"different codes: missing 'c', extra 'd'"),
    ([AHP, -ENT], {}, ValueError, ">= 0"),
    ([AHP, ENT, AHP], {"alpha": 0.5}, ValueError, "exactly two weight vectors"),
    ([AHP, ENT], {"alpha": [1, -1]}, ValueError, "'alpha' parameter"),
    ([AHP, ENT], {"how": "game", "alpha": 0.5}, ValueError, "for how='linear'"),
    ([AHP, AHP], {"how": "game"}, ValueError, "identical"),
    ([AHP, ENT], {"how": "topsis"}, ValueError, r"'how' parameter of combine\(\)"),
    ([AHP, [0.2, 0.8]], {}, TypeError, "must be a Series"),
])
def test_combine_bad_input(args, kw, err, match):
    with pytest.raises(err, match=match):
        zl.weighting.combine(args, **kw)
