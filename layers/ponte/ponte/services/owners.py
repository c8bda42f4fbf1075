"""Who answers for a new account: the one rule, for accounts opened by a webhook and by an upload alike.

1. The owner the source named (a provider's `metadata.owner`, an upload's `responsável` / `vendedor` / `owner` /
   `gerente` column), when the staff directory knows them and they are active: found by id, e-mail or full name
   (`StaffDirectory.find`), and stored as their id.
2. Otherwise the directory's assignment rule for the source (`upload`, or the provider's name), else its default
   rule: a fixed person, or the next active member of a team in turn (a counter shared by every function,
   `OwnerRotation`).
3. Otherwise the `DefaultAccountOwner` parameter (empty: no owner; team topics still carry the alerts).

A named owner the directory refuses (unknown, ambiguous or inactive) is not kept: someone who left, or a typo in a
spreadsheet, would otherwise own the customer and nobody would hear of them. What a user expects instead is that
the customer still gets a real owner now, and that the refusal is visible where they look: the rule's owner is
used, the account's timeline says what was refused and why, and an upload's report warns on the invoice's line.
A refusal never fails a payment or an invoice.

Without a directory (the parameter not set up, or never valid) owners are kept as named, as before the directory
existed; a directory that cannot be read for being invalid is logged and treated the same way, so that a broken
edit never holds payments.

A turn taken by an attempt that then does not commit (a conflict retried, a duplicate delivery) is lost: the
rotation is fair over many accounts, not exact to the account.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from ponte.domain.accounts import TimelineEntry
from ponte.domain.errors import InvalidInput

if TYPE_CHECKING:
    from datetime import datetime

    # Types only: the directory's model is imported by whatever reads the directory, when it first does.
    from ponte.domain.staff import FixedPerson, RoundRobin, StaffDirectory

_log = logging.getLogger(__name__)
_MAX_OWNER = 128  # Account.owner


class OwnerRotation(Protocol):
    def next_turn(self, team: str) -> int:
        """Take the team's next turn: 1 the first time, then 2, 3... Atomic: concurrent callers get distinct turns."""


@dataclass(frozen=True, slots=True)
class OwnerChoice:
    """The owner a new account gets, and how it was chosen."""

    owner: str | None
    how: Literal["named", "rule", "default", "none"]
    rule: str | None = None  # `round_robin:<team>` or `fixed`, when a rule chose
    refused: str | None = None  # the owner the source named, when the directory refused it
    refused_because: str | None = None

    def facts(self) -> dict[str, str | int]:
        """For the `account.opened` timeline entry."""
        facts: dict[str, str | int] = {"owner_from": self.how if self.rule is None else f"rule:{self.rule}"}
        if self.owner is not None:
            facts["owner"] = self.owner
        return facts

    def refusal_entries(self, account_id: str, at: datetime, source: str) -> tuple[TimelineEntry, ...]:
        """An `owner.refused` timeline entry, when the named owner was refused."""
        if self.refused is None:
            return ()
        return (
            TimelineEntry(
                account_id=account_id,
                at=at,
                what="owner.refused",
                why=f"the owner named, {self.refused!r}, {self.refused_because}: {self.instead()}",
                source=source,
                facts={"refused": self.refused, **self.facts()},
            ),
        )

    def instead(self) -> str:
        """What happened instead of the named owner, in words for a report or a timeline."""
        if self.owner is None:
            return "the account has no owner"
        by = {"rule": f"by the directory's rule ({self.rule})", "default": "the default owner"}.get(self.how, "")
        return f"the account goes to {self.owner}" + (f", {by}" if by else "")


class Owners:
    """The owner rule (see the module's docstring), with its ports: the directory in use (a callable answering None
    while it is not set up, and raising `InvalidInput` when it was never valid; None: no directory at all), the
    rotation's counters, and the last-resort default owner."""

    def __init__(
        self,
        directory: Callable[[], StaffDirectory | None] | None = None,
        rotation: OwnerRotation | None = None,
        default_owner: str | None = None,
    ) -> None:
        self._directory = directory
        self._rotation = rotation
        self.default_owner = default_owner or None

    def assign(self, named: str | None, *, source: str) -> OwnerChoice:
        """The owner of an account opened now from `source` (`upload` or a provider's name)."""
        named = (named or "").strip()[:_MAX_OWNER] or None
        directory = self._in_use()
        if directory is None:
            if named is not None:
                return OwnerChoice(named, "named")
            return self._default()
        refused = because = None
        if named is not None:
            because = directory.refusal(named)
            person = directory.find(named)
            if because is None and person is not None:
                return OwnerChoice(person.id, "named")
            refused = named
        rule = directory.rule_for(source)
        chosen = self._default() if rule is None else self._by_rule(directory, rule)
        return OwnerChoice(chosen.owner, chosen.how, chosen.rule, refused, because)

    def refusal(self, named: str | None) -> str | None:
        """Why the directory refuses `named` as an owner (None: it does, or there is no directory). Takes no turn:
        for the report of a run retried after a crash, which finds the account its crashed attempt opened."""
        named = (named or "").strip()
        directory = self._in_use() if named else None
        return None if directory is None else directory.refusal(named)

    def refusal_kind(self, named: str | None) -> str | None:
        """Which reason refuses `named` (`StaffDirectory.refusal_kind`), for a report's sentence."""
        named = (named or "").strip()
        directory = self._in_use() if named else None
        return None if directory is None else directory.refusal_kind(named)

    def _in_use(self) -> StaffDirectory | None:
        if self._directory is None:
            return None
        try:
            return self._directory()
        except InvalidInput as invalid:
            _log.warning("staff directory unusable: owners kept as named", extra={"reason": str(invalid)[:500]})
            return None

    def _default(self) -> OwnerChoice:
        return OwnerChoice(self.default_owner, "default" if self.default_owner else "none")

    def _by_rule(self, directory: StaffDirectory, rule: RoundRobin | FixedPerson) -> OwnerChoice:
        if rule.strategy == "fixed":
            return OwnerChoice(rule.person, "rule", "fixed")
        members = directory.active_members(rule.team)
        if self._rotation is None:
            raise TypeError("a round robin needs the rotation's counters")
        turn = self._rotation.next_turn(rule.team)
        # The directory refuses a round robin over a team without an active member, so `members` is never empty.
        return OwnerChoice(members[(turn - 1) % len(members)].id, "rule", f"round_robin:{rule.team}")
