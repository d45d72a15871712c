"""From criterion values to money: which criteria each region meets each year, the share of its
part of the pool it keeps, and the payout and repayment in DKK, per draw.

The pool is paid *a conto* during the year and settled afterwards (*efterregulering*): a region
repays what it does not keep. The formal rule is always computed (share_kept, payout_formal_dkk,
repayment_formal_dkk). The settlement mode decides payout_dkk and repayment_dkk:

- 'formal': every year is settled by the formal rule (payout = share kept x the region's part of
  the pool, repayment = the rest);
- 'as_applied': a year whose rule set says no settlement took place (settlement_applied false, e.g.
  2019-2023) is not settled: the region keeps its a-conto payment (payout = its whole part of the
  pool, repayment 0); a settled year follows the formal rule.

In both modes payout + repayment = the region's part of the pool, in every draw, year and rule set.
`settled` (period) says which years were settled; its attribute `settlement` names the mode.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from .criteria import REGISTRY, names as criterion_names
from ..errors import NaerhedError
from ..regions import BASE_REGIONS, RegionMap
from .rules import CriterionRule, RuleSet, legal_note, met_and_fulfilment, rule_set_for_year, share_kept


#: How payout and repayment are settled: every year by the formal rule, or as settlement actually took place.
SETTLEMENT_MODES = ("formal", "as_applied")


def settlement_text(payout: xr.Dataset, year: int) -> str:
    """How the assessed `year` was settled, in words, from assess()'s result (dimension period, or
    assessed_year after a run), e.g. 'settlement as applied: no settlement for 2021, the regions keep
    their a-conto payments (share kept: the formal rule)'. Under the formal rule it says whether
    settlement took place (published), is assumed not to have (an assumption), or nothing in a year
    without the scheme (its legal status is said by legal_lines)."""
    dim = payout["settled"].dims[0]
    at = {dim: year}
    mode = payout["settled"].attrs.get("settlement", "formal")
    took_place = bool(payout["settlement_applied"].sel(at))
    scheme_exists = str(payout["legal_status"].sel(at).values) in ("in_force", "hypothesis")
    known = "settlement_known" not in payout or bool(payout["settlement_known"].sel(at))
    if mode == "formal":
        # a year without the scheme had no settlement to take place: its legal note says so (legal_lines)
        if took_place or not scheme_exists:
            return "settlement: formal rule"
        if not known:
            return f"settlement: formal rule (assumed: no settlement for {year}; not known)"
        return f"settlement: formal rule (no settlement actually took place for {year})"
    if bool(payout["settled"].sel(at)):
        return f"settlement as applied: {year} settled by the formal rule"
    return (f"settlement as applied: no settlement for {year}, the regions keep their a-conto payments "
            "(share kept: the formal rule)")


def legal_lines(payout: xr.Dataset, years=None) -> list[str]:
    """The legal status of the assessed years whose rules are not in force, in words from the rule
    sets (`legal_note`), consecutive years with the same note joined, e.g. ['2025-2026: no published
    rules were found; figures show what the 2022+ rules would give', '2027-2030: the scheme no
    longer exists; figures show what the 2022+ rules would give']. `years`: only these (default: all
    assessed years of `payout`, dimension period or assessed_year)."""
    if "legal_note" not in payout:  # a Dataset written before legal notes existed
        return []
    dim = payout["legal_note"].dims[0]
    notes = dict(zip(payout[dim].values.tolist(), (str(v) for v in payout["legal_note"].values)))
    chosen = [int(y) for y in (notes if years is None else years) if int(y) in notes]
    groups: list[list[int]] = []
    for year in sorted(chosen):
        if groups and groups[-1][-1] == year - 1 and notes[groups[-1][-1]] == notes[year]:
            groups[-1].append(year)
        else:
            groups.append([year])
    return [f"{g[0] if len(g) == 1 else f'{g[0]}-{g[-1]}'}: {notes[g[0]]}" for g in groups if notes[g[0]]]


def legal_title(payout: xr.Dataset, years=None) -> str:
    """legal_lines for a figure title, each on a line of its own after a line break; '' if every
    year's rules are in force."""
    return "".join("\n" + line for line in legal_lines(payout, years))


def settlement_title(settled: xr.DataArray) -> str:
    """The settlement mode of a run for a figure title: 'formal rule', or 'settlement as applied:
    no settlement in 2019-2023' (the years of `settled` that were not settled)."""
    if settled.attrs.get("settlement", "formal") == "formal":
        return "formal rule"
    years = [int(y) for y, done in zip(settled[settled.dims[0]].values, settled.values) if not done]
    if not years:
        return "settlement as applied: every year settled"
    span = str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"
    if len(years) > 1 and years != list(range(years[0], years[-1] + 1)):
        span = ", ".join(str(y) for y in years)
    return f"settlement as applied: no settlement in {span} (repayment 0)"


def target_value(reference: np.ndarray, rule: CriterionRule, direction: int, region_codes: list[int]) -> np.ndarray:
    """The criterion value that just meets the rule [..., region]: the reference improved by the
    minimum improvement (relative or in percentage points) in the good direction."""
    threshold = rule.thresholds(region_codes)
    if rule.threshold_type == "relative":
        return reference * (1.0 + direction * threshold)
    return reference + direction * threshold / 100.0


