"""The staff directory: who works the accounts, in which teams, under whom, and who gets the accounts nobody named.

The directory is a JSON document in Parameter Store, edited without redeploying; `schemas/staff-directory.schema.json`
is generated from `StaffDirectory`. A version that fails validation is refused with every problem named, and the
newest valid version stays in force (`ponte.adapters.documents.DirectoryStore`).

The template deploys `default_staff.json`, next to this module: a document that says the directory is not set up
yet, with an example to copy. Until a directory is set, Ponte works as it did without one: an account's owner is
whatever its source named (else the `DefaultAccountOwner` parameter), and alerts reach staff through the team
topics only. Once it is set, the directory is the authority on who can own an account.

Three rules live here, pure, so every caller applies them the same way:
- `find`: who an owner named by a provider or a spreadsheet is (by id, e-mail or full name, ignoring case and
  accents; a name or e-mail two people share names nobody).
- `rule_for`: how an account that arrives without a usable owner gets one: the rule for its source (`upload`,
  `stripe`, `asaas`, `mercadopago`, `standard`), else the default rule: a fixed person, or a round robin over the
  active members of a team.
- `route`: who receives an alert addressed to an owner: the owner; for an inactive owner, their nearest active
  manager; for an owner the directory does not know (or whose managers are all inactive), the active admins, who
  can give the account an owner.
- `escalation`: who receives the escalation of an owner's critical alert nobody acknowledged
  (`ponte.domain.escalation`): the owner's nearest active manager; without one, the active admins but the owner.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ponte.domain.accounts import Locale
from ponte.domain.business import Email, Phone
from ponte.domain.errors import InvalidInput

_ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"
PersonId = Annotated[
    str,
    Field(
        pattern=_ID_PATTERN,
        description="A person's id, which accounts store as their owner: lower-case letters, digits, '.', '_' and "
        "'-', up to 64.",
    ),
]
TeamId = Annotated[
    str,
    Field(
        pattern=_ID_PATTERN,
        description="A team's id: lower-case letters, digits, '.', '_' and '-', up to 64. Name teams as the alert "
        "topics and the console's groups do (sales, finance, backoffice, collections) for them to line up.",
    ),
]
# Where an account comes from: an invoice upload, or the payment provider whose webhook opened it.
Source = Literal["upload", "stripe", "asaas", "mercadopago", "standard"]


class _Document(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, hide_input_in_errors=True, defer_build=True
    )


class Person(_Document):
    """Someone on staff who may own accounts and receive alerts."""

    id: PersonId
    name: str = Field(min_length=1, max_length=200, description="Full name, as alerts and the console show it.")
    email: Email = Field(description="Where the person's alerts go.")
    phone: Phone | None = Field(
        default=None, description="Mobile in E.164 (+5511987654321): critical alerts also go there by SMS."
    )
    locale: Locale = Field(default="pt-BR", description="The language of the person's alerts: pt-BR, es or en.")
    teams: tuple[TeamId, ...] = Field(default=(), description="Ids of the teams the person belongs to.")
    manager: PersonId | None = Field(
        default=None, description="Id of the person's manager, who receives the person's alerts while inactive."
    )
    active: bool = Field(
        default=True,
        description="False for someone away or gone: they get no new accounts, and their alerts go to their manager.",
    )


class StaffTeam(_Document):
    id: TeamId
    name: str = Field(min_length=1, max_length=100)


class RoundRobin(_Document):
    """Each new account goes to the next active member of the team, in the order the directory lists them."""

    strategy: Literal["round_robin"]
    team: TeamId


class FixedPerson(_Document):
    """Every new account goes to one person."""

    strategy: Literal["fixed"]
    person: PersonId


AssignmentRule = Annotated[RoundRobin | FixedPerson, Field(discriminator="strategy")]


class Assignment(_Document):
    """How an account that arrives without an owner (or naming one the directory refuses) gets one."""

    default: AssignmentRule | None = Field(
        default=None,
        description="The rule for every source without one of its own; none: the DefaultAccountOwner parameter.",
    )
    sources: dict[Source, AssignmentRule] = Field(
        default_factory=dict,
        description="A rule per source of the account: `upload` (invoice files) or the provider whose webhook "
        "opened it (`stripe`, `asaas`, `mercadopago`, `standard`).",
    )


class StaffDirectory(_Document):
    """People, teams, assignment rules and admins."""

    description: str = Field(default="", max_length=2000)
    people: tuple[Person, ...] = Field(min_length=1, max_length=2000)
    teams: tuple[StaffTeam, ...] = Field(default=(), max_length=200)
    assignment: Assignment = Field(default_factory=Assignment)
    admins: tuple[PersonId, ...] = Field(
        min_length=1,
        description="Ids of the people who keep the directory and answer for accounts without a known owner: they "
        "receive the alerts of an owner the directory does not know.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> StaffDirectory:
        problems = [*self._identity_problems(), *self._manager_problems(), *self._rule_problems()]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _identity_problems(self) -> Iterator[str]:
        for what, ids in (("person", [p.id for p in self.people]), ("team", [t.id for t in self.teams])):
            yield from (f"{what} id {id_!r} is used {n} times" for id_, n in Counter(ids).items() if n > 1)
        teams = {t.id for t in self.teams}
        for person in self.people:
            yield from (
                f"person {person.id!r} is in team {t!r}, which is not in teams" for t in person.teams if t not in teams
            )
        people = self._people()
        yield from (f"admin {a!r} is not in people" for a in self.admins if a not in people)
        if not any(people[a].active for a in self.admins if a in people):
            yield "at least one admin must be active"

    def _manager_problems(self) -> Iterator[str]:
        people = self._people()
        for person in self.people:
            if person.manager is None:
                continue
            if person.manager == person.id:
                yield f"person {person.id!r} is their own manager"
            elif person.manager not in people:
                yield f"the manager of {person.id!r}, {person.manager!r}, is not in people"
            elif self._in_a_cycle(person, people):
                yield f"the managers of {person.id!r} lead back to them"

    @staticmethod
    def _in_a_cycle(person: Person, people: dict[str, Person]) -> bool:
        seen = {person.id}
        current = person.manager
        while current is not None and current in people:
            if current in seen:
                return current == person.id
            seen.add(current)
            current = people[current].manager
        return False

    def _rule_problems(self) -> Iterator[str]:
        people, teams = self._people(), {t.id for t in self.teams}
        rules: list[tuple[str, RoundRobin | FixedPerson]] = [
            (f"assignment.sources.{source}", rule) for source, rule in self.assignment.sources.items()
        ]
        if self.assignment.default is not None:
            rules.insert(0, ("assignment.default", self.assignment.default))
        for where, rule in rules:
            if isinstance(rule, RoundRobin):
                if rule.team not in teams:
                    yield f"{where}: team {rule.team!r} is not in teams"
                elif not self.active_members(rule.team):
                    yield f"{where}: team {rule.team!r} has no active member to take turns"
            elif rule.person not in people:
                yield f"{where}: person {rule.person!r} is not in people"
            elif not people[rule.person].active:
                yield f"{where}: person {rule.person!r} is inactive"

    def _people(self) -> dict[str, Person]:
        return {p.id: p for p in self.people}

    @property
    def names(self) -> dict[str, str]:
        """Each person's name by id: how staff texts name the people accounts belong to."""
        return {p.id: p.name for p in self.people}

    def person(self, person_id: str) -> Person | None:
        """The person with exactly this id."""
        return next((p for p in self.people if p.id == person_id), None)

    def person_with_email(self, email: str) -> Person | None:
        """The person whose alerts go to this address (compared without case): how a signed-in staff member, whom
        Cognito knows by e-mail, is found in the directory."""
        wanted = email.strip().casefold()
        return next((p for p in self.people if p.email.casefold() == wanted), None)

    def active_members(self, team: str) -> tuple[Person, ...]:
        """The team's active members, in the order the directory lists them."""
        return tuple(p for p in self.people if p.active and team in p.teams)

    def find(self, reference: str) -> Person | None:
        """The person an owner named by a provider or a file is: by id, e-mail or full name, ignoring case, accents
        and extra spaces. None when nobody is, or when the e-mail or name belongs to several people."""
        wanted = _plain(reference)
        if not wanted:
            return None
        for position in range(3):  # by id, then by e-mail, then by name
            found = [p for p in self.people if _plain((p.id, p.email, p.name)[position]) == wanted]
            if len(found) == 1:
                return found[0]
            if found:
                return None
        return None

    def refusal(self, reference: str) -> str | None:
        """Why `reference` cannot own a new account (None: it can), in English: nobody in the directory, several
        people, or an inactive person."""
        kind = self.refusal_kind(reference)
        if kind == "inactive":
            person = self.find(reference)
            return f"is {person.id if person else reference}, inactive in the staff directory"
        if kind == "ambiguous":
            return "names several people in the staff directory"
        return None if kind is None else "is not in the staff directory"

    def refusal_kind(self, reference: str) -> Literal["unknown", "ambiguous", "inactive"] | None:
        """Which of `refusal`'s reasons refuses `reference`, for a sentence in its reader's language."""
        person = self.find(reference)
        if person is not None:
            return None if person.active else "inactive"
        wanted = _plain(reference)
        if sum(_plain(p.email) == wanted or _plain(p.name) == wanted for p in self.people) > 1:
            return "ambiguous"
        return "unknown"

    def rule_for(self, source: str) -> RoundRobin | FixedPerson | None:
        """The assignment rule for an account from `source`: its own, else the default."""
        own = next((rule for key, rule in self.assignment.sources.items() if key == source), None)
        return own or self.assignment.default

    def route(self, owner: str | None) -> Routing:
        """Who receives an alert addressed to `owner` (see the module's docstring)."""
        if owner is None:
            return Routing(people=(), why="no_owner")
        person = self.find(owner)
        if person is None:
            return Routing(people=self._active_admins(), why="unknown_owner")
        if person.active:
            return Routing(people=(person,), why="owner", owner=person)
        manager = self._active_manager(person)
        if manager is not None:
            return Routing(people=(manager,), why="manager", owner=person)
        return Routing(people=self._active_admins(), why="no_active_manager", owner=person)

    def escalation(self, owner: str) -> Routing:
        """Who the escalation of `owner`'s unacknowledged alert goes to (see the module's docstring); nobody when
        the owner is the only active admin and has no manager."""
        person = self.find(owner)
        manager = self._active_manager(person) if person is not None else None
        if manager is not None:
            return Routing(people=(manager,), why="escalated", owner=person)
        admins = tuple(p for p in self._active_admins() if person is None or p.id != person.id)
        return Routing(people=admins, why="escalated_to_admins", owner=person)

    def _active_manager(self, person: Person) -> Person | None:
        seen = {person.id}
        current = self.person(person.manager) if person.manager else None
        while current is not None and current.id not in seen:
            if current.active:
                return current
            seen.add(current.id)
            current = self.person(current.manager) if current.manager else None
        return None

    def _active_admins(self) -> tuple[Person, ...]:
        admins = (self.person(a) for a in dict.fromkeys(self.admins))
        return tuple(p for p in admins if p is not None and p.active)


