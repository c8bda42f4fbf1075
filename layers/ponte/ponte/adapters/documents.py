"""Validated documents in SSM Parameter Store: settings a business edits without redeploying.

Each document (the dunning policy, the business identity, the staff directory) is read at most once per
`max_age_seconds` per container. A version that fails validation is refused with the problems named, and the newest
valid version in the parameter's history stays in force, so a broken edit never stops the work, on a warm container
or a cold one.
When no version is valid, reading raises the refusal (an `InvalidInput`, of the loader's own subclass), and that
answer is cached for the same period.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ponte.adapters.clients import LazyClient
from ponte.domain.errors import InvalidInput

if TYPE_CHECKING:
    from mypy_boto3_ssm.client import SSMClient

    from ponte.domain.business import BusinessIdentity
    from ponte.domain.staff import StaffDirectory


@dataclass(frozen=True)
class InForce[T]:
    """The document in force and the version of the parameter it came from."""

    document: T
    parameter_version: int
    # When the newest version of the parameter was refused: its version and what is wrong with it.
    refused_version: int | None = None
    refused_because: str | None = None


class ValidatedDocument[T, F: InForce[Any]]:
    """Reads a document from a parameter, with a small cache and the last valid version as a fallback.

    `load` parses and validates a version's text, raising `InvalidInput` with the problems; `in_force` builds the
    answer from a document and its parameter version (`InForce` or a subclass that names the document).
    """

    def __init__(
        self,
        parameter_name: str,
        load: Callable[[str], T],
        in_force: Callable[[T, int], F],
        client: SSMClient | None = None,
        *,
        max_age_seconds: float = 300,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.parameter_name = parameter_name
        self._load = load
        self._in_force = in_force
        self._client = client
        self._max_age = max_age_seconds
        self._monotonic = monotonic
        self._outcome: F | InvalidInput | None = None
        self._outcome_of = 0  # the newest version of the parameter the outcome accounts for
        self._read_at = 0.0

    client: LazyClient[SSMClient] = LazyClient("ssm")

    def current(self) -> F:
        """The document in force; raises the refusal when no version of the parameter is valid."""
        if self._outcome is None or self._monotonic() - self._read_at >= self._max_age:
            parameter = self.client.get_parameter(Name=self.parameter_name)["Parameter"]
            version = int(parameter["Version"])
            if self._outcome is None or version != self._outcome_of:
                self._outcome, self._outcome_of = self._read(parameter["Value"], version), version
            self._read_at = self._monotonic()
        if isinstance(self._outcome, InvalidInput):
            raise self._outcome.with_traceback(None)
        return self._outcome

    def _read(self, text: str, version: int) -> F | InvalidInput:
        try:
            return self._in_force(self._load(text), version)
        except InvalidInput as refused:
            previous = self._outcome
            # The version in force is still the newest valid one only if no version came between.
            if not isinstance(previous, InForce) or version != self._outcome_of + 1:
                found = self._last_valid(before=version)
                if found is None:
                    # The refusal's own class, so that a caller tells "not configured" from "invalid".
                    return type(refused)(
                        f"no version of {self.parameter_name} up to version {version} is valid; "
                        f"version {version} was refused: {refused}"
                    )
                previous = found
            return dataclasses.replace(previous, refused_version=version, refused_because=str(refused))

    def _last_valid(self, before: int) -> F | None:
        """The newest version of the parameter older than `before` that validates."""
        paginator = self.client.get_paginator("get_parameter_history")
        history = [
            entry for page in paginator.paginate(Name=self.parameter_name) for entry in page.get("Parameters", [])
        ]
        for entry in sorted(history, key=lambda e: int(e["Version"]), reverse=True):
            if int(entry["Version"]) >= before:
                continue
            try:
                return self._in_force(self._load(entry["Value"]), int(entry["Version"]))
            except InvalidInput:
                continue
        return None


@dataclass(frozen=True)
class IdentityInForce(InForce["BusinessIdentity"]):
    @property
    def identity(self) -> BusinessIdentity:
        return self.document


class IdentityStore(ValidatedDocument["BusinessIdentity", IdentityInForce]):
    """The business identity customer notices carry. `current()` raises `IdentityNotConfigured` while the
    parameter holds the not-configured default and no earlier version was valid, `InvalidInput` when no version
    ever was; customer notices wait either way."""

    def __init__(
        self,
        parameter_name: str,
        client: SSMClient | None = None,
        *,
        max_age_seconds: float = 300,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        # Only the function that sends customer notices pays for the identity's model, when it builds the store.
        from ponte.domain.business import load_identity  # noqa: PLC0415

        super().__init__(
            parameter_name,
            load_identity,
            IdentityInForce,
            client,
            max_age_seconds=max_age_seconds,
            monotonic=monotonic,
        )


@dataclass(frozen=True)
class DirectoryInForce(InForce["StaffDirectory"]):
    @property
    def directory(self) -> StaffDirectory:
        return self.document


class DirectoryStore(ValidatedDocument["StaffDirectory", DirectoryInForce]):
    """The staff directory: people, teams, assignment rules and admins. `current()` raises
    `DirectoryNotConfigured` while the parameter holds the not-configured default and no earlier version was
    valid, `InvalidInput` when no version ever was; `in_use()` tells the first case apart."""

    def __init__(
        self,
        parameter_name: str,
        client: SSMClient | None = None,
        *,
        max_age_seconds: float = 300,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        # Only a function that opens accounts or routes alerts pays for the directory's model, when it builds this.
        from ponte.domain.staff import load_directory  # noqa: PLC0415

        super().__init__(
            parameter_name,
            load_directory,
            DirectoryInForce,
            client,
            max_age_seconds=max_age_seconds,
            monotonic=monotonic,
        )

    def in_use(self) -> StaffDirectory | None:
        """The directory in force; None while it is not set up (the deployed default), when Ponte works without one.
        Raises `InvalidInput` when no version of the parameter was ever valid."""
        from ponte.domain.staff import DirectoryNotConfigured  # noqa: PLC0415

        try:
            return self.current().directory
        except DirectoryNotConfigured:
            return None
