"""The specification of a run: everything that determines its numbers, built from a scenario in one
place (`RunSpec.from_scenario`) and handed whole to the engine, the executors and the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, replace

from .inputs import Inputs


@dataclass(frozen=True, eq=False)
class RunSpec:
    """One run's settings (compared by identity: the inputs hold arrays).

    inputs: the reference tables and interventions (naerhed.inputs); end_year: the projection runs to
    1 January of this year; sample_fraction: share of persons simulated (each weighs 1/sample_fraction);
    seed: random seed; draws: Monte Carlo draws; central: every draw uses the central value of each
    uncertain parameter; rule_sets: the nærhedsfinansiering rule sets (naerhed.financing.rules.RuleSet);
    settlement: 'formal' or 'as_applied' (see the scenario's financing.settlement); precision,
    money_precision, tail_precision: the stated Monte Carlo precision of the risk figures (the
    scenario's financing section; None: naerhed.financing.risk's defaults); shock_scale: multiplier of
    the year shocks' size (the scenario's health.year_shocks.scale; 0: none);
    sample: which sample of the seed the draws simulate (0: the run's; r > 0: a replicate sample);
    chance: the hospital-use totals include the chance of events (False: their expectation only);
    sample_replicates: further samples simulated (central, expectation only) to measure the sampling
    error of the risk figures and the composition's chance (naerhed.pipeline; 0: not measured).
    """

    inputs: Inputs
    end_year: int
    sample_fraction: float
    seed: int
    draws: int = 1
    central: bool = False
    rule_sets: tuple = ()
    settlement: str = "formal"
    precision: float | None = None
    money_precision: float | None = None
    tail_precision: float | None = None
    shock_scale: float = 1.0
    sample: int = 0
    chance: bool = True
    sample_replicates: int = 0

    @classmethod
    def from_scenario(cls, scenario, inputs: Inputs) -> RunSpec:
        """The run of `scenario` (naerhed.scenario.Scenario) on its loaded `inputs`."""
        return cls(inputs=inputs, end_year=scenario.end_year, sample_fraction=scenario.population.sample_fraction,
                   seed=scenario.seed, draws=scenario.draws, central=scenario.uncertainty == "central",
                   rule_sets=tuple(scenario.financing.load_rule_sets()), settlement=scenario.financing.settlement,
                   precision=scenario.financing.precision, money_precision=scenario.financing.money_precision,
                   tail_precision=scenario.financing.tail_precision, shock_scale=scenario.health.year_shocks.scale,
                   sample_replicates=scenario.population.sample_replicates)

    @property
    def samples(self) -> int:
        """Replicate samples simulated besides the draws (the run's own sample and sample_replicates
        more, one draw each), 0 when none are asked for (naerhed.pipeline.replicate_specs). At sample
        fraction 1 they are the population with other frailties, chronic states and deaths: the
        composition's chance, which the draws, sharing one composition, do not have."""
        return 0 if self.sample_replicates == 0 else self.sample_replicates + 1

    @property
    def n_years(self) -> int:
        """Calendar years simulated per draw (base year to end_year - 1)."""
        return self.end_year - self.inputs.base_year

    def without(self, intervention: str) -> RunSpec:
        """The same run with the intervention named `intervention` left out (same seed and draws)."""
        kept = [iv for iv in self.inputs.interventions if iv.name != intervention]
        return replace(self, inputs=replace(self.inputs, interventions=kept))