def region_keys(rule: RuleSet, population: np.ndarray, need: np.ndarray, region_codes: list[int],
                regions: RegionMap = BASE_REGIONS) -> np.ndarray:
    """Each region's share of the pool [draw, region] under the rule's split key, for the regions
    `region_codes` that exist in the year (a formed region's fixed share: the sum of its
    predecessors' in the rule set, naerhed.regions).

    population: persons on 1 January of the year [draw, region]; need: age-determined expenditure
    need [draw, region] (expected hospital activity of the population at base-year use by age and sex)."""
    key = rule.split.key
    n_draws = population.shape[0]
    if key == "block_grant":
        shares = np.array([regions.combined(rule.split.shares, code) for code in region_codes])
        return np.broadcast_to(shares, (n_draws, len(region_codes))).copy()
    population_share = population / population.sum(axis=1, keepdims=True)
    if key == "population":
        return population_share
    # need_formula: a fixed amount per region, the rest by expenditure need and by a socio-economic
    # index; no socio-economic index is in the model's data, so that part follows population (assumption)
    base = rule.split.base_dkk_per_region
    rest = rule.pool_dkk - base * len(region_codes)
    need_share = need / need.sum(axis=1, keepdims=True)
    amount = base + rest * (rule.split.need_share * need_share + rule.split.socioeconomic_share * population_share)
    return amount / rule.pool_dkk


def for_regions(criterion_rule: CriterionRule, region_codes: list[int], regions: RegionMap, rule_name: str) -> CriterionRule:
    """The criterion rule with a threshold for each region of `region_codes`: a formed region that the
    rule set's per-region thresholds do not name takes its predecessors' (which must agree)."""
    given = criterion_rule.min_improvement
    if not isinstance(given, dict) or all(code in given for code in region_codes):
        return criterion_rule
    values = {}
    for code in region_codes:
        found = {given[m] for m in regions.member_codes(code)} if code not in given else {given[code]}
        if len(found) != 1:
            raise NaerhedError(
                f"rule set {rule_name}: min_improvement is given per region and does not name region {code} "
                f"({regions.name(code)}), whose predecessors ({', '.join(map(str, regions.member_codes(code)))}) have "
                f"different values ({', '.join(f'{v:g}' for v in sorted(found))}); give it a value of its own or one "
                "number for all regions")
        values[code] = found.pop()
    return criterion_rule.model_copy(update={"min_improvement": values})


