"""Bodies about invoices."""

from __future__ import annotations
