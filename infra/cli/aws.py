"""Where the commands act: AWS clients with the caller's credentials, and the names of the stack's resources.

A deployed stack is named by `--stack`: each resource is found by the template's logical id among the stack's
resources (CloudFormation's `ListStackResources`), and the business settings among its parameters. The local stack
has no CloudFormation stack: its names are given one by one, as `make serve` prints them (`--table`, `--queue-url`,
...), with the emulator's `--endpoint-url`; its business settings are the template's defaults, as there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


class Usage(Exception):
    """The command cannot run as given (a name missing, an unknown queue): exit status 2."""


class Failed(Exception):
    """The command ran and the answer is no (an invalid policy, no such account): exit status 1."""


class Aws:
    """Clients from one boto3 session, made on first use, pointed at `endpoint_url` when given (an emulator).

    Counts the calls it makes, per operation, so that a long command can say what it read.
    """

    def __init__(
        self,
        *,
        endpoint_url: str | None = None,
        profile: str | None = None,
        region: str | None = None,
        session: Any = None,
        clients: Mapping[str, Any] | None = None,
    ) -> None:
        self.endpoint_url = endpoint_url
        self.calls: Counter[str] = Counter()
        self._profile, self._region = profile, region
        self._session = session
        self._counting = False
        self._clients: dict[str, Any] = dict(clients or {})

    @property
    def session(self) -> Any:
        if self._session is None:
            import boto3  # noqa: PLC0415 - only the commands that talk to AWS pay for it

            self._session = boto3.session.Session(profile_name=self._profile, region_name=self._region)
        if not self._counting:
            self._session.events.register("before-call", self._count)
            self._counting = True
        return self._session

    def client(self, service: str) -> Any:
        if service not in self._clients:
            extra = {"endpoint_url": self.endpoint_url} if self.endpoint_url else {}
            self._clients[service] = self.session.client(service, **extra)
        return self._clients[service]

    def close(self) -> None:
        if self._counting:
            self._session.events.unregister("before-call", self._count)
            self._counting = False

    def _count(self, model: Any, **_: Any) -> None:
        self.calls[f"{model.service_model.service_name}:{model.name}"] += 1


@dataclass(frozen=True)
class Business:
    """The settings the collections worker evaluates with (the stack's parameters)."""

    time_zone: str
    country: str


class Target:
    """The stack the command acts on: deployed (`stack`) or given name by name."""

    def __init__(self, aws: Aws, stack: str | None) -> None:
        self.aws = aws
        self.stack = stack

    def resource(self, logical_id: str, given: str | None, option: str) -> str:
        """The physical name of a resource of the template: as given, or the deployed stack's."""
        if given:
            return given
        if self.stack is None:
            raise Usage(f"name the {logical_id} ({option} ...) or the deployed stack (--stack NAME)")
        physical = self._resources.get(logical_id)
        if physical is None:
            raise Usage(f"the stack {self.stack} has no resource {logical_id}: deploy the current template")
        return physical

    def business(self, time_zone: str | None, country: str | None) -> Business:
        """As given, else the deployed stack's parameters, else the template's defaults (the local stack's)."""
        found = self._parameters if self.stack is not None else _template_defaults()
        zone = time_zone or found.get("BusinessTimeZone")
        where = country or found.get("BusinessCountry")
        if not zone or not where:
            raise Usage("name the business's --time-zone and --country (or the deployed stack: --stack NAME)")
        return Business(time_zone=zone, country=where)

    @cached_property
    def _description(self) -> dict[str, Any]:
        stacks = self.aws.client("cloudformation").describe_stacks(StackName=self.stack)["Stacks"]
        return dict(stacks[0])

    @cached_property
    def _parameters(self) -> dict[str, str]:
        return {p["ParameterKey"]: p.get("ParameterValue", "") for p in self._description.get("Parameters", [])}

    @cached_property
    def _resources(self) -> dict[str, str]:
        paginator = self.aws.client("cloudformation").get_paginator("list_stack_resources")
        return {
            summary["LogicalResourceId"]: summary.get("PhysicalResourceId", "")
            for page in paginator.paginate(StackName=self.stack)
            for summary in page.get("StackResourceSummaries", [])
        }


def _template_defaults() -> dict[str, str]:
    if not TEMPLATE.is_file():
        return {}
    from infra.local.template import load_template  # noqa: PLC0415 - only without a deployed stack

    parameters = load_template(TEMPLATE).get("Parameters", {})
    return {name: str(spec["Default"]) for name, spec in parameters.items() if "Default" in spec}
