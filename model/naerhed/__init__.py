"""naerhed: microsimulation and forecasting model of Danish nærhedsfinansiering (proximity funding)."""

__version__ = "0.1.0"
