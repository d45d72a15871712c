"""Health of the simulated persons: chronic disease (naerhed.health.chronic: KOL and diabetes type 1
and type 2 as bit flags per person, with incidence, excess mortality and calibration to published
counts). Hospital use and other health modules live beside it."""
