"""The Monte Carlo engine applies build's preparation steps (issue 7): denomination, imputation
grouped by any units column, and screening, compared with one ``build`` per draw."""
import dataclasses

import numpy as np
import pytest
from test_uncertainty import YEAR, _check_against_naive

import zhengji_lab as zl
from zhengji_lab.errors import BuildError
from zhengji_lab.prep import data_share

VARIED = [{"address": "aggregate.method", "alternatives": ["arithmetic", "geometric"]},
          {"address": "normalise.scale", "alternatives": [[1, 100], [10, 100]]},
          {"address": "weights.index", "noise": 0.2}]


def _cut(ws, scheme):
    """A screening share that leaves out the units with the least data."""
    a = zl.build(ws, scheme, YEAR)
    share = data_share(a.stage("raw"), a.stage("applicable"))["share"]
    return float(np.sort(share.unique())[1])


@pytest.mark.slow
def test_engine_equals_builds_with_denominate_and_screening(sample_ws, baseline):
    scheme = (baseline.replace("screen.min_share", _cut(sample_ws, baseline))
              .replace("denominate", {"eco_gdp_growth": "population"})
              .replace("uncertainty", VARIED))
    assert len(zl.build(sample_ws, scheme, YEAR).screened_out) > 0
    _check_against_naive(sample_ws, scheme, YEAR, n=10, seed=5)


@pytest.mark.slow
def test_engine_equals_builds_with_imputation_grouped_by_kind(sample_ws, baseline):
    scheme = baseline.replace("uncertainty", [
        {"address": "impute", "alternatives": [{"method": "peer_mean", "by": "kind"},
                                               {"method": "peer_median"}, {"method": "none"}]},
        *VARIED])
    _check_against_naive(sample_ws, scheme, YEAR, n=10, seed=6)


def test_choices_that_change_the_screened_units_are_refused(sample_ws, baseline):
    """Imputation before screening can bring units back: rank bands need one set of units."""
    scheme = (baseline.replace("screen.min_share", _cut(sample_ws, baseline))
              .replace("uncertainty", [{"address": "impute.method",
                                        "alternatives": ["none", "peer_mean"]}]))
    with pytest.raises(BuildError, match="units assessed in 2025 .* change with the choices"):
        zl.uncertainty(sample_ws, scheme, YEAR, n=4, seed=1, progress=False)


def test_a_data_warning_inside_the_monte_carlo_reaches_the_user_once(sample_ws, baseline):
    """Warnings raised while the engine prepares each combination of choices are shown, once
    each, instead of being silenced."""
    v = sample_ws.values  # a unit without values this year: each preparation warns of it
    ws = dataclasses.replace(sample_ws, values=v[(v["unit_id"] != v["unit_id"].iloc[0])
                                                 | (v["year"] != YEAR)])
    scheme = baseline.replace("uncertainty", VARIED)
    with pytest.warns(UserWarning, match=f"no values in {YEAR}") as caught:
        zl.uncertainty(ws, scheme, YEAR, n_draws=8, seed=1, progress=False)
    said = [w for w in caught if f"no values in {YEAR}" in str(w.message)]
    assert len(said) == 1
