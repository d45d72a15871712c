"""The intervention types, one module each (see naerhed.interventions.base). Importing this
package imports every module in it, so each type registers itself; `registered()` lists them and
`settings_union()` is the pydantic type of a scenario's intervention block."""

from __future__ import annotations

import importlib
import pkgutil

from ..base import INTERVENTION_TAG, registered, settings_union

__all__ = ["INTERVENTION_TAG", "registered", "settings_union"]

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
