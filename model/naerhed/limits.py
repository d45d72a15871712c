"""The limits of a user's input, in one place (README "Limits of inputs" lists them).

Files and YAML: every YAML file naerhed reads (scenario, rule set, sweep parameters, the intervention
catalogue) and every ``--set`` value goes through `naerhed.safe_yaml`, which applies the YAML limits
below before any value is built, so a hostile file fails in milliseconds with a message. Data files
(CSV) are read row by row with the CSV size limit.

Values: the ranges of the scenario's settings are in their models (naerhed.scenario, naerhed.sections,
naerhed.interventions.base); the ranges below are shared by several settings and derived from what the
quantities mean.
"""

from __future__ import annotations

# --- YAML files and --set values ------------------------------------------------------------------
#: Largest YAML file read (bytes). The largest packaged YAML file is about 11 kB; 1 MiB is 90 times that.
MAX_YAML_BYTES = 1 << 20
#: Most values (nodes: mappings, lists, scalars) in one YAML document, counting each use of an alias
#: as a full copy of what it names. A large scenario has a few hundred; the packaged catalogue about
#: 550. The "billion laughs" bomb expands to 10^9 and is refused after 20,000.
MAX_YAML_NODES = 20_000
#: Most aliases (*name) in one YAML document. The packaged files use at most 3.
MAX_YAML_ALIASES = 100
#: Deepest nesting of mappings and lists in one YAML document (a scenario nests at most 5 deep).
MAX_YAML_DEPTH = 40
#: Most digits of an integer written in YAML (the largest integer any setting takes, the seed
#: 2^63 - 1, has 19; Python refuses to read more than 4,300 by default).
MAX_INT_DIGITS = 100

# --- CSV data files ---------------------------------------------------------------------------------
#: Largest CSV data file read (bytes). The largest packaged table is about 6.4 MB (the population by
#: region, sex and single age for nine years, with its sources); a StatBank FOLK1A export of all
#: municipalities with civil status for several years stays below 100 MB.
MAX_CSV_BYTES = 200 << 20

# --- Value ranges -------------------------------------------------------------------------------------
#: A relative effect of an intervention (a relative change of a rate or of a price): -1 removes the
#: rate entirely (a rate cannot fall by more than 100 %); +10 is an elevenfold rate, beyond any
#: effect in the catalogue (the largest is +1.0, twice the rate). A distribution of the effect must
#: keep its mean (normal) or its low, mode and high (uniform, triangular) in the range, and a normal
#: distribution's sd at most the range's width.
RELATIVE_EFFECT_RANGE = (-1.0, 10.0)
#: A share (of persons, of stays, a probability): 0 to 1.
SHARE_RANGE = (0.0, 1.0)
#: A secular trend of hospital use per person (relative change per year): -50 % to +50 % a year,
#: ten times the largest trend seen in any region's series since 2009 (about -2.8 % a year).
TREND_RANGE = (-0.5, 0.5)
#: Largest amount of money one setting may give (DKK per year or per participant): 10^11 DKK, about
#: the yearly health budget of all five regions together (about 1.3 * 10^11 DKK); a single
#: intervention's cost is far below.
MAX_DKK = 1e11
#: Most interventions in one scenario (each costs one more run for its contribution).
MAX_INTERVENTIONS = 100
#: Fewest simulated persons per region: a region's criteria are ratios of its simulated persons' hospital
#: use; with a handful of persons some ratios are undefined (0 / 0: no person with a chronic disease, no
#: admission) and the risk figures meaningless. With 200 persons about 20 have a chronic disease, so
#: the chance of none is below 10^-8. The smallest region (Nordjylland, about 590,000 persons) so needs
#: a sample fraction of at least about 0.00034.
MIN_PERSONS_PER_REGION = 200
#: Most persons in the population data of one region (a plausibility bound: the largest region,
#: Hovedstaden, has about 1.9 million; ten times that is no Danish region).
MAX_PERSONS_PER_REGION = 20_000_000
#: Largest net migration (immigrants minus emigrants) of one year or one cell of a table, either way
#: (persons): a sixth of Denmark's population; the largest year since 2008 had about 50,000.
MAX_NET_MIGRATION = 1_000_000
#: A user's calibration level of a criterion must lie within this factor of the packaged national level
#: (e.g. 0.22 to 22 stays per citizen a year around 2.2): a region's level is never ten times another's.
CALIBRATION_FACTOR = 10.0
#: Largest sd of a calibration level, as a share of the level: 0.5 makes the sampled level negative in
#: 2.3 % of draws (two sd below the level); the packaged sds are at most 0.1 of the level.
MAX_CALIBRATION_SD_SHARE = 0.5
