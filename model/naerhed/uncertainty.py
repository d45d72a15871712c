"""Uncertain parameters: a number, or a distribution sampled once per Monte Carlo draw.

Each parameter has its own random stream keyed by (seed, draw, parameter name), so the same
parameter gets the same value in every scenario run with the same seed and draw (common random
numbers), whatever other parameters the scenarios have.
"""

from __future__ import annotations

from dataclasses import dataclass

import math

from scipy.special import ndtri

from .streams import RandomStreams


@dataclass(frozen=True)
class Prior:
    """A distribution: kind normal (mean, sd), uniform (low, high) or triangular (low, mode, high)."""

    distribution: str
    mean: float | None = None
    sd: float | None = None
    low: float | None = None
    mode: float | None = None
    high: float | None = None

    def quantile(self, u: float) -> float:
        """The value at cumulative probability u (inverse CDF)."""
        if self.distribution == "normal":
            return float(self.mean + self.sd * ndtri(u)) if self.sd > 0 else float(self.mean)
        if self.distribution == "uniform":
            return float(self.low + u * (self.high - self.low))
        if self.distribution == "triangular":
            return triangular_quantile(u, self.low, self.mode, self.high)
        raise ValueError(f"unknown distribution {self.distribution!r}")

    def central(self) -> float:
        """Central value: the mean (normal), midpoint (uniform) or mode (triangular)."""
        if self.distribution == "normal":
            return float(self.mean)
        if self.distribution == "uniform":
            return 0.5 * (self.low + self.high)
        return float(self.mode)


def triangular_quantile(u: float, low: float, mode: float, high: float) -> float:
    """Inverse CDF of the triangular distribution (low, mode, high) at cumulative probability u."""
    width = high - low
    if u * width <= mode - low:
        return float(low + math.sqrt(u * width * (mode - low)))
    return float(high - math.sqrt((1.0 - u) * width * (high - mode)))


def as_prior(value) -> Prior | float:
    """A scenario value (number or Distribution model) or a Prior, as a number or Prior."""
    if value is None or isinstance(value, (int, float, Prior)):
        return value
    return Prior(value.distribution, value.mean, value.sd, value.low, value.mode, value.high)


def draw_value(value, name: str, seed: int, draw: int, central: bool = False) -> float:
    """The value of an uncertain parameter in one draw (a plain number is returned as it is)."""
    value = as_prior(value)
    if not isinstance(value, Prior):
        return float(value)
    if central:
        return value.central()
    u = float(RandomStreams(seed, draw).uniform("parameter:" + name, 0, 1)[0])
    return value.quantile(u)
