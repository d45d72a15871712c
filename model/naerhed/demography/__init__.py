"""Demography: cohort-component projection of the micro population (mortality with improvement,
fertility, net migration, ageing) and optional alignment to a macro projection."""

from .cohort_component import Demography, YearEvents, step_year

__all__ = ["Demography", "YearEvents", "step_year"]
