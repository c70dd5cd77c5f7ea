"""``uncertainty()`` and ``sensitivity()``: rank bands and Sobol indices over scheme choices.

Both read the scheme's ``uncertainty`` section (:mod:`zhengji_lab.montecarlo.design`), evaluate
the draws with the vectorised engine (:mod:`zhengji_lab.montecarlo.engine`) in chunks, and keep
memory bounded: the Monte Carlo accumulates per-unit rank and grade counts per chunk (quantiles,
means and grade probabilities are computed from the counts exactly), while the Sobol analysis
keeps the per-run outputs it needs (``N·(D + 2)`` × units integers).

References
----------
Saisana, M., Saltelli, A., Tarantola, S. (2005). Uncertainty and sensitivity analysis techniques
as tools for the quality assessment of composite indicators. J. R. Stat. Soc. A 168(2), 307–323.
doi:10.1111/j.1467-985X.2005.00350.x

OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, section 7 and Step 7.
doi:10.1787/9789264043466-en

Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output. Design and
estimator for the total sensitivity index. Comput. Phys. Commun. 181(2), 259–270.
doi:10.1016/j.cpc.2009.09.018
"""
from __future__ import annotations

import dataclasses
import logging
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from zhengji_lab.core import grade_counts, ranked_counts, trigger_hits
from zhengji_lab.montecarlo.design import Design, parse_design
from zhengji_lab.montecarlo.engine import Engine, quantile_of_counts
from zhengji_lab.montecarlo.results import SensitivityIndices, UncertaintyResult
from zhengji_lab.montecarlo.sobol import sobol_indices
from zhengji_lab.pipeline import Assessment, StepRecord, as_scheme, check_year
from zhengji_lab.pipeline.records import Flagged
from zhengji_lab.workspace import Workspace

logger = logging.getLogger(__name__)

#: Rank-based talk triggers whose probability the Monte Carlo estimates.
RANK_TRIGGERS = ("marked_regression", "consecutive_lagging")
_CELLS_PER_CHUNK = 1_000_000


# -- argument checks ----------------------------------------------------------------------------
def _check_int(value, name: str, func: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"The {name!r} parameter of {func}() must be an integer >= {low}. Got "
                        f"{value!r} ({type(value).__name__}) instead.")
    if value < low:
        raise ValueError(f"The {name!r} parameter of {func}() must be an integer >= {low}. Got "
                         f"{value!r} instead.")
    return int(value)


def _check_seed(seed, func: str) -> np.random.Generator:
    if seed is None or isinstance(seed, np.random.Generator) or (
            isinstance(seed, (int, np.integer)) and not isinstance(seed, bool)):
        return np.random.default_rng(seed)
    raise TypeError(f"The 'seed' parameter of {func}() must be an int, a numpy.random.Generator "
                    f"or None. Got {seed!r} ({type(seed).__name__}) instead.")


def _setup(ws, scheme, year, func: str):
    if not isinstance(ws, Workspace):
        raise TypeError(f"The 'ws' parameter of {func}() must be a Workspace (zl.load_workspace)."
                        f" Got {type(ws).__name__} instead.")
    s = as_scheme(ws, scheme)
    year = check_year(ws, year)  # the same error as build's for the same mistake
    return parse_design(ws, s), year


def _inputs_frame(design: Design) -> pd.DataFrame:
    return pd.DataFrame({"input": [i.name for i in design.inputs],
                         "kind": [i.kind for i in design.inputs],
                         "address": [i.address for i in design.inputs],
                         "alternatives": [list(i.labels) if i.kind == "choice"
                                          else f"{i.kind} {i.param:g} on {list(i.nodes)}"
                                          for i in design.inputs],
                         "columns": [i.columns for i in design.inputs]})


