"""Bodies about payments."""

from __future__ import annotations
