"""Persistent person-level frailty: a gamma-distributed multiplier of hospital use (mean 1,
variance 1/shape), drawn once per person and kept for life. It makes a few persons account for
many admissions. Its variance is calibrated so that, at the base year, the share of persons with
an acute admission who have repeated acute admissions equals the published figure (11 % of medical
inpatients; Sundhedsdatastyrelsen 2017). "Repeated" means at least `threshold` acute admissions in
the calendar year (see hospital_use_parameters.csv for the threshold and why).

The gamma is capped (censored) at `cap`: nobody is more than that many times as prone to hospital
use as an average person of the same age, sex and health (assumption, hospital_use_parameters.csv),
which keeps the number of admissions of the frailest persons realistic.
Each kind of use is multiplied by f^e / E[f^e] (exponent e per kind), so the mean use does not
depend on the frailty variance.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq
from scipy.special import gammainc, gammaincc, gammaln, roots_genlaguerre

from ..streams import RandomStreams

SHAPE_BOUNDS = (0.05, 30.0)  # gamma shapes searched (variance 20 to 0.03)


def gamma_moment(shape: float, exponent: float, cap: float = np.inf) -> float:
    """E[f^exponent] for frailty f = min(F, cap), F ~ Gamma(shape, 1/shape): dividing f^e by it keeps
    the mean multiplier of every kind of use at 1 whatever the frailty variance."""
    full = np.exp(gammaln(shape + exponent) - gammaln(shape) - exponent * np.log(shape))
    if not np.isfinite(cap):
        return float(full)
    below = full * gammainc(shape + exponent, cap * shape)
    return float(below + cap ** exponent * gammaincc(shape, cap * shape))


QUADRATURE_NODES = 48


def repeated_shares(first: np.ndarray, planned: np.ndarray, readmission: np.ndarray, weight: np.ndarray,
                    shape: float, threshold: int, exponents: tuple[float, float, float],
                    cap: float = np.inf) -> tuple[float, float]:
    """(share of persons with >= 1 acute admission who have >= threshold, share of acute admissions
    made by them), for persons (or cells, with `weight`) with expected first acute admissions `first`,
    planned admissions `planned` and readmission probability `readmission` at frailty 1, and frailty
    exponents (acute, planned, readmission). Given frailty f the acute count (first admissions plus
    readmissions) is taken as Poisson; f is integrated out by generalised Gauss-Laguerre quadrature."""
    x, w = roots_genlaguerre(QUADRATURE_NODES, shape - 1.0)
    f = np.minimum(x / shape, cap)
    w = w / w.sum()
    e_acute, e_planned, e_readmission = exponents
    norm = [gamma_moment(shape, e, cap) for e in exponents]
    fa = (f ** e_acute / norm[0])[:, None]
    fp = (f ** e_planned / norm[1])[:, None]
    fr = (f ** e_readmission / norm[2])[:, None]
    r = np.minimum(readmission[None] * fr, 1.0)
    m = first[None] * fa * (1.0 + r) + planned[None] * fp * r  # [node, cell]
    term = np.exp(-m)
    below = np.zeros_like(m)         # P(1 <= N < threshold)
    events_below = np.zeros_like(m)  # E[N; N < threshold]
    for n in range(1, threshold):
        term = term * m / n
        below += term
        events_below += n * term
    at_least_one = 1.0 - np.exp(-m)
    node_weight = w[:, None] * weight[None]
    repeaters = (node_weight * (at_least_one - below)).sum() / (node_weight * at_least_one).sum()
    events = (node_weight * (m - events_below)).sum() / (node_weight * m).sum()
    return float(repeaters), float(events)


def calibrate_shape(first, planned, readmission, weight, target_share: float, threshold: int,
                    exponents: tuple[float, float, float], cap: float = np.inf) -> float:
    """Gamma shape k such that the share of acute inpatients with >= threshold acute admissions is
    `target_share` (see `repeated_shares` for the arguments)."""
    low, high = SHAPE_BOUNDS

    def gap(log_k):
        shares = repeated_shares(first, planned, readmission, weight, float(np.exp(log_k)), threshold, exponents, cap)
        return shares[0] - target_share

    if gap(np.log(high)) > 0:  # even almost no frailty gives more repeats than the target
        return high
    if gap(np.log(low)) < 0:
        return low
    return float(np.exp(brentq(gap, np.log(low), np.log(high), xtol=1e-6)))


def draw_frailty(ids: np.ndarray, shape: float, cap: float, streams: RandomStreams, year: int,
                 decision: str = "frailty") -> np.ndarray:
    """Frailty min(F, cap), F ~ Gamma(shape, 1/shape) (float32) for the persons `ids` (consecutive ids of persons who entered the
    population in `year`): the stream of `year` is drawn for ids first..last, so a person's frailty
    depends only on the seed, the draw, the year and the id (common random numbers)."""
    if ids.size == 0:
        return np.zeros(0, dtype=np.float32)
    first = int(ids.min())
    generator = streams.generator(decision, year)
    values = np.minimum(generator.gamma(shape, 1.0 / shape, size=int(ids.max()) - first + 1), cap).astype(np.float32)
    return values[ids - first]