# -- the per-chunk work -------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class _Job:
    """Everything a chunk needs (picklable once the engines are prepared)."""

    engine: Engine
    nominal: np.ndarray         # (units,) nominal ranks, 0 = none
    max_rank: int
    past: tuple                 # ((years back, Engine, indexer into its units), ...)
    rules: dict
    keep: bool                  # keep per-draw ranks and mean absolute rank shift

    def run(self, rows: np.ndarray) -> dict:
        e = self.engine
        ranks = e.ranks(e.scores(rows))
        out = {"n": len(rows),
               "rank_hist": _counts(ranks, self.max_rank + 1),
               "grade_hist": _counts(e.grades(ranks), len(e.grade_names) + 1)}
        valid = (ranks > 0) & (self.nominal > 0)
        shift = np.where(valid, np.abs(ranks - self.nominal), 0)
        out["shift_sum"], out["shift_n"] = shift.sum(axis=0), valid.sum(axis=0)
        if self.rules:
            past, sizes = {}, {0: ranked_counts(ranks, e.group_members)}
            for back, pe, indexer in self.past:
                r = pe.ranks(pe.scores(rows))
                n = ranked_counts(r, pe.group_members)
                past[back] = np.where(indexer >= 0, r[:, np.maximum(indexer, 0)], 0)
                sizes[back] = np.where(indexer >= 0, n[:, np.maximum(indexer, 0)], 0)
            hits = trigger_hits(ranks, past, self.rules, sizes)
            out.update({f"hits_{k}": v.sum(axis=0) for k, v in hits.items()})
        if self.keep:
            with np.errstate(invalid="ignore"):
                out["mars"] = shift.sum(axis=1) / np.where(valid.any(axis=1),
                                                           valid.sum(axis=1), np.nan)
            out["ranks"] = ranks
        return out


def _counts(values: np.ndarray, size: int) -> np.ndarray:
    """Per column, how many rows hold each value ``0..size-1``: ``(columns, size)``."""
    U = values.shape[1]
    flat = (np.arange(U)[None, :] * size + values).ravel()
    return np.bincount(flat, minlength=U * size).reshape(U, size)


def _run_job(job: _Job, rows: np.ndarray) -> dict:
    return job.run(rows)


def _merge(total: dict | None, part: dict) -> dict:
    if total is None:
        return {k: (v if k not in ("mars", "ranks") else [v]) for k, v in part.items()}
    for k, v in part.items():
        if k in ("mars", "ranks"):
            total[k].append(v)
        else:
            total[k] = total[k] + v
    return total


