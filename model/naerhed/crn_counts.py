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


WHOLE_ARRAY_SHARE = 0.3  # below this share of persons still searching, work on the compressed subset


def poisson_from_uniform(rate: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Poisson counts (int16) with mean `rate` (events per person), one uniform `u` per person.

    Arithmetic is in float32 when both inputs are float32 (as in the model), else in float64. While
    many persons are still searching (rates of one or more, e.g. outpatient stays) the steps run on
    whole arrays; once fewer than WHOLE_ARRAY_SHARE remain, on the compressed subset only."""
    dtype = np.result_type(np.asarray(rate).dtype, np.asarray(u).dtype, np.float32)
    rate = np.asarray(rate, dtype=dtype)
    u = np.asarray(u, dtype=dtype)
    counts = np.zeros(rate.size, dtype=np.int16)
    p = np.exp(-rate)
    cdf = p.copy()
    active = u > cdf
    k = 0
    while k < MAX_COUNT and active.mean() >= WHOLE_ARRAY_SHARE:
        k += 1
        counts += active
        p *= rate / dtype.type(k)
        cdf += p
        active &= u > cdf
    idx = np.flatnonzero(active)
    lam, uu, p, cdf = rate[idx], u[idx], p[idx], cdf[idx]
    while idx.size and k < MAX_COUNT:
        k += 1
        counts[idx] = k
        p *= lam / dtype.type(k)
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
