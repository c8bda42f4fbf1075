"""Bodies about collections."""

from __future__ import annotations
