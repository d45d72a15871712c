"""Named random streams with common random numbers (CRN).

Every random decision has its own stream, keyed by (seed, draw, decision name, year). A stream is
drawn for every person id 0..n_ids-1 and then indexed by id, so the same person gets the same number
for the same decision in every scenario run with the same seed and draw, whatever else differs.
The global numpy random state is never used.

Two kinds of streams serve a run (naerhed.engine):
- the *sample's* streams (`RandomStreams.of_sample(seed)`): who is in the simulated sample and what
  happens to its composition (synthesis, chronic states, frailty, deaths, births, migration,
  intervention participation). They are the same in every draw, so the sample is one fixed sample of
  the population: its composition error is a fixed sampling error of the expectations (small for
  regional totals), not a draw-to-draw variation that grows as the sample fraction shrinks;
- each draw's streams (`RandomStreams(seed, draw)`): the chance of hospital events (shrunk to the
  scale of the real population, naerhed.health.hospital_use) and the sampled parameters.
"""

from __future__ import annotations

import zlib

import numpy as np


def _decision_key(decision: str) -> int:
    """A stable 32-bit integer for a decision name (crc32 is the same on every platform and run)."""
    return zlib.crc32(decision.encode("utf-8"))


#: The draw key of the sample's streams (replicate r: SAMPLE_KEY + r): above every draw number a run
#: can have (draws <= 100,000).
SAMPLE_KEY = 2**32


class RandomStreams:
    """The random streams of one Monte Carlo draw of one run seed (or of the run's sample: `of_sample`)."""

    def __init__(self, seed: int, draw: int):
        self.seed = int(seed)
        self.draw = int(draw)

    @classmethod
    def of_sample(cls, seed: int, replicate: int = 0) -> "RandomStreams":
        """The streams of the simulated sample's composition, common to every draw of the run `seed`;
        `replicate` r > 0: another, independent sample of the same seed (for the sampling error)."""
        return cls(seed, SAMPLE_KEY + int(replicate))

    def generator(self, decision: str, year: int) -> np.random.Generator:
        """An independent generator for one decision in one calendar year."""
        sequence = np.random.SeedSequence(
            entropy=self.seed, spawn_key=(self.draw, _decision_key(decision), int(year))
        )
        return np.random.Generator(np.random.PCG64(sequence))

    def uniform_by_id(self, decision: str, year: int, ids: np.ndarray, n_ids: int) -> np.ndarray:
        """One U(0,1) float32 per person, looked up by person id (common random numbers)."""
        return self.generator(decision, year).random(int(n_ids), dtype=np.float32)[ids]

    def uniform(self, decision: str, year: int, n: int) -> np.ndarray:
        """n U(0,1) float64 numbers for decisions that are not about existing persons (e.g. cells)."""
        return self.generator(decision, year).random(int(n))
