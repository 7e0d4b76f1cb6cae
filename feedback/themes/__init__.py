"""Themes engine: bilingual (English/Spanish) grouping of concerns. Public API: :func:`build_themes`."""

from __future__ import annotations

from .engine import Anchor, ConcernText, Theme, build_themes

__all__ = ["Anchor", "ConcernText", "Theme", "build_themes"]
