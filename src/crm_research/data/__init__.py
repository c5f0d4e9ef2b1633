"""Data layer: real datasets, the CRM world simulator, the reader and the Ibis/DuckDB engine.

The submodules are loaded when first used (``crm_research.data.engine`` does not load the
simulator): ``from crm_research.data import datasets`` and ``crm_research.data.datasets`` both
work, and :data:`__all__` lists every public submodule.
"""

import importlib
import pkgutil

__all__ = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def __getattr__(name: str):
    """Load a submodule on first attribute access (PEP 562)."""
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
