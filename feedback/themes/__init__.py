"""Themes engine: bilingual (English/Spanish) grouping of concerns. Public API: :func:`build_themes`."""

from __future__ import annotations

import importlib

__all__ = ["Anchor", "ConcernText", "Theme", "build_themes"]


def __getattr__(name: str):
    # The engine loads scikit-learn (seconds): importing the package's Django modules (admin, selectors) must not.
    if name in __all__:
        return getattr(importlib.import_module(f"{__name__}.engine"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
