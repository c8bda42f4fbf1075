"""Composition that several functions share (each function's own is in `ponte.functions`). Nothing here runs at
import: adapters are built when a function's wiring asks for them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ponte.adapters.documents import DirectoryStore
    from ponte.services.owners import Owners


def staff_directory(parameter: str) -> DirectoryStore | None:
    """The staff directory kept in the SSM parameter; None without one (an empty parameter)."""
    from ponte.adapters.documents import DirectoryStore  # noqa: PLC0415

    return DirectoryStore(parameter) if parameter else None


def owners_rule(table_name: str, directory: DirectoryStore | None, default_owner: str) -> Owners:
    """Who owns the accounts a function opens (`ponte.services.owners`): the directory's rule, with its rotation's
    counters in the table, or the owner the source names; `default_owner` (empty: none) when nothing else does. The
    directory is read only when an account is opened."""
    from ponte.adapters.owner_rotation import RotationCounters  # noqa: PLC0415
    from ponte.services.owners import Owners  # noqa: PLC0415

    return Owners(
        directory=directory.in_use if directory is not None else None,
        rotation=RotationCounters(table_name),
        default_owner=default_owner or None,
    )
