"""Reference workspaces: published data laid out as assessment workspaces under ``data/reference/``.

* :func:`load_tai` — the OECD/JRC Handbook's Technology Achievement Index (23 countries × 8
  indicators), ``data/reference/oecd_tai_2008``;
* :func:`load_asem` — COINr's ASEM Sustainable Connectivity example (51 countries × 49
  indicators), ``data/reference/asem_coinr``;
* :data:`BUILDERS` — how each workspace is built from the original files in its ``source/``
  folder (:func:`zhengji_lab.datasets.regenerate` writes them);
* :func:`data_dir` — the repository's ``data/`` folder, which is not part of the wheel.

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User Guide*.
OECD Publishing. doi:10.1787/9789264043466-en
Becker, W., Caperna, G., Del Sorbo, M., Norlén, H., Papadimitriou, E., Saisana, M. (2022). COINr:
An R package for developing composite indicators. *Journal of Open Source Software* 7(78), 4567.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

import pandas as pd
import yaml

from zhengji_lab.workspace import COLUMNS, Workspace, load_workspace

# Chinese names (package data): by ISO alpha-3 code, by TAI indicator and by COINr iCode
_NAMES_ZH = yaml.safe_load(
    files(__package__).joinpath("reference_names.yaml").read_text(encoding="utf-8"))
_COUNTRY_ZH, _TAI_ZH, _ASEM_ZH = (_NAMES_ZH[k] for k in ("countries", "tai", "asem"))


def data_dir() -> Path:
    """The repository's ``data/`` folder (sample city and reference workspaces).

    Raises
    ------
    FileNotFoundError
        When the package is not installed from a clone of the repository (the data are not part
        of the wheel).
    """
    path = Path(__file__).resolve().parents[2] / "data"
    if not (path / "reference").is_dir():
        raise FileNotFoundError(
            f"zhengji_lab's data folder was not found at {str(path)!r}. The sample city and the "
            "reference workspaces ship with the repository, not with the installed package: "
            "install from a clone with `pip install -e .`, or pass a workspace folder to "
            "zl.load_workspace().")
    return path


def load_tai() -> Workspace:
    """The OECD/JRC Handbook's Technology Achievement Index (TAI), 23 countries × 8 indicators.

    Indicators → 4 dimensions (creation of technology, diffusion of recent innovations, diffusion
    of old innovations, human skills) → root ``index`` (the TAI); units are countries
    (``kind = "country"``, ``peer_group = "all"``), one year (2000, the HDR 2001 edition; the data
    years run 1995-2000).
    Schemes: ``tai_handbook`` (UNDP goalposts, capped, equal weights; every dimension holds two
    indicators, so equal weights per level are the Handbook's 1/8 per indicator and reproduce the
    EW column of Table 23) and ``tai_bap`` (the budget-allocation weights of Table 22 as fixed
    weights per node, reproducing the BAP column of Table 23).

    References
    ----------
    OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, Tables 22, 23 and A.2.
    doi:10.1787/9789264043466-en

    Examples
    --------
    >>> ws = load_tai()
    >>> ws.root, len(ws.units), ws.indicators()[:2]
    ('index', 23, ['patents', 'royalties'])
    """
    return _load_reference("oecd_tai_2008")


def load_asem() -> Workspace:
    """COINr's ASEM Sustainable Connectivity example: 51 countries × 49 indicators, 2018.

    The tree is COINr's ``ASEM_iMeta`` (49 indicators → 8 pillars → 2 sub-indices → index), with
    codes converted to snake_case (the original ``iCode`` is kept in ``framework.source``);
    ``units`` carry the denominators (area, energy, GDP, population) as covariates; missing
    values are absent rows. Scheme ``asem_coinr``: min-max 0-100 and arithmetic means with the
    iMeta weights rescaled within each parent (as COINr's ``Aggregate`` does). Values are not
    denominated (COINr's example divides some indicators by a denominator first).

    References
    ----------
    Becker, W. et al. (2022). COINr: An R package for developing composite indicators. *Journal
    of Open Source Software* 7(78), 4567.

    Examples
    --------
    >>> ws = load_asem()
    >>> ws.root, len(ws.units), len(ws.indicators()), ws.children("index")
    ('index', 51, 49, ['conn', 'sust'])
    """
    return _load_reference("asem_coinr")


def _load_reference(name: str) -> Workspace:
    path = data_dir() / "reference" / name
    if not (path / "framework.csv").is_file():
        raise FileNotFoundError(f"The reference workspace {str(path)!r} has no framework.csv. "
                                "Regenerate it with `python scripts/make_sample_city.py`.")
    return load_workspace(path)


_TAI_TREE = [   # code, name_zh, name_en, indicators
    ("creation", "技术创造", "Creation of technology", ["patents", "royalties"]),
    ("diffusion_recent", "新技术扩散", "Diffusion of recent innovations", ["internet", "exports"]),
    ("diffusion_old", "旧技术扩散", "Diffusion of old innovations",
     ["telephones_log", "electricity_log"]),
    ("human_skills", "人力技能", "Human skills", ["schooling", "university"]),
]
_TAI_YEAR = 2000
_TAI_META = {"name_zh": "技术成就指数（OECD/JRC 手册 2008 示例）",
             "name_en": "Technology Achievement Index (OECD/JRC Handbook 2008)",
             "region": "23 countries (UNDP Human Development Report 2001)",
             "office": "OECD / European Commission JRC (reference example)"}
_TAI_SCHEME = """\
name: {name}
description: "{description}"
{comment}reference_year: 2000
treat: {{method: none}}
impute: {{method: none}}
normalise:
  method: goalposts             # (x - lo) / (hi - lo), capped to [0, 1]
  scale: [0, 1]
  goalposts:                    # UNDP goalposts (Saisana, Saltelli & Tarantola 2005, Table 1)
{goalposts}
  overrides: {{}}
weights:
{weights}
aggregate: {{method: arithmetic, min_coverage: 1.0}}
peer_groups: peer_group
deductions: {{cap: 0}}
"""


def _fixed(weights: pd.Series) -> str:
    """``{method: fixed, values: {...}}`` as given; the fixed method rescales them to sum to 1."""
    values = ", ".join(f"{code}: {w:g}" for code, w in weights.items())
    return f"{{method: fixed, values: {{{values}}}}}"


def tai_from_source(folder: Path) -> Workspace:
    """The TAI workspace built from the Handbook files in ``folder/source``."""
    src = folder / "source"
    raw = pd.read_csv(src / "tai23_raw.csv")
    meta = pd.read_csv(src / "tai_indicator_meta.csv")
    dim_of = {i: d for d, _, _, inds in _TAI_TREE for i in inds}
    rows = [(m.indicator, _TAI_ZH[m.indicator], m.definition, dim_of[m.indicator], 1,
             1 if m.direction == "higher" else -1, m.unit, "common", "", "visible",
             f"UNDP HDR 2001 (data year {m.data_year}); OECD/JRC 2008 Table A.2", "")
            for m in meta.itertuples()]
    rows += [(code, zh, en, "index", 2, 1, "", "common", "", "visible", "", "")
             for code, zh, en, _ in _TAI_TREE]
    rows.append(("index", "技术成就指数", "Technology Achievement Index", "", 3, 1, "", "common",
                 "", "visible", "", ""))
    framework = pd.DataFrame(rows, columns=COLUMNS["framework"])
    units = pd.DataFrame({"unit_id": raw["iso3"], "name_zh": raw["iso3"].map(_COUNTRY_ZH),
                          "name_en": raw["country"], "kind": "country", "peer_group": "all"})
    values = (raw.melt(id_vars="iso3", value_vars=list(meta["indicator"]), var_name="indicator")
              .rename(columns={"iso3": "unit_id"}).assign(year=_TAI_YEAR)
              [COLUMNS["values"]].sort_values(["unit_id", "indicator"], kind="stable")
              .reset_index(drop=True))
    goalposts = "\n".join(f"    {m.indicator}: [{m.undp_goalpost_min!r}, {m.undp_goalpost_max!r}]"
                          for m in meta.itertuples())
    bap = pd.read_csv(src / "tai_expert_weights.csv").set_index("scheme").loc["BAP"]
    bap = bap[list(meta["indicator"])].astype(float)
    dims = pd.Series({d: bap[inds].sum() for d, _, _, inds in _TAI_TREE})
    bap_weights = [f"  index: {_fixed(dims)}"] + [f"  {d}: {_fixed(bap[inds])}"
                                                for d, _, _, inds in _TAI_TREE]
    schemes = {
        "tai_handbook": _TAI_SCHEME.format(
            name="tai_handbook", goalposts=goalposts, weights='  "*": {method: equal}',
            description="TAI as in the OECD/JRC Handbook (2008): UNDP goalposts, equal weights, "
                        "linear aggregation (Table 23, EW)",
            comment="# Every dimension holds two indicators, so equal weights at each level give "
                    "every indicator\n# 1/4 x 1/2 = 1/8, the Handbook's equal weighting of the 8 "
                    "indicators: the EW ranks of Table 23.\n"),
        "tai_bap": _TAI_SCHEME.format(
            name="tai_bap", goalposts=goalposts, weights="\n".join(bap_weights),
            description="TAI with the budget-allocation (BAP) weights of the OECD/JRC Handbook "
                        "(2008) Table 22 (Table 23, BAP)",
            comment="# Table 22's BAP weights per indicator, on the tree: the dimension sums at "
                    "the root and the\n# indicators' weights within each dimension, which the "
                    "fixed method rescales to sum to 1\n# (dimension weight x rescaled weight "
                    "= the Handbook's weight).\n"),
    }
    return Workspace(framework=framework, units=units, values=values, schemes=schemes,
                     meta=_TAI_META)


_ASEM_DENOMINATORS = {"Area": "area", "Energy": "energy", "GDP": "gdp", "Population": "population"}
_ASEM_YEAR = 2018
_ASEM_META = {"name_zh": "亚欧会议可持续互联互通指数（COINr 示例）",
              "name_en": "ASEM Sustainable Connectivity (COINr example)",
              "region": "51 ASEM countries (Asia-Europe Meeting)",
              "office": "European Commission JRC, COINr (reference example)"}


def _snake(code: str) -> str:
    """COINr code to snake_case: ``ConEcFin`` -> ``con_ec_fin``, ``CO2`` -> ``co2``."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", code).lower()


def asem_from_source(folder: Path) -> Workspace:
    """The ASEM workspace built from COINr's files in ``folder/source``."""
    src = folder / "source"
    meta = pd.read_csv(src / "ASEM_iMeta.csv")
    meta = meta[meta["Type"].isin(["Indicator", "Aggregate"])].reset_index(drop=True)
    codes = {c: _snake(c) for c in meta["iCode"]}
    if len(set(codes.values())) != len(codes):
        raise ValueError("COINr codes collide after conversion to snake_case; extend _snake().")
    framework = pd.DataFrame({
        "code": meta["iCode"].map(codes), "name_zh": meta["iCode"].map(_ASEM_ZH),
        "name_en": meta["iName"], "parent": meta["Parent"].map(codes).fillna(""),
        "level": meta["Level"].astype("int64"), "direction": meta["Direction"].astype("int64"),
        "unit": meta["Unit"].fillna(""), "scope": "common", "kinds": "",
        "visibility": "visible",
        "source": "COINr ASEM_iMeta iCode=" + meta["iCode"], "key": ""})
    data = pd.read_csv(src / "ASEM_iData.csv")
    units = pd.DataFrame({"unit_id": data["uCode"], "name_zh": data["uCode"].map(_COUNTRY_ZH),
                          "name_en": data["uName"], "kind": "country", "peer_group": "all"})
    units["eurasia_group"] = data["EurAsia_group"]  # COINr's default imputation groups
    for column, name in _ASEM_DENOMINATORS.items():
        units[name] = data[column].astype(float)
    indicators = list(meta.loc[meta["Type"] == "Indicator", "iCode"])
    values = (data.melt(id_vars="uCode", value_vars=indicators, var_name="indicator")
              .dropna(subset=["value"]).rename(columns={"uCode": "unit_id"})
              .assign(year=_ASEM_YEAR, indicator=lambda d: d["indicator"].map(codes),
                      value=lambda d: d["value"].astype(float))
              [COLUMNS["values"]].reset_index(drop=True))
    weight = pd.Series(meta["Weight"].astype(float).to_numpy(), index=framework["code"])
    lines = [f"  {node}: {_fixed(weight[framework['code'][framework['parent'] == node]])}"
             for node in framework["code"] if node in set(framework["parent"])]
    scheme = _ASEM_SCHEME.format(weights="\n".join(lines))
    # COINr's default pipeline: each indicator with a Denominator in iMeta is divided by it; a
    # value whose denominator is absent (Energy of LAO) becomes missing and is imputed, as in R
    den = meta.loc[meta["Denominator"].notna(), ["iCode", "Denominator"]]
    entries = []
    for code, by in zip(den["iCode"], den["Denominator"]):
        name = _ASEM_DENOMINATORS[by]
        gap = units[name].isna().any()
        entries.append(f"  {codes[code]}: " + (f"{{by: {name}, when_missing: missing}}" if gap
                                               else name))
    default = _COINR_DEFAULT.format(denominate="\n".join(entries), weights="\n".join(lines))
    return Workspace(framework=framework, units=units, values=values,
                     schemes={"asem_coinr": scheme, "coinr_default": default}, meta=_ASEM_META)


# the end of both ASEM schemes: min-max 0-100, arithmetic means with the iMeta weights
_ASEM_TAIL = """\
normalise: {{method: minmax, scale: [0, 100], goalposts: {{}}, overrides: {{}}}}
weights:
{weights}
aggregate: {{method: arithmetic, min_coverage: 0.0}}
peer_groups: peer_group
deductions: {{cap: 0}}
"""

_ASEM_SCHEME = """\
name: asem_coinr
description: "ASEM Sustainable Connectivity (COINr's example): min-max, arithmetic, iMeta weights"
# COINr's documented build denominates, imputes and treats outliers first; this scheme starts
# from the raw values (the denominators are covariates in units.csv). Weights are the iMeta
# column Weight; the fixed method rescales them within each parent, as COINr's Aggregate() does.
reference_year: 2018
treat: {{method: none}}
impute: {{method: none}}
""" + _ASEM_TAIL

_COINR_DEFAULT = """\
name: coinr_default
description: "COINr's default pipeline on its ASEM example (build_example_coin): denominate, impute
  by EurAsia group mean, screen at 90 % data, winsorise with log fallback, min-max 0-100,
  arithmetic means"
# COINr 1.1.14: Denominate(dset = "Raw"); Impute(f_i = "i_mean_grp", use_group =
# "EurAsia_group"); Screen(dat_thresh = 0.9, unit_screen = "byNA"); Treat() with its defaults;
# Normalise() min-max onto [0, 100]; Aggregate(f_ag = "a_amean") with the iMeta weights.
reference_year: 2018
denominate:
{denominate}
impute: {{method: peer_mean, by: eurasia_group}}
screen: {{min_share: 0.9}}
treat: {{method: winsorise, skew: 2.0, kurtosis: 3.5, max_points: 5, fallback: log}}
""" + _ASEM_TAIL


#: Reference workspace (folder under ``data/reference``) -> its builder from ``<folder>/source``.
BUILDERS: dict[str, Callable[[Path], Workspace]] = {
    "oecd_tai_2008": tai_from_source, "asem_coinr": asem_from_source}
