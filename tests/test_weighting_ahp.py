"""AHP: Saaty's published examples, consistency, group aggregation and bad input."""
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import zhengji_lab as zl
from zhengji_lab.errors import InconsistentJudgementWarning


def _matrix(upper: dict, codes: list[str]) -> pd.DataFrame:
    """Reciprocal matrix from the judgements above the diagonal."""
    A = pd.DataFrame(np.eye(len(codes)), index=codes, columns=codes)
    for (i, j), v in upper.items():
        A.loc[i, j], A.loc[j, i] = v, 1 / v
    return A


NATIONS = ["US", "USSR", "China", "France", "UK", "Japan", "W_Germany"]
WEALTH = pd.DataFrame(
    [[1, 4, 9, 6, 6, 5, 5],
     [1 / 4, 1, 7, 5, 5, 3, 4],
     [1 / 9, 1 / 7, 1, 1 / 5, 1 / 5, 1 / 7, 1 / 5],
     [1 / 6, 1 / 5, 5, 1, 1, 1 / 3, 1 / 3],
     [1 / 6, 1 / 5, 5, 1, 1, 1 / 3, 1 / 3],
     [1 / 5, 1 / 3, 7, 3, 3, 1, 2],
     [1 / 5, 1 / 4, 5, 3, 3, 1 / 2, 1]], index=NATIONS, columns=NATIONS)


def test_ahp_saaty1980_wealth_of_nations():
    """Saaty (1980), *The Analytic Hierarchy Process*, the relative wealth of nations example
    (Saaty & Khouja 1976): eigenvector (.427, .230, .021, .052, .052, .123, .094),
    λ_max = 7.61, CI = 0.10, CR = 0.08 with RI(7) = 1.32."""
    res = zl.weighting.ahp(WEALTH)
    assert_allclose(res.weights.to_numpy(),
                    [0.427, 0.230, 0.021, 0.052, 0.052, 0.123, 0.094], atol=5e-4)
    assert round(res.lambda_max, 2) == 7.61
    assert round(res.ci, 2) == 0.10
    assert round(res.cr, 2) == 0.08
    assert res.ri == 1.32 and res.ri_table == "saaty"


DRINKS = ["coffee", "wine", "tea", "beer", "soda", "milk", "water"]
DRINK_JUDGEMENTS = {
    ("coffee", "wine"): 9, ("coffee", "tea"): 5, ("coffee", "beer"): 2, ("coffee", "soda"): 1,
    ("coffee", "milk"): 1, ("coffee", "water"): 1 / 2, ("wine", "tea"): 1 / 3,
    ("wine", "beer"): 1 / 9, ("wine", "soda"): 1 / 9, ("wine", "milk"): 1 / 9,
    ("wine", "water"): 1 / 9, ("tea", "beer"): 1 / 3, ("tea", "soda"): 1 / 4,
    ("tea", "milk"): 1 / 3, ("tea", "water"): 1 / 9, ("beer", "soda"): 1 / 2, ("beer", "milk"): 1,
    ("beer", "water"): 1 / 3, ("soda", "milk"): 2, ("soda", "water"): 1 / 2,
    ("milk", "water"): 1 / 3}


def test_ahp_saaty2008_drinks():
    """Saaty (2008), Int. J. Services Sciences 1(1), 83–98, "Which drink is consumed more in
    the U.S.?": derived priorities .177 .019 .042 .116 .190 .129 .327, C.R. = 0.022."""
    res = zl.weighting.ahp(_matrix(DRINK_JUDGEMENTS, DRINKS))
    assert_allclose(res.weights.to_numpy(),
                    [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327], atol=5e-4)
    assert round(res.cr, 3) == 0.022


def test_ahp_geometric_method_is_row_geometric_mean():
    """Crawford & Williams (1985): normalised row geometric means; close to the eigenvector
    for a nearly consistent matrix (wealth of nations, CR 0.08)."""
    res = zl.weighting.ahp(WEALTH, method="geometric")
    g = np.exp(np.log(WEALTH.to_numpy()).mean(axis=1))
    assert_allclose(res.weights.to_numpy(), g / g.sum(), rtol=1e-12)
    assert_allclose(res.weights, zl.weighting.ahp(WEALTH).weights, atol=0.01)
    assert res.cr == zl.weighting.ahp(WEALTH).cr  # CR is a property of the matrix


