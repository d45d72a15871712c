"""Build the packaged reference tables in model/naerhed/data/ from the raw files in data-raw/.

Run by hand from the repository root:

    .venv/bin/python data-raw/build_data.py

It reads only data-raw/ (never /work/shared or the network), writes the CSVs listed in `main()`,
checks every derived or imputed table against its inputs and stops with an AssertionError if a
check fails. Output is deterministic: the same inputs give byte-identical files.
The documentation of the tables is model/naerhed/data/SOURCES.md (written by hand).
"""

from __future__ import annotations

import csv
import sys
from decimal import Decimal
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data-raw"
OUT = ROOT / "model" / "naerhed" / "data"
sys.path.insert(0, str(ROOT / "model"))

from naerhed.constants import N_AGES, REGION_CODES, REGION_NAMES, SEXES  # noqa: E402

# ---------------------------------------------------------------------------------------------
# Sources (see data-raw/README.md)
# ---------------------------------------------------------------------------------------------
SRC_FOLK1A_REGION = (
    "DST StatBank FOLK1A (https://www.statbank.dk/FOLK1A) via github repo JonasRex/JupyterLab_My_Notebooks "
    "data/FOLK1A.csv, commit 1282eb6541ed4b368a44bb69e2c1b432982a8d3b"
)
SRC_FOLK1A_NATIONAL = (
    "DST StatBank FOLK1A (https://www.statbank.dk/FOLK1A) via github repo ktbaek/Excess-deaths-Denmark "
    "data/tidy_DST_pop.csv, commit 818b828d9c2463958b73fa0a4e024cbd01c67fc3"
)
SRC_REGION_TOTALS_2019 = (
    "https://www.bolius.dk/her-er-de-stoerste-og-mindste-kommuner-i-danmark-40500 (citing DST FOLK1A 2019K1)"
)
SRC_FOLK1AM = (
    "DST StatBank FOLK1AM (https://www.statbank.dk/FOLK1AM) via github repo Mujemula/Spatial_Exam_2024_Maria_Olsen "
    "FOLK1AM.csv, commit b379d869cc88ecf7781a483cde71536010182d63"
)
SRC_DODC1 = (
    "DST StatBank DODC1 (deaths) and FOLK1A (quarter-start population) via github repo ktbaek/Excess-deaths-Denmark "
    "data/death_rates_5y_age_sex.csv, commit edd1256469ce30bc403abf6222f258225ec4bc50"
)
SRC_EPI_MDK = (
    "Statistics Denmark via R package Epi 2.61 data M.dk (github repo cran/Epi data/M.dk.rda, "
    "commit 2fdf3dc5a9fc3a20c1958288fd48fae421770db8)"
)
SRC_EPI_BDK = (
    "Statistics Denmark printed publications via R package Epi 2.61 data B.dk (github repo cran/Epi data/B.dk.rda, "
    "HEAD 0fc2337de6822d676b4bbdc2b8645504c795dceb)"
)
WPP_REPO = "github repo PPgp/wpp2024, commit 2da7768ae64fc74105d3f9e98f9a74d37b62f99a"
SRC_WPP_ASFR = (
    "UN DESA World Population Prospects 2024 (https://population.un.org/wpp/), Denmark (208): "
    f"data-raw/percentASFR5.txt, data/tfr1dt.rda, data/tfrproj1dt.rda in {WPP_REPO}; CC BY 3.0 IGO"
)
SRC_WPP_MIG = (
    "UN DESA World Population Prospects 2024 (https://population.un.org/wpp/), Denmark (208): "
    f"data/mig1dt.rda and data/migproj1dt.rda in {WPP_REPO}; CC BY 3.0 IGO"
)
SRC_WPP_MIG_AGE = (
    "UN DESA World Population Prospects 2024 (https://population.un.org/wpp/), Denmark (208): "
    f"data/migprojAge1dt.rda in {WPP_REPO}; CC BY 3.0 IGO"
)
SRC_FRDK118 = (
    "DST StatBank FRDK118 (https://www.statbank.dk/FRDK118) via github repo NumEconCopenhagen/projects-2019-faetter-br "
    "dataproject/data/BFfremskrivning.xlsx, commit c6969eee4761194b86c1393c000a80977e2aec78"
)
SRC_REGIONS = (
    "DST region codes and names: DST StatBank FOLK1A variable OMRÅDE (https://www.statbank.dk/FOLK1A); "
    "English names: https://en.wikipedia.org/wiki/Regions_of_Denmark"
)
SRC_REFORM = ("sundhedsreform, agreement of 15 November 2024, act L 214 (2024-25) signed 20 June 2025: "
              "https://www.ft.dk/samling/20241/lovforslag/L214/index.htm; "
              "https://en.wikipedia.org/wiki/Region_of_Eastern_Denmark")

# Published 1 January regional totals used to calibrate the imputation (all five regions known).
REGION_TOTALS_FILE = RAW / "reference" / "population_region.csv"
REF_NAME_FIX = {"Sjaelland": "Sjælland"}

POP_YEARS = (2018, 2019, 2020)
REGION_GROUP_YEARS = (2020,)  # years of POP_YEARS with published region x age group totals
MUNI_YEARS = (2022, 2023, 2024)
SEX_INDEX = {s: i for i, s in enumerate(SEXES)}


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------
def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_csv(name: str, header: list[str], rows: list[list]) -> None:
    path = OUT / name
    for row in rows:
        assert len(row) == len(header), (name, row)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            w.writerow(["" if v is None else v for v in row])
    print(f"wrote {path}  ({len(rows)} rows)")


def thousands_to_persons(text: str):
    """'60.219' -> 60219 (exact decimal arithmetic; int when integral)."""
    value = Decimal(text) * 1000
    if value == value.to_integral_value():
        return int(value)
    return format(value.normalize(), "f")


def fmt_float(x: float) -> str:
    return f"{x:.10g}"


def region_code_of_name(name: str) -> int:
    name = REF_NAME_FIX.get(name, name)
    return REGION_CODES[REGION_NAMES.index(name)]


def largest_remainder(real: np.ndarray, total: int) -> np.ndarray:
    """Integers >= 0 summing to `total`, as close as possible to `real` (ties: lowest index first)."""
    base = np.floor(real).astype(np.int64)
    short = int(total - base.sum())
    assert 0 <= short <= len(real), (real, total)
    if short:
        rem = real - base
        order = sorted(range(len(real)), key=lambda i: (-rem[i], i))
        for i in order[:short]:
            base[i] += 1
    return base


def ipf(seed: np.ndarray, row_totals: np.ndarray, col_totals: np.ndarray) -> np.ndarray:
    """Iterative proportional fitting of a (rows, cols) matrix to both sets of margins."""
    x = seed.astype(float).copy()
    for _ in range(10_000):
        rs = x.sum(axis=1)
        x *= np.divide(row_totals, rs, out=np.zeros_like(rs), where=rs > 0)[:, None]
        cs = x.sum(axis=0)
        x *= np.divide(col_totals, cs, out=np.zeros_like(cs), where=cs > 0)[None, :]
        if np.abs(x.sum(axis=1) - row_totals).max() < 1e-9:
            return x
    raise AssertionError("IPF did not converge")


