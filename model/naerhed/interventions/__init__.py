"""Interventions: intervention types as plug-ins (`base`: the base class, the shared settings and
the registry; `types/`: one module per type, owning its settings, the effects it accepts, its own
effect on the yearly rates and any extra outputs), the catalogue of their defaults with evidence
(data/intervention_catalogue.yaml, `catalogue`), the mechanism every type shares (target group,
uptake ramp, coverage by common random numbers, combination of effects; `mechanism`), and a simpy
capacity model of an outpatient clinic (`capacity`, used by the acute slots)."""
