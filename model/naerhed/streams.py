"""Named random streams with common random numbers (CRN).

Every random decision has its own stream, keyed by (seed, draw, decision name, year). A stream is
drawn for every person id 0..n_ids-1 and then indexed by id, so the same person gets the same number
for the same decision in every scenario run with the same seed and draw, whatever else differs.
The global numpy random state is never used.
"""

from __future__ import annotations

import zlib

import numpy as np


def _decision_key(decision: str) -> int:
    """A stable 32-bit integer for a decision name (crc32 is the same on every platform and run)."""
    return zlib.crc32(decision.encode("utf-8"))


class RandomStreams:
    """The random streams of one Monte Carlo draw of one run seed."""

    def __init__(self, seed: int, draw: int):
        self.seed = int(seed)
        self.draw = int(draw)

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