def controlled_round(real: np.ndarray, row_totals: np.ndarray, col_totals: np.ndarray) -> np.ndarray:
    """Integer matrix with the given (integer) row and column sums, close to `real`.

    Each column is first rounded by largest remainder (column sums exact); then single units are
    moved within a column from a row with a surplus to a row with a deficit, each time choosing the
    move that increases the squared rounding error least. Deterministic (ties: lowest indices).
    """
    n_rows, n_cols = real.shape
    out = np.stack([largest_remainder(real[:, j], int(col_totals[j])) for j in range(n_cols)], axis=1)
    while True:
        gap = row_totals - out.sum(axis=1)  # > 0: row needs more
        if not gap.any():
            return out
        best = None
        for give in np.flatnonzero(gap < 0):
            for take in np.flatnonzero(gap > 0):
                for j in range(n_cols):
                    if out[give, j] < 1:
                        continue
                    cost = ((out[give, j] - 1 - real[give, j]) ** 2 - (out[give, j] - real[give, j]) ** 2
                            + (out[take, j] + 1 - real[take, j]) ** 2 - (out[take, j] - real[take, j]) ** 2)
                    key = (round(cost, 12), give, take, j)
                    if best is None or key < best:
                        best = key
        assert best is not None, "controlled rounding: no feasible move"
        _, give, take, j = best
        out[give, j] -= 1
        out[take, j] += 1


# ---------------------------------------------------------------------------------------------
# Population by region, sex and single age (1 January)
# ---------------------------------------------------------------------------------------------
def build_population() -> dict[int, np.ndarray]:
    """Population 2018-2020 (observed with imputed cells) and 2021-2025 (derived); returns every year's
    [region, sex, age] array."""
    rows, full_by_year = build_population_observed()
    derived_rows = build_population_derived(full_by_year)
    write_csv("population_region_sex_age.csv",
              ["year", "region_code", "region", "sex", "age", "population", "status", "source", "note"],
              rows + derived_rows)
    return full_by_year


def build_population_observed() -> tuple[list[list], dict[int, np.ndarray]]:
    regional = read_csv(RAW / "pop_region_sex_age_folk1a_2008_2020.csv")
    national = read_csv(RAW / "pop_national_sex_age_folk1a_2008_2022.csv")
    ref = read_csv(REGION_TOTALS_FILE)

    known_totals: dict[int, np.ndarray] = {}
    for year in POP_YEARS:
        t = {region_code_of_name(r["region"]): int(r["population"]) for r in ref
             if r["date"] == f"{year}-01-01" and r["region"] != "Danmark"}
        if len(t) == 5:
            known_totals[year] = np.array([t[c] for c in REGION_CODES], dtype=np.int64)

    rows = []
    full_by_year: dict[int, np.ndarray] = {}
    for year in POP_YEARS:
        obs = np.full((5, 2, 101), -1, dtype=np.int64)  # observed regional cells, ages 0..100
        nat_obs = np.full((2, 101), -1, dtype=np.int64)
        for r in regional:
            if int(r["year"]) != year:
                continue
            s, a = SEX_INDEX[r["sex"]], int(r["age"])
            if r["region_code"] == "000":
                nat_obs[s, a] = int(r["population"])
            else:
                obs[REGION_CODES.index(1000 + int(r["region_code"])), s, a] = int(r["population"])
        nat = np.zeros((2, 126), dtype=np.int64)
        for r in national:
            if int(r["year"]) == year:
                nat[SEX_INDEX[r["sex"]], int(r["age"])] = int(r["population"])

        present = [a for a in range(101) if (obs[:, :, a] >= 0).all()]
        assert present == [a for a in range(101) if a != 38], f"{year}: unexpected age coverage"
        assert ((obs[:, :, 38] == -1).all()), "age 38 unexpectedly present"
        # regional extract is consistent with the national file and its own 000 rows
        for a in present:
            assert (obs[:, :, a].sum(axis=0) == nat[:, a]).all(), (year, a)
            assert (nat_obs[:, a] == nat[:, a]).all(), (year, a)

        # national totals of the imputed cells: columns (sex, age) for age 38, 101..109, 110+
        columns = [(s, a) for s in range(2) for a in [38] + list(range(101, 111))]
        col_totals = np.array([nat[s, 110:].sum() if a == 110 else nat[s, a] for s, a in columns], dtype=np.int64)
        seed = np.zeros((5, len(columns)))
        for j, (s, a) in enumerate(columns):
            w = (obs[:, s, 37] + obs[:, s, 39]) if a == 38 else obs[:, s, 95:101].sum(axis=1)
            seed[:, j] = col_totals[j] * w / w.sum()

        observed_region_totals = np.where(obs >= 0, obs, 0).sum(axis=(1, 2))
        grouped = year in REGION_GROUP_YEARS
        if grouped:  # region x age group totals: the age-38 cells within 35-64, the 101+ cells within 80+
            region_groups = region_groups_of_year(year)
            observed = np.where(obs >= 0, obs, 0).sum(axis=1)  # [region, age 0..100]
            imputed = np.zeros((5, len(columns)), dtype=np.int64)
            for group, lo, hi in ((4, 35, 65), (6, 80, 101)):
                block = [j for j, (_, a) in enumerate(columns) if lo <= a < hi or (group == 6 and a > 100)]
                row_totals = region_groups[:, group] - observed[:, lo:hi].sum(axis=1)
                assert row_totals.sum() == col_totals[block].sum() and (row_totals >= 0).all(), (year, group)
                fitted = ipf(seed[:, block], row_totals.astype(float), col_totals[block].astype(float))
                imputed[:, block] = controlled_round(fitted, row_totals, col_totals[block])
            calibrated = True
        elif year in known_totals:
            row_totals = known_totals[year] - observed_region_totals
            assert row_totals.sum() == col_totals.sum(), "published regional totals do not add to national"
            fitted = ipf(seed, row_totals.astype(float), col_totals.astype(float))
            imputed = controlled_round(fitted, row_totals, col_totals)
            calibrated = True
        else:
            imputed = np.stack([largest_remainder(seed[:, j], int(col_totals[j])) for j in range(len(columns))], axis=1)
            calibrated = False

        pop = np.where(obs >= 0, obs, 0)
        full = np.zeros((5, 2, N_AGES), dtype=np.int64)
        full[:, :, :101] = pop
        for j, (s, a) in enumerate(columns):
            full[:, s, a] = imputed[:, j]

        # checks: national sums exact for every sex x age, and the published regional totals
        assert (full[:, :, :110].sum(axis=0) == nat[:, :110]).all()
        assert (full[:, :, 110].sum(axis=0) == nat[:, 110:].sum(axis=1)).all()
        assert full.sum() == nat.sum()
        if grouped:
            assert (np.stack([np.bincount(GROUP7, weights=full[r].sum(axis=0)) for r in range(5)]) == region_groups).all()
        elif calibrated:
            assert (full.sum(axis=(1, 2)) == known_totals[year]).all()
        share_based = np.stack([largest_remainder(seed[:, j], int(col_totals[j])) for j in range(len(columns))], axis=1)
        print(f"population {year}: national {nat.sum():,}; imputed age 38 = {nat[:, 38].sum():,}, "
              f"101+ = {nat[:, 101:].sum():,}; region totals {full.sum(axis=(1, 2)).tolist()}"
              + (f"; calibration moved {int(np.abs(imputed - share_based).sum() // 2)} persons "
                 f"(region shift {(imputed - share_based).sum(axis=1).tolist()})" if calibrated else ""))

        cal_note = (
            f"; then raked (IPF) to the published 1 Jan {year} region totals of ages 35-64 (age 38) or 80+ (ages "
            "101+) minus the observed ages and to the national counts, and rounded with both margins kept (source "
            f"of totals: {SRC_FOLK1A_MUNI_GROUPS})" if grouped else
            f"; then raked (IPF) to the published 1 Jan {year} region totals minus the observed ages and to the "
            "national counts, and rounded with both margins kept (source of totals: "
            f"{SRC_REGION_TOTALS_2019})" if calibrated else ""
        )
        note38 = ("age 38 missing from the regional extract: national FOLK1A count of this sex at age 38 split over "
                  "the 5 regions by each region's share of ages 37 and 39 of that sex; integers by largest remainder"
                  + cal_note)
        note_old = ("ages 101+ missing from the regional extract: national FOLK1A count of this sex at this age "
                    "(110 = 110-125) split over the 5 regions by each region's share of ages 95-100 of that sex; "
                    "integers by largest remainder" + cal_note)
        src_imputed = f"{SRC_FOLK1A_REGION} (regional shares); {SRC_FOLK1A_NATIONAL} (national counts)"
        for ri, code in enumerate(REGION_CODES):
            for s, sex in enumerate(SEXES):
                for a in range(N_AGES):
                    if a == 38 or a > 100:
                        status, source, note = "imputed", src_imputed, (note38 if a == 38 else note_old)
                    else:
                        status, source, note = "published", SRC_FOLK1A_REGION, ""
                    rows.append([year, code, REGION_NAMES[ri], sex, a, int(full[ri, s, a]), status, source, note])
        full_by_year[year] = full
    return rows, full_by_year


