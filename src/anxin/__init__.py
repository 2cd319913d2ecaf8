"""anxin (安心): consumer protection and merchant governance for online marketplaces."""

from __future__ import annotations

__version__ = "0.1.0"