def test_ahp_random_index_tables():
    """RI tables: Saaty (1980) n=3..10, Alonso & Lamata (2006), Donegan & Dodd (1991)."""
    saaty = zl.weighting.RANDOM_INDEX["saaty"]
    assert [saaty[n] for n in range(1, 11)] == [0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41,
                                                 1.45, 1.49]
    for table in ("alonso_lamata", "donegan_dodd"):
        res = zl.weighting.ahp(WEALTH, ri=table)
        assert res.ri == zl.weighting.RANDOM_INDEX[table][7]
        assert_allclose(res.cr, res.ci / res.ri)
    # every table grows with n
    for values in zl.weighting.RANDOM_INDEX.values():
        ri = [values[n] for n in sorted(values)]
        assert ri == sorted(ri)


def test_ahp_matrix_beyond_the_table_raises():
    codes = [f"c{i}" for i in range(12)]
    M = pd.DataFrame(np.ones((12, 12)), index=codes, columns=codes)
    with pytest.raises(ValueError, match=r"covers n ≤ 10; this matrix has n=12.*alonso_lamata"):
        zl.weighting.ahp(M)
    assert_allclose(zl.weighting.ahp(M, ri="alonso_lamata").weights, 1 / 12)


weights_strategy = st.lists(st.floats(1.0, 3.0), min_size=2, max_size=9)


@settings(max_examples=50, deadline=None)
@given(weights_strategy, st.sampled_from(["eigen", "geometric"]))
def test_consistent_matrix_gives_back_w(w, method):
    """A consistent matrix a_ij = w_i / w_j returns w with λ_max = n and CR = 0."""
    w = np.array(w) / np.sum(w)
    codes = [f"k{i}" for i in range(len(w))]
    M = pd.DataFrame(np.outer(w, 1 / w), index=codes, columns=codes)
    res = zl.weighting.ahp(M, method=method)
    assert_allclose(res.weights.to_numpy(), w, rtol=1e-9)
    assert_allclose(res.lambda_max, len(w), rtol=1e-9)
    assert abs(res.cr) < 1e-9


def test_inconsistent_matrix_warns_with_worst_pair_and_fix():
    """CR > 0.10 warns, naming the pair with the largest |ln(a_ij w_j / w_i)| and the value on
    Saaty's scale consistent with the priorities."""
    codes = ["economy", "ecology", "livelihood"]
    M = _matrix({("economy", "ecology"): 3, ("ecology", "livelihood"): 3,
                 ("economy", "livelihood"): 1 / 3}, codes)
    with pytest.warns(InconsistentJudgementWarning,
                      match=r"'pillars' has consistency ratio 1\.\d+ \(threshold 0\.10.*most "
                            r"inconsistent judgement: \(economy, livelihood\) = 1/3.*about 1 "):
        res = zl.weighting.ahp(M, name="pillars")
    assert res.worst_pair == ("economy", "livelihood")
    assert res.suggested == 1.0
    assert not res.consistent
    assert "most inconsistent judgement (economy, livelihood)" in res.summary()


def test_inconsistency_fix_points_at_a_single_bad_judgement():
    """Perturb one judgement of a consistent matrix (a over d: 4 -> 1/2): the warning names
    exactly that pair, and the suggested value moves back towards the original 4."""
    w = np.array([0.4, 0.3, 0.2, 0.1])
    codes = list("abcd")
    M = pd.DataFrame(np.outer(w, 1 / w), index=codes, columns=codes)
    M.loc["a", "d"], M.loc["d", "a"] = 1 / 2, 2
    with pytest.warns(InconsistentJudgementWarning, match=r"\(a, d\) = 1/2"):
        res = zl.weighting.ahp(M)
    assert res.worst_pair == ("a", "d")
    assert res.suggested > 1 / 2
    M.loc["a", "d"], M.loc["d", "a"] = 1, 1  # milder: CR 0.09, no warning, same diagnosis
    res = zl.weighting.ahp(M)
    assert res.worst_pair == ("a", "d") and res.suggested == 2


def test_consistent_enough_matrix_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        zl.weighting.ahp(WEALTH)


def test_columns_in_other_order_are_aligned():
    shuffled = WEALTH[NATIONS[::-1]]
    assert_allclose(zl.weighting.ahp(shuffled).weights, zl.weighting.ahp(WEALTH).weights)


def test_matrix_of_order_one_and_two():
    one = pd.DataFrame([[1.0]], index=["a"], columns=["a"])
    assert zl.weighting.ahp(one).weights.to_dict() == {"a": 1.0}
    two = _matrix({("a", "b"): 3}, ["a", "b"])
    res = zl.weighting.ahp(two)
    assert_allclose(res.weights.to_numpy(), [0.75, 0.25])
    assert res.cr == 0.0