# ---------------------------------------------------------------------------------------------
# Population 2021-2026: derived by iterative proportional fitting (no regional single-age table found)
# ---------------------------------------------------------------------------------------------
SRC_FOLK1A_NATIONAL_AGE5 = (
    "DST FOLK1A 1 January totals by sex and 5-year age group via github repo matorholt/cancR "
    "data/population_denmark.rda, file commit 0c2ef5e15ab34d6ddef107ceb890ecf3b74c936a"
)
SRC_FOLK1A_MUNI_GROUPS = (
    "DST FOLK1A 1 January by municipality and 7 age groups (0-5, 6-16, 17-19, 20-34, 35-64, 65-79, 80+) via github "
    "repo real-estate-war-lord/am-dashboard-dk data/processed/forecast.json ('observed'), commit "
    "0d26e321cdaf8d852c031111408596c7bd85daa2"
)
DERIVED_YEARS = (2021, 2022, 2023, 2024, 2025, 2026)
SINGLE_AGE_NATIONAL_YEARS = (2021, 2022)  # national sex x single age published (FOLK1A)
AGE5_NATIONAL_YEARS = (2023, 2024, 2025)  # national sex x 5-year group published; 2026: region x age group only
GROUP7_LOWER = (0, 6, 17, 20, 35, 65, 80)
GROUP7 = np.searchsorted(np.array(GROUP7_LOWER), np.arange(N_AGES), side="right") - 1  # age -> 7-group index
GROUP7_COLUMNS = ("age_0_5", "age_6_16", "age_17_19", "age_20_34", "age_35_64", "age_65_79", "age_80_plus")
AGE5_GROUP = np.minimum(np.arange(N_AGES) // 5, 17)  # 0-4, ..., 80-84, 85+


def age_on(prev: np.ndarray, survival: np.ndarray | None = None) -> np.ndarray:
    """[region, sex, age] one year later without migration: age a from a-1 times the national share
    surviving the year at that age and sex (`survival` [sex, age]; None: everybody survives), 110+
    keeps 109 and 110+, age 0 seeded by the previous year's age 0 (births by region are not known)."""
    alive = prev.astype(float) * (1.0 if survival is None else survival[None, :, :])
    seed = np.zeros(prev.shape, dtype=float)
    seed[:, :, 1:] = alive[:, :, :-1]
    seed[:, :, -1] += alive[:, :, -1]
    seed[:, :, 0] = prev[:, :, 0]
    return seed


def national_survival(year: int, national: np.ndarray) -> np.ndarray:
    """Share [sex, age] of the persons aged a on 1 January `year` (national [sex, age]) alive a year
    later: 1 - deaths at age a during `year` / persons aged a (DST FOD207 deaths by single age; age
    99 = 99 and older, one rate for 99-110+). A seed for the ageing step, not a life table."""
    deaths = np.zeros((2, 100))
    for r in read_csv(RAW / "deaths_national_sex_age_fod207_2006_2024.csv"):
        if int(r["year"]) == year:
            deaths[:, int(r["age"])] = int(r["deaths_male"]), int(r["deaths_female"])
    assert deaths.sum() > 0, year
    exposed = national[:, :100].astype(float).copy()
    exposed[:, 99] = national[:, 99:].sum(axis=1)
    rate = np.divide(deaths, exposed, out=np.zeros_like(deaths), where=exposed > 0)
    rate = np.concatenate([rate, np.repeat(rate[:, 99:], N_AGES - 100, axis=1)], axis=1)
    return np.clip(1.0 - rate, 0.0, 1.0)


def national_margin(age_group: np.ndarray, national: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(labels [region, sex, age], targets) of a national sex x age-group margin."""
    n_groups = national.shape[1]
    labels = np.broadcast_to(np.arange(2)[None, :, None] * n_groups + age_group[None, None, :], (5, 2, N_AGES))
    return labels, national.reshape(-1).astype(float)


def regional_margin(region_groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(labels, targets) of a region x 7-age-group margin (both sexes; `region_groups` [region, group])."""
    labels = np.broadcast_to(np.arange(5)[:, None, None] * 7 + GROUP7[None, None, :], (5, 2, N_AGES))
    return labels, region_groups.reshape(-1).astype(float)


def ipf_population(seed: np.ndarray, margins: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Rake `seed` [region, sex, age] until its sums over the cells with each label equal the targets,
    for every (labels, targets) margin."""
    x = seed.astype(float).copy()
    for _ in range(20_000):
        for labels, targets in margins:
            sums = np.bincount(labels.reshape(-1), weights=x.reshape(-1), minlength=targets.size)
            x *= np.divide(targets, sums, out=np.zeros_like(targets), where=sums > 0)[labels]
        worst = max(np.abs(np.bincount(lab.reshape(-1), weights=x.reshape(-1), minlength=t.size) - t).max()
                    for lab, t in margins)
        if worst < 1e-6:
            return x
    raise AssertionError("IPF of the population did not converge")


def round_population(fitted: np.ndarray, region_groups: np.ndarray, national_single_age: np.ndarray | None) -> np.ndarray:
    """Whole persons [region, sex, age] with the region x 7-group totals exact: per age group, the national
    single ages (given, else the fitted ones rounded by largest remainder to the group's total) are the
    columns and the regions the rows of a controlled rounding (see controlled_round)."""
    out = np.zeros(fitted.shape, dtype=np.int64)
    for g in range(7):
        ages = np.flatnonzero(GROUP7 == g)
        block = fitted[:, :, ages].reshape(5, -1)
        rows = region_groups[:, g].astype(np.int64)
        if national_single_age is not None:
            cols = national_single_age[:, ages].reshape(-1).astype(np.int64)
        else:
            cols = largest_remainder(block.sum(axis=0), int(rows.sum()))
        assert cols.sum() == rows.sum(), (g, cols.sum(), rows.sum())
        out[:, :, ages] = controlled_round(block, rows, cols).reshape(5, 2, ages.size)
    return out


def derive_year(prev: np.ndarray, survival: np.ndarray, region_groups: np.ndarray,
                national: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray:
    """Integer [region, sex, age] on 1 January: the previous year's table aged on with the national
    `survival` [sex, age], raked to the region x 7-age-group totals `region_groups` [region, group] and,
    if given, the national margin `national` = (age_group [age], persons [sex, group]); integers keep the
    region x group totals exactly and the national margin when it is by single age."""
    margins = [regional_margin(region_groups)]
    single = None
    if national is not None:
        age_group, persons = national
        margins.append(national_margin(age_group, persons))
        if age_group.max() == N_AGES - 1:
            single = persons
    fitted = ipf_population(age_on(prev, survival), margins)
    out = round_population(fitted, region_groups, single)
    assert (out >= 0).all()
    return out


def national_single(year: int) -> np.ndarray:
    """National persons [sex, age 0..110] (110 = 110+) on 1 January (FOLK1A, 2008-2022)."""
    nat = np.zeros((2, N_AGES), dtype=np.int64)
    for r in read_csv(RAW / "pop_national_sex_age_folk1a_2008_2022.csv"):
        if int(r["year"]) == year:
            nat[SEX_INDEX[r["sex"]], min(int(r["age"]), N_AGES - 1)] += int(r["population"])
    assert nat.sum() > 0, year
    return nat


def national_age5(year: int) -> np.ndarray:
    """National persons [sex, 5-year group 0-4 .. 85+] on 1 January (1990-2025)."""
    nat = np.zeros((2, 18), dtype=np.int64)
    n = 0
    for r in read_csv(RAW / "pop_national_sex_age5_1990_2025.csv"):
        if int(r["year"]) == year:
            nat[SEX_INDEX[r["sex"]], age_lower_of(r["age_group"]) // 5] = int(r["population"])
            n += 1
    assert n == 36, (year, n)
    return nat


def region_groups_of_year(year: int) -> np.ndarray:
    """Persons [region, 7 age groups] on 1 January `year` (FOLK1A by municipality, summed to regions).
    Checked: each municipality's groups add up to its total; 2022-2024 the regions equal FOLK1AM."""
    out = np.zeros((5, 7), dtype=np.int64)
    n = 0
    for r in read_csv(RAW / "pop_municipality_agegroups_folk1a_2020_2026.csv"):
        if int(r["year"]) != year:
            continue
        groups = np.array([int(r[c]) for c in GROUP7_COLUMNS], dtype=np.int64)
        assert groups.sum() == int(r["population"]), r
        out[REGION_CODES.index(int(r["region_code"]))] += groups
        n += 1
    assert n == 99, (year, n)  # 98 kommuner and Christiansø
    folk1am = {region_code_of_name(r["region"]): int(r["population"])
               for r in read_csv(RAW / "pop_municipality_region_monthly_folk1am_2021_2024.csv")
               if int(r["year"]) == year and r["month"] == "1" and r["area_type"] == "region"}
    for code, total in folk1am.items():
        assert out[REGION_CODES.index(code)].sum() == total, (year, code)
    return out


def national_of_year(year: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The national margin of `year`: (age_group [age], persons [sex, group]) or None (2026)."""
    if year in SINGLE_AGE_NATIONAL_YEARS + (2020,):
        return np.arange(N_AGES), national_single(year)
    if year in AGE5_NATIONAL_YEARS:
        return AGE5_GROUP, national_age5(year)
    return None


def derivation_error(derived: np.ndarray, observed: np.ndarray) -> dict[str, float]:
    """Cell-by-cell error of a derived [region, sex, age] table against the observed one, over the
    published cells (ages 0-100 except 38): mean absolute error per cell (persons), the same as a share
    of the persons, the largest absolute error (persons) and that cell's error as a share of it."""
    ages = [a for a in range(101) if a != 38]
    d, o = derived[:, :, ages].astype(float), observed[:, :, ages].astype(float)
    err = np.abs(d - o)
    worst = np.unravel_index(int(np.argmax(err)), err.shape)
    return {"mae": float(err.mean()), "mae_share": float(err.sum() / o.sum()), "max": float(err[worst]),
            "max_share": float(err[worst] / o[worst]), "cells": int(err.size)}


def measure_derivation(full_by_year: dict[int, np.ndarray]) -> dict[str, dict[str, float]]:
    """The derivation's error where both exist: 2020 derived from the 2019 table by each year's method
    (region x 7 age groups of 2020 always; national sex x single age as 2021-2022, sex x 5-year group as
    2023-2025, none as 2026), compared with the 2020 table."""
    prev, obs = full_by_year[2019], full_by_year[2020]
    survival = national_survival(2019, prev.sum(axis=0))
    region_groups = region_groups_of_year(2020)
    nat = national_single(2020)
    nat5 = np.stack([np.bincount(AGE5_GROUP, weights=nat[s], minlength=18) for s in range(2)]).astype(np.int64)
    methods = {"single": (np.arange(N_AGES), nat), "age5": (AGE5_GROUP, nat5), "none": None}
    return {name: derivation_error(derive_year(prev, survival, region_groups, national), obs)
            for name, national in methods.items()}


def describe_error(e: dict[str, float]) -> str:
    return (f"mean absolute error {e['mae']:.1f} persons per cell ({100 * e['mae_share']:.2f} % of persons), "
            f"largest {e['max']:.0f} persons ({100 * e['max_share']:.1f} % of that cell)")


def build_population_derived(full_by_year: dict[int, np.ndarray]) -> list[list]:
    """1 January 2021-2026 by region, sex and single age, derived (status `derived`): each year is the
    previous year's table aged on by one year (national survival), raked by IPF to the published region
    x 7 age groups (FOLK1A by municipality) and national sex x age (single ages 2021-2022, 5-year groups
    2023-2025, none 2026), and rounded keeping the region x group totals (and single ages) exactly."""
    errors = measure_derivation(full_by_year)
    print("derivation error 2020 from 2019:", {k: describe_error(v) for k, v in errors.items()})
    rows = []
    for year in DERIVED_YEARS:
        prev = full_by_year[year - 1]
        region_groups = region_groups_of_year(year)
        if year == 2021:  # the two region totals quoted by Urbistat (citing DST) agree with FOLK1A by municipality
            for r in read_csv(RAW / "region_population_births_2021_urbistat.csv"):
                if r["quantity"] == "population_jan1":
                    assert region_groups[REGION_CODES.index(int(r["region_code"]))].sum() == int(r["value"]), r
        national = national_of_year(year)
        full = derive_year(prev, national_survival(min(year - 1, 2024), prev.sum(axis=0)), region_groups, national)
        assert (np.stack([np.bincount(GROUP7, weights=full[r].sum(axis=0)) for r in range(5)]) == region_groups).all()
        if national is not None:
            age_group, persons = national
            grouped = np.stack([np.bincount(age_group, weights=full[:, s, :].sum(axis=0)) for s in range(2)])
            gap = np.abs(grouped - persons).max()
            assert gap == 0 if year in SINGLE_AGE_NATIONAL_YEARS else gap <= 5, (year, gap)
            if gap:
                print(f"population {year}: national sex x 5-year groups kept within {int(gap)} persons (rounding)")
        full_by_year[year] = full
        print(f"population {year} (derived): national {full.sum():,}; region totals {full.sum(axis=(1, 2)).tolist()}")
        nat_note = {2021: "national sex x single age", 2022: "national sex x single age"}.get(
            year, "national sex x 5-year group" if year in AGE5_NATIONAL_YEARS else "no national sex x age margin")
        survival_note = (f"national {year - 1} survival" if year - 1 <= 2024 else
                         "national 2024 survival (latest deaths by age)")
        note = (f"{year - 1} table aged on one year with the {survival_note}, raked (IPF) to the region x 7 age "
                f"groups and the {nat_note}; integers keep the region x group totals (method and error: SOURCES.md)")
        sources = [SRC_FOLK1A_MUNI_GROUPS, SRC_FOD207]
        if year in SINGLE_AGE_NATIONAL_YEARS:
            sources.insert(1, SRC_FOLK1A_NATIONAL)
        elif year in AGE5_NATIONAL_YEARS:
            sources.insert(1, SRC_FOLK1A_NATIONAL_AGE5)
        source = "; ".join(sources)
        for ri, code in enumerate(REGION_CODES):
            for s, sex in enumerate(SEXES):
                for a in range(N_AGES):
                    rows.append([year, code, REGION_NAMES[ri], sex, a, int(full[ri, s, a]), "derived", source, note])
    return rows


# ---------------------------------------------------------------------------------------------
# Municipalities (FOLK1AM, 1 January)
# ---------------------------------------------------------------------------------------------
MUNI_GROUP_YEARS = (2025, 2026)  # municipal totals from FOLK1A by municipality and age group (after FOLK1AM's years)


def municipality_rows_from_groups(folk1am: list[dict], folk1am_rows: list[list]) -> list[list]:
    """Rows of municipality_population.csv for MUNI_GROUP_YEARS from the municipal totals of
    pop_municipality_agegroups_folk1a_2020_2026.csv (by municipality code). Each code is joined to its
    FOLK1AM name by the identical 1 January populations of 2022, 2023 and 2024 (the join must be one to
    one for all 99 areas); rows in the FOLK1AM order of the areas."""
    by_code: dict[int, dict[int, int]] = {}
    region_of_code: dict[int, int] = {}
    for r in read_csv(RAW / "pop_municipality_agegroups_folk1a_2020_2026.csv"):
        by_code.setdefault(int(r["municipality_code"]), {})[int(r["year"])] = int(r["population"])
        region_of_code[int(r["municipality_code"])] = int(r["region_code"])
    jan = {(int(r["year"]), r["area"]): int(r["population"]) for r in folk1am
           if r["month"] == "1" and r["area_type"] == "municipality"}
    names = [row[4] for row in folk1am_rows if row[0] == MUNI_YEARS[0]]
    code_of_key: dict[tuple, list[int]] = {}
    for code, years in by_code.items():
        code_of_key.setdefault(tuple(years[y] for y in MUNI_YEARS), []).append(code)
    code_of_name = {}
    for name in names:
        codes = code_of_key.get(tuple(jan[(y, name)] for y in MUNI_YEARS), [])
        assert len(codes) == 1, (name, codes)
        code_of_name[name] = codes[0]
    assert len(set(code_of_name.values())) == len(names) == 99
    region_of_name = {row[4]: row[2] for row in folk1am_rows if row[0] == MUNI_YEARS[0]}
    assert all(region_of_code[code_of_name[n]] == region_of_name[n] for n in names)
    rows = []
    for year in MUNI_GROUP_YEARS:
        for name in names:
            code = code_of_name[name]
            region = region_of_code[code]
            note = (f"municipality code {code}; name joined to the code by identical FOLK1AM populations 2022-2024"
                    + ("; Christiansø (Ertholmene) is not a kommune; DST lists it under Region Hovedstaden"
                       if name == "Christiansø" else ""))
            rows.append([year, f"{year}-01-01", region, REGION_NAMES[REGION_CODES.index(region)], name,
                         by_code[code][year], "published", SRC_FOLK1A_MUNI_GROUPS, note])
        print(f"municipalities {year}: 99 areas, national {sum(r[5] for r in rows if r[0] == year):,}")
    return rows


def build_municipalities() -> None:
    raw = read_csv(RAW / "pop_municipality_region_monthly_folk1am_2021_2024.csv")
    rows = []
    for year in MUNI_YEARS:
        jan = [r for r in raw if int(r["year"]) == year and r["month"] == "1"]
        munis = [r for r in jan if r["area_type"] == "municipality"]
        regions = {r["region"]: int(r["population"]) for r in jan if r["area_type"] == "region"}
        country = [int(r["population"]) for r in jan if r["area_type"] == "country"]
        assert len(munis) == 99 and len(regions) == 5 and len(country) == 1, year
        kommuner_per_region = {}
        for r in munis:
            kommuner_per_region[r["region"]] = kommuner_per_region.get(r["region"], 0) + 1
        for name, total in regions.items():
            assert sum(int(r["population"]) for r in munis if r["region"] == name) == total, (year, name)
        assert sum(regions.values()) == country[0]
        assert sorted(kommuner_per_region.values()) == [11, 17, 19, 22, 30], kommuner_per_region
        order = sorted(range(len(munis)), key=lambda i: (region_code_of_name(munis[i]["region"]), i))
        for i in order:
            r = munis[i]
            note = ("Christiansø (Ertholmene) is not a kommune; DST lists it under Region Hovedstaden"
                    if r["area"] == "Christiansø" else "")
            rows.append([year, r["date"], region_code_of_name(r["region"]), REF_NAME_FIX.get(r["region"], r["region"]),
                         r["area"], int(r["population"]), "published", SRC_FOLK1AM, note])
        print(f"municipalities {year}: {len(munis)} areas, national {country[0]:,}")
    rows += municipality_rows_from_groups(raw, rows)
    write_csv("municipality_population.csv",
              ["year", "date", "region_code", "region", "municipality", "population", "status", "source", "note"], rows)


# ---------------------------------------------------------------------------------------------
# Mortality
# ---------------------------------------------------------------------------------------------
def age_lower_of(group: str) -> int:
    return int(group.split("-")[0].rstrip("+"))


SRC_FOD207 = (
    "DST StatBank FOD207 (deaths by age and sex, https://www.statbank.dk/FOD207) via github repo arnoldri/gamrel "
    "data/dencounts.rda, commit 38d0c75701d44ba6c7679a1b62a2e242fd77226b"
)
MORTALITY_EXTENSION_YEARS = (2023, 2024)


def fod207_deaths_age5(year: int) -> np.ndarray:
    """Deaths [sex, group 0-4 .. 90-94, 95+] in `year` from FOD207 single ages (99 = 99 and older)."""
    out = np.zeros((2, 20), dtype=np.int64)
    n = 0
    for r in read_csv(RAW / "deaths_national_sex_age_fod207_2006_2024.csv"):
        if int(r["year"]) == year:
            g = min(int(r["age"]) // 5, 19)
            out[:, g] += (int(r["deaths_male"]), int(r["deaths_female"]))
            n += 1
    assert n == 100, (year, n)
    return out


def national_age5_of(pop: np.ndarray) -> np.ndarray:
    """[region, sex, age] -> national [sex, group 0-4 .. 90-94, 95+]."""
    nat = pop.sum(axis=0)
    return np.stack([np.bincount(np.minimum(np.arange(N_AGES) // 5, 19), weights=nat[s], minlength=20)
                     for s in range(2)])


def mortality_extension_rows(population: dict[int, np.ndarray], dodc1: dict[tuple, tuple]) -> list[list]:
    """2023-2024 rows of mortality_sex_age5.csv: FOD207 deaths over person-years approximated by the mean
    of the 1 January populations of the year and the next (the packaged population table, national sums).
    Checked where DODC1 exists: FOD207 deaths agree with DODC1 within 5 per group (2008-2022; equal
    totals 2010-2018) and the mean of two 1 January counts is within 1.2 % of DODC1's mean of four
    quarter starts in every group of 2018-2021 (observed population years)."""
    groups = [f"{5 * g}-{5 * g + 4}" if g < 19 else "95+" for g in range(20)]
    for year in range(2008, 2023):
        fod = fod207_deaths_age5(year)
        for s, sex in enumerate(SEXES):
            for g, label in enumerate(groups):
                assert abs(fod[s, g] - dodc1[(year, sex, label)][0]) <= 5, (year, sex, label)
    for year in range(2018, 2022):
        approx = (national_age5_of(population[year]) + national_age5_of(population[year + 1])) / 2
        for s, sex in enumerate(SEXES):
            for g, label in enumerate(groups):
                assert abs(approx[s, g] / dodc1[(year, sex, label)][1] - 1) < 0.012, (year, sex, label)
    note = ("deaths: FOD207 (final deaths by single age, summed to the group); person_years: mean of the 1 January "
            "populations of the year and the next (national sums of population_region_sex_age.csv, derived for "
            "2023-2025); death_rate = deaths / person_years (approximate m_x)")
    rows = []
    for year in MORTALITY_EXTENSION_YEARS:
        deaths = fod207_deaths_age5(year)
        py = (national_age5_of(population[year]) + national_age5_of(population[year + 1])) / 2
        for s, sex in enumerate(SEXES):
            for g, label in enumerate(groups):
                rows.append([year, sex, label, 5 * g, int(deaths[s, g]), fmt_float(py[s, g]),
                             fmt_float(deaths[s, g] / py[s, g]), "derived",
                             f"{SRC_FOD207}; population_region_sex_age.csv (person-years)", note])
    return rows


def build_mortality_age5(population: dict[int, np.ndarray]) -> None:
    annual = read_csv(RAW / "mortality_annual_sex_age5_derived_2008_2022.csv")
    quarterly = read_csv(RAW / "deaths_quarterly_sex_age5_dodc1_2008_2022.csv")
    # re-derive the annual file from the quarterly one as a check
    acc: dict[tuple, list] = {}
    for r in quarterly:
        key = (r["year"], r["sex"], r["age_group"])
        d = acc.setdefault(key, [0, 0, 0])
        d[0] += int(r["deaths"])
        d[1] += int(r["population_start_of_quarter"])
        d[2] += 1
        if r["quarter"] == "1":
            d.append(int(r["population_start_of_quarter"]))
    for r in annual:
        d = acc[(r["year"], r["sex"], r["age_group"])]
        assert d[2] == 4 and d[0] == int(r["deaths"]), r
        assert abs(d[1] / 4 - float(r["population_mean_of_4_quarter_starts"])) < 1e-9, r
        assert d[3] == int(r["population_jan1"]), r
    note = ("deaths = sum of the 4 quarters (DODC1, DST experimental statistics); person_years = mean of the 4 "
            "quarter-start FOLK1A populations (approximation); death_rate = deaths / person_years (approximate m_x)")
    annual.sort(key=lambda r: (int(r["year"]), SEX_INDEX[r["sex"]], age_lower_of(r["age_group"])))
    rows = []
    for r in annual:
        deaths, py = int(r["deaths"]), float(r["population_mean_of_4_quarter_starts"])
        rows.append([int(r["year"]), r["sex"], r["age_group"], age_lower_of(r["age_group"]), deaths,
                     r["population_mean_of_4_quarter_starts"], fmt_float(deaths / py), "derived", SRC_DODC1, note])
    totals = {y: sum(r[4] for r in rows if r[0] == y) for y in (2010, 2011, 2012, 2019, 2022)}
    assert totals == {2010: 54368, 2011: 52516, 2012: 52325, 2019: 53959, 2022: 59397}, totals
    dodc1 = {(r[0], r[1], r[2]): (r[4], float(r[5])) for r in rows}
    rows += mortality_extension_rows(population, dodc1)
    totals = {y: sum(r[4] for r in rows if r[0] == y) for y in MORTALITY_EXTENSION_YEARS}
    assert totals == {2023: 58384, 2024: 57071}, totals
    write_csv("mortality_sex_age5.csv",
              ["year", "sex", "age_group", "age_lower", "deaths", "person_years", "death_rate", "status", "source",
               "note"], rows)


def build_mortality_epi() -> None:
    raw = [r for r in read_csv(RAW / "mortality_national_sex_age_epi_mdk_1974_2012.csv") if 2003 <= int(r["year"]) <= 2012]
    raw.sort(key=lambda r: (int(r["year"]), SEX_INDEX[r["sex"]], int(r["age"])))
    assert len(raw) == 10 * 2 * 100
    rows = [[int(r["year"]), r["sex"], int(r["age"]), int(r["deaths"]), r["person_years"], "published", SRC_EPI_MDK,
             "age 99 = 99 and older" if r["age"] == "99" else ""] for r in raw]
    write_csv("mortality_sex_age_epi.csv", ["year", "sex", "age", "deaths", "person_years", "status", "source", "note"],
              rows)


# ---------------------------------------------------------------------------------------------
# Fertility and births
# ---------------------------------------------------------------------------------------------
def build_fertility() -> None:
    raw = [r for r in read_csv(RAW / "wpp2024_dk_asfr5_annual_derived_1950_2100.csv") if 2008 <= int(r["year"]) <= 2060]
    raw.sort(key=lambda r: (int(r["year"]), age_lower_of(r["age"])))
    rows = []
    for r in raw:
        tfr, pasfr, asfr = float(r["tfr"]), float(r["pasfr_percent"]), float(r["asfr_derived"])
        assert abs(tfr * pasfr / 100 / 5 - asfr) <= 1e-8 + 1e-6 * asfr, r
        note = (f"asfr = tfr x pasfr/100/5 with the UN share of the TFR in this age group pasfr = {r['pasfr_percent']} %"
                f"; {'UN estimate' if r['variant'] == 'estimate' else 'UN median projection'}")
        rows.append([int(r["year"]), r["age"], age_lower_of(r["age"]), r["asfr_derived"], r["tfr"], r["variant"],
                     "derived", SRC_WPP_ASFR, note])
    years = sorted({r[0] for r in rows})
    assert years == list(range(2008, 2061))
    for y in years:
        asfr = [float(r[3]) for r in rows if r[0] == y]
        assert len(asfr) == 9 and abs(5 * sum(asfr) - float([r[4] for r in rows if r[0] == y][0])) < 1e-5, y
    write_csv("fertility_asfr.csv",
              ["year", "age_group", "age_lower", "asfr", "tfr", "variant", "status", "source", "note"], rows)


def build_births() -> None:
    raw = read_csv(RAW / "births_monthly_sex_epi_bdk_1901_2018.csv")
    rows = []
    for year in range(2002, 2019):
        months = [r for r in raw if int(r["year"]) == year]
        assert sorted(int(r["month"]) for r in months) == list(range(1, 13))
        rows.append([year, sum(int(r["births_male"]) for r in months), sum(int(r["births_female"]) for r in months),
                     "derived", SRC_EPI_BDK, "annual sum of the 12 monthly counts; sex split observed from 2002"])
    write_csv("births_by_sex.csv", ["year", "births_male", "births_female", "status", "source", "note"], rows)
    boys = sum(r[1] for r in rows)
    print(f"births 2002-2018: share of boys {boys / sum(r[1] + r[2] for r in rows):.5f}")


# ---------------------------------------------------------------------------------------------
# Regional fertility factors
# ---------------------------------------------------------------------------------------------
FERTILITY_FACTOR_YEAR = 2021
SRC_BIRTHS_NATIONAL_2021 = ("https://regionsyddanmark.dk/om-region-syddanmark/presse-og-nyheder/magasinet-sund-i-syd/"
                            "tema-om-graviditet-og-fodsler/fakta-om-fodsler (Region Syddanmark citing DST)")


def build_fertility_region(population_2021: np.ndarray) -> None:
    """Fertility factor per region: the region's published 2021 live births over the births the national
    2021 rates give its women (model's birth probabilities on the 1 January 2021 table), divided by the
    same ratio for the whole country, so the national level stays the fertility table's. Nordjylland,
    Midtjylland and Syddanmark share one factor (only their combined births are known: national minus
    Hovedstaden and Sjælland)."""
    from naerhed.demography.fertility import birth_probabilities, split_age_groups

    year = FERTILITY_FACTOR_YEAR
    wpp = sorted((r for r in read_csv(RAW / "wpp2024_dk_asfr5_annual_derived_1950_2100.csv") if int(r["year"]) == year),
                 key=lambda r: age_lower_of(r["age"]))
    rates = split_age_groups(np.array([age_lower_of(r["age"]) for r in wpp]), np.array([float(r["asfr_derived"]) for r in wpp]))
    expected = population_2021[:, SEX_INDEX["female"], :] @ birth_probabilities(rates)  # births [region]
    published = {int(r["region_code"]): int(r["value"]) for r in read_csv(RAW / "region_population_births_2021_urbistat.csv")
                 if r["quantity"] == "live_births" and int(r["year"]) == year}
    quoted = read_csv(RAW / "reference" / "hospital_and_fertility_figures_quoted.csv")
    national = sum(int(r["value_numeric_derived"]) for r in quoted
                   if r["year"] == str(year) and r["indicator"] == "levendefødte" and r["geography"].startswith("Hele landet ("))
    assert national == 63_473, national
    group = np.array([2, 2, 2, 0, 1])
    births = np.array([published[1084], published[1085], national - published[1084] - published[1085]], dtype=float)
    expected_group = np.bincount(group, weights=expected)
    level = national / expected.sum()
    factor_group = births / expected_group / level
    factor = factor_group[group]
    assert abs((factor * expected).sum() - expected.sum()) < 1e-6 * expected.sum()  # national level unchanged
    print(f"fertility factors {year}: {np.round(factor, 4).tolist()}; published/expected national {level:.4f}")
    source_two = "data-raw/region_population_births_2021_urbistat.csv (Urbistat AdminStat citing Statistics Denmark)"
    rows = []
    for ri, code in enumerate(REGION_CODES):
        own = code in published
        note = (f"{year} live births {published[code] if own else int(births[2])} "
                f"({'this region' if own else 'Nordjylland, Midtjylland and Syddanmark together: national minus Hovedstaden and Sjælland'})"
                f" over {expected_group[group[ri]]:.0f} expected from the national {year} rates (UN WPP 2024) and the "
                f"1 January {year} women by age; divided by the national ratio {level:.4f} so the national level stays the "
                "fertility table's; held constant in later years (assumption)")
        rows.append([code, REGION_NAMES[ri], year, fmt_float(float(factor[ri])), published.get(code, ""),
                     f"{expected[ri]:.1f}", "derived",
                     f"{source_two if own else SRC_BIRTHS_NATIONAL_2021 + '; ' + source_two}; {SRC_WPP_ASFR}", note])
    write_csv("fertility_region.csv", ["region_code", "region", "year", "factor", "births_published",
                                       "births_expected_national_rates", "status", "source", "note"], rows)


# ---------------------------------------------------------------------------------------------
# Migration
# ---------------------------------------------------------------------------------------------
def build_net_migration() -> None:
    raw = [r for r in read_csv(RAW / "wpp2024_dk_net_migration_annual_1950_2100.csv") if 2008 <= int(r["year"]) <= 2060]
    raw.sort(key=lambda r: int(r["year"]))
    rows = []
    for r in raw:
        kind = "UN estimate" if r["variant"] == "estimate" else "UN median projection"
        rows.append([int(r["year"]), thousands_to_persons(r["net_migration_thousands"]), r["variant"], "published",
                     SRC_WPP_MIG, f"{kind}; published in thousands ({r['net_migration_thousands']}), x 1000"])
    assert [r[0] for r in rows] == list(range(2008, 2061))
    assert [r[1] for r in rows if r[0] == 2022] == [60219]
    write_csv("net_migration_total.csv",
              ["year", "net_migration_persons", "variant", "status", "source", "note"], rows)

    raw = read_csv(RAW / "wpp2024_dk_net_migration_proj_sex_age_2023_2060.csv")
    raw.sort(key=lambda r: (int(r["year"]), int(r["age"])))
    rows = []
    for sex in SEXES:
        col = f"net_migration_{sex}_thousands"
        for r in raw:
            rows.append([int(r["year"]), sex, int(r["age"]), thousands_to_persons(r[col]), "published", SRC_WPP_MIG_AGE,
                         "UN projection (median), published in thousands, x 1000"
                         + ("; age 100 = 100 and older" if r["age"] == "100" else "")])
    rows.sort(key=lambda r: (r[0], SEX_INDEX[r[1]], r[2]))
    assert len(rows) == 38 * 2 * 101
    write_csv("net_migration_sex_age.csv",
              ["year", "sex", "age", "net_migration_persons", "status", "source", "note"], rows)


# ---------------------------------------------------------------------------------------------
# DST projection FRDK118 (2018 vintage)
# ---------------------------------------------------------------------------------------------
def build_projection() -> None:
    raw = read_csv(RAW / "projection_frdk118_national_sex_ancestry_age_2018_2060.csv")
    summed_ref = {(r["year"], r["sex"], r["age"]): int(r["population"])
                  for r in read_csv(RAW / "projection_frdk118_national_sex_age_2018_2060_summed.csv")}
    acc: dict[tuple, int] = {}
    for r in raw:
        key = (int(r["year"]), r["sex"], int(r["age"]))
        acc[key] = acc.get(key, 0) + int(r["population"])
    assert len(acc) == len(summed_ref) == 43 * 2 * 111
    for (y, s, a), v in acc.items():
        assert summed_ref[(str(y), s, str(a))] == v
    rows = [[y, s, a, v, "derived", SRC_FRDK118, "sum of the 5 ancestry groups (herkomst); age 110 = 110 and older"
             if a == 110 else "sum of the 5 ancestry groups (herkomst)"]
            for (y, s, a), v in sorted(acc.items(), key=lambda kv: (kv[0][0], SEX_INDEX[kv[0][1]], kv[0][2]))]
    assert sum(r[3] for r in rows if r[0] == 2018) == 5781190
    write_csv("projection_frdk118.csv", ["year", "sex", "age", "population", "status", "source", "note"], rows)


# ---------------------------------------------------------------------------------------------
# Validation targets and regions
# ---------------------------------------------------------------------------------------------
def build_validation_targets() -> None:
    le = read_csv(RAW / "reference" / "life_expectancy.csv")
    proj = read_csv(RAW / "reference" / "population_projection.csv")
    reg = read_csv(REGION_TOTALS_FILE)

    def le_row(sex_code):
        (r,) = [r for r in le if r["period"] == "2017/2018" and r["area"] == "Danmark" and r["sex"] == sex_code]
        return r

    def proj_row(year, quantity):
        (r,) = [r for r in proj if r["projection"].startswith("DST 2020") and r["year"] == str(year)
                and r["quantity"] == quantity]
        return r

    rows = []
    for sex, code in (("male", "M"), ("female", "F")):
        r = le_row(code)
        rows.append([f"life_expectancy_{sex}_2017_2018", "life_expectancy_at_birth", sex, "", 2018,
                     r["life_expectancy_at_birth"], "years", "0.3", "absolute", "published", r["source"],
                     "DST period life table 2017-2018 (two calendar years); year = last year of the period"])
    r = proj_row(2020, "persons aged 80+")
    rows.append(["persons_80plus_2020_dst2020", "persons_80plus", "", "", 2020, r["value"], "persons", "0.01",
                 "relative", "published", r["source"],
                 "1 January 2020 (base year of DST projection FRDK120); equals FOLK1A 2020K1 ages 80-125 exactly"])
    r = proj_row(2030, "persons aged 80+")
    rows.append(["persons_80plus_2030_dst2020", "persons_80plus", "", "", 2030, r["value"], "persons", "0.03",
                 "relative", "published", r["source"], "DST projection 2020 (FRDK120) for 1 January 2030"])
    r = proj_row(2030, "total population")
    rows.append(["population_total_2030_dst2020", "population_total", "", "", 2030, r["value"], "persons", "0.03",
                 "relative", "published", r["source"],
                 "DST projection 2020 (FRDK120) for 1 January 2030; the published figure is rounded (6.04 million)"])
    for year in (2019, 2024):
        for r in reg:
            if r["date"] != f"{year}-01-01":
                continue
            if r["region"] == "Danmark":
                rows.append([f"population_total_{year}", "population_total", "", "", year, r["population"],
                             "persons", "0", "absolute", "published", r["source"],
                             f"1 January {year} (FOLK1A); reference note: {r['note']}"])
            else:
                code = region_code_of_name(r["region"])
                rows.append([f"population_region_{code}_{year}", "population_region", "", code, year, r["population"],
                             "persons", "0", "absolute", "published", r["source"],
                             f"Region {REF_NAME_FIX.get(r['region'], r['region'])}, 1 January {year} (FOLK1A); "
                             f"reference note: {r['note']}"])
    rows.sort(key=lambda r: (r[1], r[4], str(r[3]), r[0]))
    write_csv("validation_targets.csv",
              ["id", "quantity", "sex", "region_code", "year", "value", "unit", "tolerance", "tolerance_unit", "status",
               "source", "note"], rows)


def build_regions() -> None:
    """The region registry: the five regions (2007-2026 for the two that merge) and Region Østdanmark
    from 2027 (Hovedstaden + Sjælland, the health reform)."""
    name_en = ("North Denmark Region", "Central Denmark Region", "Region of Southern Denmark",
               "Capital Region of Denmark", "Region Zealand")
    last = {1084: 2026, 1085: 2026}
    rows = [[code, REGION_NAMES[i], f"Region {REGION_NAMES[i]}", name_en[i], "", last.get(code, ""), "", "published",
             SRC_REGIONS + (f"; merged into Region Østdanmark from 2027: {SRC_REFORM}" if code in last else ""), ""]
            for i, code in enumerate(REGION_CODES)]
    rows.append([1086, "Østdanmark", "Region Østdanmark", "Region of Eastern Denmark", 2027, "", "1084 1085",
                 "assumption", SRC_REFORM,
                 "the region, its first year and its predecessors are published (46 municipalities: Hovedstaden's "
                 "29 and Sjælland's 17); the code 1086 is the model's own: no DST code for the new region was found"])
    write_csv("regions.csv", ["region_code", "region", "name_da", "name_en", "first_year", "last_year", "predecessors",
                              "status", "source", "note"], rows)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    build_regions()
    population = build_population()
    build_fertility_region(population[FERTILITY_FACTOR_YEAR])
    build_municipalities()
    build_mortality_age5(population)
    build_mortality_epi()
    build_fertility()
    build_births()
    build_net_migration()
    build_projection()
    build_validation_targets()
    print("all checks passed")


if __name__ == "__main__":
    main()
