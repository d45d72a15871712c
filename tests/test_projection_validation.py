"""The projection against Danmarks Statistik's 2020 projection (FRDK120) for 2030, with stated
tolerances from validation_targets.csv. Sample fraction 0.05: the sampling error of the 80+
count (about 22,000 simulated persons) is under 1 %, well inside the 3 % tolerance."""

import pytest

from naerhed import data
from naerhed.engine import simulate_draw
from naerhed.run_spec import RunSpec


@pytest.fixture(scope="module")
def projection_2030(default_inputs):
    result = simulate_draw(RunSpec(inputs=default_inputs, end_year=2030, sample_fraction=0.05, seed=2020), 0)
    return result.population[-1]  # 1 January 2030, [region, sex, age]


def test_persons_80plus_in_2030(projection_2030):
    target = data.load_validation_targets()["persons_80plus_2030_dst2020"]
    simulated = projection_2030[:, :, 80:].sum()
    assert abs(simulated / target.value - 1) <= target.tolerance, f"{simulated:,.0f} vs {target.value:,.0f}"


def test_total_population_in_2030(projection_2030):
    target = data.load_validation_targets()["population_total_2030_dst2020"]
    simulated = projection_2030.sum()
    assert abs(simulated / target.value - 1) <= target.tolerance, f"{simulated:,.0f} vs {target.value:,.0f}"