RoutingReason = Literal[
    "owner", "manager", "unknown_owner", "no_active_manager", "no_owner", "escalated", "escalated_to_admins"
]


@dataclass(frozen=True, slots=True)
class Routing:
    """Who an owner's alert goes to, and why. `owner` is the owner as the directory knows them, if it does."""

    people: tuple[Person, ...]
    why: RoutingReason
    owner: Person | None = None


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in folded if not unicodedata.combining(c)).split())


class DirectoryNotConfigured(InvalidInput):
    """The directory is still the default document: owners are kept as named and alerts go to the team topics."""


class NotConfigured(_Document):
    """The sentinel the template deploys (`default_staff.json`): the directory is not set up yet."""

    configured: Literal[False]
    help: str = ""
    example: dict[str, Any] | None = None


def load_directory(text: str) -> StaffDirectory:
    """Parse and validate a staff directory document.

    Raises `DirectoryNotConfigured` for the not-configured default, and `InvalidInput` naming every problem (where
    and why, never the values) for anything else that is not a valid directory.
    """
    if _says_not_configured(text):
        raise DirectoryNotConfigured(
            "the staff directory is not set up yet: set the parameter to the people, teams, assignment rules and "
            "admins (schemas/staff-directory.schema.json)"
        )
    try:
        return StaffDirectory.model_validate_json(text)
    except ValidationError as exc:
        errors = exc.errors(include_input=False, include_url=False)
        locations = [error["loc"] for error in errors]
        problems = "; ".join(
            _describe(error["loc"], error["msg"])
            for error in errors
            # A list whose items were refused is also "too short" once they are dropped: its items' errors say it.
            if not (error["type"] == "too_short" and _has_inner(error["loc"], locations))
        )
        raise InvalidInput(f"invalid staff directory: {problems}") from exc


def _says_not_configured(text: str) -> bool:
    try:
        NotConfigured.model_validate_json(text)
    except ValidationError:
        return False
    return True


def _has_inner(location: tuple[int | str, ...], locations: list[tuple[int | str, ...]]) -> bool:
    return any(len(other) > len(location) and other[: len(location)] == location for other in locations)


def _describe(location: tuple[int | str, ...], message: str) -> str:
    where = ".".join(str(part) for part in location)
    message = message.removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def default_staff_text() -> str:
    """The document the template deploys: the not-configured sentinel, with an example directory."""
    return resources.files("ponte.domain").joinpath("default_staff.json").read_text(encoding="utf-8")