@pytest.mark.parametrize("matrix, match", [
    (pd.DataFrame(np.ones((2, 3)), index=list("ab"), columns=list("abc")), "must be square"),
    (pd.DataFrame(np.ones((2, 2)), index=list("ab"), columns=list("ac")),
     r"same codes.*rows only: 'b'.*columns only: 'c'"),
    (_matrix({("a", "b"): 3}, ["a", "b"]).assign(b=[2.0, 1.0]),
     r"reciprocal.*\('a', 'b', '2', '0\.3333'\)"),
    (pd.DataFrame([[1, 0], [0, 1]], index=list("ab"), columns=list("ab")),
     r"positive numbers; cells \('a', 'b'\), \('b', 'a'\)"),
    (_matrix({("a", "b"): 12}, ["a", "b"]), r"Saaty's scale \[1/9, 9\]; \('a', 'b', '12'\)"),
    (pd.DataFrame([[2.0, 3], [1 / 3, 1]], index=list("ab"), columns=list("ab")),
     "1 on its diagonal"),
])
def test_bad_matrices_raise_clear_errors(matrix, match):
    with pytest.raises(ValueError, match=match):
        zl.weighting.ahp(matrix)


def test_text_judgements_raise_type_error_with_hint():
    M = pd.DataFrame({"a": ["1", "1/3"], "b": ["3", "1"]}, index=["a", "b"])
    with pytest.raises(TypeError, match=r"hold text.*Fraction"):
        zl.weighting.ahp(M)


def test_rounded_reciprocals_are_accepted_and_scale_can_be_lifted():
    M = pd.DataFrame([[1, 3], [0.33, 1]], index=list("ab"), columns=list("ab"))
    assert_allclose(zl.weighting.ahp(M).weights.sum(), 1.0)
    wide = _matrix({("a", "b"): 20}, ["a", "b"])
    assert_allclose(zl.weighting.ahp(wide, scale=None).weights.to_numpy(), [20 / 21, 1 / 21])


def test_bad_method_and_ri_names():
    with pytest.raises(ValueError, match=r"'method' parameter of ahp\(\) must be one of "
                                         r"\{'eigen', 'geometric'\}. Got 'mean' instead"):
        zl.weighting.ahp(WEALTH, method="mean")
    with pytest.raises(ValueError, match=r"'ri' parameter of ahp\(\) must be one of"):
        zl.weighting.ahp(WEALTH, ri="nobody")


# ---- group AHP -----------------------------------------------------------------------------

def _experts():
    codes = ["a", "b", "c"]
    return {"li": _matrix({("a", "b"): 3, ("a", "c"): 5, ("b", "c"): 2}, codes),
            "wang": _matrix({("a", "b"): 1, ("a", "c"): 3, ("b", "c"): 3}, codes),
            "zhao": _matrix({("a", "b"): 1 / 2, ("a", "c"): 2, ("b", "c"): 4}, codes)}


def _eigen(A: np.ndarray) -> tuple[np.ndarray, float]:
    """Saaty's priorities by numpy directly: the principal right eigenvector of ``A`` summing to
    1, and its eigenvalue λ_max."""
    values, vectors = np.linalg.eig(A)
    k = np.argmax(values.real)
    v = np.abs(vectors[:, k].real)
    return v / v.sum(), float(values[k].real)


def test_group_aij_is_eigenvector_of_elementwise_geometric_mean():
    """Forman & Peniwati (1998), "Aggregating individual judgments and priorities with the
    Analytic Hierarchy Process", EJOR 108(1), 165-169, AIJ: the panel acts as one decision
    maker, its judgement the element-wise (weighted) geometric mean of the experts' matrices,
    the only mean that keeps reciprocity (Aczél & Saaty 1983, J. Math. Psych. 27, 93-102); the
    priorities are that matrix's principal eigenvector, its CR = (λ_max − n)/(n − 1)/RI(3), with
    Saaty's RI(3) = 0.58. Expected values computed here with numpy, not with ahp()."""
    experts = _experts()
    logs = np.array([np.log(m.to_numpy()) for m in experts.values()])
    for pi in ([1 / 3, 1 / 3, 1 / 3], [0.5, 0.25, 0.25]):
        G = np.exp(np.tensordot(pi, logs, axes=1))
        w, lam = _eigen(G)
        res = zl.weighting.ahp_group(experts, how="aij",
                                     expert_weights=dict(zip(experts, pi)))
        assert_allclose(res.weights.to_numpy(), w, rtol=1e-9)
        assert list(res.weights.index) == ["a", "b", "c"]
        assert_allclose(res.combined.lambda_max, lam, rtol=1e-9)
        assert_allclose(res.combined.cr, (lam - 3) / 2 / 0.58, atol=1e-9)
    # the weighted panel to 4 decimals (by power iteration, a third way)
    assert_allclose(res.weights.to_numpy(), [0.5038, 0.3566, 0.1396], atol=5e-5)
    assert set(res.individual) == {"li", "wang", "zhao"}
    assert list(res.cr.index) == ["li", "wang", "zhao", "(group)"]


