"""The dunning policy in force: an SSM parameter a business can change without redeploying.

The parameter is read at most once per `max_age_seconds` per container. A version that fails validation is refused
with the problems named, and the newest valid version in the parameter's history stays in force, so a broken edit
never stops collections, on a warm container or a cold one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ponte.domain.errors import InvalidInput
from ponte.domain.policy import Policy, load_policy

if TYPE_CHECKING:
    from mypy_boto3_ssm.client import SSMClient


@dataclass(frozen=True)
class PolicyInForce:
    policy: Policy
    parameter_version: int
    # When the newest version of the parameter was refused: its version and what is wrong with it.
    refused_version: int | None = None
    refused_because: str | None = None


class PolicyStore:
    """Reads the policy from SSM Parameter Store, with a small cache and the last valid version as a fallback."""

    def __init__(
        self,
        parameter_name: str,
        client: SSMClient | None = None,
        *,
        max_age_seconds: float = 300,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.parameter_name = parameter_name
        self._client = client
        self._max_age = max_age_seconds
        self._monotonic = monotonic
        self._cached: PolicyInForce | None = None
        self._read_at = 0.0

    @property
    def client(self) -> SSMClient:
        if self._client is None:
            import boto3  # noqa: PLC0415 - created on first use, not at import

            self._client = boto3.client("ssm")
        return self._client

    def current(self) -> PolicyInForce:
        if self._cached is not None and self._monotonic() - self._read_at < self._max_age:
            return self._cached
        parameter = self.client.get_parameter(Name=self.parameter_name)["Parameter"]
        version = int(parameter["Version"])
        latest = self._cached
        if latest is None or version != (latest.refused_version or latest.parameter_version):
            latest = self._load(parameter["Value"], version)
        self._cached, self._read_at = latest, self._monotonic()
        return latest

    def _load(self, text: str, version: int) -> PolicyInForce:
        try:
            return PolicyInForce(policy=load_policy(text), parameter_version=version)
        except InvalidInput as refused:
            previous = self._cached
            if previous is None or previous.parameter_version > version:
                previous = self._last_valid(before=version)
            return PolicyInForce(
                policy=previous.policy,
                parameter_version=previous.parameter_version,
                refused_version=version,
                refused_because=str(refused),
            )

    def _last_valid(self, before: int) -> PolicyInForce:
        """The newest version of the parameter older than `before` that validates."""
        paginator = self.client.get_paginator("get_parameter_history")
        history = [
            entry for page in paginator.paginate(Name=self.parameter_name) for entry in page.get("Parameters", [])
        ]
        for entry in sorted(history, key=lambda e: int(e["Version"]), reverse=True):
            if int(entry["Version"]) >= before:
                continue
            try:
                return PolicyInForce(policy=load_policy(entry["Value"]), parameter_version=int(entry["Version"]))
            except InvalidInput:
                continue
        raise InvalidInput(f"no version of {self.parameter_name} before version {before} is a valid dunning policy")
