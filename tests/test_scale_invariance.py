"""The risk is a property of the modelled world, not of the sample (issue 12).

With central uncertainty, draws differ by the chance of events alone. Every draw simulates the same
sample of the population and the event totals are at the population's scale, so the across-draw sd of
each criterion per region is the same at sample fractions 0.01 and 0.1; P(criterion met) and the
expected repayment agree within their standard errors, which include the sampling error (the risk
figures over other samples of the population: naerhed.financing.risk.with_sample_error).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from naerhed.financing.criteria import REGISTRY
from naerhed.inputs import load_inputs
from naerhed.pipeline import run_dataset
from naerhed.run_spec import RunSpec

from .conftest import make_scenario

DRAWS = 100
#: The sd of each criterion is estimated from 2019 and 2020 pooled: 2 (DRAWS - 1) degrees of freedom
#: per sample fraction. The log of an sd estimate has sd 1 / sqrt(2 df), so the log of the ratio of
#: two has sd sqrt(1 / df): 0.071 here, and 25 % (log 1.25 = 0.223) is 3.1 of them.
DF = 2 * (DRAWS - 1)
RATIO_TOLERANCE = 1.25
Z = 3.0
#: The samples that measure the sampling error (the run's own and 8 replicates): a standard error that
#: includes it is estimated with SAMPLES - 1 degrees of freedom, so the gap between the two runs'
#: figures is compared with a Student t quantile, family-wise 1 % over the figures compared.
SAMPLES = 9


def run(fraction: float):
    scenario = make_scenario(uncertainty="central", draws=DRAWS, seed=7, end_year=2021,
                             population={"base_year": 2019, "sample_fraction": fraction, "sample_replicates": SAMPLES - 1})
    return run_dataset(RunSpec.from_scenario(scenario, load_inputs(scenario)))


@pytest.fixture(scope="module")
def runs():
    return run(0.01), run(0.1)


def test_the_tolerance_is_wide_enough_for_the_draws():
    assert np.log(RATIO_TOLERANCE) >= Z * np.sqrt(1 / DF)


def test_across_draw_sd_of_each_criterion_does_not_depend_on_the_sample_fraction(runs):
    small, large = runs
    measured = [c.name for c in REGISTRY.values() if c.measured]

    def pooled_sd(ds):
        c = ds["criteria"].sel(criterion=measured)
        centred = c - c.mean("draw")
        return np.sqrt((centred ** 2).sum(("draw", "period")) / DF)

    ratio = (pooled_sd(small) / pooled_sd(large)).values
    assert np.all(ratio > 0)
    assert np.abs(np.log(ratio)).max() <= np.log(RATIO_TOLERANCE), ratio


def test_risk_figures_agree_within_their_standard_errors(runs):
    small, large = runs
    names = ("p_met", "expected_repayment_dkk", "p_full_payout")
    compared = sum(int(np.isfinite(small[f"risk_{name}"]).sum()) for name in names)
    z = stats.t.ppf(1 - 0.01 / 2 / compared, df=SAMPLES - 1)
    for name in names:
        a, b = small[f"risk_{name}"], large[f"risk_{name}"]
        se = np.sqrt(small[f"risk_{name}_se"] ** 2 + large[f"risk_{name}_se"] ** 2)
        gap = np.abs(a - b).where(np.isfinite(a))
        assert bool((gap <= z * se).where(np.isfinite(a), True).all()), (name, z, a.values, b.values, se.values)
    # the errors include the sampling error, which is larger for the smaller sample
    assert float(small["risk_expected_repayment_dkk_sample_se"].max()) > float(large["risk_expected_repayment_dkk_sample_se"].max())