def test_group_aip_is_normalised_geometric_mean_of_individual_priorities():
    """Forman & Peniwati (1998), AIP: the experts act as separate individuals; each one's
    priorities (principal eigenvector, computed here with numpy) are combined by their
    geometric mean, renormalised to sum to 1."""
    experts = _experts()
    P = np.array([_eigen(m.to_numpy())[0] for m in experts.values()])
    g = np.exp(np.log(P).mean(axis=0))
    res = zl.weighting.ahp_group(list(experts.values()), how="aip")
    assert_allclose(res.weights.to_numpy(), g / g.sum(), rtol=1e-9)
    # to 4 decimals (by power iteration, a third way)
    assert_allclose(res.weights.to_numpy(), [0.4531, 0.4040, 0.1429], atol=5e-5)
    for k, name in enumerate(["expert_1", "expert_2", "expert_3"]):
        assert_allclose(res.individual[name].weights.to_numpy(), P[k], rtol=1e-9)
    assert res.combined is None and list(res.individual) == ["expert_1", "expert_2", "expert_3"]


def test_group_two_criteria_by_hand():
    """Two criteria, judgements a over b of 8, 2 and 1/2: AIJ gives (8·2·½)^(1/3) = 2, so
    priorities (2/3, 1/3); AIP gives the geometric mean of (8/9, 1/9), (2/3, 1/3), (1/3, 2/3),
    whose ratio is again 2 (for n = 2 the two ways agree, Forman & Peniwati 1998)."""
    experts = {e: _matrix({("a", "b"): v}, ["a", "b"]) for e, v in
               {"li": 8, "wang": 2, "zhao": 1 / 2}.items()}
    for how in ("aij", "aip"):
        res = zl.weighting.ahp_group(experts, how=how)
        assert_allclose(res.weights.to_numpy(), [2 / 3, 1 / 3], rtol=1e-12)
    assert_allclose(zl.weighting.ahp_group(experts).combined.cr, 0.0, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.floats(0.5, 2.0), min_size=4, max_size=4), min_size=2, max_size=5))
def test_consistent_experts_aij_equals_aip(ws):
    """Experts with consistent matrices a_ij = w_i/w_j: the geometric mean matrix is consistent
    with priorities ∝ Π_k w_k^(1/K), so AIJ = AIP = the normalised geometric mean of the
    experts' priority vectors, with CR = 0 (Aczél & Saaty 1983; Forman & Peniwati 1998)."""
    W = np.array(ws) / np.sum(ws, axis=1, keepdims=True)
    codes = list("abcd")
    experts = [pd.DataFrame(np.outer(w, 1 / w), index=codes, columns=codes) for w in W]
    g = np.exp(np.log(W).mean(axis=0))
    for how in ("aij", "aip"):
        res = zl.weighting.ahp_group(experts, how=how)
        assert_allclose(res.weights.to_numpy(), g / g.sum(), rtol=1e-9)
    assert abs(zl.weighting.ahp_group(experts).combined.cr) < 1e-9


def test_group_with_expert_weights_and_identical_experts():
    """A panel of one opinion, or with all weight on one expert, has that expert's priorities
    (the principal eigenvector, computed with numpy), either way of combining."""
    m = _experts()["li"]
    w = _eigen(m.to_numpy())[0]
    for how in ("aij", "aip"):
        same = zl.weighting.ahp_group({"x": m, "y": m}, how=how)
        assert_allclose(same.weights.to_numpy(), w, rtol=1e-9)
        only_li = zl.weighting.ahp_group(_experts(), how=how,
                                         expert_weights={"li": 1, "wang": 0, "zhao": 0})
        assert_allclose(only_li.weights.to_numpy(), w, rtol=1e-9)


def test_group_names_the_inconsistent_expert_and_mismatched_codes():
    experts = _experts()
    experts["sun"] = _matrix({("a", "b"): 5, ("b", "c"): 5, ("a", "c"): 1 / 5}, list("abc"))
    with pytest.warns(InconsistentJudgementWarning) as record:
        zl.weighting.ahp_group(experts)
    messages = [str(r.message) for r in record]
    assert any("expert 'sun'" in m for m in messages)
    assert not any("expert 'li'" in m for m in messages)
    other = {"li": _experts()["li"], "ma": _matrix({("a", "d"): 2, ("a", "b"): 1,
                                                    ("b", "d"): 2}, list("abd"))}
    with pytest.raises(ValueError, match="Expert 'ma' judged"):
        zl.weighting.ahp_group(other)
    with pytest.raises(ValueError, match="'how' parameter of ahp_group"):
        zl.weighting.ahp_group(_experts(), how="mean")
