"""The dunning policy in force: an SSM parameter a business can change without redeploying.

A validated document (see `ponte.adapters.documents`): a version that fails validation is refused with the problems
named, and the newest valid version in the parameter's history stays in force, so a broken edit never stops
collections.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ponte.adapters.documents import InForce, ValidatedDocument
from ponte.domain.policy import Policy, load_policy

if TYPE_CHECKING:
    from mypy_boto3_ssm.client import SSMClient


@dataclass(frozen=True)
class PolicyInForce(InForce[Policy]):
    @property
    def policy(self) -> Policy:
        return self.document


class PolicyStore(ValidatedDocument[Policy, PolicyInForce]):
    """Reads the policy from SSM Parameter Store, with a small cache and the last valid version as a fallback."""

    def __init__(
        self,
        parameter_name: str,
        client: SSMClient | None = None,
        *,
        max_age_seconds: float = 300,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            parameter_name, load_policy, PolicyInForce, client, max_age_seconds=max_age_seconds, monotonic=monotonic
        )
