"""Coda: the core of a multi-provider AI code assistant (no pygls, no rich here)."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
