"""Analyses across runs: scenario comparison (paired differences)."""
