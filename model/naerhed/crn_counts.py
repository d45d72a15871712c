"""Event counts drawn by inverse CDF from one uniform number per person.

numpy's Poisson and binomial samplers use a variable number of random numbers per value, so a
change in one person's rate would shift every later person's draw and break common random
numbers. Here each person's count is the smallest k with CDF(k) >= u for the person's own uniform
u: a slightly higher rate gives the same or a higher count (monotone coupling), so paired scenario
differences are as small as possible. The loop runs over k, not over persons.
"""

from __future__ import annotations

import numpy as np

MAX_COUNT = 200


COMPACT_SHARE = 0.5  # when fewer than this share of the working persons still search, drop the others


def poisson_from_uniform(rate: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Poisson counts (int16) with mean `rate` (events per person), one uniform `u` per person.

    Arithmetic is in float32 when both inputs are float32 (as in the model), else in float64. The
    steps run on the persons still searching; the working arrays are compacted only when fewer than
    COMPACT_SHARE of them remain, so the compaction costs O(persons) in all, however long the tail
    of high rates (frail persons with many outpatient stays)."""
    dtype = np.result_type(np.asarray(rate).dtype, np.asarray(u).dtype, np.float32)
    rate = np.asarray(rate, dtype=dtype)
    u = np.asarray(u, dtype=dtype)
    counts = np.zeros(rate.size, dtype=np.int16)
    p = np.exp(-rate)
    cdf = p.copy()
    active = u > cdf
    n_active = int(np.count_nonzero(active))
    idx = None  # positions of the working persons (None: everybody)
    count = counts
    k = 0
    while n_active and k < MAX_COUNT:
        if n_active < COMPACT_SHARE * active.size:
            keep = np.flatnonzero(active)
            if idx is not None:
                counts[idx] = count
            idx = keep if idx is None else idx[keep]
            rate, u, p, cdf, count = rate[keep], u[keep], p[keep], cdf[keep], count[keep]
            active = np.ones(keep.size, dtype=bool)
        k += 1
        count += active
        p *= rate / dtype.type(k)
        cdf += p
        active &= u > cdf
        n_active = int(np.count_nonzero(active))
    if idx is not None:
        counts[idx] = count
    return counts


def binomial_from_uniform(trials: np.ndarray, probability: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Binomial counts (int16) of successes in `trials` with `probability`, one uniform per person."""
    trials = np.asarray(trials)
    counts = np.zeros(trials.size, dtype=np.int16)
    idx = np.flatnonzero(trials > 0)  # the persons with trials (few): all work is on them
    n = trials[idx].astype(np.int64)
    q = np.clip(np.asarray(probability)[idx].astype(np.float64), 0.0, 1.0 - 1e-12)
    uu = np.asarray(u)[idx]
    p = (1.0 - q) ** n
    cdf = p.copy()
    more = uu > cdf
    idx, n, q, uu, p, cdf = idx[more], n[more], q[more], uu[more], p[more], cdf[more]
    k = 0
    while idx.size:
        counts[idx] = k + 1
        p *= (n - k) / (k + 1) * q / (1.0 - q)
        cdf += p
        k += 1
        more = (uu > cdf) & (n > k)
        idx, n, q, uu, p, cdf = idx[more], n[more], q[more], uu[more], p[more], cdf[more]
    return counts