def _chunk_size(chunk, engine: Engine, func: str) -> int:
    if chunk is not None:
        return _check_int(chunk, "chunk", func, 1)
    widest = max(len(kids) for kids in engine.design.children.values())
    return int(np.clip(_CELLS_PER_CHUNK // (len(engine.units) * widest), 256, 8192))


def _execute(job: _Job, blocks, n: int, progress: bool, client) -> dict:
    """Run the row blocks locally or on a dask cluster and merge the tallies (in order)."""
    from tqdm import tqdm

    bar = tqdm(total=n, unit="draw", disable=not progress, desc="Monte Carlo")
    total = None
    try:
        if client is None:
            for rows in blocks:
                total = _merge(total, job.run(rows))
                bar.update(len(rows))
            return total
        blocks = list(blocks)
        combos = set()
        for rows in blocks:
            combos |= {tuple(c) for c in np.unique(job.engine.design.choices(rows), axis=0)}
        job.engine.prepare_all(combos)
        for _, pe, _ in job.past:
            pe.prepare_all(combos)
        remote = client.scatter(job, broadcast=True)
        futures = [client.submit(_run_job, remote, rows, pure=False) for rows in blocks]
        parts = []
        for fut, rows in zip(futures, blocks):
            parts.append(fut.result())
            bar.update(len(rows))
        for part in parts:
            total = _merge(total, part)
        return total
    finally:
        bar.close()


def _check_client(client, func: str):
    if client is None:
        return None
    try:
        from dask.distributed import Client
    except ImportError as exc:  # pragma: no cover - the extra is installed in the dev setup
        raise ImportError(f"{func}(client=...) runs on a dask cluster and needs the 'dask' extra:"
                          " pip install 'zhengji_lab[dask]'.") from exc
    if not isinstance(client, Client):
        raise TypeError(f"The 'client' parameter of {func}() must be a dask.distributed.Client "
                        f"or None. Got {type(client).__name__} instead.")
    return client


def _make_job(ws, design: Design, year: int, *, keep: bool, triggers: bool):
    engine = Engine.create(ws, design, year)
    nominal, nominal_grades = engine.nominal()
    rules = {k: v for k, v in design.scheme.spec["triggers"].items() if k in RANK_TRIGGERS} \
        if triggers else {}
    back = max([rules.get("consecutive_lagging", {}).get("years", 1) - 1,
                1 if "marked_regression" in rules else 0])
    past = []
    for b in range(1, back + 1):
        if year - b not in ws.years:
            continue
        pe = Engine.create(ws, design, year - b, said=engine.said)
        past.append((b, pe, pe.units.get_indexer(engine.units)))
    return _Job(engine, nominal, engine.max_group, tuple(past), rules, keep), nominal_grades


def _renamed(value, old, name: str, default, func: str):
    """``value``, or ``old`` (the parameter's earlier name ``n``) when only that was given."""
    if old is None:
        return value
    if value != default:
        raise TypeError(f"{func}() got both '{name}' and its earlier name 'n'; give one.")
    return old


def _stream(rng: np.random.Generator, n: int, d: int, chunk: int):
    for start in range(0, n, chunk):
        yield rng.random((min(chunk, n - start), d))


# -- public functions ---------------------------------------------------------------------------
def uncertainty(ws: Workspace, scheme, year: int, n_draws: int = 1000,
                seed: int | np.random.Generator | None = None, *, chunk: int | None = None,
                band=(0.05, 0.95), triggers: bool = True, progress: bool = True,
                client=None, n: int | None = None) -> UncertaintyResult:
    """Monte Carlo rank bands over the scheme's uncertain choices (蒙特卡洛不确定性分析).

    Every draw picks one alternative of each discrete entry of the scheme's ``uncertainty``
    section and perturbs the weights of the continuous ones, rebuilds the composite (vectorised:
    see :mod:`zhengji_lab.montecarlo.engine`) and ranks the units within their peer groups.

    Parameters
    ----------
    ws : Workspace
    scheme : Scheme, str or path
        The nominal scheme (or the name of one of the workspace's schemes); its ``uncertainty``
        section says what varies (:mod:`zhengji_lab.montecarlo.design`).
    year : int
    n_draws : int
        Number of draws (>= 2); ``n=`` is the same parameter under its earlier name.
    seed : int, Generator or None
        The design is ``np.random.default_rng(seed).random((n, d))``, produced chunk by chunk:
        the same seed gives the same result whatever ``chunk`` is.
    chunk : int, optional
        Draws evaluated at once (default: about a million units × children cells, so memory stays bounded).
    band : (float, float)
        Quantiles of the rank band (``q05``, ``q95``).
    triggers : bool
        Also estimate how often the rank-based talk triggers fire (same choices applied to the
        earlier years the triggers look at).
    progress : bool
        Show a progress bar (tqdm).
    client : dask.distributed.Client, optional
        Run the chunks on this cluster (the ``dask`` extra); the precomputed stages are
        scattered once and the counts merged.

    Returns
    -------
    UncertaintyResult

    References
    ----------
    Saisana, Saltelli & Tarantola (2005), section 3; OECD/JRC Handbook (2008), Step 7.

    Examples
    --------
    >>> import zhengji_lab as zl
    >>> ws = zl.load_workspace(zl.datasets.data_dir() / "sample_city")
    >>> res = zl.uncertainty(ws, "baseline", 2025, n_draws=50, seed=1, progress=False)
    >>> list(res.frame.columns[:9])
    ['unit_id', 'name_zh', 'peer_group', 'nominal_rank', 'nominal_grade', 'median', 'mean', 'q05', 'q95']
    """
    design, year = _setup(ws, scheme, year, "uncertainty")
    n = _check_int(_renamed(n_draws, n, "n_draws", 1000, "uncertainty"), "n_draws",
                   "uncertainty", 2)
    rng = _check_seed(seed, "uncertainty")
    if not (isinstance(band, (tuple, list)) and len(band) == 2
            and all(isinstance(b, (int, float)) for b in band) and 0 <= band[0] < band[1] <= 1):
        raise ValueError(f"The 'band' parameter of uncertainty() must be (lo, hi) with "
                         f"0 <= lo < hi <= 1. Got {band!r} instead.")
    client = _check_client(client, "uncertainty")
    job, nominal_grades = _make_job(ws, design, year, keep=False, triggers=triggers)
    size = _chunk_size(chunk, job.engine, "uncertainty")
    total = _execute(job, _stream(rng, n, design.n_columns, size), n, progress, client)
    return _uncertainty_result(ws, design, year, n, tuple(band), job, nominal_grades, total)


def _uncertainty_result(ws, design, year, n, band, job: _Job, nominal_grades,
                        total) -> UncertaintyResult:
    e = job.engine
    hist = total["rank_hist"]
    ranks = np.arange(hist.shape[1])
    ranked = hist[:, 1:]
    lo_name, hi_name = f"q{round(100 * band[0]):02d}", f"q{round(100 * band[1]):02d}"
    units = ws.units.set_index("unit_id").reindex(e.units)
    nominal = pd.Series(job.nominal, index=e.units).replace(0, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (ranked * ranks[1:]).sum(axis=1) / ranked.sum(axis=1)
        mean_shift = total["shift_sum"] / total["shift_n"]
    frame = pd.DataFrame({
        "unit_id": e.units, "name_zh": units["name_zh"].to_numpy(),
        "peer_group": e.groups.to_numpy(), "nominal_rank": nominal.to_numpy(),
        "nominal_grade": pd.Series(e.grade_names + [None]).iloc[nominal_grades].to_numpy(),
        "median": quantile_of_counts(ranked, ranks[1:], 0.5), "mean": mean,
        lo_name: quantile_of_counts(ranked, ranks[1:], band[0]),
        hi_name: quantile_of_counts(ranked, ranks[1:], band[1]),
        "mean_shift": mean_shift})
    gh = total["grade_hist"]
    for g, name in enumerate(e.grade_names):
        frame[f"p_{name}"] = gh[:, g] / n
    frame["p_unranked"] = hist[:, 0] / n
    frame["grade_uncertain"] = _straddles(frame, lo_name, hi_name, design.scheme.spec["grades"])
    for k in RANK_TRIGGERS:
        if f"hits_{k}" in total:
            frame[f"p_{k}"] = total[f"hits_{k}"] / n
    frame = frame.sort_values(["peer_group", "nominal_rank", "unit_id"], ignore_index=True)
    counts = pd.DataFrame(hist, index=pd.Index(e.units, name="unit_id"),
                          columns=pd.Index(ranks, name="rank"))
    return UncertaintyResult(frame, counts, _inputs_frame(design), n, year, design.scheme, band)


def _straddles(frame: pd.DataFrame, lo: str, hi: str, grades: list) -> pd.Series:
    """Does the rank band cross a quota boundary of the nominal grades (in its peer group)?"""
    if not grades:
        return pd.Series(False, index=frame.index)
    shares = [g["share"] for g in grades]
    out = pd.Series(False, index=frame.index)
    for _, f in frame.groupby("peer_group", sort=False):
        counts = grade_counts(int(f["nominal_rank"].notna().sum()), np.cumsum(shares))[:-1]
        g_lo = np.searchsorted(counts, f[lo].to_numpy(), side="left")
        g_hi = np.searchsorted(counts, f[hi].to_numpy(), side="left")
        out[f.index] = (g_lo != g_hi) & f[lo].notna().to_numpy()
    return out


def sensitivity(ws: Workspace, scheme, year: int, n_base: int = 512,
                seed: int | np.random.Generator | None = None, *, num_resamples: int = 100,
                conf_level: float = 0.95, chunk: int | None = None, progress: bool = True,
                client=None, n: int | None = None) -> SensitivityIndices:
    """Sobol first-order and total indices of ranks per uncertain input (Sobol 敏感性分析).

    The inputs are the entries of the scheme's ``uncertainty`` section, each one group of
    SALib's Saltelli design (``SALib.sample.sobol.sample`` with ``groups``, without second
    order): ``N·(D + 2)`` runs for ``D`` inputs. The outputs are the mean absolute rank shift
    from the nominal ranking (``frame``) and every unit's rank (``by_unit``); the estimators are
    Saltelli et al. (2010) for S1 and Jansen (1999) for ST with bootstrap intervals
    (:func:`~zhengji_lab.montecarlo.sobol.sobol_indices`).

    Parameters
    ----------
    ws, scheme, year
        As for :func:`uncertainty`.
    n_base : int
        Base sample size ``N`` (a power of 2 keeps the Sobol' sequence balanced); the runs are
        ``N·(D + 2)``. ``n=`` is the same parameter under its earlier name.
    seed : int, Generator or None
        Scrambles the Sobol' sequence and drives the bootstrap.
    num_resamples, conf_level
        Bootstrap resamples and level of the confidence intervals.
    chunk, progress, client
        As for :func:`uncertainty`.

    Returns
    -------
    SensitivityIndices

    References
    ----------
    Saltelli, A. et al. (2010), Comput. Phys. Commun. 181(2), 259–270; Jansen, M. J. W. (1999),
    Comput. Phys. Commun. 117, 35–43; Saisana, Saltelli & Tarantola (2005).
    """
    from SALib.sample import sobol as sobol_sample

    design, year = _setup(ws, scheme, year, "sensitivity")
    n = _check_int(_renamed(n_base, n, "n_base", 512, "sensitivity"), "n_base",
                   "sensitivity", 2)
    rng = _check_seed(seed, "sensitivity")
    client = _check_client(client, "sensitivity")
    job, _ = _make_job(ws, design, year, keep=True, triggers=False)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*balance properties of Sobol.*")
        X = sobol_sample.sample(design.problem(), n, calc_second_order=False, seed=rng)
    size = _chunk_size(chunk, job.engine, "sensitivity")
    total = _execute(job, (X[i:i + size] for i in range(0, len(X), size)), len(X), progress,
                     client)
    ranks = np.vstack(total["ranks"]).astype(float)
    # a draw that leaves a unit without a score places it after its whole peer group, so that
    # the units whose result depends most on the choices keep their indices
    size = job.engine.groups.map(job.engine.groups.value_counts()).to_numpy(dtype=float)
    ranks = np.where(ranks == 0, size + 1, ranks)
    Y = np.column_stack([np.concatenate(total["mars"]), ranks])
    D = len(design.inputs)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*outputs are constant.*")
        est = sobol_indices(Y, D, num_resamples=num_resamples, conf_level=conf_level, seed=rng)
    names = design.names
    frame = pd.DataFrame({"input": names, "S1": est.S1[:, 0], "S1_conf": est.S1_conf[:, 0],
                          "ST": est.ST[:, 0], "ST_conf": est.ST_conf[:, 0]})
    units = job.engine.units
    by_unit = pd.DataFrame({"unit_id": np.tile(units.to_numpy(), D),
                            "input": np.repeat(names, len(units)),
                            "S1": est.S1[:, 1:].ravel(), "S1_conf": est.S1_conf[:, 1:].ravel(),
                            "ST": est.ST[:, 1:].ravel(), "ST_conf": est.ST_conf[:, 1:].ravel()})
    return SensitivityIndices(frame, by_unit, _inputs_frame(design), n, len(X), year,
                              design.scheme, conf_level)


def flag_uncertain(ws: Workspace, a: Assessment) -> Assessment:
    """The assessment with its grades and talk triggers flagged where they depend on the
    scheme's uncertain choices.

    :func:`zhengji_lab.build` calls it when the scheme has ``uncertainty_flags: {n, seed,
    band}``. Runs :func:`uncertainty` and adds

    * to the composite's rows of ``scores``: ``rank_lo``, ``rank_hi`` (the rank band) and
      ``grade_uncertain`` — the band straddles a grade boundary (等次存疑);
    * to ``triggers``: ``p_fire``, the share of draws in which the trigger fires (the same
      choices applied to the earlier years it compares with; deductions do not depend on the
      scheme, so ``problem_found`` has 1), and ``uncertain`` — ``p_fire`` below the band's
      upper quantile, i.e. in more than 5% of the draws the unit would not be talked to: a
      退步 (regression) within the noise of the scheme's choices;
    * a ``uncertainty_flags`` record to the log.
    """
    scheme, year, scores, triggers, root = a.scheme, a.year, a.scores, a.triggers, a.root
    spec = scheme.spec["uncertainty_flags"]
    res = uncertainty(ws, scheme, year, n_draws=spec["n"], seed=spec["seed"],
                      band=tuple(spec["band"]),
                      progress=False)
    f = res.frame.set_index("unit_id")
    on_root = scores["node"] == root
    scores = scores.assign(
        rank_lo=scores["unit_id"].map(f[res.lo]).where(on_root),
        rank_hi=scores["unit_id"].map(f[res.hi]).where(on_root),
        grade_uncertain=scores["unit_id"].map(f["grade_uncertain"]).where(on_root)
        .astype("boolean"))
    p = [float(f.at[u, f"p_{t}"]) if f"p_{t}" in f.columns and u in f.index else 1.0
         for u, t in zip(triggers["unit_id"], triggers["trigger"])]
    triggers = triggers.assign(p_fire=np.asarray(p, dtype=float))
    triggers["uncertain"] = triggers["p_fire"] < spec["band"][1]
    resolved = Flagged(res.n, tuple(res.inputs["input"]),
                       tuple(f.index[f["grade_uncertain"]]),
                       tuple(map(tuple, triggers.loc[triggers["uncertain"],
                                                     ["unit_id", "trigger"]].to_numpy())))
    return dataclasses.replace(a, scores=scores, triggers=triggers,
                               log=[*a.log, StepRecord("uncertainty_flags", spec, resolved)])