def assess(criteria: xr.DataArray, rule_sets: list[RuleSet], population: xr.DataArray, need: xr.DataArray,
           settlement: str = "formal", regions: RegionMap = BASE_REGIONS) -> xr.Dataset | None:
    """Payout of every draw, assessed year and region.

    criteria: (draw, period, region, criterion); population and need: (draw, period, region).
    The region axis may hold regions that do not exist in every assessed year (a reform, `regions`):
    a year is assessed for the regions that exist in it, whose money is NaN in other years; a
    formed region's criteria (of every year, the comparison year before the reform included) are those
    of its predecessors' summed totals.
    A year is assessed when its rule set's comparison year is in the results (e.g. the base year
    itself cannot be compared with the year before it). Returns a Dataset with met and fulfilment
    (draw, period, region, criterion; NaN for criteria that do not count), pivotal (would meeting the
    criterion have raised the payout), criteria_met, share_kept (the formal rule's), region_pool_dkk,
    payout_formal_dkk and repayment_formal_dkk (the formal rule), payout_dkk and repayment_dkk (as
    settled under `settlement`, 'formal' or 'as_applied'; DKK, draw, period, region) and settled
    (period), settlement_applied, settlement_known (published, not assumed), legal_status and legal_note
    (period, the rule set's). None if no year can be assessed (e.g. a projection of one year, whose comparison year
    lies before the base year)."""
    if settlement not in SETTLEMENT_MODES:
        raise ValueError(f"settlement must be one of {', '.join(SETTLEMENT_MODES)}; got {settlement!r}")
    periods = criteria["period"].values.tolist()
    region_axis = criteria["region"].values.tolist()
    n_draws = criteria.sizes["draw"]
    first_scheme_year = min(r.first_year for r in rule_sets)
    assessed, rows = [], []
    criteria_order = criterion_names()
    for year in periods:
        if year < first_scheme_year:
            continue  # before the scheme (nærhedsfinansiering starts with the 2019 rules)
        rule = rule_set_for_year(rule_sets, year)
        references = {name: rule.reference_year(name, year) for name in rule.counted_criteria}
        if any(ref is not None and ref not in periods for ref in references.values()):
            continue  # a comparison year lies outside the results
        present = [j for j, code in enumerate(region_axis) if regions.exists(code, year)]
        codes = [region_axis[j] for j in present]
        met = np.full((n_draws, len(codes), len(criteria_order)), np.nan)
        fulfilment, target = met.copy(), met.copy()
        for name, reference_year in references.items():
            c = criteria_order.index(name)
            value = criteria.sel(period=year, criterion=name).values[:, present]  # [draw, region]
            if reference_year is None:  # a scenario input: met (1) or not (0) in the draw
                met[:, :, c] = fulfilment[:, :, c] = value >= 0.5
            else:
                criterion_rule = for_regions(rule.criteria[name], codes, regions, rule.name)
                direction = REGISTRY[name].good_direction
                reference = criteria.sel(period=reference_year, criterion=name).values[:, present]
                met[:, :, c], fulfilment[:, :, c] = met_and_fulfilment(value, reference, criterion_rule, direction, codes)
                target[:, :, c] = target_value(reference, criterion_rule, direction, codes)
        counted = [criteria_order.index(name) for name in rule.counted_criteria]
        met_counted = met[:, :, counted] == 1
        kept = share_kept(met_counted, fulfilment[:, :, counted], rule)
        pivotal = np.zeros_like(met)
        for j, c in enumerate(counted):  # would meeting criterion c have raised the payout?
            met_if = met_counted.copy()
            met_if[:, :, j] = True  # a criterion met counts fully, whatever its fulfilment
            pivotal[:, :, c] = share_kept(met_if, fulfilment[:, :, counted], rule) > kept + 1e-12
        keys = region_keys(rule, population.sel(period=year).values[:, present], need.sel(period=year).values[:, present],
                           codes, regions)
        pool = rule.pool_dkk * keys
        formal_payout = kept * pool
        settled = settlement == "formal" or bool(rule.settlement_applied)
        payout = formal_payout if settled else pool.copy()  # not settled: the a-conto payment is kept
        assessed.append(year)

        def on_axis(values: np.ndarray) -> np.ndarray:
            """[draw, region of the year, ...] on the whole region axis (NaN where the region does not exist)."""
            if len(present) == len(region_axis):
                return values
            out = np.full((n_draws, len(region_axis)) + values.shape[2:], np.nan)
            out[:, present] = values
            return out

        rows.append((*map(on_axis, (met, fulfilment, np.nansum(met[:, :, counted], axis=2), kept, pool, payout,
                                    pool - payout)),
                     rule.name, on_axis(pivotal), on_axis(target), on_axis(formal_payout), on_axis(pool - formal_payout),
                     settled,
                     bool(rule.settlement_applied), rule.legal_status, legal_note(rule),
                     getattr(rule.provenance_of("settlement_applied"), "status", "assumption") == "published"))
    if not assessed:
        return None
    stack = lambda i: np.stack([r[i] for r in rows], axis=1)  # noqa: E731
    coords = {"draw": criteria["draw"].values, "period": assessed, "region": region_axis, "criterion": list(criteria_order)}
    money = {"units": "DKK"}
    return xr.Dataset(
        {
            "met": (("draw", "period", "region", "criterion"), stack(0),
                    {"units": "1 met, 0 not met, NaN not counted"}),
            "fulfilment": (("draw", "period", "region", "criterion"), stack(1), {"units": "share (0-1)"}),
            "criteria_met": (("draw", "period", "region"), stack(2), {"units": "criteria"}),
            "share_kept": (("draw", "period", "region"), stack(3), {"units": "share of the region's part of the pool"}),
            "region_pool_dkk": (("draw", "period", "region"), stack(4), money),
            "payout_dkk": (("draw", "period", "region"), stack(5), money),
            "repayment_dkk": (("draw", "period", "region"), stack(6), money),
            "rule_set": (("period",), [r[7] for r in rows]),
            "pivotal": (("draw", "period", "region", "criterion"), stack(8),
                        {"units": "1 if meeting this criterion would have raised the payout"}),
            "target_value": (("draw", "period", "region", "criterion"), stack(9),
                             {"units": "as the criterion", "description": "the value that just meets the criterion"}),
            "payout_formal_dkk": (("draw", "period", "region"), stack(10),
                                  {**money, "description": "share kept x the region's part of the pool (formal rule)"}),
            "repayment_formal_dkk": (("draw", "period", "region"), stack(11),
                                     {**money, "description": "the region's part of the pool minus the formal payout"}),
            "settled": (("period",), np.array([r[12] for r in rows]),
                        {"settlement": settlement,
                         "description": "whether the year is settled by the formal rule under the settlement mode; "
                                        "if not, the region keeps its a-conto payment"}),
            "settlement_applied": (("period",), np.array([r[13] for r in rows]),
                                   {"description": "whether settlement actually took place (the rule set's settlement_applied)"}),
            "legal_status": (("period",), [r[14] for r in rows],
                             {"description": "the rule set's legal status of the year: in_force (set by a published "
                                            "instrument), hypothesis (no instrument found), abolished (the scheme no "
                                            "longer exists) or successor (a hypothetical successor scheme)"}),
            "settlement_known": (("period",), np.array([r[16] for r in rows], dtype=bool),
                                 {"description": "whether settlement_applied is published (true) or an assumption"}),
            "legal_note": (("period",), [r[15] for r in rows],
                           {"description": "what results say of the year's legal status (empty: in force)"}),
        },
        coords=coords,
    )
