"""Event counts drawn by inverse CDF from one uniform number per person.

numpy's Poisson and binomial samplers use a variable number of random numbers per value, so a
change in one person's rate would shift every later person's draw and break common random
numbers. Here each person's count is the smallest k with CDF(k) >= u for the person's own uniform
u: a slightly higher rate gives the same or a higher count (monotone coupling), so paired scenario
differences are as small as possible. Work is O(persons) for the first step and then only over the
few persons with larger counts (the loop runs over k, not over persons).
"""

from __future__ import annotations

import numpy as np

MAX_COUNT = 200


def poisson_from_uniform(rate: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Poisson counts (int16) with mean `rate` (events per person), one uniform `u` per person."""
    rate = np.asarray(rate, dtype=np.float64)
    counts = np.zeros(rate.size, dtype=np.int16)
    p = np.exp(-rate)
    idx = np.flatnonzero(u > p)
    lam, uu, p, cdf = rate[idx], u[idx], p[idx], p[idx].copy()
    k = 0
    while idx.size and k < MAX_COUNT:
        k += 1
        counts[idx] = k
        p *= lam / k
        cdf += p
        more = uu > cdf
        idx, lam, uu, p, cdf = idx[more], lam[more], uu[more], p[more], cdf[more]
    return counts


def binomial_from_uniform(trials: np.ndarray, probability: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Binomial counts (int16) of successes in `trials` with `probability`, one uniform per person."""
    trials = np.asarray(trials, dtype=np.int64)
    prob = np.clip(np.asarray(probability, dtype=np.float64), 0.0, 1.0 - 1e-12)
    counts = np.zeros(trials.size, dtype=np.int16)
    idx = np.flatnonzero(trials > 0)
    n, q, uu = trials[idx], prob[idx], u[idx]
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
