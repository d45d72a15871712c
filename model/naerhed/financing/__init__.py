"""Nærhedsfinansiering: the criteria measured per region and year (and, later, rule sets, payout and risk)."""
