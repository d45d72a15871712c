"""Alignment of the micro population to a macro projection (the LIAM2 idea, applied to stocks).

Each year, after deaths, births and ageing, the simulated national total of every sex × 5-year age
group is compared with the projection's total for that group; the difference becomes a net change
spread over regions and single ages in proportion to the simulated population (so regional and
within-group structure are kept). When alignment is on, this residual replaces net migration.
"""

from __future__ import annotations

import numpy as np

from ..constants import N_AGES

ALIGNMENT_GROUP_WIDTH = 5


def alignment_groups() -> np.ndarray:
    """Group index of each single age: 0-4, 5-9, ..., 95-99, 100+."""
    return np.minimum(np.arange(N_AGES) // ALIGNMENT_GROUP_WIDTH, 100 // ALIGNMENT_GROUP_WIDTH)


def alignment_change(counts: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Net change [region, sex, age] in persons that brings the national sex × group totals of
    `counts` [region, sex, age] to those of `target` [sex, age] (national projection, persons)."""
    groups = alignment_groups()
    n_groups = groups.max() + 1
    simulated = np.zeros((2, n_groups))
    wanted = np.zeros((2, n_groups))
    national = counts.sum(axis=0)
    for s in range(2):
        simulated[s] = np.bincount(groups, national[s], minlength=n_groups)
        wanted[s] = np.bincount(groups, target[s], minlength=n_groups)
    factor = np.where(simulated > 0, wanted / np.where(simulated > 0, simulated, 1.0), 1.0)
    return counts * (factor[:, groups][None] - 1.0)
