"""listbuilder: purchased B2B company lists in, a ranked outbound target list out."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
